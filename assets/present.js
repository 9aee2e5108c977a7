// Presentation keys: the ones a presentation clicker sends, plus N for notes and F for fullscreen.
(function () {
  var KEYS = { ArrowRight: "present-next", PageDown: "present-next", " ": "present-next",
               ArrowLeft: "present-prev", PageUp: "present-prev", Home: "present-first", End: "present-last" };
  function toggleNotes() {
    var notes = document.getElementById("present-notes");
    var button = document.getElementById("present-notes-toggle");
    notes.hidden = !notes.hidden;
    button.setAttribute("aria-expanded", notes.hidden ? "false" : "true");
  }
  function toggleFullscreen() {
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = KEYS[event.key];
    if (target) {
      var link = document.getElementById(target);
      if (link) { event.preventDefault(); link.click(); }
    } else if (event.key === "n" || event.key === "N") { toggleNotes(); }
    else if (event.key === "f" || event.key === "F") { toggleFullscreen(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("#present-notes-toggle")) { toggleNotes(); }
    if (event.target.closest("#present-fullscreen")) { toggleFullscreen(); }
  });
  // The chart is made for the width it is drawn at (assets/fitwidth.js; timeline/web/present.py, WIDTH_STORE).
  function fitWidth(gd) { window.timelineFitWidth(gd, "present-width"); }
  new MutationObserver(function () {
    var gd = document.querySelector("#present-graph .js-plotly-plot");
    if (gd && typeof gd.on === "function" && !gd.fitWired) {
      gd.fitWired = true;
      gd.on("plotly_afterplot", function () { fitWidth(gd); });
      fitWidth(gd);
    }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
