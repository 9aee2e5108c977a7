// A chart is made on the server for the width it was last told (the figure's `meta.width`; the dashboard's in
// timeline/web/callbacks.py, the presentation's in timeline/web/present.py): marks closer than a mark's width are
// drawn as one cluster, and labels and lane names are fitted, at that width. Drawn narrower (a phone, a small
// window), they would overlap; drawn much wider (a projector), they would be cut shorter than they need to. Then the
// page tells the server, through the store `storeId`, the chart's width, and it makes the chart again for it, and
// every change after. Widths close to the one it was made for ask for nothing.
window.timelineFitWidth = function (gd, storeId) {
  const NARROWER = 0.9;
  const WIDER = 1.4;
  const made = gd.layout && gd.layout.meta && gd.layout.meta.width;
  const width = Math.round(gd.clientWidth);
  if (!made || !width || (width >= NARROWER * made && width <= WIDER * made) || gd.toldWidth === width ||
      !window.dash_clientside || !window.dash_clientside.set_props) {
    return;
  }
  gd.toldWidth = width;
  window.dash_clientside.set_props(storeId, {data: width});
};
