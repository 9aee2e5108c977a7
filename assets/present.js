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
})();
