"""The dashboard page: header, filters, chart, event list and detail panel."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dash import dcc, html

from timeline.data.frame import EventFrame
from timeline.data.vocab import EVENT_TYPES
from timeline.figures.chart import PLOT_CONFIG
from timeline.query.filters import Filters
from timeline.query.state import View, query_from_filters, query_without_event
from timeline.text.credits import attribution
from timeline.web import ids
from timeline.web.share import share_button, share_dialog
from timeline.web.views import glossary, view_links

if TYPE_CHECKING:
    from timeline.web.callbacks import Content

# The three list filters: a checkbox per value inside a disclosure whose summary says what is chosen. Dash 4's
# Dropdown puts an aria-hidden input in the tab order, and its Checklist nests checkboxes in role="option"
# labels; buttons with role="checkbox" pass axe and work by keyboard alone (Tab, Space). The buttons are drawn
# from data by assets/dashboard.js (`drawOptions`), like the event list: as React components, one per value, every
# change to the page was announced to each of them. A hidden Checklist keeps each filter's `value` (a list of ids),
# the property the URL sync reads and writes; a click sets it, and callbacks.py shows it on the ticks and summary.
PICKERS = ((ids.ACTORS, "Actors"), (ids.TYPES, "Event types"), (ids.ISSUES, "Issues"))


def _field(label: str, control, hint: str | None = None) -> html.Div:
    label_id = f"{control.id}-label"
    return html.Div([html.Label(label, htmlFor=control.id, id=label_id), control,
                     *([html.P(hint, className="hint")] if hint else [])],
                    className="field", role="group", **{"aria-labelledby": label_id})  # fmt: skip


def picker_summary(label: str, chosen: Sequence[str], names: dict[str, str]) -> str:
    """What a list filter's summary says: "Actors: all", "Actors: Hamas, Egypt" or "Event types: 3 chosen".

    assets/dashboard.js (`filters.show`) says the same after every change.
    """
    if not chosen:
        return f"{label}: all"
    if len(chosen) <= 2 and all(v in names for v in chosen):
        return f"{label}: " + ", ".join(names[v] for v in names if v in chosen)
    return f"{label}: {len(chosen)} chosen"


def _picker(control_id: str, label: str, options: Sequence[tuple[str, str]], chosen: Sequence[str]) -> html.Details:
    return html.Details([
        html.Summary(picker_summary(label, chosen, dict(options)), id=f"{control_id}-summary",
                     className="picker-summary"),
        html.Fieldset([html.Legend(label, id=f"{control_id}-legend", className="visually-hidden"),
                       html.Div(id=f"{control_id}-options", className="picker-options",
                                **{"data-control": control_id, "data-options": json.dumps(list(options)),
                                   "data-chosen": json.dumps(list(chosen))})], className="picker-group"),
        dcc.Checklist(id=control_id, options=[], value=list(chosen), style={"display": "none"}),
    ], id=f"{control_id}-picker", className="field picker")  # fmt: skip


def filter_panel(frame: EventFrame, filters: Filters, count: str | None = None) -> html.Section:
    data = frame.dataset
    used = set(frame.events["type"].unique())  # the distinct types, not a set built from every row
    options = {
        ids.ACTORS: [(a.id, a.name) for a in data.actors],
        ids.TYPES: [(t.id, t.label) for t in EVENT_TYPES if t.id in used],
        ids.ISSUES: [(i.id, i.label) for i in data.issues],
    }
    chosen = {ids.ACTORS: filters.actors, ids.TYPES: filters.types, ids.ISSUES: filters.issues}
    return html.Section([
        html.H2("Filters", id="filters-heading"),
        *(_picker(control_id, label, options[control_id], chosen[control_id]) for control_id, label in PICKERS),
        html.Div([
            _field("From", dcc.Input(id=ids.DATE_FROM, type="date",
                                     value=filters.date_from.isoformat() if filters.date_from else None)),
            _field("To", dcc.Input(id=ids.DATE_TO, type="date",
                                   value=filters.date_to.isoformat() if filters.date_to else None)),
        ], className="date-range"),
        _field("As known on", dcc.Input(id=ids.ASOF, type="date",
                                        value=filters.asof.isoformat() if filters.asof else None),
               "Only what the cited sources had published by this date."),
        _field("Search", dcc.Input(id=ids.SEARCH, type="search", value=filters.q, debounce=0.4,
                                   placeholder="Words in title, summary or quote"),
               "Every word must appear."),
        html.P(count, id=ids.COUNT, className="count", role="status", **{"aria-live": "polite"}),
        dcc.Link("Reset filters", id=ids.RESET, href="/" + query_from_filters(Filters(dataset=filters.dataset)),
                 className="reset-link"),
    ], className="filters", **{"aria-labelledby": "filters-heading"})  # fmt: skip


def dashboard(frame: EventFrame, view: View | Filters, content: Content | None = None, *,
              search: str | None = None, data_bar: html.Div | None = None) -> html.Div:  # fmt: skip
    """The whole page for one view. With `content` (`callbacks.Content` for that view) the chart, list, count and
    detail panel are filled in, so the page draws without waiting for a callback; `search` is the URL query the
    view came from, which the page's location starts with; `data_bar` says which dataset it is and offers others."""
    view = view if isinstance(view, View) else View(view)
    data, filters = frame.dataset, view.filters
    filled = content._asdict() if content is not None else {}
    views_query = query_without_event(filters)
    present_href, handout_href = view_links(views_query)
    graph = {"figure": filled["figure"]} if "figure" in filled else {}
    # The chart's height is kept for it while its code loads (the graph itself is not there until then), so nothing
    # below it moves when it draws: assets/dashboard.js lets go once it has, and on a phone, where it is drawn
    # shorter, dashboard.css does not keep it.
    box = {"minHeight": f"{filled['figure'].layout.height}px"} if "figure" in filled else {}
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False, **({"search": search} if search is not None else {})),
        dcc.Store(id=ids.ZOOM),
        dcc.Store(id=ids.WIDTH),
        dcc.Store(id=ids.HOVERED),
        dcc.Store(id=ids.CONTROL_VALUES),
        html.A("Skip to the event list", href="#events-heading", className="skip-link"),
        html.Header([html.H1(data.title), html.P(data.description, className="lede"),
                     *([data_bar] if data_bar else [])], className="page-head"),  # fmt: skip
        html.Main([
            filter_panel(frame, filters, filled.get("count")),
            html.Div([
                html.Section([
                    html.Div([
                        html.H2("Timeline", id="chart-heading", className="chart-heading"),
                        html.Div([
                            html.A("Present", id=ids.PRESENT_LINK, href=present_href,
                                   className="bar-link"),
                            html.A("Printable handout", id=ids.HANDOUT_LINK, href=handout_href,
                                   className="bar-link"),
                            share_button(),
                        ], className="bar-actions"),
                    ], className="chart-bar"),
                    html.P(filled.get("banner"), id=ids.ASOF_BANNER, className="asof-banner",
                           hidden=filled.get("banner_hidden", True)),
                    html.Figure([
                        html.Div(dcc.Graph(id=ids.GRAPH, config=PLOT_CONFIG, clear_on_unhover=True, **graph),
                                 id=ids.GRAPH_BOX, style=box),
                        html.Figcaption(filled.get("caption"), id=ids.CAPTION, className="caption"),
                    ], className="chart", tabIndex="0",  # ← → step through the marks (assets/dashboard.js)
                       **{"aria-labelledby": "chart-heading", "aria-describedby": f"{ids.CAPTION} chart-keys"}),
                    html.P("Keyboard: focus the chart, then ← and → step through its events with their cards, "
                           "Enter opens one. Each event in the list below shows its card on the chart too.",
                           id="chart-keys", className="hint chart-keys"),
                    dcc.Tooltip(id=ids.TOOLTIP, direction="bottom"),
                ], className="chart-section", **{"aria-labelledby": "chart-heading"}),
                html.Section(filled.get("detail"), id=ids.DETAIL, className="detail",
                             hidden=filled.get("detail_hidden", True), **{"aria-labelledby": "detail-title"}),
                html.Section([html.H2("Events", id="events-heading"),
                              html.Div(id=ids.LIST, **{"data-list": filled.get("events")})],
                             className="list-section", **{"aria-labelledby": "events-heading"}),
                html.Section(glossary(frame), className="glossary-section", **{"aria-labelledby": "glossary-heading"}),
            ], className="content"),
        ], className="layout"),
        html.Footer(html.P(attribution(data)), className="attribution"),
        share_dialog(views_query),
    ], id=ids.PAGE, className="page", **{"data-search": search or ""})  # fmt: skip
