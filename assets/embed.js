// Tells the page that frames this chart how tall it is, so the iframe can fit it (see the embed snippet).
(function () {
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
})();

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  embed: {
    toggleList: function (clicks) {
      var open = clicks % 2 === 1;
      var button = document.getElementById("embed-list-toggle");
      if (button) {
        button.setAttribute("aria-expanded", open ? "true" : "false");
        button.textContent = open ? "Hide the list" : "View as list";
      }
      return open ? "embed-list is-open" : "embed-list";
    },
  },
});
