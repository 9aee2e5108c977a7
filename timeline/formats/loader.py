"""Load curated YAML, flat CSV and Parquet files, or another tool's file (TimelineJS, ACLED, GDELT, XLSX: read by
`readers`), into one validated dataset, or refuse them with every problem.

YAML events are checked one by one with the schema, as curated files are small. The rows of CSV and Parquet files
are checked as whole columns (`timeline.data.bulk`); only rows that fail a check there go through the schema one
by one, so that their messages are the same as for YAML, naming the file, the line (the row, for Parquet), the
column and the rule. Another tool's file becomes flat rows too, and its problems name its own lines (or records)
and fields.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml
from pydantic import BaseModel, ValidationError

from timeline import settings
from timeline.data.bulk import Text, check_table
from timeline.data.charsafety import find_unsafe
from timeline.data.collector import cycle_collector_paused
from timeline.data.flat import SCHEMA, complete, event_to_row, events_to_table, record_event, table_row, table_rows
from timeline.data.frame import EventFrame, build_frame
from timeline.data.messages import describe, dotted, location, show, visible
from timeline.data.rules import check_events, check_metadata, check_story
from timeline.data.schema import Dataset, Event
from timeline.errors import DatasetError, Problem, TimelineError
from timeline.formats import flatcsv, parquet, readers

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "gaza-ceasefire.yaml"

# The schema nests five collections deep (dataset > events > event > sources > source); anything far deeper is a
# mistake or an attack, and would otherwise exhaust the parser's and the validator's recursion.
MAX_DEPTH = 50
# The setting that caps each format's file size, in MB (10^6 bytes). Loading YAML or CSV takes about ten times the
# file's size in memory: the defaults admit 100,000 events in either format and keep a server's start under 1 GB
# (measurements in docs/input-limits.md).
SIZE_LIMITS = {"yaml": "max_yaml_mb", "csv": "max_csv_mb"}
# Parquet is read as columns: its cap (`max_parquet_mb`) applies to the rows as read (the uncompressed size the file
# states) as well as to the file. 1,000 MB holds about 1.8 million synthetic events.
_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".parquet": "parquet"}
# Other tools' files come with these suffixes, or as a `.csv` whose header `readers.sniff` knows (ACLED, TimelineJS's
# sheet, GDELT's `.export.CSV`); they are read whole by their reader, which caps XLSX workbooks itself.
_IMPORTED = (".json", ".tsv", ".txt", ".xlsx", ".xlsm")
FILE_TYPES = (".yaml, .yml, .csv or .parquet, or a file `timeline import` reads (TimelineJS .json or sheet, ACLED, "
              "GDELT, .xlsx)")  # fmt: skip

# glibc's allocator, which numpy's arrays come from, and its settings (None elsewhere): see `_memory_reused`.
_LIBC = ctypes.CDLL(None) if sys.platform.startswith("linux") else None
_TRIM, _MALLOPT = (getattr(_LIBC, name, None) for name in ("malloc_trim", "mallopt"))
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters, from glibc's malloc.h
# Those settings are the whole process's: two loads at once (uploads, on two request threads) would restore each
# other's. So loads take turns, which also keeps a process to one large load's peak of memory at a time.
_ONE_LOAD_AT_A_TIME = threading.Lock()

# libyaml parses several times faster than pure-Python PyYAML; both give the same events and errors.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):
    """Safe YAML that keeps dates as text, so pydantic (not the parser) judges them."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

T = TypeVar("T")
Where = Callable[[tuple[str | int, ...]], tuple[int | None, str]]


@dataclass
class _Part:
    """What one file contributes: its metadata, its events (raw YAML records, or a flat table of text cells) and
    how to point at a line in it."""

    file: str
    meta: dict[str, Any]
    events: list[dict[str, Any]] | pa.Table
    where: Where


@dataclass(frozen=True)
class _Named:
    """An event known only by its id: what the duplicate-id rule reads of a row that passed the bulk checks."""

    id: str
    end: None = None
    precision: str = "day"
    actors: tuple = ()
    issues: tuple = ()
    quote: None = None
    unsourced: bool = False
    sources: tuple = ()
    claims: tuple = ()


class _Problems:
    """Problems in the order they are found, each with the row it is about (Parquet has rows, not lines)."""

    def __init__(self) -> None:
        self.found: list[tuple[Problem, int]] = []

    def add(self, problem: Problem, row: int = 0) -> None:
        self.found.append((problem, row))

    def extend(self, problems: Sequence[Problem]) -> None:
        self.found.extend((p, 0) for p in problems)

    def __bool__(self) -> bool:
        return bool(self.found)

    def error(self) -> DatasetError:
        """Every problem, by file, then line or row."""
        ranked = sorted(self.found, key=lambda f: (f[0].file, f[0].line or 0, 0 if f[0].line else f[1]))
        return DatasetError([p for p, _ in ranked])


def load_dataset(paths: Sequence[str | Path] | None = None) -> Dataset:
    """Read, validate and combine the files into a `Dataset` holding every event as a model; raise `DatasetError`
    naming every problem. For large files, `load_frame` keeps the events as columns instead."""

    return _load(paths, _models)


def load_imported(imported: readers.Imported, path: Path) -> Dataset:
    """What a reader made of another tool's file at `path`, validated as `load_dataset` validates that file: the
    same checks, the same messages naming the file's own lines and fields, the same models."""
    return _combine([path], [_imported_part(str(path), path, imported)], [], _models)


def load_imported_frame(imported: readers.Imported, path: Path) -> EventFrame:
    """`load_imported`'s checks, tabulated as `load_frame` tabulates: no model per event."""
    return _combine([path], [_imported_part(str(path), path, imported)], [], _tabulated)


def _models(head: Dataset, events: list[Event] | None, table: pa.Table) -> Dataset:
    if events is None:
        events = [record_event(row) for row in table_rows(table)]
    return head.model_copy(update={"events": events})


def _tabulated(head: Dataset, events: list[Event] | None, table: pa.Table) -> EventFrame:
    return build_frame(head.model_copy(update={"events": events or []}), table)


def load_frame(paths: Sequence[str | Path] | None = None) -> EventFrame:
    """Read, validate and tabulate the files; raise `DatasetError` naming every problem.

    The frame's dataset holds the events as models only when they all came from YAML; CSV and Parquet rows stay in
    the frame's table."""
    with _memory_reused(), cycle_collector_paused():
        frame = _load(paths, _tabulated)
    _release()
    return frame


@contextmanager
def _memory_reused() -> Iterator[None]:
    """Checking and building a large frame allocates and frees many arrays of a few MB once each. Each page the
    kernel hands out is cleared on its first touch, and that costs more than the work on the arrays unless freed
    memory is used again: so meanwhile numpy asks for no huge pages (2 MB to clear at a time, for every array of
    4 MB or more), and the C library keeps what numpy frees instead of giving it back at once (`_release` does, at
    the end). A million-event start takes a third less CPU time, and a quarter less time, on a two-core VM."""
    with _ONE_LOAD_AT_A_TIME:
        hugepages = getattr(getattr(getattr(np, "_core", None), "multiarray", None), "_set_madvise_hugepage", None)
        before = hugepages(False) if hugepages is not None else None
        if _MALLOPT is not None:
            _MALLOPT(_M_MMAP_THRESHOLD, 1 << 30)  # every array from the heap...
            _MALLOPT(_M_TRIM_THRESHOLD, (1 << 31) - 1)  # ...which is not trimmed on each free
        try:
            yield
        finally:
            if hugepages is not None:
                hugepages(before)
            if _MALLOPT is not None:  # the most glibc's own adjustment of the thresholds would reach
                _MALLOPT(_M_MMAP_THRESHOLD, 32 << 20)
                _MALLOPT(_M_TRIM_THRESHOLD, 64 << 20)


def _load(paths: Sequence[str | Path] | None, then: Callable[[Dataset, list[Event] | None, pa.Table], T]) -> T:
    """`then` of the dataset's metadata, its events as models if every file was YAML (None otherwise), and all of
    its events as one flat table, in file order. The rules that span events are checked while `then` runs: it is
    given every row that the checks of single rows passed, and its result is dropped if a rule is broken."""
    paths = list(paths or [BUNDLED])
    unreadable: list[Problem] = []
    parts = [_read(Path(path), unreadable) for path in paths]
    return _combine(paths, parts, unreadable, then)


def _combine(paths: Sequence[str | Path], parts: list[_Part | None], unreadable: list[Problem],
             then: Callable[[Dataset, list[Event] | None, pa.Table], T]) -> T:  # fmt: skip
    """`_load`'s work once the files are read: `unreadable` names those that could not be (their part is None)."""
    problems = _Problems()
    problems.extend(unreadable)
    if None in parts:  # an unreadable file: checking the rest against it would only add noise
        raise problems.error()
    meta_parts = [p for p in parts if p.meta]
    if len(meta_parts) != 1:
        names = ", ".join(p.file for p in meta_parts) or "none of them"
        raise DatasetError(
            [
                Problem(
                    ", ".join(str(p) for p in paths),
                    None,
                    "",
                    f"exactly one file must hold the dataset metadata (title, actors…); found {names}",
                )
            ]
        )
    head = _validate(Dataset, {**meta_parts[0].meta, "events": []}, meta_parts[0], (), problems)
    meta = meta_parts[0].meta
    actors, issues = _ids(meta.get("actors")), _ids(meta.get("issues"))
    story = _story_ids(meta.get("story"))
    # Story steps may name events that fail validation: those are reported once, where they are.
    raw_ids: set[str] = set()
    checked = [_check_part(part, actors, issues, story, raw_ids, problems) for part in parts]
    findings = check_metadata(head) + check_story(head, raw_ids) if head is not None else []
    for _, loc, message in findings:
        problems.add(_problem(meta_parts[0], loc, message))
    if problems or head is None:
        _check_rules(parts, checked, actors, issues, problems)
        raise problems.error()
    yaml_only = all(isinstance(c.events, list) for c in checked)
    events = [e for c in checked for e in c.events] if yaml_only else None
    tables = [c.table for c in checked]
    table = complete(pa.concat_tables(tables)) if len(tables) > 1 else tables[0]
    with ThreadPoolExecutor(max_workers=1) as pool:  # Arrow's hashing of the ids lets go of the GIL
        rules = pool.submit(_check_rules, parts, checked, actors, issues, problems)
        result = then(head, events, table)
        rules.result()
    if problems:
        raise problems.error()
    return result


@dataclass
class _Checked:
    """One file's valid events: as models (YAML) or as rows of a flat table (`valid` marks them), and the table
    of its valid events in the canonical form (single-valued cells trimmed), once every row is valid."""

    events: list[Event] | None
    origins: list[int]  # for YAML, the index in the file of each valid event
    table: pa.Table
    valid: np.ndarray
    slow: dict[int, Event]  # rows the bulk checks could not pass but the schema did, by row


def _check_part(part: _Part, actors: set[str], issues: set[str], story: set[str], raw_ids: set[str],
                problems: _Problems) -> _Checked:  # fmt: skip
    if isinstance(part.events, list):
        raws, part.events = part.events, []
        raw_ids.update(_ids(raws) & story)
        events: list[Event] = []
        origins: list[int] = []
        for index in range(len(raws)):
            # Each raw record is dropped once validated, so the raw data and the models are never both whole.
            raw, raws[index] = raws[index], None
            event = _validate(Event, raw, part, ("events", index), problems)
            if event is not None:
                events.append(event)
                origins.append(index)
        return _Checked(events, origins, complete(events_to_table(events)), np.ones(len(events), dtype=bool), {})
    raw = part.events
    table, valid = check_table(raw, actors, issues)
    if story:
        found = pc.is_in(table["id"], value_set=pa.array(sorted(story), pa.string()))
        raw_ids.update(table["id"].filter(found).to_pylist())
    slow: dict[int, Event] = {}
    for index in np.flatnonzero(~valid).tolist():
        record, row_problems = flatcsv.row_to_record(table_row(raw, index))
        for column, message in row_problems:
            line, path = part.where(("events", index, column))
            problems.add(Problem(part.file, line, path, message), index)
        event = _validate(Event, record, part, ("events", index), problems, index)
        if event is not None:
            slow[index] = event
            valid[index] = True
    if slow:  # their rows in the same form as the rest
        table = _with_rows(table, {i: event_to_row(e) for i, e in slow.items()})
    return _Checked(None, [], table, valid, slow)


def _with_rows(table: pa.Table, rows: dict[int, dict[str, str]]) -> pa.Table:
    """`table` with the rows at the given indices replaced."""
    at = np.array(sorted(rows), dtype=np.int64)
    extra = pa.Table.from_pylist([rows[i] for i in at.tolist()], schema=SCHEMA)
    index = np.arange(table.num_rows, dtype=np.int64)
    index[at] = table.num_rows + np.arange(len(at))
    both = pa.concat_tables([table.cast(SCHEMA), extra]).combine_chunks()  # taking from one chunk is much faster
    return complete(both.take(pa.array(index)))


def _check_rules(parts: list[_Part], checked: list[_Checked], actors: set[str], issues: set[str],
                 problems: _Problems) -> None:  # fmt: skip
    """The rules that span events (`rules.check_events`), on the valid events of every file, in file order.

    Rows that passed the bulk checks break none of them but a duplicate id: of those, only the rows whose id is
    used twice are checked, known by their id alone."""
    ids = [pa.array([e.id for e in c.events], pa.string()) if c.events is not None else _valid_ids(c) for c in checked]
    shared = _shared(pa.concat_arrays(ids) if len(ids) > 1 else ids[0])
    subset: list[Any] = []
    where: list[tuple[int, int]] = []  # (part, index in the part) of each event in `subset`
    offset = 0
    for k, c in enumerate(checked):
        size = len(ids[k])
        if c.events is not None:
            subset += c.events
            where += [(k, i) for i in c.origins]
        else:
            rows = np.flatnonzero(c.valid)
            pick = np.flatnonzero(shared[offset : offset + size])
            chosen = sorted(set(rows[pick].tolist()) | set(c.slow))
            named = c.table["id"].take(pa.array(chosen, pa.int64())).to_pylist() if chosen else []
            subset += [c.slow.get(row) or _Named(name) for row, name in zip(chosen, named, strict=True)]
            where += [(k, row) for row in chosen]
        offset += size
    for event_index, loc, message in check_events(subset, actors, issues):
        k, index = where[event_index]
        problems.add(_problem(parts[k], ("events", index, *loc), message), index)


def _valid_ids(checked: _Checked) -> pa.Array:
    ids = checked.table["id"].combine_chunks().cast(pa.string())
    return ids if checked.valid.all() else ids.filter(pa.array(checked.valid))  # all of them, usually: no copy


def _shared(ids: pa.Array) -> np.ndarray:
    """Per id: whether another holds the same text. Ids of different fingerprints differ, and a valid dataset's
    all do: only when two fingerprints are the same are the ids sorted (faster than hashing them) to find which."""
    fingerprints = np.sort(Text.of(ids).fingerprints())
    if not (fingerprints[1:] == fingerprints[:-1]).any():
        return np.zeros(len(ids), dtype=bool)
    order = pc.sort_indices(ids).to_numpy(zero_copy_only=False)
    ordered = ids.take(pa.array(order))
    same = pc.equal(ordered[1:], ordered[:-1]).to_numpy(zero_copy_only=False) if len(ids) > 1 else np.zeros(0, bool)
    shared = np.zeros(len(ids), dtype=bool)
    shared[order[1:][same]] = True
    shared[order[:-1][same]] = True
    return shared


def _ids(records: Any) -> set[str]:
    return (
        {r["id"] for r in records if isinstance(r, dict) and isinstance(r.get("id"), str)}
        if isinstance(records, list)
        else set()
    )


def _story_ids(story: Any) -> set[str]:
    """The event ids the raw story names."""
    steps = story if isinstance(story, list) else []
    named = (s.get("events") for s in steps if isinstance(s, dict))
    return {e for events in named if isinstance(events, list) for e in events if isinstance(e, str)}


def _problem(part: _Part, loc: tuple[str | int, ...], message: str) -> Problem:
    line, path = part.where(loc)
    return Problem(part.file, line, path, message)


def _validate(model: type[BaseModel], raw: Any, part: _Part, prefix: tuple, problems: _Problems, row: int = 0) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            problems.add(_problem(part, (*prefix, *location(err)), describe(err)), row)
        return None


def _read(path: Path, problems: list[Problem]) -> _Part | None:
    name = str(path)
    if not path.is_file():
        problems.append(Problem(name, None, "", "no such file"))
        return None
    suffix = path.suffix.lower()
    fmt = _FORMATS.get(suffix)
    if fmt is None and suffix not in _IMPORTED:
        problems.append(Problem(name, None, "", f"unsupported file type: use {FILE_TYPES}"))
        return None
    if fmt == "parquet":
        return _read_parquet(name, path, problems)
    if fmt is None or _sniffed(path) in readers.READER_BY_NAME:
        return _read_imported(name, path, problems)
    try:
        too_big = _size_problem(path, fmt)
        if too_big:
            problems.append(Problem(name, None, "", too_big))
            return None
        text = path.read_text(encoding="utf-8-sig")  # -sig: spreadsheets' "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, None, "", f"is not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return None
    except OSError as exc:
        problems.append(Problem(name, None, "", f"cannot be read ({exc.strerror or exc})"))
        return None
    return _read_csv(name, text, problems) if fmt == "csv" else _read_yaml(name, text, problems)


def _size_problem(path: Path, fmt: str, kind: str | None = None) -> str | None:
    """Why `path` is too large to load, or None; the limit is read when loading, so a changed setting applies.
    `kind` names the file's format in the message, when it is not `fmt`."""
    name = SIZE_LIMITS[fmt]
    try:
        limit = settings.read(name)
    except TimelineError as exc:
        return str(exc)
    variable = settings.SETTINGS[name].variable
    size = path.stat().st_size
    if size <= limit * 1e6:
        return None
    return (
        f"is {size:,} bytes, over the {limit:g} MB limit for {kind or fmt.upper()} datasets (loading needs many "
        f"times the file's size in memory); to load it anyway, set {variable} to a larger number of MB"
    )


def _sniffed(path: Path) -> str | None:
    """`readers.sniff` of a file, or None when it cannot be read (the reading that follows says why)."""
    try:
        return readers.sniff(path)
    except DatasetError:
        return None


def _read_imported(name: str, path: Path, problems: list[Problem]) -> _Part | None:
    """Another tool's file, read by the reader its content matches, as flat rows; its problems name its own lines
    (or records, for JSON) and fields, as `timeline import` names them."""
    if not readers.is_xlsx(path):  # a workbook's reader caps what it expands
        too_big = _size_problem(path, "csv", "CSV, JSON or TSV")
        if too_big:
            problems.append(Problem(name, None, "", too_big))
            return None
    try:
        found = readers.sniff(path)
        reader = readers.READER_BY_NAME.get(found or "")
        if reader is None:
            unknown = _UNMAPPED if readers.is_xlsx(path) else f"unsupported file type: use {FILE_TYPES}"
            problems.append(Problem(name, None, "", unknown))
            return None
        imported = reader.read(path, readers.ReadOptions())
    except DatasetError as exc:
        problems.extend(exc.problems)
        return None
    return _imported_part(name, path, imported)


def _imported_part(name: str, path: Path, imported: readers.Imported) -> _Part:
    events = imported.events
    kind, keys = events.index.name or "line", list(events.index)
    named = readers.Problems(path, imported.fields)

    def where(loc: tuple[str | int, ...]) -> tuple[int | None, str]:
        if len(loc) >= 2 and loc[0] == "events":
            found = named.at(keys[int(loc[1])], kind, flatcsv.column_for(loc[2:]), "")
            return found.line, found.path
        return None, dotted(loc)

    cells = {c: pa.array(events[c].to_numpy(dtype=object), pa.string()) for c in flatcsv.COLUMNS}
    return _Part(name, imported.meta, complete(pa.table(cells)), where)


_UNMAPPED = ("is a workbook with columns of its own: name them with `timeline import FILE --map FIELD=COLUMN … "
             "-o dataset.yaml`, then load that")  # fmt: skip


def _read_yaml(name: str, text: str, problems: list[Problem]) -> _Part | None:
    try:
        data, found = _compose(text)
    except _Refused as exc:
        problems.append(Problem(name, exc.line, "", exc.message))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(name, *_yaml_problem(exc, text)))
        return None
    problems.extend(Problem(name, line, dotted(loc), message) for line, loc, message in found)
    if not isinstance(data, dict):
        problems.append(Problem(name, 1, "", "must be a YAML mapping with keys such as title, actors and events"))
        return None
    lines: dict[tuple, int] = {}

    def where(loc: tuple[str | int, ...]) -> tuple[int | None, str]:
        if not lines:  # only a dataset with problems needs line numbers: index them then, in a second pass
            _compose(text, lines)
        for cut in range(len(loc), -1, -1):
            if loc[:cut] in lines:
                return lines[loc[:cut]], dotted(loc)
        return None, dotted(loc)

    events = data.get("events", [])
    if not isinstance(events, list):
        problems.append(Problem(name, where(("events",))[0], "events", f"must be a list, not {show(events)}"))
        events = []
    meta = {k: v for k, v in data.items() if k != "events"}
    return _Part(name, meta, events, where)


class _Refused(Exception):
    """YAML a dataset must not use, found while reading: reported alone, since nothing after it is read."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


_NO_ALIASES = "YAML anchors and aliases (&name, *name) are not allowed in a dataset: write every value out in full"
_CORE = "tag:yaml.org,2002:"
_STR, _MERGE = _CORE + "str", _CORE + "merge"
_SCALAR_TAGS = {_CORE + name for name in ("str", "int", "float", "bool", "null")}  # what a dataset's values are
_COLLECTION_TAGS = {None, "!", _CORE + "map", _CORE + "seq"}
_KEY = object()  # a mapping waiting for its next key


def _compose(text: str, lines: dict[tuple, int] | None = None) -> tuple[Any, list[tuple[int, tuple, str]]]:
    """The document's data and its duplicate keys as (line, loc, message), built straight from the parser's events.

    Building no node tree keeps memory and time down, and lets anchors, aliases and deep nesting be refused at the
    first such event, before anything is expanded. With `lines`, also fills it with each value's and key's line.
    """
    resolver = _Loader("")  # plain scalars' types (int, bool, null…) and the safe constructors for them
    found: list[tuple[int, tuple, str]] = []
    stack: list[list] = []  # [container, its loc, the key waiting for its value in a mapping (or _KEY)]
    root: Any = None
    documents = 0
    for event in yaml.parse(text, Loader=_Loader):
        kind = type(event)
        if kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Refused(event.start_mark.line + 1, "holds more than one YAML document (a second `---`)")
            continue
        if kind not in (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent):
            if kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                stack.pop()
            elif kind is yaml.AliasEvent:
                raise _Refused(event.start_mark.line + 1, _NO_ALIASES)
            continue
        line = event.start_mark.line + 1
        if event.anchor is not None:
            # A curated dataset never needs them, and expanding them is how a 500-byte file fills the memory.
            raise _Refused(line, _NO_ALIASES)
        if kind is yaml.ScalarEvent:
            value = _scalar(resolver, event)
        else:
            if event.tag not in _COLLECTION_TAGS:
                raise _tag_refused(line, event.tag)
            value = {} if kind is yaml.MappingStartEvent else []
        if not stack:
            loc: tuple = ()
            root = value
        else:
            top = stack[-1]
            container, parent = top[0], top[1]
            if isinstance(container, list):
                loc = (*parent, len(container))
                container.append(value)
            elif top[2] is _KEY:
                if kind is not yaml.ScalarEvent:
                    raise _Refused(line, "a mapping key must be plain text, not a list or mapping")
                if value in container:
                    found.append((line, (*parent, value), "appears twice in the same mapping; the first value "
                                                          "would be lost"))  # fmt: skip
                top[2] = value
                if lines is not None:
                    lines[(*parent, value)] = line
                continue
            else:
                loc = (*parent, top[2])
                container[top[2]] = value
                top[2] = _KEY
        if lines is not None:
            lines.setdefault(loc, line)  # a key's line, where there is one, points at a mapping's value
        if kind is not yaml.ScalarEvent:
            if len(stack) >= MAX_DEPTH:
                raise _Refused(line, f"nested more than {MAX_DEPTH} levels deep; a dataset needs no more than 5")
            stack.append([value, loc, _KEY])
    return root, found


def _scalar(resolver: _Loader, event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR:
        return event.value
    line = event.start_mark.line + 1
    if tag == _MERGE:
        raise _Refused(line, "YAML merge keys (<<) are not allowed in a dataset: write every value out in full")
    if tag not in _SCALAR_TAGS:
        raise _tag_refused(line, tag)
    try:
        return resolver.yaml_constructors[tag](
            resolver, yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        )
    except (ValueError, OverflowError):  # e.g. an integer of more than 4,300 digits, which Python will not convert
        kind = tag.rsplit(":", 1)[-1]
        raise _Refused(line, f"{show(event.value)} cannot be read as {kind}; quote it if it is text") from None


def _tag_refused(line: int, tag: str) -> _Refused:
    return _Refused(line, f"the YAML tag {visible(tag.replace(_CORE, '!!'))} is not allowed in a dataset")


def _yaml_problem(exc: yaml.YAMLError, text: str) -> tuple[int | None, str, str]:
    """(line, path, message) for a YAML syntax error, on one line."""
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML forbids; the error has a position, not a line
        char = chr(exc.character) if isinstance(exc.character, int) else exc.character
        at = text.find(char)
        described = find_unsafe(char) or f"U+{ord(char):04X}"
        return (text.count("\n", 0, at) + 1 if at >= 0 else None), "", f"contains {described}; remove it"
    mark = getattr(exc, "problem_mark", None)
    words = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    detail = "; ".join(w for w in words if w) or str(exc)
    return (mark.line + 1 if mark else None), "", "not valid YAML: " + visible(" ".join(detail.split()))


def _release() -> None:
    """Give back to the system the memory freed so far: Arrow's allocator and the C library's keep it otherwise."""
    pa.default_memory_pool().release_unused()
    if _TRIM is not None:
        _TRIM(0)


def _headers(name: str, header: list[str], problems: list[Problem], line: int | None = 1) -> bool:
    """Whether the columns are all known and the required ones are there; if not, say so (at `line`)."""
    missing = [c for c in flatcsv.REQUIRED if c not in header]
    unknown = flatcsv.unknown_columns(header)
    if missing:
        problems.append(Problem(name, line, "", f"missing column(s): {', '.join(missing)}"))
    if unknown:
        problems.append(Problem(name, line, "", f"unknown column(s): {visible(', '.join(unknown))}; "
                                             f"allowed: {', '.join(flatcsv.COLUMNS)}"))  # fmt: skip
    return not missing and not unknown


def _read_csv(name: str, text: str, problems: list[Problem]) -> _Part | None:
    sheet = flatcsv.read_sheet(text)
    if sheet.header is None:
        problems.extend(Problem(name, line, "", message) for line, message in sheet.problems)
        return None
    if not _headers(name, sheet.header, problems):
        return None
    flat = flatcsv.read_flat(text, sheet.header)
    problems.extend(Problem(name, line, "", message) for line, message in flat.problems)

    def where(loc: tuple[str | int, ...]) -> tuple[int | None, str]:
        if len(loc) >= 2 and loc[0] == "events":
            return flat.lines()[int(loc[1])], flatcsv.column_for(loc[2:])
        return None, dotted(loc)

    return _Part(name, {}, flat.table, where)


def _read_parquet(name: str, path: Path, problems: list[Problem]) -> _Part | None:
    """A Parquet file's metadata and rows; its problems name the row (1 for the first) instead of a line."""
    try:
        size = path.stat().st_size
        file = parquet.parquet_layout(path)
        rows_size = parquet.uncompressed_bytes(file)
        limit = settings.read("max_parquet_mb")
        if max(size, rows_size) > limit * 1e6:
            what = f"is {size:,} bytes" if size > limit * 1e6 else f"holds {rows_size:,} bytes of rows"
            variable = settings.SETTINGS["max_parquet_mb"].variable
            problems.append(Problem(name, None, "", f"{what}, over the {limit:g} MB limit for Parquet datasets "
                                                    f"(raise it with {variable})"))  # fmt: skip
            return None
        header = file.schema_arrow.names
        if not _headers(name, header, problems, line=None):
            return None
        meta, table = parquet.read_parquet(path, file)
        _release()  # the reader's buffers, before the checks allocate more
    except parquet.ParquetRefused as exc:
        problems.append(Problem(name, None, "", str(exc)))
        return None
    except OSError as exc:
        problems.append(Problem(name, None, "", f"cannot be read ({exc.strerror or exc})"))
        return None
    if "events" in meta:
        problems.append(Problem(name, None, "events", "a Parquet file holds its events as rows, not in its metadata"))
        return None

    def where(loc: tuple[str | int, ...]) -> tuple[int | None, str]:
        if len(loc) >= 2 and loc[0] == "events":
            column = flatcsv.column_for(loc[2:])
            return None, f"row {int(loc[1]) + 1}" + (f": {column}" if column else "")
        return None, dotted(loc)

    return _Part(name, meta, complete(table), where)
