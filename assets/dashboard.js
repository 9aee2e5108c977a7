window.dash_clientside = Object.assign({}, window.dash_clientside, {
  timeline: {
    // Moves keyboard focus to the detail panel's heading when a different event is selected,
    // so keyboard and screen-reader users land on what they just opened.
    focusDetail: function (children) {
      const heading = document.getElementById("detail-title");
      const shown = heading ? heading.textContent : null;
      if (heading && window.timelineFocusedDetail !== shown) {
        heading.focus();
      }
      window.timelineFocusedDetail = shown;
      return window.dash_clientside.no_update;
    },
    // On a phone the legend would crowd out the lanes: hide it (the list below names every event's type)
    // and shorten long lane labels.
    fitNarrow: function (figure, graphId) {
      const narrow = window.matchMedia("(max-width: 640px)").matches;
      if (!narrow || !figure || !figure.layout || !figure.layout.yaxis) {
        return window.dash_clientside.no_update;
      }
      const ticks = (figure.layout.yaxis.ticktext || []).map(function (t) {
        return t.length > 16 ? t.slice(0, 15) + "…" : t;
      });
      const patch = new window.dash_clientside.Patch();
      return patch.assign(["layout", "showlegend"], false)
        .assign(["layout", "yaxis", "ticktext"], ticks)
        .assign(["layout", "margin", "b"], 50)
        .assign(["layout", "height"], Math.min(figure.layout.height, 140 + 40 * ticks.length + figure.layout.margin.t))
        .build();
    },
  },
});
