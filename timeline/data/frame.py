"""The validated dataset as pandas frames: one row per event, plus long tables of actors and issues."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from timeline.data.dates import date_label, precision_label, window
from timeline.data.schema import Dataset, Event
from timeline.data.vocab import EVENT_TYPE_BY_ID

COLUMNS = ("id", "title", "type", "type_label", "family", "status", "date_label", "precision", "precision_label",
           "lo", "hi", "is_range", "location", "verification", "search_text", "first_source")  # fmt: skip


@dataclass(frozen=True)
class EventFrame:
    """Read-only tables built once at start-up and shared by every request."""

    dataset: Dataset
    events: pd.DataFrame  # one row per event, in date order; row position = event index
    # `first_source` is the earliest date among the event's sources (NaT when none is dated): when it was known.
    actors: pd.DataFrame  # long: event, actor, role, lane
    issues: pd.DataFrame  # long: event, issue
    asof: dt.date | None = None  # set on the frame of an "as known on" view (timeline/query/asof.py)

    @cached_property
    def actor_names(self) -> dict[str, str]:
        """Actor id -> display name."""
        return {a.id: a.name for a in self.dataset.actors}

    @cached_property
    def issue_labels(self) -> dict[str, str]:
        """Issue id -> display label."""
        return {i.id: i.label for i in self.dataset.issues}

    @cached_property
    def claims(self) -> pd.DataFrame:
        """Long: one row per claim, `event` (row position), `claim` (its index in the event) and `date` (of the
        source that reports it; NaT when that source is undated or not among the event's sources)."""
        rows = []
        for pos, i in enumerate(self.events.index):
            event = self.dataset.events[int(i)]
            dated = {s.url: s.date for s in event.sources}
            rows += [(pos, j, dated.get(c.source)) for j, c in enumerate(event.claims)]
        table = pd.DataFrame(rows, columns=["event", "claim", "date"]).astype({"event": "int64", "claim": "int64"})
        table["date"] = pd.to_datetime(table["date"]).astype("datetime64[ms]")
        return table

    def event(self, index: int) -> Event:
        return self.dataset.events[int(self.events.index[index])]

    def position(self, event_id: str) -> int | None:
        hits = np.flatnonzero(self.events["id"].to_numpy() == event_id)
        return int(hits[0]) if len(hits) else None


def _row(event: Event) -> tuple:
    lo, hi = window(event.start, event.end, event.precision)
    term = EVENT_TYPE_BY_ID[event.type]
    text = " ".join(filter(None, (event.title, event.summary, event.quote.text if event.quote else None)))
    first = min((s.date for s in event.sources if s.date), default=None)
    return (event.id, event.title, event.type, term.label, term.family, event.status,
            date_label(event.start, event.end, event.precision, event.display_date), event.precision,
            precision_label(event.precision), lo, hi, event.precision == "day" and event.end is not None,
            event.location or "", event.verification, text.casefold(), first)  # fmt: skip


def build_frame(dataset: Dataset) -> EventFrame:
    """Tabulate the events in date order (ties keep file order)."""
    events = pd.DataFrame([_row(e) for e in dataset.events], columns=list(COLUMNS))
    for column in ("lo", "hi", "first_source"):
        events[column] = pd.to_datetime(events[column]).astype("datetime64[ms]")
    events = events.sort_values(["lo", "hi"], kind="stable")
    order = events.index.to_numpy()
    lane_of = {a.id: i for i, a in enumerate(dataset.actors)}
    actors = pd.DataFrame(
        [(pos, a.actor, a.role, lane_of[a.actor]) for pos, i in enumerate(order) for a in dataset.events[i].actors],
        columns=["event", "actor", "role", "lane"],
    )
    issues = pd.DataFrame(
        [(pos, issue) for pos, i in enumerate(order) for issue in dataset.events[i].issues], columns=["event", "issue"]
    )
    return EventFrame(dataset, events, actors.astype({"event": "int64", "lane": "int64"}), issues)
