"""Level of detail: what the chart draws for a time window, so that no more than `MAX_MARKS` marks ever travel.

The chart draws one mark per event per lane (an event with three actors sits in three lanes). Zoomed in, when
the marks that reach into the window fit the budget, each is drawn with its real symbol and span. Zoomed out
over more, each lane shows binned counts instead. Outside the window, which only a range slider shows, lanes
are binned more coarsely (with `context`), so the slider keeps the shape of everything shown. Single marks of a
lane that would overlap at the chart's scale are merged into clusters (`clustered`), which a narrower window opens.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np
import pandas as pd

from timeline.data.bulk import run_rows
from timeline.data.frame import EventFrame

# What a browser can draw at once and stay quick. Measured with plotly.js 4.1 (SVG) in headless Chromium on two
# cores, for the dashboard's figure zoomed into synthetic events: a first drawing takes about 0.3 s plus 0.15 ms
# a mark (0.45 s at 1,000, 0.5 s at 1,500, 0.7 s at 2,900), and a redraw for a new range about 0.1 ms a mark.
MAX_MARKS = 2_000
BINS = 120  # bins across a window: about 10 px each on a desktop chart
DAY_MS = 86_400_000.0
# Bin widths a reader can name ("events per week"), in days; wider windows take multiples of a year.
UNITS = (1, 2, 7, 14, 28, 91, 182, 364)
MONDAY_MS = 4 * DAY_MS  # 1970-01-05: week-long bins start on a Monday
# A cluster reaches at most this many times the merging distance: a long dense stretch becomes a row of clusters,
# each near the marks it stands for, rather than one mark in its middle.
CLUSTER_REACH = 2.0
T = TypeVar("T")


@dataclass(frozen=True)
class Marks:
    """One row per mark: the event's row position, its lane (an actor's index in the dataset's actor list, or
    the number of actors for "no specific actor") and where the marker sits (epoch ms)."""

    event: np.ndarray
    lane: np.ndarray
    x: np.ndarray

    def __len__(self) -> int:
        return len(self.event)


@dataclass(frozen=True)
class Bins:
    """Counts of marks per lane row and time bin; only bins that hold marks. `inside` tells the bins in the
    window from the coarser ones outside it."""

    row: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    count: np.ndarray
    inside: np.ndarray

    def __len__(self) -> int:
        return len(self.count)


@dataclass(frozen=True)
class Clusters:
    """Marks of one lane drawn as one: per cluster its lane row, where it sits (epoch ms) and how many marks it
    stands for; `events` holds the members' event rows, cluster after cluster (by date within each)."""

    row: np.ndarray
    x: np.ndarray
    count: np.ndarray
    events: np.ndarray

    def __len__(self) -> int:
        return len(self.count)

    @property
    def start(self) -> np.ndarray:
        """Where each cluster's members begin in `events`."""
        return np.cumsum(self.count) - self.count

    @property
    def cluster_of(self) -> np.ndarray:
        """For each entry of `events`, the cluster it belongs to."""
        return np.repeat(np.arange(len(self.count)), self.count)


def _no_clusters() -> Clusters:
    empty = np.array([], dtype="int64")
    return Clusters(empty, empty.astype(float), empty, empty)


@dataclass(frozen=True)
class Detail:
    """What the chart draws. `window` is the x-axis range and `extent` that of every mark (padded; None when
    there is none). `lanes` are the lanes in use, top to bottom; marks carry a lane row (an index into `lanes`).

    `events`/`rows` are the marks drawn one by one, in event order; `binned` says the window itself is binned
    (zoomed out), in bins `unit_days` wide; `ring_events`/`ring_rows` are the marks of the selected events;
    `clusters` the marks merged with their neighbours (see `clustered`), none of them in `events`.
    """

    window: tuple[float, float]
    extent: tuple[float, float] | None
    lanes: np.ndarray
    events: np.ndarray
    rows: np.ndarray
    bins: Bins
    binned: bool
    unit_days: int
    ring_events: np.ndarray
    ring_rows: np.ndarray
    clusters: Clusters = field(default_factory=_no_clusters)

    @property
    def size(self) -> int:
        """Every mark that travels: single events, clusters, bins and the selection's rings."""
        return len(self.events) + len(self.clusters) + len(self.bins) + len(self.ring_events)


def ms(values: pd.Series | np.ndarray) -> np.ndarray:
    """Dates as epoch milliseconds (float), the unit plotly reads on a date axis."""
    array = values.to_numpy(dtype="datetime64[ms]") if isinstance(values, pd.Series) else values
    return np.asarray(array, dtype="datetime64[ms]").astype("int64").astype("float64")


# Finding an event's rows by binary search (and sorting them) costs about as much as scanning this many rows: in a
# long table of 2,000,000 rows, 0.56 us an event against 2.8 ns a row, measured on 2,000 to 310,000 events.
SEARCHED_PER_SCANNED = 200
_KEPT: dict[tuple[int, str], tuple[weakref.ref, object]] = {}


def per_table(table: pd.DataFrame, name: str, compute: Callable[[pd.DataFrame], T]) -> T:
    """`compute(table)`, worked out once per table and `name`. Frames are read-only and shared by every request;
    at a million events, reading a column again can cost more than the rest of a request."""
    key = (id(table), name)
    kept = _KEPT.get(key)
    if kept is not None and kept[0]() is table:
        return kept[1]
    value = compute(table)
    for stale in [k for k, (ref, _) in _KEPT.items() if ref() is None]:
        del _KEPT[stale]
    _KEPT[key] = (weakref.ref(table), value)
    return value


def places(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per event row: where its span starts and ends (`hi` exclusive) and where its marker sits, in epoch ms."""

    def compute(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lo, hi = ms(events["lo"]), ms(events["hi"]) + DAY_MS
        exact = (events["precision"] == "day").to_numpy(dtype=bool)
        return lo, hi, np.where(exact, lo, (lo + hi) / 2)  # a date known only to a span sits in its middle

    return per_table(events, "places", compute)


def actor_rows(long: pd.DataFrame, positions: np.ndarray) -> np.ndarray:
    """The rows of the actors' long table that belong to the events at `positions`, in the table's order."""
    events = long["event"].to_numpy()
    few = len(positions) * SEARCHED_PER_SCANNED < len(events)
    if few and per_table(long, "sorted", lambda t: bool((np.diff(t["event"].to_numpy()) >= 0).all())):
        # In event order, each event's rows are one run: find the runs instead of looking at every row.
        starts = np.searchsorted(events, positions)
        return np.sort(run_rows(starts, np.searchsorted(events, positions, side="right") - starts))
    chosen = np.zeros(int(events.max()) + 1 if len(events) else 0, dtype=bool)
    chosen[positions[positions < len(chosen)]] = True
    return np.flatnonzero(chosen[events])


def marks(frame: EventFrame, positions: np.ndarray, only: tuple[str, ...] = (), among: Marks | None = None) -> Marks:
    """The marks of the events at `positions`: one per event and actor; an event with no actor (or, with `only`,
    none of those actors) goes in the "no specific actor" lane. `among`, the marks of some events that include
    these (as this function gives them), saves a search of the long table of actors."""
    n, general = len(frame.events), len(frame.dataset.actors)
    positions = np.asarray(positions, dtype="int64")
    if among is not None:
        chosen = np.zeros(n, dtype=bool)
        chosen[positions] = True
        keep = chosen[among.event]
        event, lane = among.event[keep], among.lane[keep]
    else:
        event = frame.actors["event"].to_numpy(dtype="int64")
        lane = frame.actors["lane"].to_numpy(dtype="int64")
        if len(positions) < n:  # positions hold no repeats: as many as there are events means all of them
            rows = actor_rows(frame.actors, positions)
            event, lane = event[rows], lane[rows]
    if only:
        wanted = np.zeros(general + 1, dtype=bool)  # per lane: a lookup, not a search of every row
        wanted[[i for i, a in enumerate(frame.dataset.actors) if a.id in only]] = True
        keep = wanted[lane]
        event, lane = event[keep], lane[keep]
    placed = np.zeros(n, dtype=bool)
    placed[event] = True
    alone = positions[~placed[positions]]
    event = np.concatenate([event, alone])
    lane = np.concatenate([lane, np.full(len(alone), general, dtype="int64")])
    return Marks(event, lane, places(frame.events)[2][event])


def extent(lo: np.ndarray, hi: np.ndarray) -> tuple[float, float] | None:
    """The time range that shows every span [lo, hi) whole, with a margin: 3 % of it, and at least two days."""
    if not len(lo):
        return None
    first, last = float(lo.min()), float(hi.max())
    pad = max((last - first) * 0.03, 2 * DAY_MS)
    return first - pad, last + pad


def unit_days(span_ms: float, bins: int) -> int:
    """The narrowest nameable bin width that cuts `span_ms` into at most `bins` bins."""
    days = span_ms / DAY_MS / max(bins, 1)
    for unit in UNITS:
        if unit >= days:
            return unit
    return UNITS[-1] * int(np.ceil(days / UNITS[-1]))


@dataclass(frozen=True)
class Grid:
    """Bins `unit` days wide on a fixed calendar grid (midnight, or Monday for weeks) covering [lo, hi)."""

    lo: float
    hi: float
    unit: int

    @property
    def width(self) -> float:
        return self.unit * DAY_MS

    @property
    def anchor(self) -> float:
        return MONDAY_MS if self.unit % 7 == 0 else 0.0

    @property
    def first(self) -> int:
        """The grid number of the bin holding `lo`."""
        return int(np.floor((self.lo - self.anchor) / self.width))

    @property
    def count(self) -> int:
        return max(int(np.ceil((self.hi - self.anchor) / self.width)) - self.first, 1)

    def index(self, x: np.ndarray) -> np.ndarray:
        """Each x's bin, 0 to count - 1 (x outside [lo, hi) is clipped to the nearest bin)."""
        grid = np.floor((x - self.anchor) / self.width).astype("int64") - self.first
        return np.clip(grid, 0, self.count - 1, out=grid)

    def bounds(self, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        starts = self.anchor + (index + self.first) * self.width
        return np.maximum(starts, self.lo), np.minimum(starts + self.width, self.hi)


def window_grid(window: tuple[float, float], bins: int) -> Grid:
    """At most `bins` bins across `window`."""
    return Grid(*window, unit_days(window[1] - window[0], bins))


def bin_grids(window: tuple[float, float], span: tuple[float, float], bins: int) -> tuple[Grid, Grid, Grid]:
    """The grids left of the window, in it and right of it: `bins` bins cut the window, half as many the whole
    `span`, so bins outside the window are coarser."""
    coarse = unit_days(span[1] - span[0], max(bins // 2, 1))
    return Grid(span[0], window[0], coarse), window_grid(window, bins), Grid(window[1], span[1], coarse)


def binned(blocks: Iterable[tuple[np.ndarray, np.ndarray]], n_rows: int, window: tuple[float, float],
           span: tuple[float, float], bins: int, outside: bool = True) -> Bins:  # fmt: skip
    """Counts of marks per lane row and bin; `blocks` gives the marks' x and lane row, a block at a time. In the
    window, bins cut it into at most `bins`; left and right of it, where only a thin range slider shows them,
    coarser bins cut the whole `span` into at most half as many; without `outside`, marks outside the window are
    left out."""
    grids = bin_grids(window, span, bins) if outside else (window_grid(window, bins),)
    offsets = np.cumsum([0] + [g.count * n_rows for g in grids])
    counts = np.zeros(offsets[-1], dtype="int64")
    for x, rows in blocks:
        if not outside:  # the window's marks only, on its one grid
            inside = (x >= window[0]) & (x < window[1])
            x, rows = (x, rows) if inside.all() else (x[inside], rows[inside])
            counts += np.bincount(rows * grids[0].count + grids[0].index(x), minlength=offsets[-1])
            continue
        where = np.where(x < window[0], 1, np.where(x >= window[1], 2, 0))  # in the window, left of it, right of it
        for i, side in ((0, 1), (1, 0), (2, 2)):
            at = np.flatnonzero(where == side)
            if len(at):
                grid = grids[i]
                counts += np.bincount(offsets[i] + rows[at] * grid.count + grid.index(x[at]), minlength=offsets[-1])
    hits = np.flatnonzero(counts)
    block = np.searchsorted(offsets, hits, side="right") - 1
    parts = []
    for i, g in enumerate(grids):
        local = hits[block == i] - offsets[i]
        lo, hi = g.bounds(local % g.count)
        parts.append((local // g.count, lo, hi, counts[hits[block == i]], np.full(len(local), i == 1 or not outside)))
    return Bins(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def _no_bins() -> Bins:
    empty = np.array([], dtype="int64")
    return Bins(empty, empty.astype(float), empty.astype(float), empty, empty.astype(bool))


class _MarkBlocks:
    """`marks(frame, positions, only)` a block at a time, in the same order. Unfiltered, the blocks are views of
    the frame's long table of actors: at a million events its marks would take 40 MB, and every array worked out
    from them as much again, for each request. Filtered, the blocks are kept: they are as large as what is shown."""

    SIZE = 1 << 18  # marks in a block

    def __init__(self, frame: EventFrame, positions: np.ndarray, only: tuple[str, ...]) -> None:
        n, self.general = len(frame.events), len(frame.dataset.actors)
        self.event = frame.actors["event"].to_numpy(dtype="int64")
        self.lane = frame.actors["lane"].to_numpy(dtype="int64")
        self.x = places(frame.events)[2]
        chosen = wanted = None
        if len(positions) < n:  # positions hold no repeats: as many as there are events means all of them
            chosen = np.zeros(n, dtype=bool)
            chosen[positions] = True
        if only:
            wanted = np.zeros(self.general + 1, dtype=bool)
            wanted[[i for i, a in enumerate(frame.dataset.actors) if a.id in only]] = True
        self.kept: list[tuple[np.ndarray, np.ndarray]] | None = None
        if chosen is not None or wanted is not None:
            self.kept = list(self._filtered(chosen, wanted))
        placed = np.zeros(n, dtype=bool)
        for event, _ in self._actors():
            placed[event] = True
        self.alone = positions[~placed[positions]]  # in the "no specific actor" lane

    def _filtered(self, chosen: np.ndarray | None, wanted: np.ndarray | None) -> Iterator[tuple[np.ndarray, ...]]:
        for event, lane in self._actors():
            keep = wanted[lane] if chosen is None else chosen[event] if wanted is None else chosen[event] & wanted[lane]
            yield event[keep], lane[keep]

    def _actors(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        if self.kept is not None:
            yield from self.kept
            return
        for k in range(0, len(self.event), self.SIZE):
            yield self.event[k : k + self.SIZE], self.lane[k : k + self.SIZE]

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Each block's events and lanes."""
        yield from self._actors()
        for k in range(0, len(self.alone), self.SIZE):
            event = self.alone[k : k + self.SIZE]
            yield event, np.full(len(event), self.general, dtype="int64")

    def located(self, row_of: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Each block's marks' x and lane row (`row_of` a lane's)."""
        for event, lane in self:
            yield self.x[event], row_of[lane]


def level_of_detail(frame: EventFrame, positions: np.ndarray, window: tuple[float, float] | None = None, *,
                    only: tuple[str, ...] = (), selected: np.ndarray | None = None, bins: int = BINS,
                    max_marks: int = MAX_MARKS, context: bool = True) -> Detail:  # fmt: skip
    """What to draw of the events at `positions` in `window` (epoch ms; default: all of them), within
    `max_marks` marks: single events when those reaching into the window fit, else `bins` bins a lane. With
    `context`, the marks outside the window are counted in coarse bins too (for a range slider); without, they
    are left out.

    The bound holds for up to `max_marks // 10` lanes."""
    positions = np.asarray(positions, dtype="int64")
    if not context:  # only the window's marks count: look them up in date order
        return _looked_up(frame, positions, window, only, selected, bins, max_marks)
    return _scanned(frame, positions, window, only, selected, bins, max_marks, context)


def _scanned(frame: EventFrame, positions: np.ndarray, window: tuple[float, float] | None, only: tuple[str, ...],
             selected: np.ndarray | None, bins: int, max_marks: int, context: bool) -> Detail:  # fmt: skip
    """`level_of_detail` from a scan of every mark, a block at a time."""
    source = _MarkBlocks(frame, positions, only)
    lo, hi, _ = places(frame.events)
    full = extent(lo, hi) if len(positions) == len(lo) else extent(lo[positions], hi[positions])
    window = window or full or (0.0, DAY_MS)
    span = (min(window[0], full[0]), max(window[1], full[1])) if full else window
    n_lanes = len(frame.dataset.actors) + 1
    reaching = (lo < window[1]) & (hi > window[0])  # per event: whether its marks are near the window
    ringed = np.zeros(len(lo), dtype=bool)
    if selected is not None and len(selected):
        ringed[np.asarray(selected)[(np.asarray(selected) >= 0) & (np.asarray(selected) < len(lo))]] = True
    lanes = np.zeros(n_lanes, dtype="int64")
    near: list[tuple[np.ndarray, np.ndarray]] = []  # the near marks' events and lanes, while they could fit
    ring: list[tuple[np.ndarray, np.ndarray]] = []
    n_near = n_ring = 0
    for event, lane in source:
        lanes += np.bincount(lane, minlength=n_lanes)
        close = reaching[event]
        n_near += int(np.count_nonzero(close))
        if n_near <= max_marks:
            near.append((event[close], lane[close]))
        if n_ring < max_marks // 4 and (taken := ringed[event]).any():
            at = np.flatnonzero(taken)[: max_marks // 4 - n_ring]
            ring.append((event[at], lane[at]))
            n_ring += len(at)
    used, row_of, n_rows = _lane_rows(lanes)
    ring_events, ring_lanes = _joined(ring)
    budget = max_marks - len(ring_events)
    bins = _bins_per_lane(bins, budget, n_rows)
    if n_near <= budget:
        if context:
            around = binned(((x[~near], rows[~near]) for x, rows, near in _with_near(source, row_of, reaching)),
                            n_rows, window, span, bins)  # fmt: skip
        else:
            around = _no_bins()
        if n_near + len(around) <= budget:
            events, lanes_near = _joined(near)
            return _one_by_one(window, full, used, events, row_of[lanes_near], around, ring_events,
                               row_of[ring_lanes])  # fmt: skip
    counted = binned(source.located(row_of), n_rows, window, span, bins, outside=context)
    return _counted(window, full, used, counted, bins, ring_events, row_of[ring_lanes])


def _lane_rows(lanes: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """From each lane's count of marks: the lanes in use, each lane's row among them, and how many rows (one at
    least, for an empty chart)."""
    used = np.flatnonzero(lanes)
    row_of = np.zeros(len(lanes), dtype="int64")
    row_of[used] = np.arange(len(used))
    return used, row_of, max(len(used), 1)


def _bins_per_lane(bins: int, budget: int, n_rows: int) -> int:
    """Bins in the window and bins outside it each stay under half the budget: n_rows * (bins + 3) at most."""
    return max(min(bins, budget // (2 * n_rows) - 3), 1)


def _one_by_one(window: tuple[float, float], full: tuple[float, float] | None, used: np.ndarray, events: np.ndarray,
                rows: np.ndarray, around: Bins, ring_events: np.ndarray, ring_rows: np.ndarray) -> Detail:  # fmt: skip
    """The detail of a window whose marks are drawn one by one: in event order, then lane row."""
    order = np.lexsort((rows, events))
    return Detail(window, full, used, events[order], rows[order], around, False, 0, ring_events, ring_rows)


def _counted(window: tuple[float, float], full: tuple[float, float] | None, used: np.ndarray, counted: Bins,
             bins: int, ring_events: np.ndarray, ring_rows: np.ndarray) -> Detail:  # fmt: skip
    """The detail of a window drawn as counts, in bins `bins` to a lane at most."""
    none = np.array([], dtype="int64")
    return Detail(window, full, used, none, none, counted, True, unit_days(window[1] - window[0], bins), ring_events,
                  ring_rows)  # fmt: skip


@dataclass(frozen=True)
class _DateIndex:
    """Every mark of a frame (`marks` of all its events) in date order, twice: all lanes together (`x`, `event`,
    `lane`), and lane by lane (`lane_x`, `lane_events`; a lane's marks start at `lane_starts[lane]`). A mark whose
    event reaches into a window lies within `reach` (the longest span) of it."""

    x: np.ndarray
    event: np.ndarray
    lane: np.ndarray
    lane_x: np.ndarray
    lane_events: np.ndarray
    lane_starts: np.ndarray
    reach: float
    extent: tuple[float, float] | None

    def between(self, first: float, last: float, lanes: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """The x, event row and lane of the marks from `first` to before `last` (of `lanes` only, if given)."""
        if lanes is None:
            part = slice(*(int(i) for i in np.searchsorted(self.x, (first, last))))
            return self.x[part], self.event[part], self.lane[part]
        parts = []
        for lane in lanes:
            start, end = self.lane_starts[lane], self.lane_starts[lane + 1]
            a, b = np.searchsorted(self.lane_x[start:end], (first, last)) + start
            parts.append((self.lane_x[a:b], self.lane_events[a:b], np.full(b - a, lane, dtype="int32")))
        return tuple(np.concatenate(column) for column in zip(*parts, strict=True)) if parts else (
            np.array([]), np.array([], dtype="int32"), np.array([], dtype="int32"))  # fmt: skip

    def of_lane(self, lane: int) -> np.ndarray:
        """The event rows of a lane's marks."""
        return self.lane_events[self.lane_starts[lane] : self.lane_starts[lane + 1]]


def _date_index(frame: EventFrame) -> _DateIndex:
    def compute(events: pd.DataFrame) -> _DateIndex:
        # Built in the narrowest types, a column at a time: at a million events the index takes 45 MB, and what
        # a server process frees it does not always give back.
        n, general = len(events), len(frame.dataset.actors)
        actor_events = frame.actors["event"].to_numpy()
        placed = np.zeros(n, dtype=bool)
        placed[actor_events] = True
        alone = np.flatnonzero(~placed)  # in the "no specific actor" lane, as `marks`
        event = np.empty(len(actor_events) + len(alone), dtype="int32" if n < 2**31 else "int64")
        event[: len(actor_events)], event[len(actor_events) :] = actor_events, alone
        lane = np.full(len(event), general, dtype="int16" if general < 2**15 - 1 else "int32")
        lane[: len(actor_events)] = frame.actors["lane"].to_numpy()
        lo, hi, x_of = places(events)
        by_date = np.argsort(x_of[event], kind="stable")  # quick on marks nearly in date order
        x, event, lane = x_of[event[by_date]], event[by_date], lane[by_date]
        del by_date
        by_lane = np.argsort(lane, kind="stable")  # and in date order within each lane
        starts = np.concatenate([[0], np.cumsum(np.bincount(lane, minlength=general + 1))])
        return _DateIndex(x, event, lane, x[by_lane], event[by_lane], starts,
                          float((hi - lo).max()) if len(lo) else 0.0, extent(lo, hi))  # fmt: skip

    return per_table(frame.events, "marks by date", compute)


def _looked_up(frame: EventFrame, positions: np.ndarray, window: tuple[float, float] | None,
               only: tuple[str, ...], selected: np.ndarray | None, bins: int, max_marks: int) -> Detail:  # fmt: skip
    """`level_of_detail` without context, from the marks in date order near the window, and for a filter the
    lanes' own lists of events (to count the lanes in use). A zoom into a million events looks at the few it
    shows; a filter, at the events of the lanes it keeps."""
    index = _date_index(frame)
    lo, hi, x_of = places(frame.events)
    n, general = len(lo), len(frame.dataset.actors)
    shown = None  # per event, when not every event is shown (positions hold no repeats: n of them are all)
    if len(positions) < n:
        shown = np.zeros(n, dtype=bool)
        shown[positions] = True
    wanted = np.ones(general + 1, dtype=bool)
    if only:  # an event with none of these actors goes in the "no specific actor" lane (as `marks`)
        wanted[:] = False
        wanted[[i for i, a in enumerate(frame.dataset.actors) if a.id in only]] = True
    lanes = np.zeros(general + 1, dtype="int64")
    placed = np.zeros(n, dtype=bool) if only else None
    for lane in np.flatnonzero(wanted):
        events = index.of_lane(lane)
        events = events[shown[events]] if shown is not None else events
        lanes[lane] = len(events)
        if placed is not None:
            placed[events] = True
    alone = positions[~placed[positions]] if placed is not None else np.array([], dtype="int64")
    lanes[general] += len(alone)
    full = index.extent if len(positions) == n else extent(lo[positions], hi[positions])
    window = window or full or (0.0, DAY_MS)
    used, row_of, n_rows = _lane_rows(lanes)
    chosen = np.asarray(selected if selected is not None else [], dtype="int64")
    chosen = np.unique(chosen[(chosen >= 0) & (chosen < n)])
    ringed = marks(frame, chosen if shown is None else chosen[shown[chosen]], only)
    ring_events, ring_lanes = ringed.event[: max_marks // 4], ringed.lane[: max_marks // 4]
    budget = max_marks - len(ring_events)
    bins = _bins_per_lane(bins, budget, n_rows)

    # the shown marks near the window: those of events reaching into it lie within `reach` of it
    x, event, lane = index.between(window[0] - index.reach, np.nextafter(window[1] + index.reach, np.inf),
                                   np.flatnonzero(wanted) if only else None)  # fmt: skip
    if shown is not None:
        keep = shown[event]
        x, event, lane = x[keep], event[keep], lane[keep]
    event = event.astype("int64")
    # A mark sits within its event's span, so a mark in the window is a near one: more of those than fit, and the
    # window is drawn as counts without looking at the spans.
    inside = (x >= window[0]) & (x < window[1])
    if np.count_nonzero(inside) <= budget:
        close = (lo[event] < window[1]) & (hi[event] > window[0])
        lonely = alone[(lo[alone] < window[1]) & (hi[alone] > window[0])]
        if np.count_nonzero(close) + len(lonely) <= budget:
            events = np.concatenate([event[close], lonely])
            rows = np.concatenate([row_of[lane[close]], np.full(len(lonely), row_of[general])])
            return _one_by_one(window, full, used, events, rows, _no_bins(), ring_events, row_of[ring_lanes])
    blocks = [(x[inside], row_of[lane[inside]]), (x_of[alone], np.full(len(alone), row_of[general]))]
    counted = binned(blocks, n_rows, window, window, bins, outside=False)
    return _counted(window, full, used, counted, bins, ring_events, row_of[ring_lanes])


def _with_near(source: _MarkBlocks, row_of: np.ndarray,
               reaching: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:  # fmt: skip
    """Each block's marks' x, lane row and whether they are near the window."""
    for event, lane in source:
        yield source.x[event], row_of[lane], reaching[event]


def _joined(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The events and lanes of `parts`, one after the other."""
    if not parts:
        return np.array([], dtype="int64"), np.array([], dtype="int64")
    return np.concatenate([e for e, _ in parts]), np.concatenate([lane for _, lane in parts])


def clustered(frame: EventFrame, detail: Detail, apart_ms: float, reach: float = CLUSTER_REACH) -> Detail:
    """`detail` with the single marks of each lane that lie less than `apart_ms` from their neighbour merged into
    clusters; a cluster spans at most `reach` times `apart_ms` (a longer run of close marks is cut into several).
    Marks of the selected (ringed) events always stay single. Deterministic: marks are taken by lane row, date and
    event row."""
    if detail.binned or not len(detail.events) or not apart_ms > 0:
        return detail
    x = places(frame.events)[2][detail.events]
    free = np.flatnonzero(~np.isin(detail.events, detail.ring_events))
    order = free[np.lexsort((detail.events[free], x[free], detail.rows[free]))]
    xs, rows = x[order], detail.rows[order]
    # A run: marks of one lane each closer than `apart_ms` to the one before. A run longer than the reach is cut
    # into pieces measured from its first mark.
    new_run = np.ones(len(order), dtype=bool)
    new_run[1:] = (rows[1:] != rows[:-1]) | (np.diff(xs) >= apart_ms)
    run_start = xs[new_run][np.cumsum(new_run) - 1]
    piece = np.floor((xs - run_start) / (reach * apart_ms)).astype("int64")
    new_group = new_run.copy()
    new_group[1:] |= piece[1:] != piece[:-1]
    group = np.cumsum(new_group) - 1
    size = np.bincount(group)
    merged = size[group] > 1
    if not merged.any():
        return detail
    first = np.flatnonzero(new_group & merged)
    last = first + size[group[first]] - 1
    single = np.ones(len(detail.events), dtype=bool)
    single[order[merged]] = False
    clusters = Clusters(rows[first], (xs[first] + xs[last]) / 2, size[group[first]], detail.events[order[merged]])
    return replace(detail, events=detail.events[single], rows=detail.rows[single], clusters=clusters)
