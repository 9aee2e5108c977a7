"""The validated dataset as columns: one row per event, long tables of actors and issues, and the flat table the
events came from, which the detail panel reads one event at a time.

Every column is computed for the whole table at once (no object per event): the few distinct values of a
repeated cell (types, dates, actor lists) are worked out once each and spread over the rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from timeline.data.bulk import NO_DATE, Text, by_value, day_number
from timeline.data.dates import date_label
from timeline.data.flat import (
    FLAGS,
    actor_roles,
    cell_items,
    complete,
    events_to_table,
    flag,
    record_event,
    split_cell,
    table_row,
)
from timeline.data.schema import Dataset, Event
from timeline.data.vocab import EVENT_TYPES, FAMILIES, PRECISION_LABEL, PRECISIONS, ROLES, STATUSES, VERIFICATIONS

COLUMNS = ("id", "title", "type", "type_label", "family", "status", "date_label", "precision", "precision_label",
           "lo", "hi", "is_range", "location", "verification", "search_text", "first_source", "label", "key",
           "unsourced")  # fmt: skip


@dataclass(frozen=True)
class EventFrame:
    """Read-only tables built once at start-up and shared by every request."""

    dataset: Dataset  # the metadata; its `events` are empty when the events were loaded as a table
    events: pd.DataFrame  # one row per event, in date order; row position = event index; index = row of `table`
    # `first_source` is the earliest date among the event's sources (NaT when none is dated): when it was known.
    # `label` is the curator's chart label ("" when none: draw the title); `key` marks an event to label when zoomed
    # out; `unsourced` an event that cites no source.
    actors: pd.DataFrame  # long: event, actor, role, lane
    issues: pd.DataFrame  # long: event, issue
    table: pa.Table  # the events as flat text (`flat.COLUMNS`), in the order they were read
    asof: dt.date | None = None  # set on the frame of an "as known on" view (timeline/query/asof.py)

    @cached_property
    def version(self) -> str:
        """A digest of the dataset's content, its metadata and every event cell: any change gives a new version."""
        digest = hashlib.blake2b(self.dataset.model_dump_json(exclude={"events"}).encode(), digest_size=32)
        for name in self.table.column_names:
            digest.update(name.encode() + b"\0")
            for chunk in self.table[name].chunks:
                # The offset and length too: two slices of one buffer hold different cells.
                digest.update(f"{chunk.offset}:{len(chunk)}:{chunk.type}".encode())
                for buffer in chunk.buffers():
                    if buffer is not None:
                        digest.update(memoryview(buffer))
        return digest.hexdigest()

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
        cells = self.table["claim_sources"].chunk(0)
        rows = np.flatnonzero(by_value(cells, lambda values: [bool(v.strip()) for v in values]))
        position = np.empty(len(self.events), dtype=np.int64)
        position[self.events.index.to_numpy()] = np.arange(len(self.events))
        claimed = self.table.take(pa.array(rows)).select(["claim_sources", "source_urls", "source_dates"])
        found: list[tuple[int, int, int]] = []
        for row, item in zip(rows, claimed.to_pylist(), strict=True):
            urls, dates = split_cell(item["source_urls"]), split_cell(item["source_dates"])
            dated = {url: day_number(dates[k]) if k < len(dates) else NO_DATE for k, url in enumerate(urls)}
            cited = split_cell(item["claim_sources"])
            found += [(position[row], j, dated.get(c, NO_DATE)) for j, c in enumerate(cited)]
        table = pd.DataFrame(found, columns=["event", "claim", "date"]).astype({"event": "int64", "claim": "int64"})
        table["date"] = _timestamps(table["date"].to_numpy(dtype=np.int64))
        return table.sort_values(["event", "claim"], kind="stable").reset_index(drop=True)

    def event(self, index: int) -> Event:
        """The event at row position `index`, read from the table."""
        return record_event(table_row(self.table, int(self.events.index[index])))

    def position(self, event_id: str) -> int | None:
        found = pc.index(self._ids, event_id).as_py()
        return None if found < 0 else found

    @cached_property
    def _ids(self) -> pa.ChunkedArray:
        return pa.chunked_array(pa.array(self.events["id"].array))


def _timestamps(days: np.ndarray) -> np.ndarray:
    """Day numbers (`NO_DATE` for none) as datetime64[ms], NaT for none."""
    out = days.astype("datetime64[D]").astype("datetime64[ms]")
    out[days == NO_DATE] = np.datetime64("NaT")
    return out


def _index(terms: list[str], default: str | None = None) -> Callable[[list[str]], list[int]]:
    """Cells -> their position in `terms` (a blank cell counts as `default`)."""
    where = {t: i for i, t in enumerate(terms)}
    return lambda cells: [where.get(c or default, -1) for c in cells]  # -1: a cell no valid row holds


def _categorical(codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=categories)


def _distinct(values: list[str], codes: np.ndarray) -> pd.Categorical:
    """The categorical of `values[codes]`, whatever repeats `values` holds."""
    merged, unique = pd.factorize(np.asarray(values, dtype=object))
    return _categorical(merged[codes] if len(merged) else codes, list(unique))


def _windows(start: np.ndarray, end: np.ndarray, precision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`dates.window` for every row: the first and last day, as day numbers."""
    day = start.astype("datetime64[D]")
    month_end = ((day.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1).astype(np.int64)
    year_end = ((day.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1).astype(np.int64)
    names = [p.id for p in PRECISIONS]
    hi = np.select(
        [precision == names.index("week"), precision == names.index("month"), precision == names.index("year")],
        [start + 6, month_end, year_end],
        start,
    )
    return start, np.where(end != NO_DATE, end, hi)


def _date_labels(cell: dict[str, pa.Array], order: np.ndarray) -> pd.Categorical:
    """`dates.date_label` of each row (in `order`), worked out once per distinct (start, end, precision,
    display_date)."""
    parts = [cell[c] for c in ("start", "end", "precision", "display_date")]
    indices = [part.indices.to_numpy(zero_copy_only=False)[order] for part in parts]
    key = np.zeros(len(order), dtype=np.int64)
    for part, index in zip(parts, indices, strict=True):  # one number per combination of the four indices
        if len(part.dictionary) and key.max(initial=0) > np.iinfo(np.int64).max // len(part.dictionary) // 2:
            key = pd.factorize(key)[0]  # only when the numbers would overflow: number the combinations so far
        key = key * len(part.dictionary) + index
    key = pd.factorize(key)[0]
    first = np.empty(int(key.max(initial=-1)) + 1, dtype=np.int64)
    first[key[::-1]] = np.arange(len(key) - 1, -1, -1)  # the first row of each combination
    columns = [np.asarray(part.dictionary.to_pylist(), dtype=object)[index[first]] for part, index in
               zip(parts, indices, strict=True)]  # fmt: skip
    labels = [
        date_label(dt.date.fromisoformat(start), dt.date.fromisoformat(end) if end else None, precision or "day",
                   display or None)
        for start, end, precision, display in zip(*columns, strict=True)
    ]  # fmt: skip
    label_codes, unique = pd.factorize(np.asarray(labels, dtype=object))
    return _categorical(label_codes[key], list(unique))


def _long(cells: pa.Array, order: np.ndarray, parse: Callable[[str], list[tuple[int, int]]]) -> tuple[np.ndarray, ...]:
    """A multi-valued column as long rows (event position, code, second code), events in `order`; `parse` turns
    a cell into its (code, second code) pairs, once per distinct cell."""
    per_value = [parse(c) for c in cells.dictionary.to_pylist()]
    counts = np.array([len(p) for p in per_value], dtype=np.int64)
    flat = np.array([pair for p in per_value for pair in p], dtype=np.int64).reshape(-1, 2)
    value = cells.indices.to_numpy(zero_copy_only=False)[order]
    n = counts[value]
    event = np.repeat(np.arange(len(order), dtype=np.int64), n)
    at = np.repeat((np.cumsum(counts) - counts)[value] - (np.cumsum(n) - n), n) + np.arange(len(event))
    return event, flat[at, 0], flat[at, 1]


def build_frame(dataset: Dataset, table: pa.Table | None = None) -> EventFrame:
    """Tabulate the events in date order (ties keep file order). `table` holds them as validated flat rows
    (single-valued cells trimmed); without it, the dataset's own events are tabulated."""
    table = complete(events_to_table(dataset.events) if table is None else table)
    cell = {c: table[c].chunk(0) for c in table.column_names}
    precisions = [p.id for p in PRECISIONS]
    start = by_value(cell["start"], lambda cells: [day_number(c) for c in cells])
    end = by_value(cell["end"], lambda cells: [day_number(c) for c in cells])
    precision = by_value(cell["precision"], _index(precisions, "day"))
    lo, hi = _windows(start, end, precision)
    order = np.lexsort((hi, lo))  # stable: ties keep file order
    kind = by_value(cell["type"], _index([t.id for t in EVENT_TYPES]))[order]
    first = by_value(cell["source_dates"], lambda cells: [_earliest(c) for c in cells])
    with ThreadPoolExecutor(max_workers=1) as pool:  # Arrow's string work lets go of the GIL: a second thread does it
        texts = pool.submit(_texts, table, order)
        columns, actors, issues = _tables(dataset, cell, order, kind, precision, lo, hi, end, first)
        index = pd.Index(order, dtype="int64")
        for name, text in zip(("id", "title", "search_text", "label"), texts.result(), strict=True):
            columns[name] = pd.Series(text, dtype="str", index=index)
    # copy=False: each column keeps its own array; consolidating them into blocks would copy every one.
    events = pd.DataFrame({name: columns[name] for name in COLUMNS}, index=index, copy=False)
    return EventFrame(dataset, events, actors, issues, table)


def _texts(table: pa.Table, order: np.ndarray) -> tuple[pa.Array | pa.ChunkedArray, ...]:
    """The id, title, search text and label of each event, in `order`."""
    columns = [table[c].chunk(0) for c in ("id", "title", "summary", "quote", "label")]
    if not np.array_equal(order, np.arange(len(order))):  # rows already in date order need no copy
        columns = [column.take(pa.array(order)) for column in columns]
    ident, title, summary, quote, label = columns
    # A slice at a time, so that the joined text and its casefolded copy are never both whole.
    step = 1 << 16
    search = [_search_text(title[k : k + step], summary[k : k + step], quote[k : k + step])
              for k in range(0, len(title), step)]  # fmt: skip
    return ident, title, pa.chunked_array(search, pa.string()), label


def _search_text(title: pa.Array, summary: pa.Array, quote: pa.Array) -> pa.Array:
    """Title, summary and quote, casefolded, joined by spaces (an empty quote left out)."""
    spaced = pc.if_else(pc.equal(quote, ""), "", pc.binary_join_element_wise(" ", quote, ""))
    joined = pc.binary_join_element_wise(title, " ", summary, spaced, "")
    search = pc.ascii_lower(joined)
    if Text.of(joined).data.max(initial=0) >= 0x80:  # casefold, not lower: "Straße" finds "strasse"
        other = ~pc.string_is_ascii(joined).to_numpy(zero_copy_only=False)
        folded = pa.array([text.casefold() for text in joined.filter(pa.array(other)).to_pylist()], pa.string())
        source = np.arange(len(search))
        source[other] = len(search) + np.arange(len(folded))
        search = pa.concat_arrays([search, folded]).take(pa.array(source))
    return search


def _tables(
    dataset: Dataset, cell: dict[str, pa.Array], order: np.ndarray, *days: np.ndarray
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """The events' columns but their texts (by name, in date order), and the long tables of actors and issues.
    `days`: each row's type and precision (as positions in the vocabulary), first and last day, end and earliest
    source date."""
    kind, precision, lo, hi, end, first = days
    precisions = [p.id for p in PRECISIONS]
    type_names = [t.id for t in EVENT_TYPES]
    families = list(FAMILIES)
    location = cell["location"]
    events = {
        "type": _categorical(kind, type_names),
        "type_label": _categorical(kind, [t.label for t in EVENT_TYPES]),
        "family": _categorical(np.array([families.index(t.family) for t in EVENT_TYPES])[kind], families),
        "status": _categorical(
            by_value(cell["status"], _index([s.id for s in STATUSES], "occurred"))[order], [s.id for s in STATUSES]
        ),  # fmt: skip
        "date_label": _date_labels(cell, order),
        "precision": _categorical(precision[order], precisions),
        "precision_label": _categorical(precision[order], [PRECISION_LABEL[p] for p in precisions]),
        "lo": _timestamps(lo[order]),
        "hi": _timestamps(hi[order]),
        "is_range": (precision[order] == 0) & (end[order] != NO_DATE),
        "location": _distinct(location.dictionary.to_pylist(), location.indices.to_numpy()[order]),
        "verification": _categorical(
            by_value(cell["verification"], _index([v.id for v in VERIFICATIONS], "reported"))[order],
            [v.id for v in VERIFICATIONS],
        ),
        "first_source": _timestamps(first[order]),
        **{name: by_value(cell[name], lambda cells: [flag(c) is True for c in cells])[order] for name in FLAGS},
    }
    lane_of = {a.id: i for i, a in enumerate(dataset.actors)}
    roles = [r.id for r in ROLES]
    role_of = {r: k for k, r in enumerate(roles)}
    event, lane, role = _long(cell["actors"], order, lambda c: _actor_pairs(c, lane_of, role_of))
    actors = pd.DataFrame({"event": event, "actor": _categorical(lane, list(lane_of)),
                           "role": _categorical(role, roles), "lane": lane}, copy=False)  # fmt: skip
    issue_of = {i.id: k for k, i in enumerate(dataset.issues)}
    event, issue, _ = _long(cell["issues"], order, lambda c: [(issue_of[i], 0) for i in cell_items(c)])
    issues = pd.DataFrame({"event": event, "issue": _categorical(issue, list(issue_of))}, copy=False)
    return events, actors, issues


def _earliest(cell: str) -> int:
    days = [d for d in map(day_number, cell_items(cell)) if d != NO_DATE]
    return min(days, default=NO_DATE)


def _actor_pairs(cell: str, lane_of: dict[str, int], roles: dict[str, int]) -> list[tuple[int, int]]:
    return [(lane_of[actor], roles[role]) for actor, role, _ in actor_roles(cell)]
