"""Read an ACLED export (the 31 standard columns, as CSV or XLSX) as our dataset.

ACLED names its sources but gives no URLs, so every event cites the ACLED record itself: publisher ACLED, ACLED's
own URL, a title naming the event id and ACLED's source names. ACLED's terms forbid passing its raw data on: an
imported file is for the user's own analysis, and the dataset's licence says so.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from timeline.formats.readers import (
    RANGE_RULE,
    Imported,
    Problems,
    ReadOptions,
    actor_glossary,
    cell,
    events_frame,
    head,
    iso_dates,
    join,
    join_rows,
    missing_columns,
    out_of_range,
    read_rows,
    result,
    text,
)

# The standard export's columns, in order (ACLED codebook, "Table 1: Data Columns").
COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
REQUIRED = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
            "notes", "source", "location", "country")  # fmt: skip
# Cite the ACLED record here: ACLED's own address, never an invented page (`--source-url` gives a better one).
ACLED_URL = "https://acleddata.com/"

# (event_type, sub_event_type) -> our event type: every pair of ACLED's codebook (Table 2). Only "Agreement"
# (peace talks, ceasefires, prisoner exchanges…) is about negotiation; political violence is context.
CROSSWALK: dict[tuple[str, str], str] = {
    ("Battles", "Armed clash"): "military_action",
    ("Battles", "Government regains territory"): "military_action",
    ("Battles", "Non-state actor overtakes territory"): "military_action",
    ("Explosions/Remote violence", "Air/drone strike"): "military_action",
    ("Explosions/Remote violence", "Chemical weapon"): "military_action",
    ("Explosions/Remote violence", "Grenade"): "military_action",
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"): "military_action",
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"): "military_action",
    ("Explosions/Remote violence", "Suicide bomb"): "military_action",
    ("Violence against civilians", "Abduction/forced disappearance"): "military_action",
    ("Violence against civilians", "Attack"): "military_action",
    ("Violence against civilians", "Sexual violence"): "military_action",
    ("Strategic developments", "Agreement"): "agreement",
    ("Strategic developments", "Disrupted weapons use"): "military_action",
    ("Strategic developments", "Arrests"): "other",
    ("Strategic developments", "Change to group/activity"): "other",
    ("Strategic developments", "Headquarters or base established"): "other",
    ("Strategic developments", "Looting/property destruction"): "other",
    ("Strategic developments", "Non-violent transfer of territory"): "other",
    ("Strategic developments", "Other"): "other",
    ("Protests", "Excessive force against protesters"): "other",
    ("Protests", "Peaceful protest"): "other",
    ("Protests", "Protest with intervention"): "other",
    ("Riots", "Mob violence"): "other",
    ("Riots", "Violent demonstration"): "other",
}
# A pair the crosswalk does not list (a newer codebook, a typo): ACLED codes political violence and disorder, so the
# fallback is context. Each such pair is named, with its count, in the report.
UNMAPPED = "military_action"


class TagIssue(NamedTuple):
    """The issue of our dataset an ACLED tag becomes."""

    id: str
    label: str
    description: str


# ACLED `tags` (semicolon-separated; a tag's name is what comes before any `=` or `:`, as in "crowd size=no report"
# or "women targeted: girls") -> the issue an event with that tag concerns. Only tags that say what an event is about
# are issues; crowd sizes and other measures are not, and stay in the summary with every tag not listed here, which
# the report names and counts. An imported dataset's issues are those of this table its events carry.
TAG_ISSUES: dict[str, TagIssue] = {
    "women targeted": TagIssue("women-targeted", "Women targeted",
                               "ACLED tag: women were the target of the event, e.g. as candidates or activists."),
    "sexual violence": TagIssue("sexual-violence", "Sexual violence",
                                "ACLED tag: the event involved sexual violence."),
    "local administrators": TagIssue("local-administrators", "Local administrators targeted",
                                     "ACLED tag: the event targeted local government officials."),
    "armed presence": TagIssue("armed-presence", "Armed presence at demonstrations",
                               "ACLED tag: armed actors were present at a demonstration."),
    "counter-demonstration": TagIssue("counter-demonstration", "Counter-demonstrations",
                                      "ACLED tag: the demonstration answered another one."),
}  # fmt: skip

# time_precision (codebook, "Time precision codes"): 1 the day; 2 a span such as a week, stored as its middle day;
# 3 the month, stored as its middle day (or its first or last day when the source says so).
PRECISIONS = {"1": "day", "2": "week", "3": "month"}
# inter1/inter2, as text (current exports) or as the older numbers -> our actor kind, conservatively.
INTER_KINDS = {
    "state forces": "state", "1": "state",
    "rebel group": "armed_group", "2": "armed_group",
    "political militia": "armed_group", "3": "armed_group",
    "identity militia": "armed_group", "4": "armed_group",
    "rioters": "other", "5": "other", "protesters": "other", "6": "other",
    "civilians": "other", "7": "other", "external/other forces": "other", "8": "other",
}  # fmt: skip
# event_date: ISO in current exports; older files and ACLED's own summaries use these (tried in order).
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%y", "%d-%m-%Y", "%d/%m/%Y")
# The columns read; the others (coordinates, codes the summary does not give) are left as they are.
_USED = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1",
         "inter1", "actor2", "assoc_actor_2", "inter2", "country", "admin1", "location", "source", "notes",
         "fatalities", "tags", "timestamp")  # fmt: skip
_FIELDS = {"id": "event_id_cnty", "start": "event_date", "precision": "time_precision", "type": "sub_event_type",
           "title": "sub_event_type", "summary": "notes", "actors": "actor1", "location": "location",
           "issues": "tags", "source_urls": "source", "source_dates": "timestamp"}  # fmt: skip


def sniff(head: str, suffix: str) -> bool:
    first = head.lstrip().split("\n", 1)[0]
    header = {h.strip() for h in next(csv.reader(io.StringIO(first)), [])}
    return {"event_id_cnty", "event_date", "sub_event_type"} <= header


def read(path: Path, options: ReadOptions) -> Imported:
    """Every row of an ACLED export (CSV, or the first sheet of an XLSX workbook) as an event: dates with ACLED's
    precision, actors with roles, types through `CROSSWALK`, notes as the summary, tags as issues through
    `TAG_ISSUES`, and the ACLED record as the source. `event_id_cnty` is kept as the event's id (lower-cased) and,
    as written, in the source's title."""
    table = read_rows(path)
    missing_columns(path, table.columns, REQUIRED, "an ACLED export")
    for column in COLUMNS:  # optional columns of the standard export may be left out
        if column not in table.columns:
            table[column] = ""
    report: list[str] = []
    extra = [c for c in table.columns if c not in COLUMNS]
    if extra:
        report.append(f"column(s) not used: {', '.join(extra)}")
    problems = Problems(path, _FIELDS)
    t = {c: text(table[c]) for c in _USED}

    ids = t["event_id_cnty"].str.lower()
    problems.rows(table, ids == "", "id", "is required")
    problems.rows(
        table,
        (ids != "") & ~ids.str.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}"),
        "id",
        "{value} is not an ACLED event id (letters and digits)",
        t["event_id_cnty"],
    )

    day = _dates(t["event_date"])
    problems.rows(
        table,
        (t["event_date"] != "") & day.isna(),
        "start",
        "{value} is not a date (use YYYY-MM-DD or 16 May 2025)",
        t["event_date"],
    )
    problems.rows(table, t["event_date"] == "", "start", "is required")
    problems.rows(table, out_of_range(day), "start", RANGE_RULE)
    precision = t["time_precision"].map(PRECISIONS)
    problems.rows(
        table,
        precision.isna(),
        "precision",
        "{value} is not an ACLED time precision (1, 2 or 3)",
        t["time_precision"],
    )
    problems.raise_any()
    # A week-precise date is the middle of its span: the event fell within the three days either side.
    start = day.where(precision != "week", day - pd.Timedelta(days=3))
    start = start.where(precision != "month", day.dt.to_period("M").dt.start_time)
    end = (day + pd.Timedelta(days=3)).where(precision == "week")

    pair = t["event_type"] + " / " + t["sub_event_type"]
    kind = pair.map({f"{a} / {b}": ours for (a, b), ours in CROSSWALK.items()})
    if kind.isna().any():
        unmapped = pair[kind.isna()].value_counts()
        listed = "; ".join(f"{name} ({n})" for name, n in unmapped.head(10).items())
        report.append(f"{int(kind.isna().sum()):,} event(s) have an ACLED type the crosswalk does not list and are "
                      f"typed `{UNMAPPED}`, the fallback: {listed}")  # fmt: skip
    kind = kind.fillna(UNMAPPED)

    glossary, actor_cells = _actors(table, t)
    issues, issue_cells = _issues(table.index, t["tags"], report)
    sources = t["source"].str.replace(r"\s*;\s*", "; ", regex=True)
    location = join(t["location"], t["admin1"].where(t["admin1"] != t["location"], ""), t["country"], sep=", ")
    title = join(t["sub_event_type"], join(t["actor1"], t["actor2"], sep=", "), location, sep=" – ")
    details = ("ACLED: " + t["event_type"] + " / " + t["sub_event_type"] + "; fatalities (ACLED's most cautious "
               "estimate): " + t["fatalities"].where(t["fatalities"] != "", "not given")
               + np.where(t["tags"] != "", "; tags: " + t["tags"], "") + ".")  # fmt: skip
    summary = join(t["notes"], details, sep="\n\n")
    stamp = pd.to_datetime(pd.to_numeric(t["timestamp"], errors="coerce"), unit="s", errors="coerce")
    publisher = options.source_publisher or "ACLED"
    events = events_frame(
        table.index, id=ids, title=title, summary=summary, type=kind, start=iso_dates(start), end=iso_dates(end),
        precision=precision, location=location, actors=actor_cells, issues=issue_cells, source_publishers=publisher,
        source_titles=cell("ACLED event " + t["event_id_cnty"] + np.where(sources != "", " (sources: " + sources
                                                                          + ")", " (no source named)")),
        source_dates=iso_dates(stamp.where(~out_of_range(stamp))), source_urls=options.source_url or ACLED_URL,
        verification="reported",
    )  # fmt: skip
    weeks, months = int((precision == "week").sum()), int((precision == "month").sum())
    if weeks or months:
        report.append(f"{weeks:,} week-precise event(s) span the 3 days either side of ACLED's middle date; "
                      f"{months:,} month-precise event(s) start on the 1st of their month")  # fmt: skip
    report.append(f"{len(events):,} event(s) cite the ACLED record ({options.source_url or ACLED_URL}); ACLED's "
                  "source names are in each source's title")  # fmt: skip
    span = f"{iso_dates(day).min()} to {iso_dates(day).max()}" if len(day) else "no dates"
    countries = ", ".join(sorted(set(t["country"]) - {""})[:8])
    meta = head(
        f"ACLED events imported from {path.name}",
        f"{len(events):,} events from an ACLED export, {span}" + (f", in {countries}" if countries else "") + ". "
        "Data: Armed Conflict Location & Event Data (ACLED), acleddata.com; cite ACLED with the date of access and "
        "the filters used.",
        f"Not yet named: imported from {path.name}",
        "ACLED terms of use and attribution policy: ACLED's data may not be passed on to others",
        glossary, [], issues,
    )  # fmt: skip
    return result(meta, events, report, _FIELDS)


def _dates(values: pd.Series) -> pd.Series:
    """`event_date` in whichever of ACLED's formats each cell uses (NaT where none fits)."""
    day = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    for fmt in DATE_FORMATS:
        missing = day.isna() & (values != "")
        if not missing.any():
            break
        day[missing] = pd.to_datetime(values[missing], format=fmt, errors="coerce").astype("datetime64[s]")
    return day


def _issues(index: pd.Index, tags: pd.Series, report: list[str]) -> tuple[list[dict], pd.Series]:
    """The issues the events' tags map to (in `TAG_ISSUES`' order) and each event's issues cell; the tags that map
    to no issue are named in the report with their counts."""
    items = tags.str.split(";").explode().str.strip()
    items = items[items.fillna("") != ""]
    names = items.str.split(r"[=:]", n=1, regex=True).str[0].str.strip().str.lower()
    issue = names.map({name: i.id for name, i in TAG_ISSUES.items()})
    unmapped = names[issue.isna()].value_counts()
    if len(unmapped):
        listed = "; ".join(f"{name} ({n:,})" for name, n in unmapped.head(10).items())
        report.append(f"{int(unmapped.sum()):,} tag(s) map to no issue and stay in the summary: {listed}")
    long = pd.DataFrame({"row": index.get_indexer(items.index), "issue": issue.to_numpy()}).dropna()
    long = long.drop_duplicates()
    used = set(long["issue"])
    vocabulary = [i._asdict() for i in TAG_ISSUES.values() if i.id in used]
    return vocabulary, join_rows(long, "issue", index)


def _actors(table: pd.DataFrame, t: dict[str, pd.Series]) -> tuple[list[dict], pd.Series]:
    """The actor glossary and each event's actors cell: actor1 and actor2 are parties (in Violence against
    civilians, actor2 is the target), associated actors third parties."""
    civilians = t["event_type"] == "Violence against civilians"
    parts = [
        (t["actor1"], "party", t["inter1"]),
        (t["actor2"], pd.Series(np.where(civilians, "target", "party"), index=table.index), t["inter2"]),
    ]
    for column in ("assoc_actor_1", "assoc_actor_2"):  # several names, separated by ";"
        names = t[column].str.split(";").explode().str.strip()
        parts.append((names, "third_party", pd.Series("", index=names.index)))
    long = pd.concat(
        [pd.DataFrame({"row": np.asarray(table.index.get_indexer(names.index)), "order": k, "name": names.to_numpy(),
                       "role": role.reindex(names.index).to_numpy() if isinstance(role, pd.Series) else role,
                       "kind": inter.str.lower().map(INTER_KINDS).fillna("").to_numpy()})
         for k, (names, role, inter) in enumerate(parts)], ignore_index=True)  # fmt: skip
    long = long[long["name"].fillna("") != ""]
    glossary, ids = actor_glossary(long["name"], long["kind"], "Named in ACLED's data as “{name}”.")
    long = long.assign(cell=long["name"].map(ids) + ":" + long["role"]).drop_duplicates(["row", "cell"])
    return glossary, join_rows(long.sort_values(["row", "order"], kind="stable"), "cell", table.index)
