"""Thin adapters between the page and the pure functions: URL <-> controls, URL -> chart, list and panel."""

from __future__ import annotations

import math

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, no_update

from timeline.data.frame import EventFrame
from timeline.figures.chart import timeline_figure
from timeline.query.filters import Filters, shown
from timeline.query.state import filters_from_params, filters_from_query, query_from_filters
from timeline.web import ids
from timeline.web.inputs import first_point, text, texts
from timeline.web.views import count_text, detail_panel, event_list, hover_card, with_event

CONTROLS = (ids.ACTORS, ids.TYPES, ids.ISSUES, ids.DATE_FROM, ids.DATE_TO, ids.SEARCH, ids.ASOF)
LISTS = CONTROLS[:3]  # filters whose value is a list of ids: a checkbox per id (layout.py, _picker)
BBOX = ("x0", "x1", "y0", "y1")


def controls_from_filters(f: Filters) -> tuple:
    return (list(f.actors), list(f.types), list(f.issues), f.date_from.isoformat() if f.date_from else None,
            f.date_to.isoformat() if f.date_to else None, f.q, f.asof.isoformat() if f.asof else None)  # fmt: skip


def filters_from_controls(frame: EventFrame, values: tuple, event: str | None) -> Filters:
    actors, types, issues, date_from, date_to, q, asof = values
    params = {"actors": ",".join(texts(actors)), "types": ",".join(texts(types)), "issues": ",".join(texts(issues)),
              "from": text(date_from), "to": text(date_to), "q": text(q), "asof": text(asof),
              "event": event or ""}  # fmt: skip
    return filters_from_params(params, frame)


def sync_url(frame: EventFrame, search: str | None, *values) -> tuple:
    """Keep the controls and the URL in step; whichever changed wins."""
    search = text(search)
    current = filters_from_query(search, frame)
    if ctx.triggered_id == ids.URL or ctx.triggered_id is None:
        return (*controls_from_filters(current), no_update)
    query = query_from_filters(filters_from_controls(frame, values, current.event))
    return (*(no_update,) * len(CONTROLS), query if query != search else no_update)


def render(frame: EventFrame, search: str | None) -> tuple:
    """Chart, caption, count, list, detail panel and "as known on" banner for the view in the URL."""
    filters = filters_from_query(text(search), frame)
    view = shown(frame, filters)
    known, positions = view.frame, view.positions
    selected = frame.position(filters.event) if filters.event else None
    selected = selected if view.includes(selected) else None  # an event not yet reported on the asof date
    figure = timeline_figure(known, positions, lanes_of=filters.actors, selected=selected)
    caption = _caption(known, positions, len(figure.layout.yaxis.ticktext or ()))
    panel = detail_panel(known, selected, filters) if selected is not None else []
    banner = view.banner()
    return (figure, caption, count_text(len(positions), len(frame.events)), event_list(known, positions, filters),
            panel, selected is None, banner, not banner)  # fmt: skip


def _caption(frame: EventFrame, positions, lanes: int) -> str:
    if not len(positions):
        return "The timeline is empty: no events match these filters."
    shown = frame.events.iloc[positions]
    return (f"Timeline of {len(positions):,} events in {lanes} actor lanes, from {shown['lo'].min():%-d %B %Y} "
            f"to {shown['hi'].max():%-d %B %Y}. Filled symbols mark exact dates; hollow symbols with whiskers "
            f"mark dates known only to a span. The list below gives the same events as text.")  # fmt: skip


def select_from_chart(frame: EventFrame, click: object, search: object) -> str:
    """The URL with the clicked event selected."""
    position = _point_position(frame, click)
    if position is None:
        return no_update
    filters = filters_from_query(text(search), frame)
    return with_event(filters, frame.events.iloc[position]["id"]).removeprefix("/")


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


def register(app: Dash, frame: EventFrame) -> None:
    """Wire the dashboard's callbacks to `frame`, which they only read."""
    app.callback(*(Output(c, "value") for c in CONTROLS), Output(ids.URL, "search"),
                 Input(ids.URL, "search"), *(Input(c, "value") for c in CONTROLS))(
        lambda search, *values: sync_url(frame, search, *values))  # fmt: skip
    app.callback(Output(ids.GRAPH, "figure"), Output(ids.CAPTION, "children"), Output(ids.COUNT, "children"),
                 Output(ids.LIST, "children"), Output(ids.DETAIL, "children"), Output(ids.DETAIL, "hidden"),
                 Output(ids.ASOF_BANNER, "children"), Output(ids.ASOF_BANNER, "hidden"),
                 Input(ids.URL, "search"))(lambda search: render(frame, search))  # fmt: skip
    app.callback(Output(ids.URL, "search", allow_duplicate=True), Input(ids.GRAPH, "clickData"),
                 State(ids.URL, "search"), prevent_initial_call=True)(
        lambda click, search: select_from_chart(frame, click, search))  # fmt: skip
    app.callback(Output(ids.TOOLTIP, "show"), Output(ids.TOOLTIP, "bbox"), Output(ids.TOOLTIP, "children"),
                 Input(ids.GRAPH, "hoverData"))(lambda data: hover(frame, data))  # fmt: skip
    app.clientside_callback(ClientsideFunction(namespace="timeline", function_name="focusDetail"),
                            Output(ids.DETAIL, "className"), Input(ids.DETAIL, "children"),
                            prevent_initial_call=True)  # fmt: skip
    app.clientside_callback(ClientsideFunction(namespace="timeline", function_name="fitNarrow"),
                            Output(ids.GRAPH, "figure", allow_duplicate=True), Input(ids.GRAPH, "figure"),
                            State(ids.GRAPH, "id"), prevent_initial_call=True)  # fmt: skip
    app.clientside_callback(ClientsideFunction(namespace="timeline", function_name="viewLinks"),
                            Output(ids.PRESENT_LINK, "href"), Output(ids.HANDOUT_LINK, "href"),
                            Input(ids.URL, "search"))  # fmt: skip
    for control in LISTS:  # a tick changes the value; a value (ticked or from the URL) sets the ticks and summary
        boxes = {"type": ids.OPTION, "filter": control, "value": ALL}
        app.clientside_callback(ClientsideFunction(namespace="filters", function_name="toggle"),
                                Output(control, "value", allow_duplicate=True), Input(boxes, "n_clicks"),
                                State(control, "value"), prevent_initial_call=True)  # fmt: skip
        app.clientside_callback(ClientsideFunction(namespace="filters", function_name="show"),
                                Output(boxes, "aria-checked"), Output(f"{control}-summary", "children"),
                                Input(control, "value"), State(boxes, "children"),
                                State(f"{control}-legend", "children"))  # fmt: skip
