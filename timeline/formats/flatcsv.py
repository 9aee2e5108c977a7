"""The flat spreadsheet form of events: one row per event, multi-valued cells separated by `;`."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from timeline.data.messages import show
from timeline.data.schema import Event

# Column -> (event field, sub-field). Aligned columns (same sub-list) hold one item per `;`-separated value.
COLUMNS: tuple[str, ...] = (
    "id", "title", "summary", "type", "status", "start", "end", "precision", "display_date", "location",
    "actors", "issues", "quote", "quote_speaker", "quote_actor", "quote_source",
    "source_publishers", "source_titles", "source_dates", "source_urls",
    "claim_claimants", "claim_actors", "claim_texts", "claim_sources", "verification",
)  # fmt: skip
REQUIRED = ("id", "title", "summary", "type", "start", "source_publishers", "source_titles", "source_urls")
_SCALARS = ("id", "title", "summary", "type", "status", "start", "end", "precision", "display_date", "location",
            "verification")  # fmt: skip
_GROUPS = {
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
_QUOTE = {"text": "quote", "speaker": "quote_speaker", "actor": "quote_actor", "source": "quote_source"}
_SPLIT = re.compile(r"(?<!\\);")
# Spreadsheets run a cell as a formula when it starts with one of these (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def split_cell(cell: str) -> list[str]:
    """`"a; b\\; c"` -> `["a", "b; c"]`; an empty cell is an empty list."""
    if not cell.strip():
        return []
    return [part.strip().replace("\\;", ";") for part in _SPLIT.split(cell)]


def join_cell(values: Iterable[str]) -> str:
    """The inverse of `split_cell`."""
    return "; ".join(str(v).replace(";", "\\;") for v in values)


def neutralise(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def unneutralise(cell: str) -> str:
    """Undo `neutralise`, so exported files load back unchanged."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell


@dataclass(frozen=True)
class Sheet:
    """A CSV file read leniently, row by row: its header (None if unreadable), its rows (line the row starts on,
    cells by column, un-neutralised), and what is wrong with the text, complete once `rows` is read to the end."""

    header: list[str] | None
    rows: Iterator[tuple[int, dict[str, str]]]
    problems: list[tuple[int, str]]  # (line, message)


def read_sheet(text: str) -> Sheet:
    """Every non-blank row by column, plus every row that cannot be read whole (too-long cells, extra cells)."""
    problems: list[tuple[int, str]] = []
    lines = _lines(csv.reader(io.StringIO(text)), problems)
    _, header = next(lines, (1, []))  # an empty file has an empty header
    # A problem so far can only be the first line's: then there is no header to read the rows by.
    return Sheet(None if problems else header, _rows(lines, header, problems), problems)


def _lines(reader: Any, problems: list[tuple[int, str]]) -> Iterator[tuple[int, list[str]]]:
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the reader carries on with the next line
            problems.append((line, _csv_problem(exc)))
            continue
        yield line, cells


def _rows(
    lines: Iterator[tuple[int, list[str]]], header: list[str], problems: list[tuple[int, str]]
) -> Iterator[tuple[int, dict[str, str]]]:
    for line, cells in lines:
        if any(cell.strip() for cell in cells):
            if len(cells) > len(header):
                problems.append((line, f"{len(cells) - len(header)} extra cell(s) beyond the last column"))
            yield line, {k: unneutralise(v) for k, v in zip(header, cells, strict=False)}


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        # The limit is process-wide, so it is reported rather than raised; no real cell comes near it.
        return f"a cell is longer than {csv.field_size_limit():,} characters, the most a cell may hold"
    return f"not valid CSV: {exc}"


def unknown_columns(header: Iterable[str]) -> list[str]:
    return [c for c in header if c not in COLUMNS]


def row_to_record(row: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A raw event record from a row, plus (column, message) problems with aligned columns."""
    record: dict[str, Any] = {k: row[k].strip() for k in _SCALARS if row.get(k, "").strip()}
    problems: list[tuple[str, str]] = []
    actors = []
    for item in split_cell(row.get("actors", "")):
        actor, sep, role = item.partition(":")
        if not sep:
            problems.append(("actors", f'{show(item)} must be written as actor:role, e.g. "hamas:party"'))
        actors.append({"actor": actor.strip(), "role": role.strip()})
    record["actors"] = actors
    record["issues"] = split_cell(row.get("issues", ""))
    if row.get("quote", "").strip():
        record["quote"] = {f: row[c].strip() for f, c in _QUOTE.items() if row.get(c, "").strip()}
    for field, columns in _GROUPS.items():
        cells = {f: split_cell(row.get(c, "")) for f, c in columns.items()}
        count = max(len(v) for v in cells.values())
        for f, values in cells.items():
            if values and len(values) != count:
                problems.append((columns[f], f"has {len(values)} item(s) but the {field} need {count}"))
        record[field] = [{f: v[i] for f, v in cells.items() if i < len(v) and v[i]} for i in range(count)]
    return record, problems


def column_for(loc: tuple[str | int, ...]) -> str:
    """Where an error at an event's `loc` shows in the sheet, e.g. `('sources', 0, 'url')` -> `source_urls[1]`."""
    head = loc[0] if loc else ""
    if head in _GROUPS and len(loc) >= 3:
        return f"{_GROUPS[head].get(str(loc[2]), head)}[{int(loc[1]) + 1}]"
    if head in _GROUPS and len(loc) == 1:
        return _GROUPS[head]["url"] if head == "sources" else _GROUPS[head]["text"]
    if head == "quote" and len(loc) >= 2:
        return _QUOTE.get(str(loc[1]), "quote")
    if head in ("actors", "issues") and len(loc) >= 2:
        return f"{head}[{int(loc[1]) + 1}]"
    return str(head)


def event_to_row(event: Event) -> dict[str, str]:
    """An event as a row of the flat sheet (not yet neutralised)."""
    row = {k: "" if getattr(event, k) is None else str(getattr(event, k)) for k in _SCALARS}
    row["actors"] = join_cell(f"{a.actor}:{a.role}" for a in event.actors)
    row["issues"] = join_cell(event.issues)
    if event.quote:
        for field, column in _QUOTE.items():
            row[column] = getattr(event.quote, field) or ""
    for group, columns in _GROUPS.items():
        items = getattr(event, group)
        for field, column in columns.items():
            values = ["" if getattr(i, field) is None else str(getattr(i, field)) for i in items]
            row[column] = join_cell(values) if any(values) else ""
    return row


def write_events(events: Iterable[Event]) -> str:
    """The events as flat CSV text, with every cell neutralised against formula injection."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for event in events:
        row = event_to_row(event)
        writer.writerow({k: neutralise(row.get(k, "")) for k in COLUMNS})
    return out.getvalue()
