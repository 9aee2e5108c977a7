"""The flat form of events: one row per event, every cell text, multi-valued cells separated by `;`.

It is the form of a CSV or Parquet file's rows, and of the Arrow table every loaded dataset is kept in
(`EventFrame.table`): a cell is the text a curator would type in a spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from timeline.data.messages import show
from timeline.data.schema import Claim, Event, EventActor, Quote, Source
from timeline.data.vocab import EventType, Precision, Role, Status, Verification

# Column -> (event field, sub-field). Aligned columns (same sub-list) hold one item per `;`-separated value.
COLUMNS: tuple[str, ...] = (
    "id", "title", "summary", "type", "status", "start", "end", "precision", "display_date", "location",
    "actors", "issues", "quote", "quote_speaker", "quote_actor", "quote_source",
    "source_publishers", "source_titles", "source_dates", "source_urls",
    "claim_claimants", "claim_actors", "claim_texts", "claim_sources", "verification",
    "label", "key", "unsourced",  # added later: at the end, and optional, so older files stay valid
)  # fmt: skip
REQUIRED = ("id", "title", "summary", "type", "start", "source_publishers", "source_titles", "source_urls")
SCALARS = ("id", "title", "summary", "type", "status", "start", "end", "precision", "display_date", "location",
           "verification", "label")  # fmt: skip
# Yes/no columns: a cell is `true`, `false` or empty (false), in any case.
FLAGS = ("key", "unsourced")
_FLAG_CELLS = {"": False, "false": False, "true": True}
GROUPS = {
    "sources": {
        "publisher": "source_publishers",
        "title": "source_titles",
        "date": "source_dates",
        "url": "source_urls",
    },
    "claims": {
        "claimant": "claim_claimants",
        "actor": "claim_actors",
        "text": "claim_texts",
        "source": "claim_sources",
    },
}
QUOTE = {"text": "quote", "speaker": "quote_speaker", "actor": "quote_actor", "source": "quote_source"}
# Columns whose cells repeat from event to event: kept dictionary-encoded, and checked once per distinct cell.
REPEATED = (
    "type",
    "status",
    "start",
    "end",
    "precision",
    "display_date",
    "location",
    "actors",
    "issues",
    "quote_speaker",
    "quote_actor",
    "source_publishers",
    "source_dates",
    "claim_actors",
    "verification",
    *FLAGS,
)
MULTI_VALUED = ("actors", "issues", *GROUPS["sources"].values(), *GROUPS["claims"].values())
# What `str.strip()` removes, and so what the schema trims from every text: the bulk checks trim the same.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
SCHEMA = pa.schema([(column, pa.string()) for column in COLUMNS])
# How a loaded table keeps them (`complete`).
CANONICAL = pa.schema([(c, pa.dictionary(pa.int32(), pa.string()) if c in REPEATED else pa.string()) for c in COLUMNS])
_SPLIT = re.compile(r"(?<!\\);")


def flag(cell: str) -> bool | None:
    """A yes/no cell's value: `true` True, `false` or empty False (any case, trimmed); None for anything else."""
    return _FLAG_CELLS.get(cell.strip().lower())


def split_cell(cell: str) -> list[str]:
    """`"a; b\\; c"` -> `["a", "b; c"]`; an empty cell is an empty list."""
    if not cell.strip():
        return []
    return [part.strip().replace("\\;", ";") for part in _SPLIT.split(cell)]


@lru_cache(maxsize=1 << 16)
def cell_items(cell: str) -> tuple[str, ...]:
    """`split_cell`, remembered: the repeated cells of a large table (actor lists, dates) are split once."""
    return tuple(split_cell(cell))


@lru_cache(maxsize=1 << 16)
def actor_roles(cell: str) -> tuple[tuple[str, str, bool], ...]:
    """An `actors` cell's (actor, role, written with a colon) items, each part trimmed."""
    return tuple((actor.strip(), role.strip(), bool(sep)) for actor, sep, role in (i.partition(":") for i in
                                                                                  cell_items(cell)))  # fmt: skip


def join_cell(values: Iterable[str]) -> str:
    """The inverse of `split_cell` for values without surrounding whitespace."""
    # A value that ends in a backslash gets a space before the separator, so its `\` cannot escape the `;`.
    return "; ".join(v.replace(";", "\\;") + (" " if v.endswith("\\") else "") for v in map(str, values))


def row_to_record(row: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A raw event record from a row, plus (column, message) problems with aligned columns."""
    record: dict[str, Any] = {k: row[k].strip() for k in (*SCALARS, *FLAGS) if (row.get(k) or "").strip()}
    problems: list[tuple[str, str]] = []
    actors = []
    for item in split_cell(row.get("actors") or ""):
        actor, sep, role = item.partition(":")
        if not sep:
            problems.append(("actors", f'{show(item)} must be written as actor:role, e.g. "hamas:party"'))
        actors.append({"actor": actor.strip(), "role": role.strip()})
    record["actors"] = actors
    record["issues"] = split_cell(row.get("issues") or "")
    if (row.get("quote") or "").strip():
        record["quote"] = {f: row[c].strip() for f, c in QUOTE.items() if (row.get(c) or "").strip()}
    for field, columns in GROUPS.items():
        cells = {f: split_cell(row.get(c) or "") for f, c in columns.items()}
        count = max(len(v) for v in cells.values())
        for f, values in cells.items():
            if values and len(values) != count:
                problems.append((columns[f], f"has {len(values)} item(s) but the {field} need {count}"))
        record[field] = [{f: v[i] for f, v in cells.items() if i < len(v) and v[i]} for i in range(count)]
    return record, problems


def column_for(loc: tuple[str | int, ...]) -> str:
    """Where an error at an event's `loc` shows in the sheet, e.g. `('sources', 0, 'url')` -> `source_urls[1]`."""
    head = loc[0] if loc else ""
    if head in GROUPS and len(loc) >= 3:
        return f"{GROUPS[head].get(str(loc[2]), head)}[{int(loc[1]) + 1}]"
    if head in GROUPS and len(loc) == 1:
        return GROUPS[head]["url"] if head == "sources" else GROUPS[head]["text"]
    if head == "quote" and len(loc) >= 2:
        return QUOTE.get(str(loc[1]), "quote")
    if head in ("actors", "issues") and len(loc) >= 2:
        return f"{head}[{int(loc[1]) + 1}]"
    return str(head)


def event_to_row(event: Event) -> dict[str, str]:
    """An event as a flat row, every column present."""
    row = {k: "" if getattr(event, k) is None else str(getattr(event, k)) for k in SCALARS}
    row.update({k: "true" if getattr(event, k) else "" for k in FLAGS})
    row["actors"] = join_cell(f"{a.actor}:{a.role}" for a in event.actors)
    row["issues"] = join_cell(event.issues)
    for field, column in QUOTE.items():
        row[column] = (getattr(event.quote, field) or "") if event.quote else ""
    for group, columns in GROUPS.items():
        items = getattr(event, group)
        for field, column in columns.items():
            values = ["" if getattr(i, field) is None else str(getattr(i, field)) for i in items]
            row[column] = join_cell(values) if any(values) else ""
    return row


def events_to_table(events: Iterable[Event]) -> pa.Table:
    """Validated events as the flat table, in the same order."""
    rows = [event_to_row(e) for e in events]
    return pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in COLUMNS}, schema=SCHEMA)


def table_row(table: pa.Table, index: int) -> dict[str, str]:
    """Row `index` of a flat table as {column: cell}, with an empty cell for a missing one."""
    row = table.slice(index, 1).to_pylist()[0]
    return {c: row.get(c) or "" for c in COLUMNS}


def table_rows(table: pa.Table) -> Iterator[dict[str, str]]:
    """Every row of a flat table as `table_row` gives it, read column by column rather than row by row."""
    for row in table.select([c for c in COLUMNS if c in table.column_names]).to_pylist():
        yield {c: row.get(c) or "" for c in COLUMNS}


_ENUMS = {"type": EventType, "status": Status, "precision": Precision, "verification": Verification}


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def record_event(row: dict[str, str]) -> Event:
    """The event a flat row holds, built without validating it again: the row was validated when it was loaded.

    Dates become dates and vocabulary ids their `StrEnum` members, as validation makes them."""
    record = row_to_record(row)[0]
    fields: dict[str, Any] = {k: _ENUMS[k](v) if k in _ENUMS else v for k, v in record.items() if k in SCALARS}
    fields["start"], fields["end"] = _date(record.get("start")), _date(record.get("end"))
    fields.update({k: bool(flag(record.get(k, ""))) for k in FLAGS})
    fields["actors"] = [EventActor.model_construct(actor=a["actor"], role=Role(a["role"])) for a in record["actors"]]
    fields["issues"] = record["issues"]
    if "quote" in record:
        fields["quote"] = Quote.model_construct(**record["quote"])
    fields["sources"] = [Source.model_construct(**{**s, "date": _date(s.get("date"))}) for s in record["sources"]]
    fields["claims"] = [Claim.model_construct(**c) for c in record["claims"]]
    return Event.model_construct(**fields)


def compact(indices: pa.Array, values: pa.Array) -> pa.DictionaryArray:
    """The dictionary array of `values` at `indices`, its dictionary holding each used value once."""
    encoded = values.dictionary_encode()
    if len(encoded.dictionary) == len(values) and np.bincount(indices, minlength=len(values)).all():
        return pa.DictionaryArray.from_arrays(indices, values)
    codes = encoded.indices.to_numpy(zero_copy_only=False)[indices.to_numpy(zero_copy_only=False)]
    used, codes = np.unique(codes, return_inverse=True)
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), encoded.dictionary.take(pa.array(used)))


def _text_array(array: pa.Array, dictionary: bool) -> pa.Array:
    """`array` as canonical text: `string`, or `dictionary<int32, string>`, with no nulls."""
    if pa.types.is_dictionary(array.type):
        array = pc.fill_null(array, "") if array.null_count else array
        array = compact(array.indices.cast(pa.int32()), array.dictionary.cast(pa.string()))
        return array if dictionary else array.cast(pa.string())
    array = array.cast(pa.string())
    array = pc.fill_null(array, "") if array.null_count else array
    return array.dictionary_encode() if dictionary else array


def complete(table: pa.Table) -> pa.Table:
    """A table of text columns (some of `COLUMNS`, `string`, `large_string` or dictionary-encoded text, nulls for
    empty cells) in the canonical layout: every column in order, one chunk each, no nulls, the columns whose cells
    repeat dictionary-encoded. A table already in that layout comes back as it is."""
    if table.schema.equals(CANONICAL) and all(c.num_chunks == 1 and not c.null_count for c in table.columns):
        return table
    size = table.num_rows
    columns = []
    for name in COLUMNS:
        dictionary = name in REPEATED
        if name in table.column_names:
            column = table[name]
            array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        else:
            array = pa.repeat(pa.scalar("", pa.string()), size)
        columns.append(_text_array(array, dictionary))
    return pa.Table.from_arrays(columns, names=list(COLUMNS))
