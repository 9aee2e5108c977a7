"""Export to Knight Lab's TimelineJS3 JSON format, so newsrooms on TimelineJS can use the data.

Partial dates carry the precision (a month-precise event has no `day`); otherwise `display_date` says it in words.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import numpy as np

from .credits import attribution
from .frame import EventFrame
from .schema import Event


def _date(day: dt.date, precision: str) -> dict[str, int]:
    if precision == "year":
        return {"year": day.year}
    if precision == "month":
        return {"year": day.year, "month": day.month}
    return {"year": day.year, "month": day.month, "day": day.day}


def _text(event: Event) -> str:
    # TimelineJS reads `text` as HTML: escape every value and link only the (already http(s)-checked) sources.
    sources = "".join(
        f'<li><a href="{html.escape(s.url)}">{html.escape(s.title)}</a> ({html.escape(s.publisher)})</li>'
        for s in event.sources
    )
    claims = "".join(f"<li>{html.escape(c.claimant)}: {html.escape(c.text)}</li>" for c in event.claims)
    parts = [f"<p>{html.escape(event.summary)}</p>"]
    if event.quote:
        parts.append(
            f"<blockquote>{html.escape(event.quote.text)}<br>— {html.escape(event.quote.speaker)}</blockquote>"
        )
    if claims:
        parts.append(f"<p>Disputed claims:</p><ul>{claims}</ul>")
    return "".join(parts) + f"<p>Sources:</p><ul>{sources}</ul>"


def to_timelinejs(frame: EventFrame, positions: np.ndarray) -> dict[str, Any]:
    """The events at `positions` (with the dataset's phases as eras) as a TimelineJS3 document."""
    data = frame.dataset
    names = frame.actor_names
    events = []
    for position in positions:
        event, row = frame.event(position), frame.events.iloc[position]
        slide: dict[str, Any] = {
            "unique_id": event.id,
            "start_date": _date(event.start, event.precision),
            "text": {"headline": html.escape(event.title), "text": _text(event)},
            "group": names[event.actors[0].actor] if event.actors else "No specific actor",
            "display_date": row["date_label"] + ("" if event.precision == "day" else f" ({row['precision_label']})"),
        }
        if event.end is not None:
            slide["end_date"] = _date(event.end, event.precision)
        events.append(slide)
    eras = [{"start_date": _date(p.start, "day"), "end_date": _date(p.end, "day"),
             "text": {"headline": html.escape(p.label)}} for p in data.phases]  # fmt: skip
    return {
        "title": {"text": {"headline": html.escape(data.title), "text": f"<p>{html.escape(attribution(data))}</p>"}},
        "events": events,
        "eras": eras,
    }
