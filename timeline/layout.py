"""The dashboard page: header, filters, chart, event list and detail panel."""

from __future__ import annotations

from dash import dcc, html

from . import ids
from .credits import attribution
from .figures import PLOT_CONFIG
from .filters import Filters
from .frame import EventFrame
from .share import share_button, share_dialog
from .views import glossary
from .vocab import EVENT_TYPES


def _field(label: str, control, hint: str | None = None) -> html.Div:
    # The group names the control for screen readers too: Dash's Dropdown button takes its name from its value.
    label_id = f"{control.id}-label"
    return html.Div([html.Label(label, htmlFor=control.id, id=label_id), control,
                     *([html.P(hint, className="hint")] if hint else [])],
                    className="field", role="group", **{"aria-labelledby": label_id})  # fmt: skip


def filter_panel(frame: EventFrame, filters: Filters) -> html.Section:
    data = frame.dataset
    used = set(frame.events["type"])
    return html.Section([
        html.H2("Filters", id="filters-heading"),
        _field("Actors", dcc.Dropdown(id=ids.ACTORS, multi=True, value=list(filters.actors),
                                      options=[{"label": a.name, "value": a.id} for a in data.actors],
                                      placeholder="All actors")),
        _field("Event types", dcc.Dropdown(id=ids.TYPES, multi=True, value=list(filters.types),
                                           options=[{"label": t.label, "value": t.id} for t in EVENT_TYPES
                                                    if t.id in used], placeholder="All types")),
        _field("Issues", dcc.Dropdown(id=ids.ISSUES, multi=True, value=list(filters.issues),
                                      options=[{"label": i.label, "value": i.id} for i in data.issues],
                                      placeholder="All issues")),
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
        html.P(id=ids.COUNT, className="count", role="status", **{"aria-live": "polite"}),
        dcc.Link("Reset filters", id=ids.RESET, href="/", className="reset-link"),
    ], className="filters", **{"aria-labelledby": "filters-heading"})  # fmt: skip


def dashboard(frame: EventFrame, filters: Filters) -> html.Div:
    """The whole page for one view; callbacks fill the chart, list, count and detail panel from the URL."""
    data = frame.dataset
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False),
        html.A("Skip to the event list", href="#events-heading", className="skip-link"),
        html.Header([html.H1(data.title), html.P(data.description, className="lede")], className="page-head"),
        html.Main([
            filter_panel(frame, filters),
            html.Div([
                html.Section([
                    html.Div([
                        html.H2("Timeline", id="chart-heading", className="chart-heading"),
                        html.Div([
                            html.A("Present", id=ids.PRESENT_LINK, href="/present/", className="bar-link"),
                            html.A("Printable handout", id=ids.HANDOUT_LINK, href="/handout/", className="bar-link"),
                            share_button(),
                        ], className="bar-actions"),
                    ], className="chart-bar"),
                    html.P(id=ids.ASOF_BANNER, className="asof-banner", hidden=True),
                    html.Figure([
                        dcc.Graph(id=ids.GRAPH, config=PLOT_CONFIG, clear_on_unhover=True),
                        html.Figcaption(id=ids.CAPTION, className="caption"),
                    ], className="chart", **{"aria-labelledby": "chart-heading", "aria-describedby": ids.CAPTION}),
                    dcc.Tooltip(id=ids.TOOLTIP, direction="bottom"),
                ], className="chart-section", **{"aria-labelledby": "chart-heading"}),
                html.Section(id=ids.DETAIL, className="detail", hidden=True, **{"aria-labelledby": "detail-title"}),
                html.Section([html.H2("Events", id="events-heading"), html.Div(id=ids.LIST)],
                             className="list-section", **{"aria-labelledby": "events-heading"}),
                html.Section(glossary(frame), className="glossary-section", **{"aria-labelledby": "glossary-heading"}),
            ], className="content"),
        ], className="layout"),
        html.Footer(html.P(attribution(data)), className="attribution"),
        share_dialog(),
    ], className="page")  # fmt: skip
