"""Read a GDELT 2.0 events export (61 tab-separated columns, no header) as our dataset.

GDELT codes news reports by machine: every event says so in its summary, is `reported` at most, and cites the
article GDELT coded it from. Event codes are typed through the CAMEO crosswalk of the vocabulary (`vocab.CAMEO`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from timeline.data.vocab import CAMEO, CAMEO_ROOTS
from timeline.errors import DatasetError, Problem
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
    join,
    out_of_range,
    read_table,
    read_text,
    result,
    text,
)

COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions",
    "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)  # fmt: skip

QUAD_CLASSES = {"1": "verbal cooperation", "2": "material cooperation", "3": "verbal conflict",
                "4": "material conflict"}  # fmt: skip
# `--cameo-root negotiation`: the roots of talking, offering and yielding.
NEGOTIATION_ROOTS = frozenset({"03", "04", "05", "06", "08"})
# Actor type codes (CAMEO actor codebook) -> our actor kind; any other actor is `other`.
ACTOR_KINDS = {"GOV": "state", "MIL": "state", "IGO": "igo", "NGO": "ngo", "REB": "armed_group",
               "INS": "armed_group", "SEP": "armed_group"}  # fmt: skip
_FIELDS = {"id": "GLOBALEVENTID", "start": "SQLDATE", "type": "EventCode", "source_urls": "SOURCEURL"}
# Same day, actors, code and article: one event coded twice.
_SAME = ["SQLDATE", "Actor1Code", "Actor1Name", "Actor2Code", "Actor2Name", "EventCode", "SOURCEURL"]


def sniff(head: str, suffix: str) -> bool:
    first = head.split("\n", 1)[0].rstrip("\r").split("\t")
    return len(first) == len(COLUMNS) and first[0].isdigit() and len(first[1]) == 8 and first[1].isdigit()


def cameo_type(codes: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(our type, GDELT's label, how it was found: "code", "base", "root" or "") for each CAMEO event code, through
    `vocab.CAMEO` (the code, then its three-digit base) and `vocab.CAMEO_ROOTS`."""
    found = pd.Series("", index=codes.index, dtype=object)
    kind = pd.Series(np.nan, index=codes.index, dtype=object)
    label = pd.Series(np.nan, index=codes.index, dtype=object)
    for how, keys, table in (("code", codes, CAMEO), ("base", codes.str.slice(0, 3), CAMEO),
                             ("root", codes.str.slice(0, 2), CAMEO_ROOTS)):  # fmt: skip
        hit = kind.isna() & keys.isin(table.keys())
        kind[hit] = keys[hit].map({k: c.type for k, c in table.items()})
        label[hit] = keys[hit].map({k: c.label for k, c in table.items()})
        found[hit] = how
    return kind.fillna("other"), label.fillna("unknown CAMEO code"), found


def read(path: Path, options: ReadOptions) -> Imported:
    """Every row of a GDELT 2.0 events export as an event (after the optional CAMEO-root filter and merging
    duplicates): SQLDATE the day, the actors by name, EventCode through the CAMEO crosswalk, SOURCEURL the source."""
    table = read_table(path, read_text(path), sep="\t", header=None, quoting=csv.QUOTE_NONE, skip_blank_lines=False)
    if table.shape[1] != len(COLUMNS):
        raise_columns(path, table.shape[1])
    table.columns = list(COLUMNS)
    table.index = pd.RangeIndex(1, len(table) + 1, name="line")
    table = table[table["GLOBALEVENTID"].str.strip() != ""]
    report: list[str] = []
    t = {c: text(table[c]) for c in ("GLOBALEVENTID", "SQLDATE", "EventCode", "EventRootCode", "SOURCEURL",
                                     "Actor1Name", "Actor2Name", "Actor1Code", "Actor2Code", "DATEADDED")}  # fmt: skip
    problems = Problems(path, _FIELDS)
    problems.rows(
        table,
        ~t["GLOBALEVENTID"].str.fullmatch(r"\d{1,30}"),
        "id",
        "{value} is not a GDELT event id (digits)",
        t["GLOBALEVENTID"],
    )
    day = pd.to_datetime(t["SQLDATE"], format="%Y%m%d", errors="coerce")
    problems.rows(table, day.isna(), "start", "{value} is not a date (YYYYMMDD)", t["SQLDATE"])
    problems.rows(table, out_of_range(day), "start", RANGE_RULE)
    problems.rows(
        table,
        ~t["EventCode"].str.fullmatch(r"\d{2,4}"),
        "type",
        "{value} is not a CAMEO event code",
        t["EventCode"],
    )
    problems.raise_any()

    root = t["EventCode"].str.slice(0, 2)
    if options.cameo_roots is not None:
        keep = root.isin(options.cameo_roots)
        report.append(f"{int((~keep).sum()):,} of {len(table):,} row(s) left out: their CAMEO root is not one of "
                      f"{', '.join(sorted(options.cameo_roots))} (--cameo-root)")  # fmt: skip
        table, day, root = table[keep], day[keep], root[keep]
        t = {k: v[keep] for k, v in t.items()}
    key = pd.DataFrame({c: text(table[c]) for c in _SAME}).groupby(_SAME, sort=False).ngroup()
    first_id = t["GLOBALEVENTID"].groupby(key).transform("first")
    duplicate = key.duplicated()
    also = t["GLOBALEVENTID"][duplicate].groupby(first_id[duplicate]).agg(", ".join)
    if duplicate.any():
        report.append(f"{int(duplicate.sum()):,} row(s) repeat an event (same day, actors, CAMEO code and article) "
                      "and were merged into it; its summary lists their ids")  # fmt: skip
    keep = ~duplicate
    table, day, root = table[keep], day[keep], root[keep]
    t = {k: v[keep] for k, v in t.items()}
    merged = t["GLOBALEVENTID"].map(also).fillna("")

    kind, label, how = cameo_type(t["EventCode"])
    counts = how.value_counts()
    report.append(f"CAMEO codes: {counts.get('code', 0) + counts.get('base', 0):,} event(s) typed by their code, "
                  f"{counts.get('root', 0):,} by their root code alone; {int((kind == 'other').sum()):,} typed "
                  "`other`")  # fmt: skip
    glossary, actor_cells = _actors(table, t)
    a1 = t["Actor1Name"].where(t["Actor1Name"] != "", t["Actor1Code"])
    a2 = t["Actor2Name"].where(t["Actor2Name"] != "", t["Actor2Code"])
    quad = text(table["QuadClass"])
    summary = (
        "Machine-coded by GDELT from news reports, not checked by a person. CAMEO " + t["EventCode"] + ": " + label
        + ". " + join(a1.where(a1 != "", "(no actor coded)"), a2, sep=" → ") + ". QuadClass " + quad + " ("
        + quad.map(QUAD_CLASSES).fillna("unknown") + "); Goldstein scale " + text(table["GoldsteinScale"]) + "; "
        + text(table["NumMentions"]) + " mention(s) in " + text(table["NumSources"]) + " source(s) in its first 15 "
        "minutes." + np.where(merged != "", " Also coded as GDELT event(s) " + merged + ".", "")
    )  # fmt: skip
    title = join(join(a1, label, sep=": "), a2, sep=" – ")
    url = t["SOURCEURL"]
    linked = is_http(url)
    added = pd.to_datetime(t["DATEADDED"].str.slice(0, 8), format="%Y%m%d", errors="coerce")
    events = events_frame(
        table.index, id="gdelt-" + t["GLOBALEVENTID"], title=title, summary=summary, type=kind,
        start=iso_dates(day), precision="day", location=text(table["ActionGeo_FullName"]), actors=actor_cells,
        source_publishers=cell(hosts(url.where(linked, ""))),
        source_titles=np.where(linked, "Article coded as GDELT event " + t["GLOBALEVENTID"], ""),
        source_dates=iso_dates(added.where(linked & ~out_of_range(added))),
        source_urls=cell(url.where(linked, "")), verification="reported",
    )  # fmt: skip
    cite_or_flag(events, ~linked.to_numpy(), options, "GDELT 2.0 event data", report)
    span = f"{iso_dates(day).min()} to {iso_dates(day).max()}" if len(day) else "no dates"
    meta = head(
        f"GDELT events imported from {path.name}",
        f"{len(events):,} events from a GDELT 2.0 events export, {span}. GDELT codes news reports by machine with "
        "CAMEO codes: check each event against its article before relying on it.",
        f"Not yet named: imported from {path.name}",
        "GDELT Project data, free to use with a citation of the GDELT Project (gdeltproject.org)",
        glossary, [],
    )  # fmt: skip
    return result(meta, events, report, _FIELDS)


def raise_columns(path: Path, count: int) -> None:
    raise DatasetError(
        [
            Problem(
                str(path),
                1,
                "",
                f"has {count} tab-separated columns; a GDELT 2.0 events export "
                f"has {len(COLUMNS)} (GDELT 1.0 files are not supported)",
            )
        ]
    )


def _actors(table: pd.DataFrame, t: dict[str, pd.Series]) -> tuple[list[dict], pd.Series]:
    """Actor1 is the source of the act, Actor2 its target: a mediator in 045, a host in 043 (Actor2 in 042); the
    target of a demand, threat or other conflict event (roots 10–20); otherwise both are parties."""
    code, root = t["EventCode"], t["EventCode"].str.slice(0, 2).astype(int)
    role1 = np.select([code == "045", code == "043"], ["mediator", "host"], "party")
    role2 = np.select([code == "042", root >= 10], ["host", "target"], "party")
    names, kinds = [], []
    for n in ("1", "2"):
        name = t[f"Actor{n}Name"]
        kind = text(table[f"Actor{n}Type1Code"]).map(ACTOR_KINDS).fillna("")
        names.append(name)
        kinds.append(kind)
    glossary, ids = actor_glossary(pd.concat(names), pd.concat(kinds), "Named by GDELT's machine coding as “{name}”.")
    one, two = names[0].map(ids).fillna(""), names[1].map(ids).fillna("")
    first = pd.Series(np.where(one != "", one + ":" + role1, ""), index=table.index, dtype=object)
    second = pd.Series(np.where(two != "", two + ":" + role2, ""), index=table.index, dtype=object)
    return glossary, join(first, second)
