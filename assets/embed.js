// The embed page's script: draws the chart from the figure in the page, opens and closes the event list, and
// tells the page that frames the embed how tall it is, so the iframe can fit it (see the embed snippet). A file,
// not an inline script: the page's Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var source = document.getElementById("timeline-figure");
  var chart = document.getElementById("timeline");
  if (source && chart && window.Plotly) {
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(chart, figure.data, figure.layout, figure.config);
  }

  var toggle = document.getElementById("embed-list-toggle");
  var list = document.getElementById(toggle ? toggle.getAttribute("aria-controls") : "");
  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.textContent = open ? "Hide the list" : "View as list";
    list.classList.toggle("is-open", open);
  }
  if (toggle && list) {
    toggle.addEventListener("click", function () { setOpen(toggle.getAttribute("aria-expanded") !== "true"); });
    // The style shows the list while a keyboard is in it (its page links); the button then says so too.
    list.addEventListener("focusin", function () { setOpen(true); });
  }

  var last = 0;
  function report() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== last && window.parent !== window) {
      last = height;
      window.parent.postMessage({ type: "negotiation-timeline:resize", height: height, href: location.href }, "*");
    }
  }
  new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener("load", report);
}());
