"""Load curated YAML and flat CSV files into one validated `Dataset`, or refuse them with every problem."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from timeline import settings
from timeline.data.charsafety import find_unsafe
from timeline.data.messages import describe, dotted, location, show, visible
from timeline.data.rules import check_events, check_metadata, check_story
from timeline.data.schema import Dataset, Event
from timeline.errors import DatasetError, Problem, TimelineError
from timeline.formats import flatcsv

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "gaza-ceasefire.yaml"

# The schema nests five collections deep (dataset > events > event > sources > source); anything far deeper is a
# mistake or an attack, and would otherwise exhaust the parser's and the validator's recursion.
MAX_DEPTH = 50
# The setting that caps each format's file size, in MB (10^6 bytes). Loading takes about ten times the file's size
# in memory: the defaults admit 100,000 events in either format and keep a server's start under 1 GB
# (measurements in docs/input-limits.md).
SIZE_LIMITS = {"yaml": "max_yaml_mb", "csv": "max_csv_mb"}
_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}

# libyaml parses several times faster than pure-Python PyYAML; both give the same events and errors.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):
    """Safe YAML that keeps dates as text, so pydantic (not the parser) judges them."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class _Part:
    """What one file contributes: its metadata, its raw events and how to point at a line in it."""

    file: str
    meta: dict[str, Any]
    events: list[dict[str, Any]]
    where: Callable[[tuple[str | int, ...]], tuple[int | None, str]]


def load_dataset(paths: Sequence[str | Path] | None = None) -> Dataset:
    """Read, validate and combine the files; raise `DatasetError` naming every problem."""
    paths = list(paths or [BUNDLED])
    problems: list[Problem] = []
    parts = [_read(Path(path), problems) for path in paths]
    if None in parts:  # an unreadable file: checking the rest against it would only add noise
        raise DatasetError(problems)
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
    events: list[Event] = []
    origins: list[tuple[_Part, int]] = []
    # Story steps may name events that fail validation: those are reported once, where they are.
    raw_ids = set().union(*(_ids(part.events) for part in parts))
    for part in parts:
        raws, part.events = part.events, []
        for index in range(len(raws)):
            # Each raw record is dropped once validated, so the raw data and the models are never both whole.
            raw, raws[index] = raws[index], None
            event = _validate(Event, raw, part, ("events", index), problems)
            if event is not None:
                events.append(event)
                origins.append((part, index))
    meta = meta_parts[0].meta
    findings = check_metadata(head) + check_story(head, raw_ids) if head is not None else []
    findings += check_events(events, _ids(meta.get("actors")), _ids(meta.get("issues")))
    for event_index, loc, message in findings:
        part, index = (meta_parts[0], None) if event_index is None else origins[event_index]
        problems.append(_problem(part, loc if index is None else ("events", index, *loc), message))
    if problems or head is None:
        raise DatasetError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    return head.model_copy(update={"events": events})


def _ids(records: Any) -> set[str]:
    return (
        {r["id"] for r in records if isinstance(r, dict) and isinstance(r.get("id"), str)}
        if isinstance(records, list)
        else set()
    )


def _problem(part: _Part, loc: tuple[str | int, ...], message: str) -> Problem:
    line, path = part.where(loc)
    return Problem(part.file, line, path, message)


def _validate(model: type[BaseModel], raw: Any, part: _Part, prefix: tuple, problems: list[Problem]) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_problem(part, (*prefix, *location(err)), describe(err)) for err in exc.errors())
        return None


def _read(path: Path, problems: list[Problem]) -> _Part | None:
    name = str(path)
    if not path.is_file():
        problems.append(Problem(name, None, "", "no such file"))
        return None
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        problems.append(Problem(name, None, "", "unsupported file type: use .yaml, .yml or .csv"))
        return None
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


def _size_problem(path: Path, fmt: str) -> str | None:
    """Why `path` is too large to load, or None; the limit is read when loading, so a changed setting applies."""
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
        f"is {size:,} bytes, over the {limit:g} MB limit for {fmt.upper()} datasets (loading needs many "
        f"times the file's size in memory); to load it anyway, set {variable} to a larger number of MB"
    )


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


def _read_csv(name: str, text: str, problems: list[Problem]) -> _Part | None:
    sheet = flatcsv.read_sheet(text)
    if sheet.header is None:
        problems.extend(Problem(name, line, "", message) for line, message in sheet.problems)
        return None
    missing = [c for c in flatcsv.REQUIRED if c not in sheet.header]
    unknown = flatcsv.unknown_columns(sheet.header)
    if missing or unknown:
        if missing:
            problems.append(Problem(name, 1, "", f"missing column(s): {', '.join(missing)}"))
        if unknown:
            problems.append(Problem(name, 1, "", f"unknown column(s): {visible(', '.join(unknown))}; "
                                                 f"allowed: {', '.join(flatcsv.COLUMNS)}"))  # fmt: skip
        return None
    events: list[dict[str, Any]] = []
    row_lines: list[int] = []
    for line, row in sheet.rows:
        record, row_problems = flatcsv.row_to_record(row)
        problems.extend(Problem(name, line, column, message) for column, message in row_problems)
        events.append(record)
        row_lines.append(line)
    problems.extend(Problem(name, line, "", message) for line, message in sheet.problems)

    def where(loc: tuple[str | int, ...]) -> tuple[int | None, str]:
        if len(loc) >= 2 and loc[0] == "events":
            return row_lines[int(loc[1])], flatcsv.column_for(loc[2:])
        return None, dotted(loc)

    return _Part(name, {}, events, where)
