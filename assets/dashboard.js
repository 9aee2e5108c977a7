// plotly.js keeps the bottom margin that a legend placed against the container (yref "container") reserved
// after that legend is hidden (plotly/plotly.js#6612). On a phone the first drawing's legend, one entry a row,
// reserves most of the chart's height, so hiding it and shortening the chart left the plot a negative height:
// "Something went wrong with axis scaling". Before each drawing without a legend, drop that reservation.
function forgetHiddenLegend(gd) {
  if (!gd || typeof gd.on !== "function" || gd.dataset.forgetsHiddenLegend) {
    return;
  }
  gd.dataset.forgetsHiddenLegend = "1";
  gd.on("plotly_beforeplot", function () {
    const layout = gd._fullLayout;
    if (layout && layout.showlegend === false && layout._reservedMargin) {
      delete layout._reservedMargin.legend;
    }
  });
}

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  timeline: {
    // The layout comes with the chart for the URL the server saw (timeline/web/app.py, first_view), which the
    // page names in `data-search`. When that was not this page's (its Referer was stripped), take the page's own:
    // the callbacks then draw it. Called once, as the page starts: later the URL changes with the view.
    pageSearch: function (search) {
      const own = window.location.search;
      return (search || "") === own ? window.dash_clientside.no_update : own;
    },
    // The filter controls' values for a URL the reader opened (timeline/web/callbacks.py, update), in the order
    // of callbacks.CONTROLS.
    setControls: function (values) {
      return Array.isArray(values) ? values : window.dash_clientside.no_update;
    },
    // The chart's hover while it is on an event's mark (its customdata is the event's row), else null: the server
    // answers for events only (timeline/web/callbacks.py, hover), once more as the pointer leaves one.
    hoveredEvent: function (data, shown) {
      const point = data && data.points && data.points[0];
      const event = point && typeof point.customdata === "number" ? data : null;
      return event === null && !shown ? window.dash_clientside.no_update : event;
    },
  },
});

// On a phone the legend would crowd out the lanes: hide it (the list below names every event's type),
// shorten long lane labels (keeping their ends when their starts alike would not tell them apart: "Actor 01"
// and "Actor 02"), give each lane 40 px, and leave out the labels of the phases, deadlines and events, which have
// no room to stay apart (the phases' bands and the deadlines' lines stay).
const EVENT_LABELS = "Event labels";  // the traces of the events' labels (timeline/figures/chart.py, LABELS)

function narrowLayout(layout) {
  // A lane name may start with its actor's colour swatch (timeline/figures/chart.py): keep it whole.
  const parts = (layout.yaxis.ticktext || []).map(function (t) {
    const swatch = /^(<span style="color:#[0-9A-Fa-f]{6}">■<\/span> )(.*)$/.exec(t);
    return swatch ? [swatch[1], swatch[2]] : ["", t];
  });
  let ticks = parts.map(function (p) { return p[0] + (p[1].length > 16 ? p[1].slice(0, 15) + "…" : p[1]); });
  if (new Set(ticks).size < ticks.length) {
    ticks = parts.map(function (p) {
      return p[0] + (p[1].length > 16 ? p[1].slice(0, 9) + "…" + p[1].slice(-6) : p[1]);
    });
  }
  const top = 24;
  // Under the lanes: the x-axis labels and the 50 px bottom margin.
  const height = top + 100 + 40 * Math.max(ticks.length, 2);
  return Object.assign({}, layout, {
    showlegend: false,
    annotations: [],
    yaxis: Object.assign({}, layout.yaxis, {ticktext: ticks}),
    // upright dates, fewer of them: turned ones ran off the foot
    xaxis: Object.assign({}, layout.xaxis, {tickangle: 0, nticks: 4}),
    margin: Object.assign({}, layout.margin, {l: 10, t: top, b: 50}),  // plotly widens l to the shortened names
    height: Math.min(layout.height, height),
  });
}

// Each drawing of the dashboard's chart: it drops a zoom's pending coarse view (askBeforeDrawing), and on a phone
// it is fitted as plotly.js draws it, not by a callback that answers each new figure with a second one: that drew
// the chart twice on a phone, and cost every zoom and filter a callback's round of the renderer on any screen.
function watchChartDrawings() {
  const react = window.Plotly && window.Plotly.react;
  if (!react || react.watched) {
    return;
  }
  window.Plotly.react = function (gd, figure) {
    const chart = gd && gd.closest && gd.closest("#timeline");
    if (chart) {
      detailCame(gd);
    }
    if (chart && arguments.length === 2 && figure && figure.layout && figure.layout.yaxis &&
        window.matchMedia("(max-width: 640px)").matches) {
      forgetHiddenLegend(gd);
      const data = (figure.data || []).filter(function (trace) { return trace.name !== EVENT_LABELS; });
      return react.call(this, gd, Object.assign({}, figure, {data: data, layout: narrowLayout(figure.layout)}));
    }
    return react.apply(this, arguments);
  };
  window.Plotly.react.watched = true;
}
watchChartDrawings();  // plotly.js is loaded before this file, and draws nothing before the renderer starts

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

window.dash_clientside.filters = {
  // The ticks (as the options' `data-chosen`, drawn by drawOptions) and the summary line for a list filter's value;
  // the summary follows picker_summary in timeline/web/layout.py: "Actors: all", "Actors: Hamas, Egypt" or
  // "Event types: 3 chosen".
  show: function (value, options, label) {
    const chosen = Array.isArray(value) ? value : [];
    const picked = JSON.parse(options || "[]").filter(function (option) { return chosen.includes(option[0]); });
    let summary = label + ": all";
    if (chosen.length && chosen.length <= 2 && picked.length === chosen.length) {
      summary = label + ": " + picked.map(function (option) { return option[1]; }).join(", ");
    } else if (chosen.length) {
      summary = label + ": " + chosen.length + " chosen";
    }
    return [JSON.stringify(chosen), summary];
  },
};

// A list filter's checkboxes come as data on their box (timeline/web/layout.py, _picker): [[id, name], …] and the
// ids chosen. Drawn here as buttons with role="checkbox", as text; redrawn in place, so the focused one keeps focus.
function drawOptions(box) {
  const options = box.getAttribute("data-options");
  const chosenIds = box.getAttribute("data-chosen") || "[]";
  if (box.drawnOptions === options && box.drawnChosen === chosenIds) {
    return;
  }
  box.drawnChosen = chosenIds;
  if (box.drawnOptions !== options) {
    box.drawnOptions = options;
    box.replaceChildren();
    JSON.parse(options).forEach(function (option) {
      const button = box.appendChild(document.createElement("button"));
      button.type = "button";
      button.className = "picker-option";
      button.setAttribute("role", "checkbox");
      button.dataset.value = option[0];
      button.textContent = option[1];
    });
  }
  const chosen = JSON.parse(chosenIds);
  box.querySelectorAll("button.picker-option").forEach(function (button) {
    button.setAttribute("aria-checked", chosen.includes(button.dataset.value) ? "true" : "false");
  });
}

// A tick or an untick sets the filter's value, which the URL and the chart follow (timeline/web/callbacks.py).
document.addEventListener("click", function (e) {
  const button = e.target.closest && e.target.closest(".picker-options[data-options] button.picker-option");
  if (!button || !window.dash_clientside.set_props) {
    return;
  }
  const box = button.parentElement;
  const chosen = JSON.parse(box.getAttribute("data-chosen") || "[]");
  const value = button.dataset.value;
  const next = chosen.includes(value) ? chosen.filter(function (v) { return v !== value; }) : chosen.concat([value]);
  window.dash_clientside.set_props(box.dataset.control, {value: next});
});

// "Open your data" (timeline/web/upload.py): Dash has no file input, so the form gets one here, with a drop zone,
// a progress bar, and the server's problems listed in the page (as text) instead of on a page of their own.
function wireUploadForm(form) {
  if (form.dataset.wired) {
    return;
  }
  form.dataset.wired = "1";
  form.querySelectorAll(".upload-input").forEach(function (place) {
    const field = document.createElement("input");
    field.type = "file";
    field.id = place.dataset.input;
    field.name = place.dataset.field;
    field.accept = place.dataset.accept;
    field.required = place.dataset.required === "1";
    place.appendChild(field);
  });
  const zone = document.getElementById("upload-drop");
  const input = document.getElementById("upload-file");
  const progress = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const problems = document.getElementById("upload-problems");
  function say(text, items) {
    status.textContent = text;
    problems.replaceChildren();
    (items || []).forEach(function (item) {
      const li = document.createElement("li");
      li.textContent = item;
      problems.appendChild(li);
    });
    problems.hidden = !(items && items.length);
  }
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      form.requestSubmit();
    }
  });
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (button.disabled) {
      return;  // one upload at a time
    }
    if (!input.files.length) {
      say("Choose a file to open.");
      return;
    }
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", function (p) {
      if (p.lengthComputable) {
        progress.value = Math.round((100 * p.loaded) / p.total);
      }
    });
    request.upload.addEventListener("load", function () { say("Uploaded. Checking the data…"); });
    request.addEventListener("loadend", function () { button.disabled = false; });
    request.addEventListener("load", function () {
      progress.hidden = true;
      let answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch (err) {
        answer = null;
      }
      if (answer && request.status < 300 && typeof answer.url === "string" && answer.url.startsWith("/?")) {
        say("Opened: " + answer.events + " events. Loading them…");
        window.location.assign(answer.url);
      } else if (answer && answer.summary) {
        say(answer.summary, answer.problems);
      } else {
        say("The server could not take the file (HTTP " + request.status + "). Try again, or a smaller file.");
      }
    });
    request.addEventListener("error", function () { progress.hidden = true; say("The upload failed: no answer."); });
    button.disabled = true;
    progress.value = 0;
    progress.hidden = false;
    say("Uploading " + input.files[0].name + "…");
    request.send(new FormData(form));
  });
}

// The marks a person can step to and open: single events (customdata, their row) and clusters (["cluster", …]), in
// date order, lane by lane on a date.
function chartMarks(gd) {
  const marks = [];
  (gd._fullData || []).forEach(function (trace, curve) {
    const data = trace.customdata;
    if (!data || trace.visible === false) {
      return;
    }
    for (let point = 0; point < data.length; point += 1) {
      const cluster = Array.isArray(data[point]) && data[point][0] === "cluster";
      if (typeof data[point] === "number" || cluster) {
        marks.push({curveNumber: curve, pointNumber: point, data: data[point], x: new Date(trace.x[point]).getTime(),
                    y: trace.y[point]});
      }
    }
  });
  return marks.sort(function (a, b) { return a.x - b.x || a.y - b.y; });
}

// Shows a mark's hover card. A hover called from code draws plotly's own label but tells no listener: tell the
// page's (the hover card, and the list below).
function hoverMark(gd, mark) {
  window.Plotly.Fx.hover(gd, [{curveNumber: mark.curveNumber, pointNumber: mark.pointNumber}]);
  if (gd._hoverdata && gd._hoverdata.length) {
    gd.emit("plotly_hover", {points: gd._hoverdata, event: {}});
  }
}

// The event list and the chart point at each other: focusing (or pointing at) an event in the list shows its hover
// card on its mark, and pointing at a mark marks its line in the list. Keyboard users get the card too.
function unpoint() {
  document.querySelectorAll(".event-item.is-pointed").forEach(function (li) { li.classList.remove("is-pointed"); });
}

// A zoom, a pan or a reset of the chart's time axis, as the server reads it (timeline/web/callbacks.py,
// zoom_window); null for other layout changes (the first drawing's autosize, for one).
function zoomOf(relayout) {
  if (!relayout) {
    return null;
  }
  if (relayout["xaxis.autorange"]) {
    return {reset: true};
  }
  const range = relayout["xaxis.range"] ||
    ("xaxis.range[0]" in relayout ? [relayout["xaxis.range[0]"], relayout["xaxis.range[1]"]] : null);
  return range ? {range: range} : null;
}

// A zoom goes straight to the server (the zoom store; timeline/web/callbacks.py, update), not through the graph's
// relayoutData: dcc.Graph answers every relayout by writing the new range into its figure, which draws the whole
// chart a second time before the server's more detailed answer can even be asked for. A zoom already asked for as
// it began (askBeforeDrawing) is not asked for again.
function sendZoom(gd, zoom) {
  gd.sentZoom = JSON.stringify(zoom);
  window.dash_clientside.set_props("timeline-zoom", {data: zoom});
}

function sendZooms(gd) {
  const emit = gd.emit;
  gd.emit = function (name, data) {
    const zoom = name === "plotly_relayout" ? zoomOf(data) : null;
    if (zoom && window.dash_clientside.set_props) {
      if (gd.sentZoom !== JSON.stringify(zoom)) {
        sendZoom(gd, zoom);
      }
      gd.sentZoom = null;
      return undefined;
    }
    return emit.apply(this, arguments);
  };
}

// A zoom made on the chart (a drag, a double-click) asks the server for its detail at once, and plotly.js draws
// what it already has at the new range only if that detail is slow to come (COARSE_AFTER_MS): drawing both took
// the page's main thread longer than the server took to answer. plotly.js makes such a zoom through its registered
// `_guiRelayout`, which is Plotly.relayout marked as the reader's own edit (the mark that `uirevision` keeps); this
// one does the same, now or later.
const COARSE_AFTER_MS = 200;

function askBeforeDrawing() {
  if (!window.Plotly || window.Plotly.asksBeforeDrawing) {
    return;
  }
  window.Plotly.asksBeforeDrawing = true;
  window.Plotly.register({moduleType: "apiMethod", name: "_guiRelayout", fn: function (gd, update) {
    const chart = gd && gd.closest && gd.closest("#timeline");
    const zoom = chart && update && typeof update === "object" ? zoomOf(update) : null;
    const args = arguments;
    const relayout = function () {
      gd._fullLayout._guiEditing = true;
      const drawn = window.Plotly.relayout.apply(null, args);
      gd._fullLayout._guiEditing = false;
      return drawn;
    };
    if (!zoom || !gd.dataset.wiredList || !window.dash_clientside.set_props) {
      return relayout();
    }
    detailCame(gd);
    sendZoom(gd, zoom);
    return new Promise(function (resolve) {
      const timer = setTimeout(function () {
        gd.coarseZoom = null;
        resolve(relayout());
      }, COARSE_AFTER_MS);
      gd.coarseZoom = {timer: timer, resolve: resolve};
    });
  }});
}

// The server's answer to a zoom is being drawn: the view plotly.js has at the new range is not needed.
function detailCame(gd) {
  if (gd.coarseZoom) {
    clearTimeout(gd.coarseZoom.timer);
    gd.coarseZoom.resolve(gd);
    gd.coarseZoom = null;
    gd.sentZoom = null;  // no relayout will repeat it
  }
}

// dcc.Graph redraws the whole chart whenever its box changes size. The chart sets its own height, which changes
// its box's (a filter that leaves fewer lanes): that redraw then only repeats the one just made. Only a new width
// (the window, a phone turned) needs one.
function redrawOnlyForNewWidths() {
  const resize = window.Plotly && window.Plotly.Plots.resize;
  if (!resize || resize.keepsHeight) {
    return;
  }
  window.Plotly.Plots.resize = function (gd) {
    const drawn = gd && gd._fullLayout;
    if (drawn && drawn.autosize && gd.clientWidth && Math.round(gd.clientWidth) === Math.round(drawn.width)) {
      return Promise.resolve(gd);
    }
    return resize.apply(this, arguments);
  };
  window.Plotly.Plots.resize.keepsHeight = true;
}

function fitWidth(gd) {
  window.timelineFitWidth(gd, "timeline-width");  // assets/fitwidth.js
}

function wireChartAndList(gd) {
  if (gd.dataset.wiredList) {
    return;
  }
  gd.dataset.wiredList = "1";
  sendZooms(gd);
  askBeforeDrawing();
  redrawOnlyForNewWidths();
  gd.on("plotly_afterplot", function () {
    document.getElementById("timeline-box").style.minHeight = "";
    fitWidth(gd);
  });
  gd.on("plotly_hover", function (e) {
    const position = e && e.points && e.points[0] ? e.points[0].customdata : undefined;
    unpoint();
    if (typeof position === "number") {
      const item = document.querySelector('.event-item[data-position="' + position + '"]');
      if (item) {
        item.classList.add("is-pointed");
      }
    }
  });
  gd.on("plotly_unhover", unpoint);
  if (gd._fullLayout && gd._fullLayout._size) {  // drawn before it was wired: no drawing to come tells of it
    fitWidth(gd);
  }
}

function showOnChart(item) {
  const gd = document.querySelector("#timeline .js-plotly-plot");
  if (!gd || !window.Plotly || !item) {
    return;
  }
  const position = Number(item.dataset.position);
  const mark = chartMarks(gd).find(function (m) { return m.data === position; });
  if (mark) {
    hoverMark(gd, mark);
  } else {
    window.Plotly.Fx.unhover(gd);
  }
}

// The chart by keyboard: ← and → (Home, End) step through its events and clusters in date order, each with its
// hover card, and Enter opens the one shown, as a click would (a cluster zooms in); Escape hides the card.
document.addEventListener("keydown", function (e) {
  const figure = e.target.closest && e.target.closest("figure.chart");
  const gd = figure && figure.querySelector(".js-plotly-plot");
  if (!gd || !window.Plotly || e.target !== figure) {
    return;
  }
  if (e.key === "Escape") {
    window.Plotly.Fx.unhover(gd);
    return;
  }
  if (e.key === "Enter" && gd._hoverdata && gd._hoverdata.length) {
    gd.emit("plotly_click", {points: gd._hoverdata, event: {}});
    e.preventDefault();
    return;
  }
  const steps = {ArrowRight: 1, ArrowLeft: -1};
  if (!(e.key in steps) && e.key !== "Home" && e.key !== "End") {
    return;
  }
  e.preventDefault();
  const marks = chartMarks(gd);
  if (!marks.length) {
    return;
  }
  const now = gd._hoverdata && gd._hoverdata[0];
  let at = now ? marks.findIndex(function (m) {
    return m.curveNumber === now.curveNumber && m.pointNumber === now.pointNumber;
  }) : -1;
  if (e.key === "Home" || e.key === "End") {
    at = e.key === "Home" ? 0 : marks.length - 1;
  } else {
    at = at < 0 ? (steps[e.key] > 0 ? 0 : marks.length - 1) : Math.min(Math.max(at + steps[e.key], 0), marks.length - 1);
  }
  hoverMark(gd, marks[at]);
});

document.addEventListener("focusin", function (e) {
  if (e.target.closest && e.target.closest(".event-item")) {
    showOnChart(e.target.closest(".event-item"));
  }
});
document.addEventListener("focusout", function (e) {
  const gd = document.querySelector("#timeline .js-plotly-plot");
  if (gd && window.Plotly && e.target.closest && e.target.closest(".event-item")) {
    window.Plotly.Fx.unhover(gd);
  }
});

// The event list comes as data on its box (timeline/web/views.py, event_list): its status line, a page of rows and
// the links to the other pages, drawn here as text. Rows are updated in place, so the link that has the focus
// keeps it, and the status line stays one live region that announces each new page.
function drawList(box) {
  const data = box.getAttribute("data-list");
  if (box.drawnList === data || !data) {
    return;
  }
  box.drawnList = data;
  const list = JSON.parse(data);
  let [status, rows, pages] = box.children;
  if (!status) {
    status = box.appendChild(document.createElement("p"));
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    rows = box.appendChild(document.createElement("ol"));
    rows.className = "events";
    pages = box.appendChild(document.createElement("nav"));
    pages.className = "list-pages";
    pages.setAttribute("aria-label", "Pages of the event list");
    pages.appendChild(document.createElement("ul")).className = "pager";
  }
  status.className = list.rows.length ? "list-status" : "empty";
  status.textContent = list.status;
  rows.hidden = !list.rows.length;
  rows.start = list.start;
  drawRows(rows, list.rows);
  pages.hidden = !list.pages.length;
  const pager = pages.firstElementChild;
  pager.replaceChildren.apply(pager, list.pages.map(function (step) {
    const [label, href] = step;
    const item = document.createElement("li");
    const part = item.appendChild(document.createElement(href ? "a" : "span"));
    part.className = "page-link" + (href ? "" : " is-current");
    part.textContent = label;
    if (href) {
      part.setAttribute("href", ownView(href));
    } else {
      part.setAttribute("aria-disabled", "true");
    }
    return item;
  }));
}

function ownView(href) {
  return /^\/(\?|$)/.test(href) ? href : "/";  // this page's own views, nothing else
}

function drawRows(list, rows) {
  rows.forEach(function (row, at) {
    let item = list.children[at];
    if (!item) {
      item = list.appendChild(document.createElement("li"));
      ["event-date", "event-link", "event-meta"].forEach(function (name) {
        const part = item.appendChild(document.createElement(name === "event-link" ? "a" : "span"));
        part.className = name;
      });
    }
    const [date, link, about] = item.children;
    item.className = "event-item" + (row.selected ? " is-selected" : "");
    item.dataset.position = String(row.position);
    date.textContent = row.date;
    link.textContent = row.title;
    link.setAttribute("href", ownView(row.href));
    if (row.selected) {
      link.title = "Selected event";
    } else {
      link.removeAttribute("title");
    }
    about.textContent = row.about;
  });
  while (list.children.length > rows.length) {
    list.lastElementChild.remove();
  }
}

// A link in the list (an event, another page) opens its view in the page, as a dcc.Link would: the URL changes
// and the callbacks redraw.
document.addEventListener("click", function (e) {
  const link = e.target.closest && e.target.closest("#event-list a[href]");
  if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.shiftKey || e.altKey || e.ctrlKey) {
    return;
  }
  e.preventDefault();
  window.history.pushState({}, "", link.getAttribute("href"));
  window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
  window.scrollTo(0, 0);
});

// Keyboard and screen-reader users land on what they just opened: keyboard focus moves to the detail panel's
// heading when it shows a different event (not when the page opens on one).
function watchDetail(panel) {
  if (panel.watched) {
    return;
  }
  panel.watched = true;
  const title = function () {
    const heading = document.getElementById("detail-title");
    return heading ? heading.textContent : null;
  };
  let shown = title();
  new MutationObserver(function () {
    const now = title();
    if (now !== null && now !== shown) {
      document.getElementById("detail-title").focus();
    }
    shown = now;
  }).observe(panel, {childList: true, subtree: true, characterData: true});
}

new MutationObserver(function () {
  const list = document.getElementById("event-list");
  if (list) {
    drawList(list);
  }
  const panel = document.getElementById("event-detail");
  if (panel) {
    watchDetail(panel);
  }
  document.querySelectorAll(".picker-options[data-options]").forEach(drawOptions);
  const form = document.getElementById("upload-form");
  if (form) {
    wireUploadForm(form);
  }
  const gd = document.querySelector("#timeline .js-plotly-plot");
  if (gd && typeof gd.on === "function") {
    wireChartAndList(gd);
  }
}).observe(document.documentElement, {childList: true, subtree: true, attributes: true, attributeFilter: ["data-list", "data-options", "data-chosen"]});
