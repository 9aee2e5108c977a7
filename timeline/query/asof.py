"""The timeline "as known on" a date: as its sources had published it by then.

The rules, in one place (the pages, the exports and the presentation all go through `known`):

- **Events.** An event is known on D when at least one of its sources is dated on or before D. An event that
  `occurred` must also have begun by D (its window starts on or before D): a source dated earlier is taken as
  background, not as a report of the event ahead of time, because the data records an expectation explicitly,
  as an event with status `expected`, `scheduled` or `deadline`. Those forward-looking events are known as
  soon as a source reports them, and keep the status the data gives them: that status is how they stood then.
  The data does not record when a plan was `postponed` or `cancelled`, so those statuses are shown as recorded.
- **Undated sources.** An event none of whose sources carries a date cannot be placed in time, so it is hidden
  from every as-of view; those that had begun by D are counted, and the banner says how many. Undated sources of
  a known event are not shown.
- **Claims and quotes.** A claim is shown only when the source that reports it is dated on or before D; a claim
  whose source is undated is hidden and counted. A quote is shown only when its source is; a quote that names no
  source is hidden, because nothing shows it was published by D.
- Titles, summaries, dates and verification levels are the curators' present wording and are shown unchanged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from timeline.data.frame import EventFrame
from timeline.data.schema import Event

FORWARD_LOOKING = ("expected", "scheduled", "deadline", "postponed", "cancelled")


def known_mask(frame: EventFrame, date: dt.date | None) -> np.ndarray:
    """For every row of the frame: whether the event was known on `date` (all True when `date` is None)."""
    events = frame.events
    if date is None:
        return np.ones(len(events), dtype=bool)
    day = pd.Timestamp(date)
    reported = (events["first_source"] <= day).to_numpy()  # NaT (no dated source) compares False
    begun = (events["lo"] <= day).to_numpy() | events["status"].isin(FORWARD_LOOKING).to_numpy()
    return reported & begun


def trim(event: Event, date: dt.date) -> Event:
    """The event as published by `date`: only its sources dated by then, and the claims and quote they carry."""
    sources = [s for s in event.sources if s.date is not None and s.date <= date]
    urls = {s.url for s in sources}
    claims = [c for c in event.claims if c.source in urls]
    quote = event.quote if event.quote is not None and event.quote.source in urls else None
    if len(sources) == len(event.sources) and len(claims) == len(event.claims) and quote is event.quote:
        return event
    return event.model_copy(update={"sources": sources, "claims": claims, "quote": quote})


@dataclass(frozen=True)
class KnownFrame(EventFrame):
    """The same rows as the frame it comes from, but `event()` gives each event as published by `asof`."""

    def event(self, index: int) -> Event:
        event = super().event(index)
        return event if self.asof is None else trim(event, self.asof)


def _as_of_frame(frame: EventFrame, date: dt.date) -> KnownFrame:
    frame.claims  # noqa: B018 -- build the claims table once, on the long-lived frame
    fields = {f.name for f in dataclasses.fields(EventFrame)}
    derived = KnownFrame(**{name: getattr(frame, name) for name in fields - {"asof"}}, asof=date)
    # Share the caches (names, labels, the claims table) built once for the frame, rather than per request.
    derived.__dict__.update({k: v for k, v in frame.__dict__.items() if k not in fields})
    return derived


@dataclass(frozen=True, eq=False)  # holds arrays and frames: compare their fields, not the wrapper
class AsOf:
    """What a view shows as known on `date`: render `frame` at `positions`, and show `banner()` above it.

    With no date, `frame` is the frame given, `positions` are unchanged and the banner is empty.
    """

    date: dt.date | None
    frame: EventFrame
    positions: np.ndarray
    hidden_events: int  # events begun by `date` but left out because none of their sources carries a date

    @cached_property
    def _claims(self) -> pd.DataFrame:
        table = self.frame.claims
        return table[table["event"].isin(self.positions)]

    @property
    def claims(self) -> int:
        """Claims shown on the events shown."""
        if self.date is None:
            return len(self._claims)
        return int((self._claims["date"] <= pd.Timestamp(self.date)).sum())

    @property
    def hidden_claims(self) -> int:
        """Claims on the events shown that are left out because their source carries no date."""
        return 0 if self.date is None else int(self._claims["date"].isna().sum())

    def includes(self, position: int | None) -> bool:
        """Whether the event at `position` is shown (e.g. the event a URL selects)."""
        return position is not None and bool(np.isin(position, self.positions))

    def banner(self) -> str:
        """`As known on 8 March 2024: 31 events, 12 claims.` and what undated sources hid; `""` with no date."""
        if self.date is None:
            return ""
        text = f"As known on {self.date:%-d %B %Y}: {_count(len(self.positions), 'event')}, "
        text += f"{_count(self.claims, 'claim')}."
        hidden = [_count(n, word) for n, word in ((self.hidden_events, "event"), (self.hidden_claims, "claim")) if n]
        if hidden:
            text += f" Not shown, because their sources carry no date: {' and '.join(hidden)}."
        return text


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def known(frame: EventFrame, positions: np.ndarray, date: dt.date | None) -> AsOf:
    """Of the events at `positions`, those known on `date`, in the same order, with what to render them with."""
    positions = np.asarray(positions, dtype=int)
    if date is None:
        return AsOf(None, frame, positions, 0)
    keep = known_mask(frame, date)[positions]
    events = frame.events.iloc[positions]
    # Count only the undated events that had begun by then: later ones would be hidden even if they were dated.
    undated = events["first_source"].isna() & (events["lo"] <= pd.Timestamp(date))
    return AsOf(date, _as_of_frame(frame, date), positions[keep], int(undated.sum()))
