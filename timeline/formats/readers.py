"""The one registry of readers for other people's data, and what every reader shares.

A reader turns a file (TimelineJS, ACLED, GDELT, a spreadsheet) into an `Imported`: the dataset's head as our YAML
holds it, and its events as the flat columns of `flatcsv.COLUMNS`. Readers work on whole columns with pandas, since
ACLED and GDELT files reach hundreds of thousands of rows. `to_dataset` then validates an `Imported` with the same
schema and rules as every other dataset, naming the source file and row of every problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import importlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from timeline.data.charsafety import UNSAFE
from timeline.data.dates import EARLIEST, LATEST
from timeline.data.messages import describe, dotted, location, show, visible
from timeline.data.rules import check_events, check_metadata
from timeline.data.schema import Dataset, Event
from timeline.errors import DatasetError, Problem
from timeline.formats import flatcsv

# Each rule lists at most this many rows; the rest are counted, so a file of 100,000 bad rows gives a readable answer.
MAX_LISTED = 50
TITLE_MAX = 160  # schema.Event.title
HTTP_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)  # one absolute http(s) URL
_SNIFF_BYTES = 64_000


@dataclass(frozen=True)
class Imported:
    """What a reader returns: the dataset's head (title, actors, phases… as the YAML file holds them), its events as
    the flat sheet's columns (all text; multi-valued cells joined with `flatcsv.join_cell`), and what the import
    changed, skipped or could not map, one line each.

    The events' index says where each came from: named `line`, a line of the source file; named `record`, the
    position of the event in the source's list of events."""

    meta: dict[str, Any]
    events: pd.DataFrame
    report: list[str]


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
    """One format: its name for `--from`, the module that reads it, the suffixes it comes with and a line of help.

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
    Reader("timelinejs", "timelinejs", (".json", ".csv"),
           "TimelineJS3 JSON ({title, events, eras}) or a TimelineJS Google Sheet saved as CSV"),
    Reader("acled", "acled", (".csv",), "an ACLED export CSV (event_id_cnty, event_date, time_precision, …)"),
    Reader("gdelt", "gdelt", (".csv", ".tsv", ".txt"),
           "a GDELT 2.0 events export: 61 tab-separated columns, no header (named *.export.CSV)"),
    Reader("sheet", "sheet", (".csv",), "any spreadsheet saved as CSV, with a column mapping (--map)"),
)  # fmt: skip
READER_BY_NAME: dict[str, Reader] = {r.name: r for r in READERS}


def choose(path: Path, name: str | None = None, *, mapped: bool = False) -> Reader:
    """The reader `name`, or the one whose format the file's content matches; a `DatasetError` if none does."""
    if name is not None:
        return READER_BY_NAME[name]
    if mapped:  # a column mapping only means something to the spreadsheet reader
        return READER_BY_NAME["sheet"]
    head = read_text(path, limit=_SNIFF_BYTES)
    suffix = path.suffix.lower()
    for reader in READERS:
        if reader.name != "sheet" and reader.sniff(head, suffix):
            return reader
    first = head.lstrip().split("\n", 1)[0]
    if all(column in first for column in flatcsv.REQUIRED):
        hint = "it is already the tool's flat CSV: `timeline validate` and `timeline serve` read it as it is"
    else:
        names = ", ".join(r.name for r in READERS)
        hint = (f"its format is not recognised; name it with --from ({names}), and give a spreadsheet's "
                f"columns with --map, e.g. --map start=Date --map title=Headline")  # fmt: skip
    raise DatasetError([Problem(str(path), None, "", hint)])


def read(path: Path, name: str | None = None, options: ReadOptions | None = None) -> Imported:
    """The file read by the reader `name` (or the one its content matches)."""
    options = options or ReadOptions()
    reader = choose(path, name, mapped=bool(options.columns))
    return reader.read(path, options)


# ---------------------------------------------------------------- reading text


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


def fallback_source(
    events: pd.DataFrame, lacking: pd.Series, options: ReadOptions, title: str, problems: Problems, field_name: str
) -> int:
    """Cite `options.source_url` for the events `lacking` a source of their own, or report each of them.

    Returns how many events were given the fallback citation."""
    count = int(np.asarray(lacking).sum())
    if not count:
        return 0
    if not options.source_url:
        problems.rows(
            events,
            lacking,
            field_name,
            "has no http(s) link to cite, and every event needs a source; "
            "to cite the original timeline for such events, give --source-url URL --source-publisher NAME",
        )
        return 0  # fmt: skip
    publisher = options.source_publisher or host(options.source_url)
    events.loc[lacking, "source_publishers"] = flatcsv.join_cell([publisher])
    events.loc[lacking, "source_titles"] = flatcsv.join_cell([title])
    events.loc[lacking, "source_dates"] = ""
    events.loc[lacking, "source_urls"] = flatcsv.join_cell([options.source_url])
    return count


def events_frame(index: pd.Index, **columns: pd.Series | str) -> pd.DataFrame:
    """The flat sheet's columns, in order, from the given ones (the rest empty); all text."""
    frame = pd.DataFrame(index=index)
    for column in flatcsv.COLUMNS:
        value = columns.pop(column, "")
        frame[column] = value.to_numpy(dtype=object) if isinstance(value, pd.Series) else value
    if columns:
        raise TypeError(f"not flat columns: {sorted(columns)}")
    return frame.fillna("").astype(object)


def finish(events: pd.DataFrame, report: list[str]) -> pd.DataFrame:
    """What every reader does last: control and bidi-override characters removed (and counted), titles cut to the
    schema's length (and counted)."""
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
    return events


def clean_meta(value: Any) -> Any:
    """Metadata with control and bidi-override characters removed from every string."""
    if isinstance(value, str):
        return UNSAFE.sub("", value).strip()
    if isinstance(value, dict):
        return {k: clean_meta(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_meta(v) for v in value]
    return value


def head(title: str, description: str, curator: str, licence: str, actors: list[dict], phases: list[dict]) -> dict:
    """The dataset's head as the YAML file holds it."""
    return clean_meta({"title": title, "description": description, "curator": curator, "licence": licence,
                       "last_updated": dt.date.today().isoformat(), "language": "en",
                       "actors": actors or [placeholder_actor()], "issues": [], "phases": phases})  # fmt: skip


# ---------------------------------------------------------------- validation


def to_dataset(imported: Imported, path: Path | str) -> Dataset:
    """The imported data as a validated `Dataset`, or a `DatasetError` naming the source row of every problem.

    The same schema and rules as a YAML or flat CSV file: nothing an import writes can fail `timeline validate`."""
    problems = Problems(Path(path))
    kind = imported.events.index.name or "line"
    keys = list(imported.events.index)
    head_model = _validated(Dataset, {**imported.meta, "events": []}, lambda loc, msg: problems.add(None, dotted(loc),
                                                                                                   msg))  # fmt: skip
    events: list[Event] = []
    origins: list[Any] = []
    for key, row in zip(keys, imported.events.to_dict("records"), strict=True):
        record, row_problems = flatcsv.row_to_record(row)
        problems.found.extend(problems.at(key, kind, column, message) for column, message in row_problems)

        def report(loc: tuple, message: str, key: Any = key) -> None:
            problems.found.append(problems.at(key, kind, flatcsv.column_for(loc), message))

        event = _validated(Event, record, report)
        if event is not None:
            events.append(event)
            origins.append(key)
    meta = imported.meta
    actor_ids = {a.get("id") for a in meta.get("actors", []) if isinstance(a, dict)}
    issue_ids = {i.get("id") for i in meta.get("issues", []) if isinstance(i, dict)}
    findings = check_metadata(head_model) if head_model is not None else []
    findings += check_events(events, actor_ids, issue_ids)
    for event_index, loc, message in findings:
        if event_index is None:
            problems.add(None, dotted(loc), message)
        else:
            problems.found.append(problems.at(origins[event_index], kind, flatcsv.column_for(loc), message))
    problems.raise_any()
    assert head_model is not None  # a head that failed validation added a problem
    return head_model.model_copy(update={"events": events})


def _validated(model: type[BaseModel], raw: Any, report: Callable[[tuple, str], None]) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            report(location(err), describe(err))
        return None
