"""The query layer as SQL: what the pages ask of the events, for an engine that holds them outside the process.

The pages run three queries: the events that pass the filters (`matching_query`, or `count_query` for how
many), the level of detail of a time window (`level_of_detail`: single marks, or counts per lane and bin) and
one page of the list (`page_query`). Each is compiled here to parameterised SQL: every value from a request is
a `?` placeholder; only integers the code itself computes are written into the text. The SQL reads three
tables, which `tables` builds from a frame:

- `events`: the frame's events columns, categories as text, plus `pos`, the event's row position (date order);
- `event_actors`: event (a `pos`), actor, role, lane;
- `event_issues`: event (a `pos`), issue.

The SQL keeps to what DuckDB, Trino, BigQuery and Spark SQL share (CTEs, EXISTS, CASE, window functions, UNION
ALL, LEAST/GREATEST). What differs between them sits in one `Dialect` each; only the DuckDB one is tested
(tests/test_sql.py proves its results equal the in-process ones). For other engines, SQLGlot can translate the
DuckDB text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from timeline.data.frame import EventFrame
from timeline.query.asof import FORWARD_LOOKING
from timeline.query.filters import Filters
from timeline.query.lod import BINS, DAY_MS, MAX_MARKS, Bins, Detail, bin_grids, extent, unit_days


@dataclass(frozen=True)
class Dialect:
    """The engine-specific SQL: templates, filled in with column expressions and placeholders."""

    epoch_ms: str  # {0}: a TIMESTAMP -> its epoch milliseconds, as an integer
    contains: str  # {text} holds {word} (both already casefolded: plain substring match)
    page: str  # {limit} rows after skipping {offset}, both integers
    timestamp: str = "TIMESTAMP"  # the type a Parquet timestamp without a time zone loads as


_LIMIT, _OFFSET = "LIMIT {limit} OFFSET {offset}", "OFFSET {offset} LIMIT {limit}"
DIALECTS: dict[str, Dialect] = {
    # DuckDB 2.0's epoch_ms() fails on a TIMESTAMP_MS column (Parquet's millisecond timestamps): cast it first.
    "duckdb": Dialect("epoch_ms(CAST({0} AS TIMESTAMP))", "strpos({text}, {word}) > 0", _LIMIT),
    "trino": Dialect(
        "date_diff('millisecond', TIMESTAMP '1970-01-01 00:00:00', {0})", "strpos({text}, {word}) > 0", _OFFSET
    ),  # fmt: skip
    "bigquery": Dialect("UNIX_MILLIS(TIMESTAMP({0}))", "STRPOS({text}, {word}) > 0", _LIMIT, "DATETIME"),
    # Spark reads the timestamps in its session time zone: run it in UTC.
    "spark": Dialect("unix_millis({0})", "instr({text}, {word}) > 0", _LIMIT),
}
DUCKDB = DIALECTS["duckdb"]


class Query(NamedTuple):
    sql: str
    params: list[object]


Skip = Literal["near", "outside"] | None  # the marks a count leaves out: those drawn singly, or those not shown
# Runs a query (a DB-API cursor's execute + fetchall, for instance) and gives its rows.
Fetch = Callable[[str, Sequence[object]], Sequence[Sequence[object]]]


def tables(frame: EventFrame) -> dict[str, pa.Table]:
    """The frame as the three tables the queries read, in types every engine holds (categories as text);
    written to Parquet, they are the dataset for an engine outside the process."""
    events = pa.Table.from_pandas(
        frame.events.assign(search_text=frame.search_text).reset_index(drop=True), preserve_index=False
    )
    events = events.add_column(0, "pos", pa.array(np.arange(len(frame.events), dtype=np.int64)))
    long = {"event_actors": frame.actors, "event_issues": frame.issues}
    found = {"events": events, **{name: pa.Table.from_pandas(t, preserve_index=False) for name, t in long.items()}}
    return {name: _plain(table) for name, table in found.items()}


def _plain(table: pa.Table) -> pa.Table:
    columns = [pc.cast(c, pa.string()) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    return pa.table(columns, names=table.column_names)


class _Params(list):
    """The values of a query's placeholders, in the order they appear in its text."""

    def add(self, *values: object) -> str:
        self.extend(values)
        return ", ".join("?" * len(values))


def _where(filters: Filters, dialect: Dialect, p: _Params) -> str:
    """`filters.matching` as a WHERE clause over `events AS e` ("" when nothing filters)."""
    found = []

    def day(value: dt.date) -> str:
        return f"CAST({p.add(value.isoformat())} AS {dialect.timestamp})"

    if filters.actors:
        found.append("EXISTS (SELECT 1 FROM event_actors AS a WHERE a.event = e.pos "
                     f"AND a.actor IN ({p.add(*filters.actors)}))")  # fmt: skip
    if filters.issues:
        found.append("EXISTS (SELECT 1 FROM event_issues AS i WHERE i.event = e.pos "
                     f"AND i.issue IN ({p.add(*filters.issues)}))")  # fmt: skip
    if filters.types:
        found.append(f"e.type IN ({p.add(*filters.types)})")
    if filters.date_from:
        found.append(f"e.hi >= {day(filters.date_from)}")
    if filters.date_to:
        found.append(f"e.lo <= {day(filters.date_to)}")
    for word in filters.q.casefold().split():
        found.append(dialect.contains.format(text="e.search_text", word=p.add(word)))
    if filters.asof:  # asof.known_mask: reported by then and, unless forward-looking, begun
        found.append(f"e.first_source <= {day(filters.asof)} AND (e.lo <= {day(filters.asof)} "
                     f"OR e.status IN ({p.add(*FORWARD_LOOKING)}))")  # fmt: skip
    return " WHERE " + " AND ".join(found) if found else ""


# Date order, as the frame's rows: by start, end, then the order the events were read in, which `pos` keeps.
_ORDER = "e.lo, e.hi, e.pos"


def matching_query(filters: Filters, dialect: Dialect = DUCKDB) -> Query:
    """The row positions of the events that pass `filters`, in date order (`filters.matching`)."""
    p = _Params()
    return Query(f"SELECT e.pos FROM events AS e{_where(filters, dialect, p)} ORDER BY {_ORDER}", p)


def count_query(filters: Filters, dialect: Dialect = DUCKDB) -> Query:
    """How many events pass `filters`: one row, one value."""
    p = _Params()
    return Query(f"SELECT COUNT(*) FROM events AS e{_where(filters, dialect, p)}", p)


def page_query(filters: Filters, page: int, size: int, dialect: Dialect = DUCKDB) -> Query:
    """Page `page` (from 1) of the list of the events that pass `filters`, `size` a page: position, id, title,
    date label and type label, in date order."""
    p = _Params()
    rows = dialect.page.format(limit=int(size), offset=(int(page) - 1) * int(size))
    return Query("SELECT e.pos, e.id, e.title, e.date_label, e.type_label FROM events AS e"
                 f"{_where(filters, dialect, p)} ORDER BY {_ORDER} {rows}", p)  # fmt: skip


def _marks(filters: Filters, n_actors: int, only: tuple[str, ...], dialect: Dialect, p: _Params) -> str:
    """CTEs ending in `located`: one row per mark (`lod.marks`) with its event, lane, lane row (its lane's rank
    among the lanes in use), span (`lo_ms`, `hi_ms`, exclusive) and where its marker sits (`x`), in epoch ms."""
    lo, hi = (f"CAST({dialect.epoch_ms.format(column)} AS DOUBLE)" for column in ("e.lo", "e.hi"))
    where = _where(filters, dialect, p)
    drawn = f" WHERE a.actor IN ({p.add(*only)})" if only else ""
    # An event none of whose actors is drawn (or that has none) goes in the "no specific actor" lane.
    alone = f" AND a.actor IN ({p.add(*only)})" if only else ""
    return (
        f"WITH chosen AS (SELECT e.pos, {lo} AS lo_ms, {hi} + {DAY_MS!r} AS hi_ms, "
        # `lod.places`: a date known only to a span sits in its middle
        f"CASE WHEN e.precision = 'day' THEN {lo} ELSE ({lo} + ({hi} + {DAY_MS!r})) / 2 END AS x "
        f"FROM events AS e{where}), "
        "marks AS (SELECT c.pos AS event, a.lane, c.lo_ms, c.hi_ms, c.x FROM event_actors AS a "
        f"JOIN chosen AS c ON a.event = c.pos{drawn} UNION ALL SELECT c.pos, {int(n_actors)}, c.lo_ms, c.hi_ms, c.x "
        f"FROM chosen AS c WHERE NOT EXISTS (SELECT 1 FROM event_actors AS a WHERE a.event = c.pos{alone})), "
        # The rank runs over the few lanes, not over the marks, so that it never gathers them in one place.
        "lanes AS (SELECT lane, DENSE_RANK() OVER (ORDER BY lane) - 1 AS lane_row "
        "FROM (SELECT DISTINCT lane FROM marks) AS d), "
        "located AS (SELECT m.event, m.lane, l.lane_row, m.lo_ms, m.hi_ms, m.x "
        "FROM marks AS m JOIN lanes AS l ON l.lane = m.lane)"
    )


def lanes_query(filters: Filters, window: tuple[float, float] | None, n_actors: int, only: tuple[str, ...] = (),
                dialect: Dialect = DUCKDB) -> Query:  # fmt: skip
    """Per lane in use, in lane order: the lane, its marks, those reaching into `window` (epoch ms; all of them
    without one), and the first start and last end of their spans."""
    p = _Params()
    head = _marks(filters, n_actors, only, dialect, p)
    near = f"SUM(CASE WHEN lo_ms < {p.add(window[1])} AND hi_ms > {p.add(window[0])} THEN 1 ELSE 0 END)" if window \
        else "COUNT(*)"  # fmt: skip
    return Query(f"{head} SELECT lane, COUNT(*), {near}, MIN(lo_ms), MAX(hi_ms) FROM located "
                 "GROUP BY lane ORDER BY lane", p)  # fmt: skip


def marks_query(filters: Filters, window: tuple[float, float], n_actors: int, only: tuple[str, ...] = (),
                dialect: Dialect = DUCKDB) -> Query:  # fmt: skip
    """The marks reaching into `window`, drawn one by one when zoomed in: event and lane row, by event."""
    p = _Params()
    head = _marks(filters, n_actors, only, dialect, p)
    return Query(f"{head} SELECT event, lane_row FROM located WHERE lo_ms < {p.add(window[1])} "
                 f"AND hi_ms > {p.add(window[0])} ORDER BY event, lane_row", p)  # fmt: skip


def bins_query(filters: Filters, window: tuple[float, float], span: tuple[float, float], bins: int,
               n_actors: int, only: tuple[str, ...] = (), skip: Skip = None,
               dialect: Dialect = DUCKDB) -> Query:  # fmt: skip
    """Counts of marks per lane row and time bin (`lod.binned`): lane row, bin start and end (epoch ms), count,
    and whether the bin is in `window`. `bins` bins cut the window, half as many the whole `span` around it.
    `skip="near"` leaves out the marks reaching into the window (drawn singly), `"outside"` those outside it."""
    grids = bin_grids(window, span, bins)
    p = _Params()
    head = _marks(filters, n_actors, only, dialect, p)
    fields = ("start_ms", "stop_ms", "anchor", "width", "first_bin", "n_bins")
    grid = " UNION ALL ".join(
        f"SELECT {part} AS part, " + ", ".join(f"{p.add(v)} AS {name}" for name, v in zip(fields, (
            g.lo, g.hi, g.anchor, g.width, g.first, g.count), strict=True)) for part, g in enumerate(grids)
    )  # fmt: skip
    part = f"CASE WHEN x < {p.add(window[0])} THEN 0 WHEN x >= {p.add(window[1])} THEN 2 ELSE 1 END"
    where = ""
    if skip == "near":
        where = f" WHERE NOT (lo_ms < {p.add(window[1])} AND hi_ms > {p.add(window[0])})"
    elif skip == "outside":
        where = f" WHERE x >= {p.add(window[0])} AND x < {p.add(window[1])}"
    return Query(
        f"{head}, grid AS ({grid}), "
        f"kept AS (SELECT lane_row, {part} AS part, x FROM located{where}), "
        "binned AS (SELECT k.lane_row, k.part, LEAST(GREATEST(CAST(FLOOR((k.x - g.anchor) / g.width) AS BIGINT) "
        "- g.first_bin, 0), g.n_bins - 1) AS bin FROM kept AS k JOIN grid AS g ON g.part = k.part), "
        "counted AS (SELECT lane_row, part, bin, COUNT(*) AS n FROM binned GROUP BY lane_row, part, bin) "
        "SELECT c.lane_row, GREATEST(g.anchor + (c.bin + g.first_bin) * g.width, g.start_ms), "
        "LEAST(g.anchor + (c.bin + g.first_bin) * g.width + g.width, g.stop_ms), c.n, c.part = 1 "
        "FROM counted AS c JOIN grid AS g ON g.part = c.part ORDER BY c.part, c.lane_row, c.bin",
        p,
    )


def _bins(rows: Sequence[Sequence[object]]) -> Bins:
    columns = list(zip(*rows, strict=True)) or [()] * 5
    return Bins(*(np.array(c, dtype=t) for c, t in zip(columns, ("int64", float, float, "int64", bool), strict=True)))


def level_of_detail(fetch: Fetch, filters: Filters, window: tuple[float, float] | None = None, *, n_actors: int,
                    only: tuple[str, ...] = (), bins: int = BINS, max_marks: int = MAX_MARKS, context: bool = True,
                    dialect: Dialect = DUCKDB) -> Detail:  # fmt: skip
    """`lod.level_of_detail` of the events that pass `filters`, run through `fetch`: the same choices, made from
    the totals per lane (one row a lane), then the single marks (at most `max_marks`) or the bins.
    `n_actors` is the number of the dataset's actors (the "no specific actor" lane comes after them). The
    selected event's ring is left to the caller."""
    lanes = np.array(fetch(*lanes_query(filters, window, n_actors, only, dialect)), dtype=float).reshape(-1, 5)
    used = lanes[:, 0].astype("int64")
    full = extent(lanes[:, 3], lanes[:, 4])
    window = window or full or (0.0, DAY_MS)
    span = (min(window[0], full[0]), max(window[1], full[1])) if full else window
    n_rows = max(len(used), 1)
    bins = max(min(bins, max_marks // (2 * n_rows) - 3), 1)
    near = int(lanes[:, 2].sum())

    def counts(skip: Skip) -> Bins:
        return _bins(fetch(*bins_query(filters, window, span, bins, n_actors, only, skip, dialect)))

    empty = np.array([], dtype="int64")
    if near <= max_marks:
        around = counts("near") if context else _bins([])
        if near + len(around) <= max_marks:
            drawn = np.array(fetch(*marks_query(filters, window, n_actors, only, dialect)), dtype="int64")
            drawn = drawn.reshape(-1, 2)
            return Detail(window, full, used, drawn[:, 0], drawn[:, 1], around, False, 0, empty, empty)
    return Detail(window, full, used, empty, empty, counts(None if context else "outside"), True,
                  unit_days(window[1] - window[0], bins), empty, empty)  # fmt: skip
