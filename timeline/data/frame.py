"""The validated dataset as columns: one row per event, long tables of actors and issues, and the flat table the
events came from, which the detail panel reads one event at a time.

Every column is computed for the whole table at once (no object per event): the few distinct values of a
repeated cell (types, dates, actor lists) are worked out once each and spread over the rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from timeline.data import dates
from timeline.data.bulk import NO_DATE, Text, by_value, day_number
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
           "lo", "hi", "is_range", "location", "verification", "first_source", "label", "key", "unsourced")  # fmt: skip
SEARCH_SLICE = 1 << 16  # rows of search text joined and casefolded at once


@dataclass(frozen=True)
class EventFrame:
    """Read-only tables, built once (at start-up; the search text and the claims when first asked for) and shared
    by every request."""

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
    def search_text(self) -> pd.Series:
        """Each event's title, summary and quote, casefolded and joined by spaces, by row position: what the text
        filter searches. Built on the first search, not at start: at 1,000,000 events it is a fifth of the start's
        work, and many views never search."""
        index = self.events.index
        order = index.to_numpy()
        order = None if np.array_equal(order, np.arange(len(order))) else order
        return pd.Series(_search_texts(*(self.table[c].chunk(0) for c in ("title", "summary", "quote")), order),
                         dtype="str", index=index)  # fmt: skip

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


def _index(terms: list[str], default: str | None = None) -> Callable[[list[str]], np.ndarray]:
    """Cells -> their position in `terms` (a blank cell counts as `default`), as codes of `_code_type`."""
    where = {t: i for i, t in enumerate(terms)}
    # -1: a cell no valid row holds
    return lambda cells: np.array([where.get(c or default, -1) for c in cells], dtype=_code_type(len(terms)))


def _code_type(count: int) -> type[np.signedinteger]:
    """The integer type pandas keeps the codes of `count` categories in: codes spread over the rows in it are
    neither converted nor, for the few categories of most columns, eight times their size."""
    return np.int8 if count < 127 else np.int16 if count < 32767 else np.int32 if count < 2**31 - 1 else np.int64


def _categorical(codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=categories)


def _by_appearance(codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    """The categorical of `codes`, its categories in the order the rows first hold them."""
    first = np.full(len(categories), len(codes), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    rank = np.argsort(first, kind="stable")
    if np.array_equal(rank, np.arange(len(rank))):
        return _categorical(codes, categories)
    renumbered = np.empty(len(rank), dtype=_code_type(len(rank)))
    renumbered[rank] = np.arange(len(rank))
    return _categorical(renumbered[codes], [categories[k] for k in rank])


def _distinct(values: list[str], codes: np.ndarray) -> pd.Categorical:
    """The categorical of `values[codes]`, whatever repeats `values` holds."""
    merged, unique = pd.factorize(np.asarray(values, dtype=object))
    return _categorical(merged.astype(_code_type(len(unique)))[codes] if len(merged) else codes, list(unique))


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


@dataclass(frozen=True)
class _Dates:
    """The dates of the rows, worked out once per distinct (start, end, precision, display_date): `combination`
    numbers each row's (rows in file order), and the other arrays hold, per combination, the first and last day,
    the precision (a position in `PRECISIONS`), whether it is a range of exact days and the `dates.date_label` (as
    a code of `labels`)."""

    combination: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    precision: np.ndarray
    is_range: np.ndarray
    label: np.ndarray
    labels: list[str]

    def order(self) -> np.ndarray | None:
        """The rows in date order, by first then last day (rows of the same dates keep their file order); None
        when they are in that order already, as files often are."""
        by_date = np.lexsort((self.hi, self.lo))
        lo, hi = self.lo[by_date], self.hi[by_date]
        new = np.ones(len(by_date), dtype=bool)
        new[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
        rank = np.empty(len(by_date), dtype=np.int64)  # equal dates, equal rank
        rank[by_date] = np.cumsum(new) - 1
        key = rank[self.combination]
        return None if (key[1:] >= key[:-1]).all() else np.argsort(key, kind="stable")

    @classmethod
    def of(cls, cell: dict[str, pa.Array]) -> _Dates:
        parts = [cell[c] for c in ("start", "end", "precision", "display_date")]
        indices = [part.indices.to_numpy(zero_copy_only=False) for part in parts]
        key = np.zeros(len(indices[0]), dtype=np.int64)
        for part, index in zip(parts, indices, strict=True):  # one number per combination of the four indices
            if len(part.dictionary) < 2:
                continue
            if key.max(initial=0) > np.iinfo(np.int64).max // len(part.dictionary) // 2:
                key = pd.factorize(key)[0]  # only when the numbers would overflow: number the combinations so far
            key *= len(part.dictionary)
            key += index
        combination = pd.factorize(key)[0]
        first = np.empty(int(combination.max(initial=-1)) + 1, dtype=np.int64)
        first[combination[::-1]] = np.arange(len(combination) - 1, -1, -1)  # the first row of each combination
        start, end, precision, display = (
            by_value(part.take(pa.array(first)), function)
            for part, function in zip(parts, (_days, _days, _index([p.id for p in PRECISIONS], "day"), _as_text),
                                      strict=True)
        )  # fmt: skip
        lo, hi = _windows(start, end, precision)
        names = np.array([p.id for p in PRECISIONS], dtype=object)
        label, labels = pd.factorize(dates.date_labels(lo, hi, names[precision], end != NO_DATE, display))
        is_range = (precision == 0) & (end != NO_DATE)
        return cls(combination, lo, hi, precision, is_range, label.astype(_code_type(len(labels))), list(labels))


def _days(cells: list[str]) -> list[int]:
    return [day_number(c) for c in cells]


def _as_text(cells: list[str]) -> np.ndarray:
    return np.array(cells, dtype=object)


def _long(cells: pa.Array, order: np.ndarray | None,
          parse: Callable[[str], list[tuple[int, int]]]) -> tuple[np.ndarray, ...]:  # fmt: skip
    """A multi-valued column as long rows (event position, code, second code), events in `order` (None: the
    table's); `parse` turns a cell into its (code, second code) pairs, once per distinct cell."""
    per_value = [parse(c) for c in cells.dictionary.to_pylist()]
    counts = np.array([len(p) for p in per_value], dtype=np.int64)
    pairs = np.array([pair for p in per_value for pair in p], dtype=np.int64).reshape(-1, 2)
    value = cells.indices.to_numpy(zero_copy_only=False)
    value = value if order is None else value[order]
    # Positions in 4 bytes while they fit: the arrays of every long row are half the size.
    position = np.int32 if max(len(pairs), int(counts.max(initial=0)) * len(value)) < 2**31 else np.int64
    n = counts.astype(position)[value]
    event = np.repeat(np.arange(len(value), dtype=np.int64), n)
    # Each long row's pair: its cell's first pair, then the next ones, in the order the cell holds them.
    row_start = np.cumsum(n, dtype=position)
    row_start -= n
    at = np.repeat((np.cumsum(counts) - counts).astype(position)[value] - row_start, n)
    at += np.arange(len(event), dtype=position)
    return event, pairs[:, 0][at], pairs[:, 1][at]


def build_frame(dataset: Dataset, table: pa.Table | None = None) -> EventFrame:
    """Tabulate the events in date order (ties keep file order). `table` holds them as validated flat rows
    (single-valued cells trimmed); without it, the dataset's own events are tabulated."""
    table = complete(events_to_table(dataset.events) if table is None else table)
    cell = {c: table[c].chunk(0) for c in table.column_names}
    when = _Dates.of(cell)
    order = when.order()  # None: rows already in date order need no copy
    columns, actors, issues = _tables(dataset, cell, order, when)
    index = pd.Index(np.arange(table.num_rows) if order is None else order, dtype="int64")
    taken = None if order is None else pa.array(order)  # once, for the three columns
    for name in ("id", "title", "label"):
        text = cell[name] if taken is None else cell[name].take(taken)
        columns[name] = pd.Series(text, dtype="str", index=index)
    # copy=False: each column keeps its own array; consolidating them into blocks would copy every one.
    events = pd.DataFrame({name: columns[name] for name in COLUMNS}, index=index, copy=False)
    return EventFrame(dataset, events, actors, issues, table)


def _search_texts(title: pa.Array, summary: pa.Array, quote: pa.Array, order: np.ndarray | None) -> pa.Array:
    """Title, summary and quote, casefolded, joined by spaces (an empty quote left out), taken in `order` (None:
    the order they hold).

    One array, not a chunk per slice: pandas' `iloc` of a few rows would concatenate a chunked column whole on
    every request. It is written a slice at a time into a buffer of its final size (the bytes of the three texts
    and the spaces between them; only a casefolded non-ASCII text changes size), so that the joined text and its
    casefolded copy are never both whole."""
    quote = _blank_as_null(quote)
    size = len(title)
    lengths = [Text.of(column).lengths.sum(dtype=np.int64) for column in (title, summary, quote)]
    data = np.empty(sum(lengths) + size + (size - quote.null_count), dtype=np.uint8)
    offsets = np.zeros(size + 1, dtype=np.int64)
    used, step = 0, SEARCH_SLICE
    for k in range(0, size, step):
        rows = slice(k, k + step) if order is None else pa.array(order[k : k + step])
        part = Text.of(_folded(*(c[rows] if order is None else c.take(rows) for c in (title, summary, quote))))
        end = used + len(part.data)
        if end > len(data):  # casefolding made some text longer
            data = np.concatenate([data[:used], np.empty(max(end - used, len(data) // 8), dtype=np.uint8)])
        data[used:end] = part.data
        offsets[k + 1 : k + 1 + len(part.lengths)] = part.offsets[1:]
        offsets[k + 1 : k + 1 + len(part.lengths)] += used
        used = end
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(data[:used])]
    return pa.Array.from_buffers(pa.large_string(), size, buffers)  # pandas keeps strings as large_string


def _blank_as_null(array: pa.Array) -> pa.Array:
    """`array` with its empty cells null (same text buffers)."""
    filled = np.concatenate([np.zeros(array.offset, dtype=bool), Text.of(array).lengths > 0])
    validity = pa.py_buffer(np.packbits(filled, bitorder="little"))
    return pa.Array.from_buffers(array.type, len(array), [validity, *array.buffers()[1:]], offset=array.offset)


def _folded(title: pa.Array, summary: pa.Array, quote: pa.Array) -> pa.Array:
    """Title, summary and quote (null when empty, and then left out), joined by spaces and casefolded."""
    joined = pc.binary_join_element_wise(title, summary, quote, " ", null_handling="skip")
    search = pc.ascii_lower(joined)
    if Text.of(joined).data.max(initial=0) >= 0x80:  # casefold, not lower: "Straße" finds "strasse"
        other = ~pc.string_is_ascii(joined).to_numpy(zero_copy_only=False)
        folded = pa.array([text.casefold() for text in joined.filter(pa.array(other)).to_pylist()], pa.string())
        source = np.arange(len(search))
        source[other] = len(search) + np.arange(len(folded))
        search = pa.concat_arrays([search, folded]).take(pa.array(source))
    return search


def _tables(dataset: Dataset, cell: dict[str, pa.Array], order: np.ndarray | None,
            when: _Dates) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """The events' columns but their texts (by name, in `order`; None: the table's), and the long tables of actors
    and issues."""

    def arranged(values: np.ndarray) -> np.ndarray:
        return values if order is None else values[order]

    def spread(column: str, function: Callable[[list[str]], Any]) -> np.ndarray:
        return by_value(cell[column], function, arranged(cell[column].indices.to_numpy(zero_copy_only=False)))

    combination = arranged(when.combination)
    precision = when.precision[combination]
    precisions = [p.id for p in PRECISIONS]
    type_code = spread("type", _index([t.id for t in EVENT_TYPES]))
    families = list(FAMILIES)
    location = cell["location"]
    events = {
        "type": _categorical(type_code, [t.id for t in EVENT_TYPES]),
        "type_label": _categorical(type_code, [t.label for t in EVENT_TYPES]),
        "family": _categorical(
            np.array([families.index(t.family) for t in EVENT_TYPES], dtype=_code_type(len(families)))[type_code],
            families,
        ),
        "status": _categorical(
            spread("status", _index([s.id for s in STATUSES], "occurred")), [s.id for s in STATUSES]
        ),
        "date_label": _by_appearance(when.label[combination], when.labels),
        "precision": _categorical(precision, precisions),
        "precision_label": _categorical(precision, [PRECISION_LABEL[p] for p in precisions]),
        "lo": _timestamps(when.lo)[combination],
        "hi": _timestamps(when.hi)[combination],
        "is_range": when.is_range[combination],
        "location": _distinct(location.dictionary.to_pylist(), arranged(location.indices.to_numpy())),
        "verification": _categorical(
            spread("verification", _index([v.id for v in VERIFICATIONS], "reported")), [v.id for v in VERIFICATIONS]
        ),
        "first_source": spread("source_dates", lambda cells: _timestamps(np.array([_earliest(c) for c in cells]))),
        **{name: spread(name, lambda cells: [flag(c) is True for c in cells]) for name in FLAGS},
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
