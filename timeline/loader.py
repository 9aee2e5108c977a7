"""Load curated YAML and flat CSV files into one validated `Dataset`, or refuse them with every problem."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import flatcsv
from .errors import DatasetError, Problem
from .messages import describe, dotted, show
from .rules import check_events, check_metadata, check_story
from .schema import Dataset, Event

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "gaza-ceasefire.yaml"


class _Loader(yaml.SafeLoader):
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
    for part in parts:
        for index, raw in enumerate(part.events):
            event = _validate(Event, raw, part, ("events", index), problems)
            if event is not None:
                events.append(event)
                origins.append((part, index))
    meta = meta_parts[0].meta
    # Story steps may name events that failed validation: those are reported once, where they are.
    raw_ids = {raw.get("id") for part in parts for raw in part.events if isinstance(raw, dict)}
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
        problems.extend(_problem(part, (*prefix, *err["loc"]), describe(err)) for err in exc.errors())
        return None


def _read(path: Path, problems: list[Problem]) -> _Part | None:
    name = str(path)
    if not path.is_file():
        problems.append(Problem(name, None, "", "no such file"))
        return None
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv"):
        problems.append(Problem(name, None, "", "unsupported file type: use .yaml, .yml or .csv"))
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, None, "", f"is not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return None
    return _read_csv(name, text, problems) if suffix == ".csv" else _read_yaml(name, text, problems)


def _read_yaml(name: str, text: str, problems: list[Problem]) -> _Part | None:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(name, mark.line + 1 if mark else None, "", f"not valid YAML: {exc}"))
        return None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        problems.append(Problem(name, 1, "", "must be a YAML mapping with keys such as title, actors and events"))
        return None
    lines: dict[tuple, int] = {}
    _index_lines(node, (), lines, name, problems)

    def where(loc: tuple[str | int, ...]) -> tuple[int | None, str]:
        for cut in range(len(loc), -1, -1):
            if loc[:cut] in lines:
                return lines[loc[:cut]], dotted(loc)
        return None, dotted(loc)

    events = data.get("events", [])
    if not isinstance(events, list):
        problems.append(Problem(name, lines.get(("events",)), "events", f"must be a list, not {show(events)}"))
        events = []
    meta = {k: v for k, v in data.items() if k != "events"}
    return _Part(name, meta, events, where)


def _index_lines(node: yaml.Node, loc: tuple, lines: dict[tuple, int], name: str, problems: list[Problem]) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                problems.append(
                    Problem(
                        name,
                        key.start_mark.line + 1,
                        dotted((*loc, key.value)),
                        "appears twice in the same mapping; the first value would be lost",
                    )
                )
            seen.add(key.value)
            _index_lines(value, (*loc, key.value), lines, name, problems)
            lines[(*loc, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*loc, i), lines, name, problems)


def _read_csv(name: str, text: str, problems: list[Problem]) -> _Part | None:
    fields = next(csv.reader(io.StringIO(text)), [])
    missing = [c for c in flatcsv.REQUIRED if c not in fields]
    unknown = flatcsv.unknown_columns(fields)
    if missing or unknown:
        if missing:
            problems.append(Problem(name, 1, "", f"missing column(s): {', '.join(missing)}"))
        if unknown:
            problems.append(
                Problem(name, 1, "", f"unknown column(s): {', '.join(unknown)}; allowed: {', '.join(flatcsv.COLUMNS)}")
            )
        return None
    rows = list(flatcsv.read_rows(text))
    events: list[dict[str, Any]] = []
    row_lines: list[int] = []
    for line, row in rows:
        record, row_problems = flatcsv.row_to_record(row)
        problems.extend(Problem(name, line, column, message) for column, message in row_problems)
        events.append(record)
        row_lines.append(line)

    def where(loc: tuple[str | int, ...]) -> tuple[int | None, str]:
        if len(loc) >= 2 and loc[0] == "events":
            return row_lines[int(loc[1])], flatcsv.column_for(loc[2:])
        return None, dotted(loc)

    return _Part(name, {}, events, where)
