// Draws the handout's chart in the reader's browser, from the figure JSON in the page, as an SVG image that
// scales to the printed page. A file, not an inline script: the page's Content-Security-Policy allows no inline
// script. The PDF export draws the same chart with Chromium on the server instead.
(function () {
  "use strict";
  var source = document.getElementById("handout-figure");
  var chart = document.getElementById("handout-chart");
  if (!source || !chart || !window.Plotly) { return; }
  var figure = JSON.parse(source.textContent);
  var size = {width: figure.layout.width, height: figure.layout.height};
  var scratch = document.createElement("div");
  scratch.style.cssText = "position:absolute;left:-20000px;top:0;width:" + size.width + "px";
  scratch.setAttribute("aria-hidden", "true");
  document.body.appendChild(scratch);
  window.Plotly.newPlot(scratch, figure.data, figure.layout, {staticPlot: true})
    .then(function (gd) { return window.Plotly.toImage(gd, {format: "svg", width: size.width, height: size.height}); })
    .then(function (url) {
      chart.src = url;
      chart.hidden = false;
      var waiting = document.getElementById("handout-chart-waiting");
      if (waiting) { waiting.remove(); }
      window.Plotly.purge(scratch);
      scratch.remove();
      document.documentElement.setAttribute("data-chart", "drawn");
    });
}());
