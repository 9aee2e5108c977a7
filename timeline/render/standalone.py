"""A standalone HTML page of a view: the chart, the attribution, the event list and schema.org JSON-LD.

It works opened from disk with no network: plotly.js's "basic" partial bundle (scatter, shapes, annotations,
range slider) is inlined, about a quarter the size of the full bundle. Or it loads plotly.js from a URL you give.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.io as pio
from markupsafe import Markup

from timeline.data.charsafety import without_unsafe
from timeline.data.frame import EventFrame
from timeline.figures.chart import PLOT_CONFIG, timeline_figure
from timeline.render.bundles import plotly_basic_bundle
from timeline.text.credits import attribution
from timeline.text.eventhtml import event_text, render

STATUS_TO_SCHEMA = {"postponed": "EventPostponed", "cancelled": "EventCancelled"}


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
    fig = timeline_figure(frame, positions, lanes_of=lanes_of, webgl=False)
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
