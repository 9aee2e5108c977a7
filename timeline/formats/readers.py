"""The one registry of readers for other people's data, and what every reader shares.

A reader turns a file (TimelineJS, ACLED, GDELT, a spreadsheet in CSV or XLSX) into an `Imported`: the dataset's
head as our YAML holds it, and its events as the flat columns of `flatcsv.COLUMNS` (with the `unsourced` flag).
Readers work on whole columns with pandas, since ACLED and GDELT files reach hundreds of thousands of rows.
`loader.load_imported` then validates an `Imported` as the loader validates every other dataset, naming the source
file and row of every problem. `sniff` tells the formats apart by content, since most of them come as `.csv`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import importlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from timeline.data.charsafety import UNSAFE
from timeline.data.dates import EARLIEST, LATEST
from timeline.data.messages import show, visible
from timeline.data.schema import Event
from timeline.errors import DatasetError, Problem
from timeline.formats import flatcsv

# Each rule lists at most this many rows; the rest are counted, so a file of 100,000 bad rows gives a readable answer.
MAX_LISTED = 50
TITLE_MAX = 160  # schema.Event.title
HTTP_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)  # one absolute http(s) URL
_SNIFF_BYTES = 64_000
# An event with no http(s) source of its own is imported with no source and this column set to "true": never given
# an invented source.
UNSOURCED = "unsourced"
COLUMNS: tuple[str, ...] = flatcsv.COLUMNS  # what a reader's events frame holds
SOURCE_COLUMNS = ("source_publishers", "source_titles", "source_dates", "source_urls")
FLAT = "flat"  # `sniff`'s name for our own flat CSV, which `timeline validate` and `timeline serve` read as it is
# XLSX workbooks are zip files: each is refused, before anything is expanded, when its parts would expand to more
# than this many bytes, or hold more than this many parts; and its first sheet is read only up to this many cells.
# A 100,000-row ACLED export is about 3.1 million cells and 90 to 170 MB expanded.
XLSX_MAX_BYTES = 256 * 2**20
XLSX_MAX_PARTS = 10_000
XLSX_MAX_CELLS = 5_000_000


@dataclass(frozen=True)
class Imported:
    """What a reader returns: the dataset's head (title, actors, phases… as the YAML file holds them), its events as
    `COLUMNS` (all text; multi-valued cells joined with `flatcsv.join_cell`), and what the import changed, skipped
    or could not map, one line each.

    The events' index says where each came from: named `line`, a line of the source file (the row, for XLSX);
    named `record`, the position of the event in the source's list of events. `fields` names the source's own field
    for some of our columns, for messages; `sanitised` counts the fields whose HTML or characters were cleaned."""

    meta: dict[str, Any]
    events: pd.DataFrame
    report: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    sanitised: int = 0

    @property
    def unsourced(self) -> int:
        """How many events have no source of their own (and were given none)."""
        return int((self.events[UNSOURCED] == "true").sum())


@dataclass(frozen=True)
class ReadOptions:
    """What the user tells a reader beyond the file itself."""

    # Cite this page (the original timeline or data set) for events that carry no http(s) source of their own.
    source_url: str | None = None
    source_publisher: str | None = None
    # The spreadsheet reader's column mapping: our field -> the sheet's column; `types`: the sheet's values -> ours.
    columns: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    # GDELT: keep only events whose CAMEO root code is one of these (two digits, e.g. "04").
    cameo_roots: frozenset[str] | None = None


@dataclass(frozen=True)
class Reader:
    """One format: its name for `--format`, the module that reads it, the suffixes it comes with, a line of help.

    The module defines `sniff(head: str, suffix: str) -> bool` (is this text, the file's start, in my format?) and
    `read(path: Path, options: ReadOptions) -> Imported`."""

    name: str
    module: str
    suffixes: tuple[str, ...]
    help: str

    def _module(self) -> Any:
        return importlib.import_module(f"timeline.formats.{self.module}")

    def sniff(self, head: str, suffix: str) -> bool:
        return bool(self._module().sniff(head, suffix))

    def read(self, path: Path, options: ReadOptions) -> Imported:
        return self._module().read(path, options)


READERS: tuple[Reader, ...] = (
    Reader("timelinejs", "timelinejs", (".json", ".csv", ".xlsx"),
           "TimelineJS3 JSON ({title, events, eras}) or a TimelineJS Google Sheet saved as CSV or XLSX"),
    Reader("acled", "acled", (".csv", ".xlsx"),
           "an ACLED export, CSV or XLSX (event_id_cnty, event_date, time_precision, …)"),
    Reader("gdelt", "gdelt", (".csv", ".tsv", ".txt"),
           "a GDELT 2.0 events export: 61 tab-separated columns, no header (named *.export.CSV)"),
    Reader("sheet", "sheet", (".csv", ".xlsx"), "any spreadsheet, CSV or XLSX, with a column mapping (--map)"),
)  # fmt: skip
READER_BY_NAME: dict[str, Reader] = {r.name: r for r in READERS}


def sniff(path: Path) -> str | None:
    """The format the file's content is in: a reader's name, `FLAT` for our own flat CSV, or None.

    A CSV is told apart by its header: ACLED's `event_id_cnty, event_date, sub_event_type`; TimelineJS's `Year` and
    `Headline`; ours, every required flat column (`id, title, summary, type, start, source_…`). A spreadsheet with
    its own columns is never guessed (None): it needs a mapping."""
    head = _head(path)
    header = {h.strip() for h in next(csv.reader(io.StringIO(head.lstrip().split("\n", 1)[0])), [])}
    if set(flatcsv.REQUIRED) <= header:
        return FLAT
    suffix = path.suffix.lower()
    return next((r.name for r in READERS if r.sniff(head, suffix)), None)


def choose(path: Path, name: str | None = None, *, mapped: bool = False) -> Reader:
    """The reader `name`, or the one whose format the file's content matches; a `DatasetError` if none does."""
    if name is not None:
        return READER_BY_NAME[name]
    if mapped:  # a column mapping only means something to the spreadsheet reader
        return READER_BY_NAME["sheet"]
    found = sniff(path)
    if found in READER_BY_NAME:
        return READER_BY_NAME[found]
    if found == FLAT:
        hint = "it is already the tool's flat CSV: `timeline validate` and `timeline serve` read it as it is"
    else:
        names = ", ".join(r.name for r in READERS)
        hint = (f"its format is not recognised; name it with --format ({names}), and give a spreadsheet's "
                f"columns with --map, e.g. --map start=Date --map title=Headline")  # fmt: skip
    raise DatasetError([Problem(str(path), None, "", hint)])


def read(path: Path, name: str | None = None, options: ReadOptions | None = None) -> Imported:
    """The file read by the reader `name` (or the one its content matches)."""
    options = options or ReadOptions()
    reader = choose(path, name, mapped=bool(options.columns))
    return reader.read(path, options)


# ---------------------------------------------------------------- reading text


def _head(path: Path) -> str:
    """The start of the file as text to sniff: an XLSX sheet's first row as a CSV line."""
    if is_xlsx(path):
        header, _ = xlsx_rows(path, rows=1)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(header)
        return out.getvalue()
    return read_text(path, limit=_SNIFF_BYTES)


def read_text(path: Path, limit: int | None = None) -> str:
    """The file as text (all of it, or its first `limit` bytes), or a `DatasetError` saying why it cannot be read."""
    name = str(path)
    try:
        if not path.is_file():
            raise DatasetError([Problem(name, None, "", "no such file")])
        with path.open("rb") as handle:
            data = handle.read() if limit is None else handle.read(limit)
        # -sig: spreadsheets' "CSV UTF-8" starts with a byte-order mark
        return data.decode("utf-8-sig", errors="ignore" if limit is not None else "strict")
    except UnicodeDecodeError as exc:
        raise DatasetError([Problem(name, None, "", f"is not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    except OSError as exc:
        raise DatasetError([Problem(name, None, "", f"cannot be read ({exc.strerror or exc})")]) from None


def read_table(path: Path, text: str, **options: Any) -> pd.DataFrame:
    """CSV text as a frame of strings (empty cells are ""), or a `DatasetError` naming the line pandas stopped at."""
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, **options)
    except pd.errors.EmptyDataError:
        raise DatasetError([Problem(str(path), None, "", "is empty")]) from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        message = visible(" ".join(str(exc).split()))
        raise DatasetError([Problem(str(path), None, "", f"cannot be read as a table: {message}")]) from None


def read_rows(path: Path, text: str | None = None) -> pd.DataFrame:
    """A CSV (`text`, if already read) or XLSX sheet as a frame of text cells by column (names stripped), indexed by
    the line (CSV) or row (XLSX) each row starts on, blank rows left out."""
    if is_xlsx(path):
        header, rows = xlsx_rows(path)
        names = _unique([h.strip() for h in header])
        frame = pd.DataFrame([cells for _, cells in rows], columns=names, dtype=object)
        frame.index = pd.Index([number for number, _ in rows], name="line", dtype=np.int64)
    else:
        frame = read_table(path, read_text(path) if text is None else text, skip_blank_lines=False)
        frame.columns = [str(c).strip() for c in frame.columns]
        frame.index = line_numbers(frame)
    return without_blank_rows(frame)


def _unique(names: list[str]) -> list[str]:
    """Repeated column names numbered as pandas numbers a CSV's: `X`, `X.1`, `X.2`."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if not count else f"{name}.{count}")
    return out


def is_xlsx(path: Path) -> bool:
    """Whether the file is an XLSX workbook (a zip file) by its suffix or its first bytes."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def xlsx_rows(path: Path, rows: int | None = None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The first sheet of an XLSX workbook: its first row (the header) and the rest, each with its row number and
    its cells as text (as many as the header has), up to `rows` rows after the header.

    Refused with one message, before anything is expanded, when the zip's parts would expand beyond
    `XLSX_MAX_BYTES` (a zip bomb); and while reading, once the sheet passes `XLSX_MAX_CELLS`."""
    _check_zip(path)
    import openpyxl  # only imported when a workbook is read

    name = str(path)
    with path.open("rb") as handle:  # a file, not a path: openpyxl would refuse a name without an Excel suffix
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign zip
            reason = visible(" ".join(str(exc).split()))[:200] or type(exc).__name__
            raise DatasetError([Problem(name, None, "", f"cannot be read as an XLSX workbook: {reason}")]) from None
        return _xlsx_sheet(name, book, rows)


def _xlsx_sheet(name: str, book: Any, rows: int | None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        if not book.worksheets:
            raise DatasetError([Problem(name, None, "", "has no worksheet")])
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a workbook's stated size may be wrong; read the cells it holds
        header: list[str] = []
        body: list[tuple[int, list[str]]] = []
        cells = 0
        try:
            for number, values in enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1):
                cells += max(len(values), 1)
                if cells > XLSX_MAX_CELLS:
                    raise DatasetError([Problem(name, None, "", f"its first sheet holds more than "
                                                f"{XLSX_MAX_CELLS:,} cells, the most an XLSX file may hold here; "
                                                "save it as CSV (UTF-8) and import that")])  # fmt: skip
                text = [_xlsx_text(v) for v in values]
                if number == 1:
                    while text and not text[-1].strip():
                        text.pop()
                    header = text
                    if not header:
                        raise DatasetError([Problem(name, 1, "", "has no header row (the first row is empty)")])
                    continue
                extra = text[len(header) :]
                if any(c.strip() for c in extra):
                    raise DatasetError([Problem(name, number, "", f"{sum(1 for c in extra if c.strip())} cell(s) "
                                                "beyond the last named column")])  # fmt: skip
                body.append((number, text[: len(header)] + [""] * (len(header) - len(text))))
                if rows is not None and len(body) >= rows:
                    break
        except DatasetError:
            raise
        except Exception as exc:  # malformed XML inside the workbook
            reason = visible(" ".join(str(exc).split()))[:200] or type(exc).__name__
            raise DatasetError([Problem(name, None, "", f"cannot be read as an XLSX workbook: {reason}")]) from None
        if not header:
            raise DatasetError([Problem(name, None, "", "is empty")])
        return header, body
    finally:
        book.close()


def _check_zip(path: Path) -> None:
    """Refuse a zip whose parts would expand too far: zipfile never expands a part beyond the size the zip's
    directory states for it, so the stated sizes bound what reading can cost."""
    name = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise DatasetError([Problem(name, None, "", "is not an XLSX workbook (not a valid zip file)")]) from None
    except OSError as exc:
        raise DatasetError([Problem(name, None, "", f"cannot be read ({exc.strerror or exc})")]) from None
    if len(parts) > XLSX_MAX_PARTS:
        raise DatasetError([Problem(name, None, "", f"holds {len(parts):,} parts, more than the {XLSX_MAX_PARTS:,} "
                                                    "an XLSX file may hold here")])  # fmt: skip
    expanded = sum(part.file_size for part in parts)
    if expanded > XLSX_MAX_BYTES:
        raise DatasetError([Problem(name, None, "", f"would expand to {expanded:,} bytes, more than the "
                                    f"{XLSX_MAX_BYTES:,} an XLSX file may expand to here (a zip bomb, or a sheet "
                                    "too large: save it as CSV and import that)")])  # fmt: skip


def _xlsx_text(value: Any) -> str:
    """A cell's value as the text a CSV export of the sheet would hold: dates as ISO dates, whole numbers without
    a decimal point."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def line_numbers(frame: pd.DataFrame, first: int = 2) -> pd.Index:
    """The line each row of a frame read by pandas starts on (`first` for the first row), counting the line breaks
    inside quoted cells; the frame must have been read with blank lines kept."""
    breaks = np.zeros(len(frame), dtype=np.int64)
    for column in frame.columns:
        breaks += frame[column].str.count("\n").to_numpy(dtype=np.int64)
    starts = first + np.arange(len(frame)) + np.concatenate(([0], np.cumsum(breaks)[:-1]))
    return pd.Index(starts, name="line")


def without_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows that hold anything but whitespace."""
    filled = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        filled |= frame[column].str.strip().to_numpy() != ""
    return frame[filled]


def missing_columns(path: Path, header: Iterable[str], required: Iterable[str], what: str) -> None:
    """Refuse a file whose header lacks any of `required`, naming them all."""
    have = set(header)
    missing = [c for c in required if c not in have]
    if missing:
        raise DatasetError([Problem(str(path), 1, "", f"missing column(s) of {what}: {', '.join(missing)}")])


# ---------------------------------------------------------------- problems, row by row


class Problems:
    """Problems found in whole columns at once, each naming the source row (or record) and field."""

    def __init__(self, path: Path, fields: dict[str, str] | None = None) -> None:
        self.path = str(path)
        self.fields = fields or {}  # our column -> the source's name for it, for messages
        self.found: list[Problem] = []

    def at(self, key: Any, kind: str, field_name: str, message: str) -> Problem:
        source_field = self.fields.get(field_name, field_name)
        if kind == "line":
            return Problem(self.path, int(key), source_field, message)
        record = f"{'events' if kind == 'record' else kind}[{key}]"
        return Problem(self.path, None, f"{record}.{source_field}" if source_field else record, message)

    def rows(self, frame: pd.DataFrame | pd.Series, mask: Any, field_name: str, message: str,
             values: pd.Series | None = None) -> None:  # fmt: skip
        """One problem per row where `mask` holds (the first `MAX_LISTED`, then a count of the rest); `{value}` in
        the message is the row's value in `values`, quoted."""
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(hits):
            return
        kind = frame.index.name or "line"
        for position in hits[:MAX_LISTED]:
            text = message.format(value=show(str(values.iloc[position]))) if values is not None else message
            self.found.append(self.at(frame.index[position], kind, field_name, text))
        if len(hits) > MAX_LISTED:
            rest = len(hits) - MAX_LISTED
            self.found.append(Problem(self.path, None, self.fields.get(field_name, field_name),
                                      f"… and {rest:,} more row(s) with the same problem"))  # fmt: skip

    def add(self, line: int | None, field_name: str, message: str) -> None:
        self.found.append(Problem(self.path, line, self.fields.get(field_name, field_name), message))

    def raise_any(self) -> None:
        if self.found:
            raise DatasetError(self.found)


# ---------------------------------------------------------------- columns


def text(series: pd.Series) -> pd.Series:
    """Cells as stripped text, with whitespace runs inside a line collapsed."""
    return series.astype(str).str.replace(r"[ \t\xa0]+", " ", regex=True).str.strip()


def cell(series: pd.Series) -> pd.Series:
    """One value per row as a flat-sheet cell (its `;` escaped, as `flatcsv.join_cell` does)."""
    return series.str.replace(";", "\\;", regex=False)


def join(*parts: pd.Series | str, sep: str = "; ") -> pd.Series:
    """Row by row, the non-empty parts joined with `sep`."""
    series = [p for p in parts if isinstance(p, pd.Series)]
    index = series[0].index
    out = pd.Series("", index=index, dtype=object)
    for part in parts:
        part = part if isinstance(part, pd.Series) else pd.Series(part, index=index)
        both = (out != "") & (part != "")
        out = pd.Series(np.where(both, out + sep + part, out + part), index=index, dtype=object)
    return out


def join_rows(long: pd.DataFrame, column: str, index: pd.Index, sep: str = "; ") -> pd.Series:
    """A long table's `column` joined per row (`long["row"]` is a position in `index`), in the table's order, as
    one cell per row of `index` ("" for rows it lacks). Vectorised: a row holds a few items, so they are spread
    into one column per rank and joined column by column."""
    if not len(long):
        return pd.Series("", index=index, dtype=object)
    rank = long.groupby("row").cumcount().to_numpy()
    wide = pd.DataFrame({"row": long["row"].to_numpy(), "rank": rank, "value": long[column].to_numpy()})
    wide = wide.pivot(index="row", columns="rank", values="value").reindex(range(len(index))).fillna("")
    return join(*(pd.Series(wide[r].to_numpy(), index=index, dtype=object) for r in wide.columns), sep=sep)


def is_http(series: pd.Series) -> pd.Series:
    """Whether each cell is one absolute http(s) URL."""
    return series.str.match(HTTP_URL)


def host(url: str) -> str:
    """`https://www.example.org/a` -> `example.org`: the publisher of a page when nothing better is known."""
    name = urlsplit(url).hostname or url
    return name.removeprefix("www.")


def hosts(series: pd.Series) -> pd.Series:
    """`host` of every URL, computed once per distinct URL."""
    return series.map({u: host(u) if u else "" for u in series.unique()})


def slugs(series: pd.Series, prefix: str) -> pd.Series:
    """Ids our schema accepts, made from any names, as whole columns: `Military Forces of Israel (2022-)` ->
    `military-forces-of-israel-2022`; a name with no Latin letters or digits gets `prefix` and a short hash."""
    out = (series.astype(str).str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii").str.lower()
           .str.replace(r"[^a-z0-9]+", "-", regex=True).str.strip("-").str.slice(0, 60).str.strip("-"))  # fmt: skip
    empty = out == ""
    if empty.any():
        digest = {v: hashlib.sha1(v.encode()).hexdigest()[:8] for v in series[empty].unique()}
        out[empty] = prefix + "-" + series[empty].map(digest)
    return out


def unique_ids(ids: pd.Series) -> tuple[pd.Series, int]:
    """Ids made unique by numbering repeats (`x`, `x-2`, `x-3`), and how many were renumbered."""
    repeat = ids.groupby(ids).cumcount().to_numpy()
    numbered = ids.where(repeat == 0, ids + "-" + (repeat + 1).astype(str))
    return numbered, int((repeat > 0).sum())


def actor_glossary(names: pd.Series, kinds: pd.Series, describe_as: str) -> tuple[list[dict[str, Any]], dict]:
    """Glossary entries for the distinct actor names (in order of first appearance) and name -> id.

    A kind of "" is unknown; a name seen with no known kind, or with different ones, gets `other`. `describe_as`
    is formatted with `name`."""
    table = pd.DataFrame({"name": np.asarray(names, dtype=object), "kind": np.asarray(kinds, dtype=object)})
    table = table[table["name"] != ""]
    grouped = table[table["kind"] != ""].groupby("name", sort=False)["kind"]
    known = grouped.first().where(grouped.nunique() == 1, "other")
    per_name = pd.Series("other", index=pd.Index(table["name"].unique(), name="name"), dtype=object)
    per_name.update(known)
    ids, _ = unique_ids(slugs(pd.Series(per_name.index), "actor"))
    glossary = [
        {"id": actor_id, "name": name, "kind": kind, "description": describe_as.format(name=name)}
        for actor_id, name, kind in zip(ids, per_name.index, per_name.to_numpy(), strict=True)
    ]
    return glossary, dict(zip(per_name.index, ids, strict=True))


def placeholder_actor() -> dict[str, str]:
    """The glossary entry added when a source names no actor at all: the schema needs at least one."""
    description = "Added by the import: the source names no actors. Rename it or add real actors."
    return {"id": "unspecified", "name": "Not specified", "kind": "other", "description": description}


def iso_dates(days: pd.Series) -> pd.Series:
    """Timestamps as `YYYY-MM-DD` ("" where missing)."""
    return days.dt.strftime("%Y-%m-%d").fillna("").astype(object)


def out_of_range(days: pd.Series) -> pd.Series:
    """Where a parsed date falls outside the range every view draws."""
    return days.notna() & ((days < pd.Timestamp(EARLIEST)) | (days > pd.Timestamp(LATEST)))


RANGE_RULE = f"is outside the allowed range, {EARLIEST} to {LATEST}"


def unsourced_allowed() -> bool:
    """Whether the schema can hold an event marked unsourced (with no source)."""
    return UNSOURCED in Event.model_fields


def cite_or_flag(events: pd.DataFrame, lacking: Any, options: ReadOptions, title: str, report: list[str]) -> None:
    """The events `lacking` an http(s) source of their own: cite `options.source_url` for them when the user gave
    one, else mark them unsourced, with no source at all. Either is noted in the report."""
    lacking = np.asarray(lacking, dtype=bool)
    count = int(lacking.sum())
    if not count:
        return
    if options.source_url:
        publisher = options.source_publisher or host(options.source_url)
        events.loc[lacking, "source_publishers"] = flatcsv.join_cell([publisher])
        events.loc[lacking, "source_titles"] = flatcsv.join_cell([title])
        events.loc[lacking, "source_dates"] = ""
        events.loc[lacking, "source_urls"] = flatcsv.join_cell([options.source_url])
        report.append(f"{count:,} event(s) had no http(s) link of their own and cite {options.source_url} "
                      "(--source-url)")  # fmt: skip
        return
    for column in SOURCE_COLUMNS:
        events.loc[lacking, column] = ""
    events.loc[lacking, UNSOURCED] = "true"
    report.append(f"{count:,} event(s) have no http(s) link to cite and are marked unsourced: no source was made up "
                  "for them")  # fmt: skip


def events_frame(index: pd.Index, **columns: pd.Series | str) -> pd.DataFrame:
    """`COLUMNS`, in order, from the given ones (the rest empty); all text."""
    frame = pd.DataFrame(index=index)
    for column in COLUMNS:
        value = columns.pop(column, "")
        frame[column] = value.to_numpy(dtype=object) if isinstance(value, pd.Series) else value
    if columns:
        raise TypeError(f"not flat columns: {sorted(columns)}")
    return frame.fillna("").astype(object)


def result(meta: dict[str, Any], events: pd.DataFrame, report: list[str], fields: dict[str, str] | None = None,
           sanitised: int = 0) -> Imported:  # fmt: skip
    """What every reader returns last: its events `finish`ed, and the fields it cleaned counted with those of
    `finish`."""
    events, cleaned = finish(events, report)
    return Imported(meta, events, report, dict(fields or {}), sanitised + cleaned)


def finish(events: pd.DataFrame, report: list[str]) -> tuple[pd.DataFrame, int]:
    """Control and bidi-override characters removed (and counted: the second value), titles cut to the schema's
    length (and counted in the report)."""
    changed = 0
    for column in flatcsv.COLUMNS:
        values = events[column].astype(str)
        unsafe = values.str.contains(UNSAFE.pattern, regex=True)
        if unsafe.any():
            changed += int(unsafe.sum())
            events[column] = values.str.replace(UNSAFE.pattern, "", regex=True)
    if changed:
        report.append(f"{changed:,} cell(s) had control or bidi-override characters, which were removed")
    long = events["title"].str.len() > TITLE_MAX
    if long.any():
        events.loc[long, "title"] = events.loc[long, "title"].str.slice(0, TITLE_MAX - 1).str.rstrip() + "…"
        report.append(f"{int(long.sum()):,} title(s) were longer than {TITLE_MAX} characters and were shortened")
    return events, changed


def clean_meta(value: Any) -> Any:
    """Metadata with control and bidi-override characters removed from every string."""
    if isinstance(value, str):
        return UNSAFE.sub("", value).strip()
    if isinstance(value, dict):
        return {k: clean_meta(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_meta(v) for v in value]
    return value


def head(title: str, description: str, curator: str, licence: str, actors: list[dict], phases: list[dict],
         issues: list[dict] | None = None) -> dict:  # fmt: skip
    """The dataset's head as the YAML file holds it."""
    return clean_meta({"title": title, "description": description, "curator": curator, "licence": licence,
                       "last_updated": dt.date.today().isoformat(), "language": "en",
                       "actors": actors or [placeholder_actor()], "issues": issues or [],
                       "phases": phases})  # fmt: skip
