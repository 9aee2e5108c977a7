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
    // The presentation and the handout of exactly this view (without the selected event).
    viewLinks: function (search) {
      const params = new URLSearchParams(search || "");
      params.delete("event");
      const query = params.toString() ? "?" + params.toString().replace(/%2C/g, ",") : "";
      return ["/present/" + query, "/handout/" + query];
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

window.dash_clientside.share = {
  // Fills the dialog from the page's own URL, then opens it as a modal (Escape closes it).
  open: function (clicks, search) {
    const query = search || "";
    const link = window.location.origin + window.location.pathname + query;
    const title = document.title.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
    const src = (window.location.origin + "/embed/" + query).replace(/&/g, "&amp;").replace(/"/g, "&quot;");
    const snippet = document.getElementById("share-dialog").dataset.snippet || "";
    const code = '<iframe src="' + src + '" title="' + title + '" style="width:100%;border:0" height="640" ' +
      'loading="lazy"></iframe>\n' + snippet;
    const formats = ["png", "svg", "pdf", "csv", "json", "html", "timelinejs"];
    const hrefs = formats.map(function (f) { return "/download/" + f + query; });
    document.getElementById("share-dialog").showModal();
    return [link, code].concat(hrefs);
  },
  copy: function () {
    const which = window.dash_clientside.callback_context.triggered[0].prop_id.split(".")[0];
    const field = document.getElementById(which === "share-copy-link" ? "share-link" : "share-embed");
    const what = which === "share-copy-link" ? "Link" : "Embed code";
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value).then(
        function () { return what + " copied."; },
        function () { return what + " selected: press Ctrl+C (or ⌘C) to copy."; });
    }
    return what + " selected: press Ctrl+C (or ⌘C) to copy.";
  },
  close: function () {
    document.getElementById("share-dialog").close();
    document.getElementById("share-open").focus();
    return window.dash_clientside.no_update;
  },
};
