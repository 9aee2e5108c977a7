"""Export to Knight Lab's TimelineJS3 JSON format, so newsrooms on TimelineJS can use the data.

Partial dates carry the precision (a month-precise event has no `day`); otherwise `display_date` says it in words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from markupsafe import Markup, escape

from timeline.data.charsafety import without_unsafe
from timeline.data.frame import EventFrame
from timeline.data.schema import Event
from timeline.text.credits import attribution


def _date(day: dt.date, precision: str) -> dict[str, int]:
    if precision == "year":
        return {"year": day.year}
    if precision == "month":
        return {"year": day.year, "month": day.month}
    return {"year": day.year, "month": day.month, "day": day.day}


def _text(event: Event) -> Markup:
    # TimelineJS reads `text` as HTML: Markup.format escapes every value; only the (http(s)-checked) sources link.
    parts = [Markup("<p>{}</p>").format(event.summary)]
    if event.quote:
        parts.append(Markup("<blockquote>{}<br>— {}</blockquote>").format(event.quote.text, event.quote.speaker))
    if event.claims:
        claims = Markup("").join(Markup("<li>{}: {}</li>").format(c.claimant, c.text) for c in event.claims)
        parts.append(Markup("<p>Disputed claims:</p><ul>{}</ul>").format(claims))
    sources = Markup("").join(
        Markup('<li><a href="{}">{}</a> ({})</li>').format(s.url, s.title, s.publisher) for s in event.sources
    )
    parts.append(Markup("<p>Sources:</p><ul>{}</ul>").format(sources))
    return Markup("").join(parts)


def to_timelinejs(frame: EventFrame, positions: np.ndarray) -> dict[str, Any]:
    """The events at `positions` (with the dataset's phases as eras) as a TimelineJS3 document.

    TimelineJS writes headlines, texts, groups and display dates into the page as HTML, so each is escaped here.
    """
    data = frame.dataset
    names = frame.actor_names
    events = []
    for position in positions:
        event, row = frame.event(position), frame.events.iloc[position]
        display = row["date_label"] + ("" if event.precision == "day" else f" ({row['precision_label']})")
        slide: dict[str, Any] = {
            "unique_id": event.id,
            "start_date": _date(event.start, event.precision),
            "text": {"headline": escape(event.title), "text": _text(event)},
            "group": escape(names[event.actors[0].actor] if event.actors else "No specific actor"),
            "display_date": escape(display),
        }
        if event.end is not None:
            slide["end_date"] = _date(event.end, event.precision)
        events.append(slide)
    eras = [{"start_date": _date(p.start, "day"), "end_date": _date(p.end, "day"),
             "text": {"headline": escape(p.label)}} for p in data.phases]  # fmt: skip
    title = {
        "text": {"headline": escape(data.title), "text": Markup("<p>{}</p>").format(attribution(data, frame.asof))}
    }
    # Markup is a str: the document serialises as plain JSON strings.
    return without_unsafe({"title": title, "events": events, "eras": eras})
