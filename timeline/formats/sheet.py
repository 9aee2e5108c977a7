"""Read any spreadsheet, CSV or XLSX, with a column mapping that says which column holds which field.

The mapping comes from a small YAML file (`--map mapping.yaml`) or `--map FIELD=COLUMN` options:

    columns: {start: Date, title: Headline, summary: Notes, actors: Who, type: Kind, source_url: Link}
    types: {Meeting: talks_held, Statement: statement}   # the sheet's own type names -> ours (optional)

Values that cannot be mapped (a date in no known form, a type that is not ours) are reported, never guessed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from timeline.data.messages import show, visible
from timeline.data.vocab import EVENT_TYPES, PRECISIONS, ROLES, STATUSES, VERIFICATIONS
from timeline.errors import DatasetError, Problem, TimelineError
from timeline.formats.readers import (
    RANGE_RULE,
    Imported,
    Problems,
    ReadOptions,
    actor_glossary,
    cell,
    cite_or_flag,
    events_frame,
    head,
    hosts,
    is_http,
    iso_dates,
    join_rows,
    out_of_range,
    read_rows,
    result,
    slugs,
    text,
    unique_ids,
    unsourced_allowed,
)

# Our field -> what it holds, for `--map FIELD=COLUMN`.
FIELDS: dict[str, str] = {
    "start": "the date, or first day (required): YYYY-MM-DD, YYYY-MM, YYYY, 16 May 2025 or May 2025",
    "title": "a short headline (required)",
    "end": "the last day of a range",
    "summary": "the text (the title if not mapped)",
    "type": "the event type: one of ours, or a value named under `types:` in a mapping file",
    "actors": "actor names separated by ';', each optionally name:role",
    "source_url": "http(s) links to the sources, separated by ';' or spaces (a row without one is unsourced)",
    "source_publisher": "who published the source",
    "source_title": "the source's headline",
    "source_date": "when the source was published",
    "id": "a stable id (made from the date and title if not mapped)",
    "location": "where it happened",
    "display_date": "the date in words, e.g. mid-March 2024",
    "precision": "one of: " + ", ".join(t.id for t in PRECISIONS),
    "status": "one of: " + ", ".join(t.id for t in STATUSES),
    "verification": "one of: " + ", ".join(t.id for t in VERIFICATIONS),
}
REQUIRED = ("start", "title")
_TYPE_IDS = {t.id for t in EVENT_TYPES}
_TYPE_NAMES = {**{t.label.lower(): t.id for t in EVENT_TYPES}, **{t.id: t.id for t in EVENT_TYPES}}
_ROLES = {t.id for t in ROLES}
_CHOICES = {"precision": {t.id for t in PRECISIONS}, "status": {t.id for t in STATUSES},
            "verification": {t.id for t in VERIFICATIONS}}  # fmt: skip
# Date forms, tried in order: (pattern the cell must match, strptime format, precision).
_DATE_FORMS = (
    (r"\d{4}-\d{1,2}-\d{1,2}", "%Y-%m-%d", "day"),
    (r"\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{2}(:\d{2})?", "ISO8601", "day"),  # a spreadsheet's date and time
    (r"\d{4}-\d{1,2}", "%Y-%m", "month"),
    (r"\d{4}", "%Y", "year"),
    (r"\d{1,2} [A-Za-z]{3} \d{4}", "%d %b %Y", "day"),
    (r"\d{1,2} [A-Za-z]{4,} \d{4}", "%d %B %Y", "day"),
    (r"[A-Za-z]{3} \d{4}", "%b %Y", "month"),
    (r"[A-Za-z]{4,} \d{4}", "%B %Y", "month"),
)
_DATE_RULE = "is not a date in a form read without guessing: YYYY-MM-DD, YYYY-MM, YYYY, 16 May 2025 or May 2025"


def sniff(head: str, suffix: str) -> bool:
    """Never guessed: a spreadsheet is read only when a mapping names its columns."""
    return False


def mapping(values: tuple[str, ...] | list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(columns, types) from `--map` values: each the path of a YAML mapping file or `FIELD=COLUMN`.

    A value is a file when a file of that name exists; else, unless it ends in `.yaml` or `.yml`, `FIELD=COLUMN`
    with one of our fields before the `=`. Anything else is refused, so a mistyped file name is never read as a
    column."""
    columns: dict[str, str] = {}
    types: dict[str, str] = {}
    for value in values:
        field, sep, column = value.partition("=")
        if Path(value).is_file():
            loaded = _mapping_file(Path(value))
            columns.update(loaded.get("columns", {}))
            types.update(loaded.get("types", {}))
        elif sep and not value.lower().endswith((".yaml", ".yml")):
            if field.strip() not in FIELDS:
                raise TimelineError(f"--map: unknown field {visible(field.strip())!r} in {visible(value)!r}; the "
                                    f"fields are: {', '.join(FIELDS)}")  # fmt: skip
            columns[field.strip()] = column.strip()
        else:
            raise TimelineError(f"--map {visible(value)}: no such mapping file; give a YAML mapping file or "
                                "FIELD=COLUMN, e.g. --map start=Date")  # fmt: skip
    unknown = [f for f in columns if f not in FIELDS]  # from a file
    if unknown:
        raise TimelineError(f"--map: unknown field(s) {visible(', '.join(unknown))}; the fields are: "
                            f"{', '.join(FIELDS)}")  # fmt: skip
    wrong = {k: v for k, v in types.items() if v not in _TYPE_IDS}
    if wrong:
        listed = ", ".join(f"{show(k)}: {show(v)}" for k, v in wrong.items())
        raise TimelineError(f"--map: types {listed} name no event type of ours; ours are: {', '.join(_TYPE_IDS)}")
    return columns, types


def _mapping_file(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise TimelineError(f"--map {path}: cannot be read ({reason})") from None
    except yaml.YAMLError as exc:
        raise TimelineError(f"--map {path}: not valid YAML ({visible(' '.join(str(exc).split()))})") from None
    if isinstance(data, dict) and "columns" not in data and "types" not in data:
        data = {"columns": data}  # a plain FIELD: COLUMN mapping
    if not isinstance(data, dict) or not all(isinstance(data.get(k, {}), dict) for k in ("columns", "types")):
        raise TimelineError(f"--map {path}: must be a mapping with `columns:` (field: column) and optional `types:`")
    return {k: {str(a): str(b) for a, b in (data.get(k) or {}).items()} for k in ("columns", "types")}


def read(path: Path, options: ReadOptions) -> Imported:
    """The sheet's rows (CSV or the first sheet of an XLSX workbook) as events, each field read from the column the
    mapping names."""
    columns = options.columns
    unmapped = [f for f in REQUIRED if f not in columns]
    # Without a source column every event would be unsourced: refused here, at once, while the schema has no place
    # for such events.
    if "source_url" not in columns and not options.source_url and not unsourced_allowed():
        unmapped.append("source_url")
    if unmapped:
        raise TimelineError("the column mapping names no column for: " + ", ".join(unmapped) + "; give each with "
                            "--map FIELD=COLUMN (e.g. --map start=Date), or cite one page for every event with "
                            "--source-url URL --source-publisher NAME")  # fmt: skip
    table = read_rows(path)
    absent = {f: c for f, c in columns.items() if c not in table.columns}
    if absent:
        named = ", ".join(f"{show(c)} (for {f})" for f, c in absent.items())
        raise DatasetError([Problem(str(path), 1, "", f"no column {named}; the sheet's columns are: "
                                                      f"{visible(', '.join(table.columns))}")])  # fmt: skip
    fields = {**columns, "source_urls": columns.get("source_url", "source_url"),
              "source_dates": columns.get("source_date", "source_date")}  # fmt: skip
    problems = Problems(path, fields)
    report: list[str] = []
    get = {f: text(table[c]) if c else pd.Series("", index=table.index) for f, c in
           {f: columns.get(f, "") for f in FIELDS}.items()}  # fmt: skip

    start, precision = _dates(get["start"], table, problems, "start", required=True)
    end, _ = _dates(get["end"], table, problems, "end", required=False)
    problems.rows(table, get["title"] == "", "title", "is required")
    for name, allowed in _CHOICES.items():
        bad = (get[name] != "") & ~get[name].isin(allowed)
        problems.rows(table, bad, name, "{value} is not one of: " + ", ".join(sorted(allowed)), get[name])
    kind = get["type"].str.lower().map(_TYPE_NAMES).astype(object)
    if options.types:  # the sheet's own names first
        own = get["type"].map(options.types).astype(object)
        kind = own.where(own.notna(), kind)
    kind[get["type"] == ""] = "other"
    problems.rows(
        table,
        kind.isna(),
        "type",
        "{value} is not an event type; name ours for it under `types:` in a mapping file",
        get["type"],
    )
    untyped = int((get["type"] == "").sum())
    if untyped:
        report.append(f"{untyped:,} event(s) have no type in the sheet and are typed `other`")
    source_dates, _ = _dates(get["source_date"], table, problems, "source_dates", required=False)
    problems.raise_any()
    precision = get["precision"].where(get["precision"] != "", precision)
    summary = get["summary"].where(get["summary"] != "", get["title"])
    if "summary" in columns and (get["summary"] == "").any():
        report.append(f"{int((get['summary'] == '').sum()):,} event(s) have no summary: their title is used")

    glossary, actor_cells = _actors(get["actors"], table.index)
    urls, publishers, titles, dropped = _sources(get, table.index)
    if dropped:
        report.append(f"{dropped:,} source link(s) are not http(s) (e.g. javascript:, data: or plain names) and "
                      "were left out")  # fmt: skip
    given = get["id"]
    ids = given.where(given.str.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}"), slugs(given, "event"))
    made = iso_dates(start) + "-" + slugs(get["title"], "event").str.slice(0, 50).str.strip("-")
    ids, renumbered = unique_ids(ids.where(given != "", made))
    if renumbered:
        report.append(f"{renumbered:,} event id(s) were repeated and were numbered (-2, -3…)")
    events = events_frame(
        table.index, id=ids, title=get["title"], summary=summary, type=kind, status=get["status"],
        start=iso_dates(start), end=iso_dates(end), precision=precision, display_date=get["display_date"],
        location=get["location"], actors=actor_cells, source_publishers=publishers, source_titles=titles,
        source_dates=np.where((urls != "") & ~urls.str.contains(";"), iso_dates(source_dates), ""),
        source_urls=urls, verification=get["verification"].where(get["verification"] != "", "reported"),
    )  # fmt: skip
    cite_or_flag(events, urls == "", options, f"{path.stem} (the imported sheet)", report)
    meta = head(f"Events imported from {path.name}", f"Imported from the spreadsheet {path.name}.",
                f"Not yet named: imported from {path.name}", "Not stated: the spreadsheet's own terms apply",
                glossary, [])  # fmt: skip
    return result(meta, events, report, fields)


def _dates(values: pd.Series, table: pd.DataFrame, problems: Problems, field: str,
           required: bool) -> tuple[pd.Series, pd.Series]:  # fmt: skip
    """Each cell's first day and precision, from the first of `_DATE_FORMS` it matches whole."""
    day = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    precision = pd.Series("", index=values.index, dtype=object)
    for pattern, fmt, level in _DATE_FORMS:
        hit = (precision == "") & values.str.fullmatch(pattern)
        if hit.any():
            day[hit] = pd.to_datetime(values[hit], format=fmt, errors="coerce").dt.normalize().astype("datetime64[s]")
            precision[hit] = level
    unread = (values != "") & day.isna()
    problems.rows(table, unread, field, "{value} " + _DATE_RULE, values)
    if required:
        problems.rows(table, values == "", field, "is required")
    problems.rows(table, out_of_range(day), field, RANGE_RULE)
    return day, precision


def _actors(cells: pd.Series, index: pd.Index) -> tuple[list[dict[str, Any]], pd.Series]:
    """Names separated by `;`, each optionally `name:role` (a role of ours); without one, a third party."""
    items = cells.str.split(";").explode().str.strip()
    items = items[items.fillna("") != ""]
    parts = pd.DataFrame({"row": index.get_indexer(items.index), "name": items.to_numpy(), "role": "third_party"})
    if len(items):
        name, _, role = (items.str.rpartition(":")[k].str.strip() for k in range(3))
        has_role = (role.isin(_ROLES) & (name != "")).to_numpy()
        parts.loc[has_role, "name"] = name.to_numpy()[has_role]
        parts.loc[has_role, "role"] = role.to_numpy()[has_role]
    glossary, ids = actor_glossary(parts["name"], pd.Series("", index=parts.index),
                                   "Named in the imported sheet as “{name}”.")  # fmt: skip
    parts["cell"] = parts["name"].map(ids) + ":" + parts["role"]
    return glossary, join_rows(parts.drop_duplicates(["row", "cell"]), "cell", index)


def _sources(get: dict[str, pd.Series], index: pd.Index) -> tuple[pd.Series, pd.Series, pd.Series, int]:
    """(urls, publishers, titles) cells: one source per http(s) link; and how many links were not http(s)."""
    links = get["source_url"].str.split(r"[;\s]+").explode()
    links = links[links.fillna("") != ""]
    good = is_http(links)
    dropped = int((~good).sum())
    links = links[good]
    row = pd.Series(index.get_indexer(links.index), index=links.index)
    single = row.map(row.value_counts()) == 1
    publisher = get["source_publisher"].reindex(links.index)
    title = get["source_title"].reindex(links.index)
    table = pd.DataFrame({
        "row": row.to_numpy(),
        "url": cell(links).to_numpy(),
        "publisher": cell(publisher.where(single & (publisher != ""), hosts(links))).to_numpy(),
        "title": cell(title.where(single & (title != ""), links)).to_numpy(),
    })  # fmt: skip
    out = [join_rows(table, column, index) for column in ("url", "publisher", "title")]
    return out[0], out[1], out[2], dropped
