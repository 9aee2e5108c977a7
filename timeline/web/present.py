"""`/present/`: step through the negotiation in large type, with a clicker, the arrow keys or on-screen buttons.

The URL is the state (`?step=N` plus the dashboard's filters, and `mode=story|events`). Past steps stay on the
chart, the current one is ringed, later ones are hidden. A live region announces each step.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import parse_qs, urlencode

import flask
import numpy as np
import pandas as pd
from dash import Dash, Input, Output, dcc, html

from timeline.data.frame import EventFrame
from timeline.data.vocab import ROLE_LABEL
from timeline.figures.chart import PLOT_CONFIG, time_range, timeline_figure
from timeline.query.asof import AsOf
from timeline.query.filters import Filters
from timeline.query.state import filters_from_query, query_without_event
from timeline.query.story import Step, revealed, shown_at, steps, uses_story
from timeline.render.bundles import BASIC_BUNDLE_URL
from timeline.text.credits import source_line
from timeline.web.callbacks import chart_width, made_for
from timeline.web.datasets import Datasets
from timeline.web.inputs import text

PREFIX = "/present/"
PRESENT_FONT = 24  # px: chart text (labels, lane names, axis) that reads from the back of a classroom
# The chart's width at a 1366 px projector, beside the cards: what it is made for until the page has said how wide
# it is drawn (`WIDTH_STORE`, set by assets/present.js). Its height follows from its lanes, each tall enough for a
# label row above and below its marks; the box scrolls past that.
PRESENT_WIDTH = 700
WIDTH_STORE = "present-width"
DAY_MS = 86_400_000


def step_number(query: str, count: int) -> int:
    """The 1-based step in `?step=N`, clamped to the steps there are; 1 for anything else."""
    value = parse_qs(query.lstrip("?")).get("step", [""])[-1]
    # [0-9], not isdigit(): "²" is a digit to Python but not to int()
    return min(max(int(value), 1), max(count, 1)) if re.fullmatch(r"[0-9]{1,6}", value) else 1


def step_href(filters: Filters, mode: str | None, number: int) -> str:
    """The presentation URL of step `number` of this view."""
    view = query_without_event(filters)
    extra = urlencode({**({"mode": mode} if mode in ("story", "events") else {}), "step": number})
    return f"{PREFIX}{view}&{extra}" if view else f"{PREFIX}?{extra}"


def event_card(frame: EventFrame, position: int, *, titled: bool = True) -> html.Article:
    """One event, readable from the back of a classroom: date and precision, title, actors, summary, source."""
    event, row = frame.event(position), frame.events.iloc[position]
    names = frame.actor_names
    actors = "; ".join(f"{names[a.actor]} ({ROLE_LABEL[a.role]})" for a in event.actors)
    if event.sources:
        first, more = event.sources[0], len(event.sources) - 1
        source = f"Source: {first.publisher}" + (f", {first.date:%-d %B %Y}" if first.date else "")
    else:
        source, more = "Unsourced: no source is cited for this event.", 0
    return html.Article([
        html.P([html.Strong(row["date_label"]), f" · date known to: {row['precision_label']} · {row['type_label']}"],
               className="card-date"),
        *([html.H2(event.title, className="card-title")] if titled else []),
        *([html.P(actors, className="card-actors")] if actors else []),
        html.P(event.summary, className="card-summary"),
        *([html.P(f"Disputed: {len(event.claims)} competing claims are recorded for this event.",
                  className="card-disputed")] if event.claims else []),
        html.P(source + (f" (and {more} more)" if more > 0 else ""), className="card-source"),
    ], className="card")  # fmt: skip


# What `render` fills in: its keys, each an element's id and property.
OUTPUTS = {
    "figure": ("present-graph", "figure"), "progress": ("present-progress", "children"),
    "title": ("present-title", "children"), "cards": ("present-cards", "children"),
    "notes": ("present-narration", "children"), "announce": ("present-live", "children"),
    "first": ("present-first", "href"), "previous": ("present-prev", "href"), "next": ("present-next", "href"),
    "last": ("present-last", "href"), "banner": ("present-asof", "children"),
    "banner_hidden": ("present-asof", "hidden"), "box": ("present-graph", "style"),
    "dashboard": ("present-dashboard", "href"),
}  # fmt: skip


def render(frame: EventFrame, search: object, width: object = None) -> dict[str, object]:
    """Everything the presentation shows for one URL, by the keys of `OUTPUTS`, with the chart made for `width`
    px (as the page sent it; `PRESENT_WIDTH` when it sent none, or not a number)."""
    query = text(search)
    width = chart_width(width, PRESENT_WIDTH)
    filters = filters_from_query(query, frame)
    mode = parse_qs(query.lstrip("?")).get("mode", [None])[-1]
    all_steps = steps(frame, filters, mode)
    dashboard = "/" + query_without_event(filters)
    if not all_steps:
        empty = "No events match these filters."
        figure = _draw(frame, np.array([], dtype=int), width)
        first = step_href(filters, mode, 1)
        return {"figure": figure, "progress": "No steps", "title": empty, "cards": [html.P(empty)], "notes": "",
                "announce": empty, "first": first, "previous": first, "next": first, "last": first, "banner": "",
                "banner_hidden": True, "box": _box(figure), "dashboard": dashboard}  # fmt: skip
    number = step_number(query, len(all_steps))
    step: Step = all_steps[number - 1]
    view = shown_at(frame, all_steps, number - 1, filters)
    current = [p for p in step.positions if view.includes(p)]
    figure = _figure(view, all_steps, number - 1, current, width)
    progress = f"Step {number:,} of {len(all_steps):,}"
    kind = "Story" if uses_story(frame, filters, mode) else "Events in date order"
    # A one-event step is titled by its event already; say the title once.
    titled = len(step.positions) > 1 or step.title != frame.events.iloc[step.positions[0]]["title"]
    cards = [event_card(view.frame, p, titled=titled) for p in current] or [
        html.P("None of this step's events had been reported by then.", className="card-summary")]  # fmt: skip
    links = [step_href(filters, mode, n) for n in (1, max(number - 1, 1), min(number + 1, len(all_steps)),
                                                   len(all_steps))]  # fmt: skip
    banner = view.banner()
    return {"figure": figure, "progress": f"{kind} · {progress}", "title": step.title, "cards": cards,
            "notes": step.narration or "No notes for this step.",
            "announce": f"{progress}: {step.title}" + (f". {banner}" if banner else ""),
            **dict(zip(("first", "previous", "next", "last"), links, strict=True)), "banner": banner,
            "banner_hidden": not banner, "box": _box(figure), "dashboard": dashboard}  # fmt: skip


def _figure(view: AsOf, all_steps: Sequence[Step], index: int, current: list[int], width: int):
    frame = view.frame
    everything = np.array(revealed(all_steps, len(all_steps) - 1), dtype=int)
    window = all_steps[index].window
    if window:  # through the end of its last day
        first, last = (pd.Timestamp(day).value // 1_000_000 for day in window)
        limits = (float(first), float(last + DAY_MS - 60_000))
    else:  # keep the axis still from step to step, so events appear where they will stay
        limits = tuple(time_range(frame, everything) or ()) or None
    return _draw(
        frame, view.positions, width, selected=current, credit=source_line(frame.dataset, view.date), window=limits
    )


def _box(figure) -> dict:
    """The graph's box: the figure's height, which its labels were placed for; the width follows the page."""
    return {"height": f"{figure.layout.height}px"}


def _draw(frame: EventFrame, positions: np.ndarray, width: int, **options):
    """The chart in large type, made for `width` px; the cards name each event's type, so no legend is needed."""
    figure = timeline_figure(frame, positions, slider=False, webgl=False, width=width, font_px=PRESENT_FONT,
                             legend=False, **options)  # fmt: skip
    made_for(figure, width)
    figure.update_layout(font_size=PRESENT_FONT)
    # A few level dates rather than many turned on their side; on a phone, two, which is all that fits at this size.
    figure.update_xaxes(nticks=max(2, min(5, width // 140)), tickangle=0)
    return figure


def layout() -> html.Main:
    return html.Main(
        [
            dcc.Location(id="present-url", refresh=False),
            dcc.Store(id=WIDTH_STORE),
            html.Header(
                [
                    html.P(id="present-progress", className="present-progress"),
                    html.H1(id="present-title", className="present-title"),
                    html.P(id="present-asof", className="present-asof", hidden=True),
                ],
                className="present-head",
            ),  # fmt: skip
            html.Div(
                [
                    html.Section(
                        id="present-cards", className="present-cards", tabIndex="0", **{"aria-label": "Current step"}
                    ),
                    html.Figure(
                        dcc.Graph(id="present-graph", config={**PLOT_CONFIG, "displayModeBar": False}),
                        className="present-figure",
                        tabIndex="0",  # it scrolls when its lanes outgrow the screen: ↑ and ↓ scroll it
                        **{"aria-label": "Timeline up to this step"},
                    ),
                ],
                className="present-body",
            ),
            html.Nav(
                [
                    dcc.Link("« First", id="present-first", href=PREFIX, className="present-button"),
                    dcc.Link("◀ Previous", id="present-prev", href=PREFIX, className="present-button"),
                    dcc.Link("Next ▶", id="present-next", href=PREFIX, className="present-button"),
                    dcc.Link("Last »", id="present-last", href=PREFIX, className="present-button"),
                    html.Button(
                        "Notes (N)",
                        id="present-notes-toggle",
                        className="present-button",
                        **{"aria-controls": "present-notes", "aria-expanded": "false"},
                    ),
                    html.Button("Fullscreen (F)", id="present-fullscreen", className="present-button"),
                ],
                className="present-nav",
                **{"aria-label": "Presentation controls"},
            ),  # fmt: skip
            html.Aside(
                [html.H2("Presenter notes"), html.P(id="present-narration")],
                id="present-notes",
                className="present-notes",
                hidden=True,
            ),  # fmt: skip
            html.P(id="present-live", className="visually-hidden", role="status", **{"aria-live": "polite"}),
            html.P(
                [
                    "Keys: → Space PageDown next · ← PageUp back · Home End first and last · N notes · F fullscreen. ",
                    html.A("Open the dashboard", id="present-dashboard", href="/"),
                ],
                className="present-help",
            ),  # fmt: skip
        ],
        className="present",
    )


def create_present_app(server: flask.Flask, datasets: Datasets, assets_folder: str) -> Dash:
    """The presentation as a Dash app on the dashboard's server, under `/present/`."""
    app = Dash("timeline_present", server=server, url_base_pathname=PREFIX, title=datasets.default.dataset.title,
               assets_folder=assets_folder, assets_ignore=r"^(dashboard|embed)\.", update_title=None,
               external_scripts=[BASIC_BUNDLE_URL])  # fmt: skip
    app.layout = layout()
    app.callback(output={key: Output(*target) for key, target in OUTPUTS.items()},
                 inputs=(Input("present-url", "search"), Input(WIDTH_STORE, "data")))(
        lambda search, width: render(datasets.for_callback(text(search)), search, width))  # fmt: skip
    return app
