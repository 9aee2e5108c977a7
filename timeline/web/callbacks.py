"""Thin adapters between the page and the pure functions: URL <-> controls, URL (or a zoom) -> chart and list.

The first view of a page comes with its layout (`content`, called from the app factory), so no callback runs
before the first paint: each callback below waits for the reader (or for a URL the layout was not built for).
Whatever changes the view (a control, the URL, a zoom, a click on the chart) goes through one callback, `update`,
so that every change takes one round trip.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import replace
from typing import NamedTuple

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, no_update

from timeline.data.frame import EventFrame
from timeline.figures.chart import CLUSTER, WIDTH, timeline_view
from timeline.query.filters import Filters, shown
from timeline.query.lod import Detail
from timeline.query.state import (
    DAY_MS,
    EPOCH,
    View,
    Window,
    filters_from_params,
    query_from_view,
    query_without_event,
    view_from_query,
)
from timeline.web import ids
from timeline.web.datasets import Datasets
from timeline.web.inputs import first_point, text, texts
from timeline.web.views import count_text, detail_panel, event_list, hover_card, list_page, view_links, with_event

CONTROLS = (ids.ACTORS, ids.TYPES, ids.ISSUES, ids.DATE_FROM, ids.DATE_TO, ids.SEARCH, ids.ASOF)
LISTS = CONTROLS[:3]  # filters whose value is a list of ids: a checkbox per id (layout.py, _picker)
BBOX = ("x0", "x1", "y0", "y1")
MIN_WIDTH, MAX_WIDTH = 240, 3840  # px: a chart's width on the narrowest phone and the widest screen
PLOTLY_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?")


class Content(NamedTuple):
    """What the page shows for one view, in the order of the render callback's outputs."""

    figure: object
    caption: str
    count: str
    events: str
    detail: list
    detail_hidden: bool
    banner: str
    banner_hidden: bool
    present_href: str
    handout_href: str


CONTENT_OUTPUTS = ((ids.GRAPH, "figure"), (ids.CAPTION, "children"), (ids.COUNT, "children"),
                   (ids.LIST, "data-list"), (ids.DETAIL, "children"), (ids.DETAIL, "hidden"),
                   (ids.ASOF_BANNER, "children"), (ids.ASOF_BANNER, "hidden"),
                   (ids.PRESENT_LINK, "href"), (ids.HANDOUT_LINK, "href"))  # fmt: skip


def controls_from_filters(f: Filters) -> tuple:
    return (list(f.actors), list(f.types), list(f.issues), f.date_from.isoformat() if f.date_from else None,
            f.date_to.isoformat() if f.date_to else None, f.q, f.asof.isoformat() if f.asof else None)  # fmt: skip


def filters_from_controls(frame: EventFrame, values: tuple, kept: Filters) -> Filters:
    """The filters the controls hold; the selected event and the dataset, which no control sets, from `kept`."""
    actors, types, issues, date_from, date_to, q, asof = values
    params = {"actors": ",".join(texts(actors)), "types": ",".join(texts(types)), "issues": ",".join(texts(issues)),
              "from": text(date_from), "to": text(date_to), "q": text(q), "asof": text(asof),
              "event": kept.event or "", "dataset": kept.dataset}  # fmt: skip
    return filters_from_params(params, frame)


def content(frame: EventFrame, view: View, width: int = WIDTH) -> Content:
    """Chart (for a chart `width` px wide), caption, count, list, detail panel and "as known on" banner for one
    view."""
    filters = view.filters
    seen = shown(frame, filters)
    known, positions = seen.frame, seen.positions
    selected = frame.position(filters.event) if filters.event else None
    selected = selected if seen.includes(selected) else None  # an event not yet reported on the asof date
    figure, caption = chart(known, positions, view, selected, width)
    page = list_page(known, positions, view)
    listed = event_list(known, positions, View(filters, view.window, page))
    # Closing the panel keeps the list where it is.
    kept = View(filters, view.window, page if page > 1 else None)
    panel = detail_panel(known, selected, kept) if selected is not None else []
    banner = seen.banner()
    return Content(figure, caption, count_text(len(positions), len(frame.events)), listed, panel, selected is None,
                   banner, not banner, *view_links(query_without_event(filters)))  # fmt: skip


def chart(frame: EventFrame, positions, view: View, selected: int | None, width: int = WIDTH) -> tuple:
    """The figure, for a chart `width` px wide, and its caption."""
    # No range slider: it would draw every mark twice, for a glance the axis and the URL's window already give.
    figure, detail = timeline_view(frame, positions, lanes_of=view.filters.actors, selected=selected, slider=False,
                                   window=view.window.ms() if view.window else None, steady=True,
                                   width=width)  # fmt: skip
    return made_for(figure, width), _caption(frame, positions, detail, view.window)


def made_for(figure, width: int):
    """`figure`, marked with the width it was made for: the page asks for another when its chart is much wider or
    narrower (assets/fitwidth.js), as a phone's is, where marks clustered for a wider chart would overlap."""
    figure.layout.meta = {"width": width}
    return figure


def chart_width(value: object, default: int = WIDTH) -> int:
    """The chart's width the page sent (its `WIDTH` store), within what a screen may give; `default` for anything
    else a client may send."""
    if not _number(value):
        return default
    return int(min(max(round(value), MIN_WIDTH), MAX_WIDTH))


def render(frame: EventFrame, search: object) -> Content:
    """The page's content for the view in the URL."""
    return content(frame, view_from_query(text(search), frame))


def update(frame: EventFrame, trigger: object, search: object, zoom: object, click: object, values: tuple,
           width: object = None) -> tuple:  # fmt: skip
    """Everything that changes the view, in one round trip: the page's content, its URL and its controls.

    `trigger` says what changed: the URL (a link, the back button), the zoom (the store assets/dashboard.js
    sets, `sendZooms`), the chart's width (the store it sets, `fitWidth`), a click on the chart or a filter
    control. A zoom or a new width redraws only the chart; a control or a click writes the URL; a URL sets the
    controls, through a store (`timeline.setControls`): were they outputs here, the page would hold back every
    tick's checkbox and summary (clientside) until this callback answered. A new filter keeps the window and
    starts the list on page 1. `width` is the chart's width as the page sent it (None until it has).
    """
    search = text(search)
    view = view_from_query(search, frame)
    width = chart_width(width)
    nothing = (no_update,) * (len(Content._fields) + 2)
    if trigger in (ids.ZOOM, ids.WIDTH):
        if trigger == ids.ZOOM:
            usable, window = zoom_window(zoom)
            if not usable or window == view.window:
                return nothing
            view = View(view.filters, window, view.page)
        seen = shown(frame, view.filters)
        selected = frame.position(view.filters.event) if view.filters.event else None
        figure, caption = chart(seen.frame, seen.positions, view, selected if seen.includes(selected) else None,
                                width)  # fmt: skip
        # the window filters nothing: list, count and the links to this view's presentation and handout stay
        rest = (no_update,) * (len(Content._fields) - 2)
        return (figure, caption, *rest, query_from_view(view) if trigger == ids.ZOOM else no_update, no_update)
    controls = no_update
    opened = cluster_window(click, view.window)
    if trigger == ids.GRAPH and opened is not None and opened != view.window:  # zoom to the events it holds
        return update(frame, ids.ZOOM, search, {"range": list(opened.ms())}, None, values, width)
    days = cluster_days(click)
    if trigger == ids.GRAPH and days is not None:
        # Zoomed in as far as a cluster opens (its events share a day): show just its days, in the list too.
        view = View(replace(view.filters, date_from=days.start, date_to=days.end, event=None), view.window)
        query = query_from_view(view)
        return (*content(frame, view, width), query, list(controls_from_filters(view.filters)))
    if trigger == ids.GRAPH:
        query = select_from_chart(frame, click, search)
        if query is no_update or query == search:
            return nothing
        view = view_from_query(query, frame)
    elif trigger in CONTROLS:
        chosen = filters_from_controls(frame, values, view.filters)
        if chosen == view.filters:  # set from the URL, or typed back to what it says
            return nothing
        view = View(chosen, view.window)
        query = query_from_view(view)
    else:
        query = no_update
        if filters_from_controls(frame, values, view.filters) != view.filters:
            controls = list(controls_from_filters(view.filters))
    return (*content(frame, view, width), query, controls)


def zoom_window(zoom: object) -> tuple[bool, Window | None]:
    """What a zoom asks for: `{"range": [lo, hi]}` (plotly's dates or epoch ms) -> the whole days it covers;
    `{"reset": true}` -> no window. (False, None) for anything else a client may send."""
    if not isinstance(zoom, dict):
        return False, None
    if zoom.get("reset") is True:
        return True, None
    bounds = zoom.get("range")
    if not isinstance(bounds, list) or len(bounds) != 2:
        return False, None
    lo, hi = (_epoch_ms(b) for b in bounds)
    window = Window.from_ms(lo, hi) if lo is not None and hi is not None else None
    return window is not None, window


def _epoch_ms(value: object) -> float | None:
    """A plotly date-axis value as epoch ms: a number, or text such as `2024-03-04 06:12:33.5`."""
    if _number(value):
        return float(value)
    match = PLOTLY_DATE.fullmatch(value) if isinstance(value, str) else None
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
    try:
        days = (dt.date(year, month, day) - EPOCH).days
    except ValueError:
        return None
    return float(days * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000)


def _caption(frame: EventFrame, positions, detail: Detail, window: Window | None) -> str:
    if not len(positions):
        return "The timeline is empty: no events match these filters."
    lo, hi = frame.events["lo"].to_numpy(), frame.events["hi"].to_numpy()
    if len(positions) < len(lo):  # some rows (positions are distinct); else every row, with no lookup
        lo, hi = lo[positions], hi[positions]
    lo, hi = lo.min(), hi.max()
    lanes = f"{len(detail.lanes)} actor lane" + ("s" if len(detail.lanes) != 1 else "")
    parts = [f"Timeline of {len(positions):,} events in {lanes}, from {_day(lo)} to {_day(hi)}."]
    if window:
        parts.append(f"It shows {window.start:%-d %B %Y} to {window.end:%-d %B %Y}; double-click the chart to see "
                     "all of it.")  # fmt: skip
    if detail.binned:
        parts.append("At this scale each lane shows how many events fall in each period, as bars; drag across "
                     "the chart to zoom in to single events.")  # fmt: skip
    else:
        parts.append("Filled symbols mark exact dates; hollow symbols with whiskers mark dates known only to a span.")
    parts.append("The list below gives the same events as text.")
    return " ".join(parts)


def _day(value) -> str:
    day = value.astype("datetime64[D]").item()
    return f"{day:%-d %B %Y}"


def cluster_days(click: object) -> Window | None:
    """The days a clicked cluster's events cover; None when the click was not on a cluster."""
    data = first_point(click).get("customdata")
    if not (isinstance(data, list) and len(data) == 3 and data[0] == CLUSTER and all(_number(v) for v in data[1:])):
        return None
    return Window.from_ms(float(data[1]), float(data[2]))


def cluster_window(click: object, window: Window | None) -> Window | None:
    """The window that opens a clicked cluster: the days its events cover, widened to a quarter of the current
    window (so that the marks spread apart) and at least a week; None when the click was not on a cluster."""
    days = cluster_days(click)
    if days is None:
        return None
    lo, hi = days.ms()
    current = (window.ms()[1] - window.ms()[0]) if window else hi - lo
    wide = max(hi - lo, current / 4, 7 * DAY_MS)
    middle = (lo + hi) / 2
    return Window.from_ms(middle - wide / 2, middle + wide / 2)


def select_from_chart(frame: EventFrame, click: object, search: object) -> str:
    """The URL query with the clicked event selected (the list turns to its page); no update for anything else."""
    position = _point_position(frame, click)
    if position is None:
        return no_update
    view = view_from_query(text(search), frame)
    return with_event(View(view.filters, view.window), frame.events.iloc[position]["id"]).removeprefix("/")


def hover(frame: EventFrame, data: object) -> tuple:
    """The tooltip for a hovered event: shown, where, and what it says."""
    position = _point_position(frame, data)
    bbox = first_point(data).get("bbox")
    if position is None or not isinstance(bbox, dict) or not all(_number(bbox.get(k)) for k in BBOX):
        return False, no_update, no_update
    return True, {k: bbox[k] for k in BBOX}, hover_card(frame, position)


def _point_position(frame: EventFrame, data: object) -> int | None:
    """The event row a hovered or clicked point stands for; None for anything else a client may send."""
    position = first_point(data).get("customdata")
    valid = isinstance(position, int) and not isinstance(position, bool) and 0 <= position < len(frame.events)
    return position if valid else None


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _trigger() -> object:
    """What changed: the zoom when it did, even with a click (a double-click that resets the zoom first clicks
    whatever is under it, and Dash may send both in one request); the chart's width only when nothing else did (a
    new view is made at the new width anyway); else the one input that did."""
    changed = list(ctx.triggered_prop_ids)
    if any(prop.startswith(f"{ids.ZOOM}.") for prop in changed):
        return ids.ZOOM
    others = [prop for prop in changed if not prop.startswith(f"{ids.WIDTH}.")]
    return others[0].rsplit(".", 1)[0] if others else ctx.triggered_id


def register(app: Dash, datasets: Datasets) -> None:
    """Wire the dashboard's callbacks to the dataset each page's URL names, which they only read."""

    def frame(search: object) -> EventFrame:
        return datasets.for_callback(text(search))

    inputs = (Input(ids.URL, "search"), Input(ids.ZOOM, "data"), Input(ids.GRAPH, "clickData"),
              *(Input(c, "value") for c in CONTROLS), Input(ids.WIDTH, "data"))  # fmt: skip
    app.callback(*(Output(*o) for o in CONTENT_OUTPUTS), Output(ids.URL, "search"), Output(ids.CONTROL_VALUES, "data"),
                 *inputs, prevent_initial_call=True)(
        lambda search, zoom, click, *values: update(frame(search), _trigger(), search, zoom, click, values[:-1],
                                                    values[-1]))  # fmt: skip
    app.clientside_callback(ClientsideFunction(namespace="timeline", function_name="setControls"),
                            *(Output(c, "value") for c in CONTROLS), Input(ids.CONTROL_VALUES, "data"),
                            prevent_initial_call=True)  # fmt: skip
    # Only an event's mark has a card: the browser passes on the hover of one, and the end of it, so that pointing
    # at a bar, a cluster or a label asks the server nothing.
    app.clientside_callback(ClientsideFunction(namespace="timeline", function_name="hoveredEvent"),
                            Output(ids.HOVERED, "data"), Input(ids.GRAPH, "hoverData"), State(ids.HOVERED, "data"),
                            prevent_initial_call=True)  # fmt: skip
    app.callback(Output(ids.TOOLTIP, "show"), Output(ids.TOOLTIP, "bbox"), Output(ids.TOOLTIP, "children"),
                 Input(ids.HOVERED, "data"), State(ids.URL, "search"),
                 prevent_initial_call=True)(lambda data, search: hover(frame(search), data))  # fmt: skip
    # In the browser only, once: the layout was built for the URL the server saw; if the page's differs, take the
    # page's (an input that never changes, so it runs as the page starts and not at every change of the URL).
    app.clientside_callback(ClientsideFunction(namespace="timeline", function_name="pageSearch"),
                            Output(ids.URL, "search", allow_duplicate=True), Input(ids.PAGE, "data-search"),
                            prevent_initial_call="initial_duplicate")  # fmt: skip
    for control in LISTS:  # a value (ticked in the page or from the URL) sets the ticks and the summary
        app.clientside_callback(ClientsideFunction(namespace="filters", function_name="show"),
                                Output(f"{control}-options", "data-chosen"), Output(f"{control}-summary", "children"),
                                Input(control, "value"), State(f"{control}-options", "data-options"),
                                State(f"{control}-legend", "children"), prevent_initial_call=True)  # fmt: skip
