"""A standalone HTML page of a view: the chart, the attribution, the event list and schema.org JSON-LD.

It works opened from disk with no network: plotly.js's "basic" partial bundle (scatter, shapes, annotations,
range slider) is inlined, about a quarter the size of the full bundle. Or it loads plotly.js from a URL you give.

The embed (`embed_html`) is the same page for an iframe in an article, built the same way from `embed.html`,
which extends `standalone.html`: the chart with its title and source line drawn in, the filters as chips, and a
compact event list one page (`PAGE_SIZE` events) at a time. Its scripts are files (plotly.js and the embed's own
script), never inline, so the page needs no `'unsafe-inline'` and can be cached as it is by any CDN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup

from timeline.data.charsafety import without_unsafe
from timeline.data.frame import EventFrame
from timeline.figures.chart import PLOT_CONFIG, timeline_figure
from timeline.render.bundles import plotly_basic_bundle
from timeline.text.credits import attribution, source_line
from timeline.text.eventhtml import event_text, render

STATUS_TO_SCHEMA = {"postponed": "EventPostponed", "cancelled": "EventCancelled"}
PAGE_SIZE = 50  # events the embed lists per page: HTML for every event would take seconds to lay out at 10,000
EMBED_WIDTH = 700  # px: the width an article's column usually gives the embed, for the legend's rows
EMBED_CONFIG = {**PLOT_CONFIG, "displayModeBar": "hover"}
# The source line's grey would be unreadable on the dark background, and the white grid glaring: they get the
# dark theme's own colours.
DARK = {
    "paper_bgcolor": "#16181d",
    "plot_bgcolor": "#16181d",
    "font": {"color": "#e8e8e8"},
    "title": {"subtitle": {"font": {"color": "#b8b8b8"}}},
    "xaxis": {"gridcolor": "#3a3d45"},
    "yaxis": {"gridcolor": "#3a3d45"},
}
LIST_ANCHOR = "embed-list-section"  # the list's id: page links scroll to it, and open it


def _iso(lo, hi) -> str:
    """The most precise ISO 8601 date that still covers the whole window `lo`..`hi`."""
    if lo == hi:
        return lo.isoformat()
    if (lo.year, lo.month) == (hi.year, hi.month):
        return f"{lo:%Y-%m}"
    return f"{lo:%Y}"


def json_ld(frame: EventFrame, positions: np.ndarray) -> dict[str, Any]:
    """schema.org `Event`s for search engines and newsroom tools, dated no more precisely than known."""
    graph = []
    for position in positions:
        event, row = frame.event(position), frame.events.iloc[position]
        lo, hi = row["lo"].date(), row["hi"].date()
        item: dict[str, Any] = {
            "@type": "Event",
            "@id": f"#{event.id}",
            "name": event.title,
            "description": event.summary,
            "startDate": lo.isoformat() if row["is_range"] else _iso(lo, hi),
            "eventStatus": f"https://schema.org/{STATUS_TO_SCHEMA.get(event.status, 'EventScheduled')}",
            "subjectOf": [{"@type": "CreativeWork", "headline": s.title, "url": s.url,
                           "publisher": {"@type": "Organization", "name": s.publisher},
                           **({"datePublished": s.date.isoformat()} if s.date else {})} for s in event.sources],
        }  # fmt: skip
        if row["is_range"]:
            item["endDate"] = hi.isoformat()
        if event.location:
            item["location"] = {"@type": "Place", "name": event.location}
        graph.append(item)
    return {"@context": "https://schema.org", "@graph": graph}


def standalone_html(frame: EventFrame, positions: np.ndarray, *, plotlyjs_url: str | None = None,
                    lanes_of: tuple[str, ...] = ()) -> str:  # fmt: skip
    """The page; with `plotlyjs_url`, a small file that loads plotly.js from there instead of inlining it."""
    data = frame.dataset
    # Zoomed in the browser alone, never drawn again by a server: clusters would never open.
    fig = timeline_figure(frame, positions, lanes_of=lanes_of, webgl=False, cluster=False)
    # plotly writes its figure JSON with <, > and / escaped, so the chart's script is safe to insert as it is.
    chart = pio.to_html(without_unsafe(fig.to_plotly_json()), validate=False, config=PLOT_CONFIG, full_html=False,
                        div_id="timeline", include_plotlyjs=False, default_height=f"{fig.layout.height}px")  # fmt: skip
    return render(
        "standalone.html",
        language=data.language,
        title=data.title,
        attribution=attribution(data, frame.asof),
        json_ld=without_unsafe(json_ld(frame, positions)),
        plotlyjs_url=plotlyjs_url,
        plotlyjs=None if plotlyjs_url else Markup(plotly_basic_bundle()),
        chart=Markup(chart),
        events=[event_text(frame, p) for p in positions],
    )


@dataclass(frozen=True)
class Look:
    """The embed's own URL parameters: dark theme, the title drawn on the chart, and a fixed height (px) or an
    aspect ratio (width, height) instead of the height that fits the lanes."""

    dark: bool = False
    title: bool = True
    height: int | None = None
    aspect: tuple[int, int] | None = None

    def params(self) -> list[tuple[str, str]]:
        """The URL parameters that give this look, none for the default."""
        return [
            *([("theme", "dark")] if self.dark else []),
            *([] if self.title else [("title", "0")]),
            *([("height", str(self.height))] if self.height else []),
            *([("aspect", f"{self.aspect[0]}:{self.aspect[1]}")] if self.aspect else []),
        ]


@dataclass(frozen=True)
class Embed:
    """What the embed page shows beyond the view's events: its look, the filters in words, and where it is."""

    look: Look
    chips: tuple[str, ...]  # the filters in words
    banner: str  # "As known on …", or ""
    query: str  # the view's URL parameters, `page` aside, for the links to the list's other pages
    page: int | None  # the page of the list the URL asks for, from 1 (past the last: the last); None: not asked
    window: tuple[float, float] | None  # the chart's x range (epoch ms); None: all the events
    plotlyjs_url: str
    script_url: str  # the embed's script: draws the chart, opens the list, reports the page's height


def embed_figure(frame: EventFrame, positions: np.ndarray, look: Look, *, lanes_of: tuple[str, ...] = (),
                 credit: str, window: tuple[float, float] | None = None) -> go.Figure:  # fmt: skip
    """The embed's chart: the title (unless turned off) and the source line drawn in, no range slider, and no
    clusters: the embed is zoomed in the browser alone, never drawn again by the server, so they would never open."""
    fig = timeline_figure(frame, positions, lanes_of=lanes_of, title=frame.dataset.title if look.title else None,
                          credit=credit, slider=False, webgl=False, width=EMBED_WIDTH, window=window,
                          cluster=False)  # fmt: skip
    if look.dark:
        fig.update_layout(**DARK)
    if look.aspect:
        fig.update_layout(height=None, autosize=True)  # the page's box sets the height from the width
    elif look.height:
        fig.update_layout(height=look.height)
    return fig


def page_href(query: str, page: int) -> str:
    """The link to page `page` of the list, relative to the page itself, so it works wherever it is served."""
    return "?" + "&".join(filter(None, (query, urlencode({"page": page})))) + f"#{LIST_ANCHOR}"


def embed_html(frame: EventFrame, positions: np.ndarray, embed: Embed, *, lanes_of: tuple[str, ...] = ()) -> str:
    """The embed page of the events at `positions` (dated as `frame` knows them)."""
    data = frame.dataset
    fig = embed_figure(frame, positions, embed.look, lanes_of=lanes_of, credit=source_line(data, frame.asof),
                       window=embed.window)  # fmt: skip
    figure = {**without_unsafe(fig.to_plotly_json()), "config": EMBED_CONFIG}
    pages = max(1, math.ceil(len(positions) / PAGE_SIZE))
    page = min(max(embed.page or 1, 1), pages)
    first = (page - 1) * PAGE_SIZE
    links = [("First page", 1, page > 2), ("Previous page", page - 1, page > 1),
             ("Next page", page + 1, page < pages), ("Last page", pages, page < pages - 1)]  # fmt: skip
    return render(
        "embed.html",
        language=data.language,
        title=data.title,
        attribution=attribution(data),
        embed=embed,
        # plotly writes its JSON with <, > and / escaped, so no text can end the data block it goes in.
        figure=Markup(pio.to_json(figure, validate=False)),
        height=fig.layout.height,  # the chart's box keeps its height while plotly.js loads: nothing moves
        count=f"{len(positions):,} of {len(frame.events):,} events",
        events=frame.events.iloc[positions[first : first + PAGE_SIZE]].itertuples(index=False),
        first=first + 1,
        last=min(first + PAGE_SIZE, len(positions)),
        shown=len(positions),
        page=page,
        pages=pages,
        links=[(label, page_href(embed.query, n)) for label, n, wanted in links if wanted],
        list_open=embed.page is not None,  # the reader came from a page link: they are reading the list
        list_anchor=LIST_ANCHOR,
    )
