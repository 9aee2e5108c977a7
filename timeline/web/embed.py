"""`/embed/`: the chart alone, for an iframe in an article; same URL parameters as the dashboard, plus
`theme=light|dark`, `title=0|1`, `height=<px>` or `aspect=<w>:<h>`.

It reports its height to the parent page with `postMessage`, so a small snippet can size the iframe; on narrow
screens it becomes a readable list; its event list is always there for screen readers.
"""

from __future__ import annotations

import re
from importlib.resources import files
from urllib.parse import parse_qs

import flask
from dash import ClientsideFunction, Dash, Input, Output, dcc, html

from timeline.data.frame import EventFrame
from timeline.figures.chart import PLOT_CONFIG, timeline_figure
from timeline.query.filters import Filters, shown
from timeline.query.state import filters_from_query
from timeline.render.bundles import BASIC_BUNDLE, BASIC_BUNDLE_URL
from timeline.text.credits import attribution, source_line
from timeline.web.inputs import text

PREFIX = "/embed/"
EMBED_CONFIG = {**PLOT_CONFIG, "displayModeBar": "hover"}
DARK = {"paper_bgcolor": "#16181d", "plot_bgcolor": "#16181d", "font": {"color": "#e8e8e8"}}
MESSAGE_TYPE = "negotiation-timeline:resize"


class EmbedOptions:
    """The embed-only URL parameters, read safely: anything unknown falls back to the default."""

    def __init__(self, query: str) -> None:
        params = {k: v[-1] for k, v in parse_qs(query.lstrip("?")).items()}
        self.dark = params.get("theme") == "dark"
        self.title = params.get("title", "1") != "0"
        height = params.get("height", "")
        # [0-9], not isdigit(): "²" is a digit to Python but not to int()
        self.height = int(height) if re.fullmatch(r"[0-9]{3,4}", height) and 200 <= int(height) <= 3000 else None
        aspect = re.fullmatch(r"([0-9]{1,2})[:x/]([0-9]{1,2})", params.get("aspect", ""))
        self.aspect = f"{aspect[1]} / {aspect[2]}" if aspect and int(aspect[1]) and int(aspect[2]) else None


def chips(frame: EventFrame, filters: Filters) -> list[html.Li]:
    """The active filters, in words, as compact chips."""
    names = frame.actor_names | frame.issue_labels
    parts = []
    if filters.actors:
        parts.append("Actors: " + ", ".join(names[a] for a in filters.actors))
    if filters.issues:
        parts.append("Issues: " + ", ".join(names[i] for i in filters.issues))
    if filters.types:
        parts.append(f"{len(filters.types)} event type(s)")
    if filters.date_from or filters.date_to:
        lo = f"{filters.date_from:%-d %b %Y}" if filters.date_from else "start"
        hi = f"{filters.date_to:%-d %b %Y}" if filters.date_to else "end"
        parts.append(f"{lo} – {hi}")
    if filters.q:
        parts.append(f"Search: {filters.q}")
    return [html.Li(p, className="chip") for p in parts]


def embed_list(frame: EventFrame, positions) -> list[html.Li]:
    rows = frame.events.iloc[positions]
    return [
        html.Li([html.Span(r.date_label, className="event-date"), html.Strong(r.title),
                 html.Span(f" · {r.type_label}", className="event-meta")], className=f"family-{r.family}")
        for r in rows.itertuples(index=False)
    ]  # fmt: skip


def render(frame: EventFrame, search: object) -> tuple:
    """Everything the embed shows for one URL."""
    query = text(search)
    filters, options = filters_from_query(query, frame), EmbedOptions(query)
    view = shown(frame, filters)
    positions = view.positions
    data = frame.dataset
    figure = timeline_figure(view.frame, positions, lanes_of=filters.actors,
                             title=data.title if options.title else None, credit=source_line(data, filters.asof),
                             slider=False, webgl=False, width=700)  # fmt: skip
    if options.dark:
        figure.update_layout(**DARK)
    graph_style = {"aspectRatio": options.aspect} if options.aspect else {}
    if options.aspect:
        figure.update_layout(height=None, autosize=True)
    elif options.height:
        figure.update_layout(height=options.height)
    page_class = "embed theme-dark" if options.dark else "embed"
    count = f"{len(positions):,} of {len(frame.events):,} events"
    banner = [html.Li(view.banner(), className="chip chip-asof")] if filters.asof else []
    return figure, graph_style, page_class, banner + chips(frame, filters), embed_list(frame, positions), count


def layout(frame: EventFrame) -> html.Main:
    data = frame.dataset
    return html.Main([
        dcc.Location(id="embed-url", refresh=False),
        html.H1(data.title, id="embed-title", className="embed-title"),
        html.Ul(id="embed-chips", className="chips", **{"aria-label": "Filters applied"}),
        html.Figure([
            dcc.Graph(id="embed-graph", config=EMBED_CONFIG, className="embed-graph"),
            html.Figcaption(id="embed-count", className="embed-count"),
        ], className="embed-figure"),
        html.Button("View as list", id="embed-list-toggle", className="list-toggle", n_clicks=0,
                    **{"aria-controls": "embed-list-section", "aria-expanded": "false"}),
        html.Section([html.H2("Events", className="visually-hidden"), html.Ol(id="embed-list", className="list")],
                     id="embed-list-section", className="embed-list", **{"aria-label": "Events as a list"}),
        html.P(attribution(data), className="embed-credit"),
    ], id="embed-page", className="embed")  # fmt: skip


def _plotly_basic() -> flask.Response:
    response = flask.send_file(files("timeline").joinpath("vendor/plotly-basic.min.js"), mimetype="text/javascript",
                               max_age=31_536_000)  # fmt: skip
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"  # the URL carries the version
    return response


def create_embed_app(server: flask.Flask, frame: EventFrame, assets_folder: str) -> Dash:
    """The embed as a second Dash app on the dashboard's server, under `/embed/`.

    It loads plotly.js's basic bundle (a quarter of the full one, and all an SVG timeline needs) before Dash's
    graph component, which then uses it instead of fetching the full bundle.
    """
    server.add_url_rule(BASIC_BUNDLE, "timeline_plotly_basic", _plotly_basic)
    app = Dash("timeline_embed", server=server, url_base_pathname=PREFIX, title=frame.dataset.title,
               assets_folder=assets_folder, assets_ignore=r"^(dashboard|present)\.", update_title=None,
               external_scripts=[BASIC_BUNDLE_URL])  # fmt: skip
    app.layout = layout(frame)
    app.callback(
        Output("embed-graph", "figure"), Output("embed-graph", "style"), Output("embed-page", "className"),
        Output("embed-chips", "children"), Output("embed-list", "children"), Output("embed-count", "children"),
        Input("embed-url", "search"),
    )(lambda search: render(frame, search))  # fmt: skip
    app.clientside_callback(ClientsideFunction(namespace="embed", function_name="toggleList"),
                            Output("embed-list-section", "className"), Input("embed-list-toggle", "n_clicks"),
                            prevent_initial_call=True)  # fmt: skip
    return app
