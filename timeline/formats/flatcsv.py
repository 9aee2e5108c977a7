"""The flat spreadsheet form of events: one row per event, multi-valued cells separated by `;`."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from timeline.data.bulk import Text
from timeline.data.flat import (
    COLUMNS,
    REPEATED,
    REQUIRED,
    column_for,
    complete,
    event_to_row,
    join_cell,
    row_to_record,
    split_cell,
)
from timeline.data.schema import Event

__all__ = ["COLUMNS", "REQUIRED", "column_for", "event_to_row", "join_cell", "row_to_record", "split_cell"]

# Spreadsheets run a cell as a formula when it starts with one of these (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def write_events(events: Iterable[Event]) -> str:
    """The events as flat CSV text, with every cell neutralised against formula injection."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for event in events:
        row = event_to_row(event)
        writer.writerow({k: neutralise(row.get(k, "")) for k in COLUMNS})
    return out.getvalue()


@dataclass(frozen=True)
class FlatSheet:
    """A CSV file's events as a flat table (blank rows left out, cells un-neutralised), the line each row starts on
    (worked out when first asked for), and what is wrong with the text (line, message)."""

    table: pa.Table
    lines: Callable[[], list[int]]
    problems: list[tuple[int, str]]


def read_flat(text: str, header: list[str]) -> FlatSheet:
    """The rows of CSV `text` whose first line is `header` (known columns only, each once) as a flat table.

    Arrow reads the file when it reads it as the `csv` module would: no row with more or fewer cells than the
    header, no lone carriage return (the `csv` module refuses one outside quotes), no cell over the `csv`
    module's size limit. Otherwise the `csv` module reads it, row by row, and reports what it cannot read."""
    table = _arrow_rows(text, header)
    if table is None:
        sheet = read_sheet(text)
        rows = list(sheet.rows)
        columns = {c: pa.array([row.get(c, "") for _, row in rows], pa.string()) for c in header}
        lines = [line for line, _ in rows]
        return FlatSheet(complete(pa.table(columns)), lambda: lines, sheet.problems)
    cached: list[list[int]] = []

    def lines() -> list[int]:
        if not cached:
            cached.append([line for line, _ in read_sheet(text).rows])
        return cached[0]

    return FlatSheet(table, lines, [])


_LONE_CR = re.compile("\r(?!\n)")


def _arrow_rows(text: str, header: list[str]) -> pa.Table | None:
    if len(set(header)) != len(header) or _LONE_CR.search(text):
        return None
    odd: list[Any] = []

    def invalid(row: Any) -> str:
        odd.append(row)
        return "skip"

    kinds = {c: pa.dictionary(pa.int32(), pa.string()) if c in REPEATED else pa.string() for c in header}
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=kinds, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),  # fmt: skip
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if odd or table.column_names != header:
        return None
    table = complete(table)
    limit = csv.field_size_limit()
    if any(_longest(table[c].chunk(0)) > limit for c in COLUMNS):  # bytes: at least as many as characters
        return None
    return _unneutralised(_without_blank_rows(table))


def _longest(array: pa.Array) -> int:
    cells = array.dictionary if pa.types.is_dictionary(array.type) else array
    lengths = Text.of(cells).lengths
    return int(lengths.max()) if len(lengths) else 0


def _cells(array: pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """The distinct cells of a dictionary column (and their indices), or the column itself."""
    if pa.types.is_dictionary(array.type):
        return array.dictionary, array.indices.to_numpy(zero_copy_only=False)
    return array, None


def _without_blank_rows(table: pa.Table) -> pa.Table:
    """The rows that hold something but whitespace, as `csv.reader` rows that `read_sheet` keeps."""
    maybe_blank = np.ones(table.num_rows, dtype=bool)
    for column in table.columns:
        cells, indices = _cells(column.chunk(0))
        text = Text.of(cells)
        blank = (text.lengths == 0) | text.padded()
        maybe_blank &= blank if indices is None else blank[indices]
    at = np.flatnonzero(maybe_blank)
    if not len(at):
        return table
    rows = table.take(pa.array(at)).to_pylist()
    blank = [not any(cell.strip() for cell in row.values()) for row in rows]
    return complete(table.filter(pa.array(~np.isin(np.arange(table.num_rows), at[blank]))))


def _unneutralised(table: pa.Table) -> pa.Table:
    columns = []
    for column in table.columns:
        array = column.chunk(0)
        cells, indices = _cells(array)
        text = Text.of(cells)
        quoted = np.zeros(len(cells), dtype=bool)
        filled = text.lengths > 1
        quoted[filled] = text.data[text.offsets[:-1][filled]] == ord("'")
        if quoted.any():
            at = np.flatnonzero(quoted)
            fixed = pa.array([unneutralise(c) for c in cells.take(pa.array(at)).to_pylist()], pa.string())
            mask = pa.array(quoted)
            cells = pc.replace_with_mask(cells, mask, fixed)
            array = cells if indices is None else pa.DictionaryArray.from_arrays(array.indices, cells)
        columns.append(array)
    return complete(pa.Table.from_arrays(columns, names=table.column_names))
