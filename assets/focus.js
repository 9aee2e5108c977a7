// Moves keyboard focus to the detail panel's heading when a different event is selected,
// so keyboard and screen-reader users land on what they just opened.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  timeline: {
    focusDetail: function (children) {
      const heading = document.getElementById("detail-title");
      const shown = heading ? heading.textContent : null;
      if (heading && window.timelineFocusedDetail !== shown) {
        heading.focus();
      }
      window.timelineFocusedDetail = shown;
      return window.dash_clientside.no_update;
    },
  },
});
