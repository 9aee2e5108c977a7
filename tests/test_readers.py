"""Readers for other people's data (TimelineJS, ACLED, GDELT, spreadsheets) and `timeline import`."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from timeline.data.frame import build_frame
from timeline.data.schema import Issue
from timeline.data.vocab import CAMEO, CAMEO_ROOTS, EVENT_TYPE_BY_ID, EVENT_TYPES
from timeline.errors import DatasetError, TimelineError
from timeline.formats import acled, flatcsv, gdelt, readers
from timeline.formats.importing import import_command, meta_path
from timeline.formats.loader import BUNDLED, load_dataset, load_frame, load_imported
from timeline.formats.readers import READERS, Imported, ReadOptions, choose, read
from timeline.formats.sheet import mapping
from timeline.formats.timelinejs import to_timelinejs
from timeline.text.eventhtml import TEMPLATES, event_text

from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent
READERS_DIR = Path(__file__).parent / "fixtures" / "readers"
TJ_JSON = READERS_DIR / "timelinejs.json"
TJ_SHEET = READERS_DIR / "timelinejs-sheet.csv"
ACLED = READERS_DIR / "acled.csv"
GDELT = READERS_DIR / "gdelt.export.CSV"
SHEET = READERS_DIR / "sheet.csv"
SHEET_MAP = READERS_DIR / "sheet-mapping.yaml"
CITE = ReadOptions(source_url="https://example.org/timeline", source_publisher="Example Newsroom")
HOSTILE = re.compile(r"<\s*script|onerror|onclick|onmouseover|javascript:|data:text|alert\(|document\.cookie", re.I)


def events_by_id(imported: Imported) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in imported.events.to_dict("records")}


def every_text(imported: Imported) -> str:
    return json.dumps(imported.meta) + "\n".join(imported.events.astype(str).to_numpy().ravel())


def problems_of(call) -> list[str]:
    with pytest.raises(DatasetError) as caught:
        call()
    return [str(p) for p in caught.value.problems]


# ---------------------------------------------------------------- the contract every reader keeps


@pytest.mark.parametrize(
    ("path", "options"),
    [(TJ_JSON, CITE), (TJ_SHEET, ReadOptions()), (ACLED, ReadOptions()), (GDELT, ReadOptions()),
     (SHEET, ReadOptions(*(None, None), *mapping([str(SHEET_MAP)])))],
)  # fmt: skip
def test_every_reader_gives_the_flat_columns_as_text_and_a_valid_dataset(path, options):
    imported = read(path, options=options)
    assert tuple(imported.events.columns) == readers.COLUMNS
    assert imported.events.index.name in ("line", "record")
    assert all(isinstance(v, str) for v in imported.events.to_numpy().ravel())
    data = load_imported(imported, path)
    assert len(data.events) == len(imported.events) and data.actors


@pytest.mark.parametrize(
    ("path", "name"), [(TJ_JSON, "timelinejs"), (TJ_SHEET, "timelinejs"), (ACLED, "acled"), (GDELT, "gdelt")]
)
def test_the_format_is_recognised_from_the_content(path, name):
    assert choose(path).name == name


def our_flat_csv(path: Path) -> Path:
    path.write_text(flatcsv.write_events(load_dataset([MINI]).events), encoding="utf-8")
    return path


def test_sniff_tells_csv_formats_apart_by_their_header_not_their_suffix(tmp_path):
    """ACLED, TimelineJS sheet, our flat CSV and someone's own sheet all come as .csv; a suffix decides nothing."""
    copies = {}
    for name, source in (("acled", ACLED), ("timelinejs", TJ_SHEET), ("sheet", SHEET)):
        copies[name] = tmp_path / f"{name}.csv"
        copies[name].write_bytes(source.read_bytes())
    copies["flat"] = our_flat_csv(tmp_path / "events.csv")
    found = {name: readers.sniff(path) for name, path in copies.items()}
    assert found == {"acled": "acled", "timelinejs": "timelinejs", "sheet": None, "flat": readers.FLAT}
    renamed = tmp_path / "export.txt"  # neither suffix nor name says ACLED
    renamed.write_bytes(ACLED.read_bytes())
    assert readers.sniff(renamed) == "acled"
    mislabelled = tmp_path / "gdelt.csv"  # GDELT named .csv is still GDELT; our CSV named .tsv is still ours
    mislabelled.write_bytes(GDELT.read_bytes())
    assert readers.sniff(mislabelled) == "gdelt"
    assert readers.sniff(our_flat_csv(tmp_path / "ours.tsv")) == readers.FLAT


def test_a_spreadsheet_needs_a_mapping_and_our_own_csv_is_pointed_to_validate(tmp_path):
    assert any(f"{SHEET}: its format is not recognised; name it with --format" in p for p in problems_of(
        lambda: choose(SHEET)))  # fmt: skip
    ours = our_flat_csv(tmp_path / "events.csv")
    assert "already the tool's flat CSV" in problems_of(lambda: choose(ours))[0]
    assert choose(SHEET, mapped=True).name == "sheet"
    assert {r.name for r in READERS} == {"timelinejs", "acled", "gdelt", "sheet"}


# ---------------------------------------------------------------- TimelineJS


def test_timelinejs_json_maps_dates_precision_groups_sources_and_eras():
    imported = read(TJ_JSON, options=CITE)
    events = events_by_id(imported)
    assert set(events) == {"talks-open", "2024-04-01-beta-answers-the-proposal", "year-of-talks", "no-source"}
    talks = events["talks-open"]
    assert (talks["start"], talks["end"], talks["precision"]) == ("2024-03-03", "", "day")
    assert talks["actors"] == "alpha-state:third_party"
    assert talks["source_urls"] == "https://example.org/talks-open?x=1&y=2"  # from the link in the text
    assert talks["source_titles"] == "the report" and talks["source_publishers"] == "example.org"
    assert talks["summary"] == "Delegations of Alpha and Beta met under Gamma's mediation.\nRead the report."
    answer = events["2024-04-01-beta-answers-the-proposal"]
    assert (answer["start"], answer["precision"]) == ("2024-04-01", "month")
    assert (answer["source_urls"], answer["source_publishers"]) == ("https://example.org/beta-answer", "Example News")
    year = events["year-of-talks"]  # a unique_id that is not an id is made one
    assert (year["start"], year["end"], year["precision"]) == ("2023-01-01", "2024-12-31", "year")
    shuttle = events["no-source"]
    assert (shuttle["start"], shuttle["end"], shuttle["display_date"]) == (
        "2024-03-10", "2024-03-12", "10–12 March, by most accounts")  # fmt: skip
    assert shuttle["source_urls"] == "https://example.org/timeline"  # --source-url, for want of its own
    assert shuttle["source_publishers"] == "Example Newsroom"
    meta = imported.meta
    assert meta["title"] == "Harbour talks 2024"
    assert meta["description"] == "A newsroom timeline of the harbour talks between Alpha and Beta."
    assert [(a["id"], a["name"], a["kind"]) for a in meta["actors"]] == [
        ("alpha-state", "Alpha State", "other"),
        ("beta-movement", "Beta Movement", "other"),
        ("gamma", "Gamma", "other"),
    ]
    assert meta["phases"] == [{"id": "round-one", "label": "Round one", "start": "2024-03-01", "end": "2024-03-31",
                               "description": "The first round."}]  # fmt: skip


def test_the_sanitiser_strips_scripts_handlers_and_javascript_links_and_counts_them():
    imported = read(TJ_JSON, options=CITE)
    assert not HOSTILE.search(every_text(imported)), HOSTILE.search(every_text(imported))
    events = events_by_id(imported)
    answer = events["2024-04-01-beta-answers-the-proposal"]
    assert answer["title"] == "Beta answers the proposal"  # the script's text goes with it
    assert answer["summary"] == "Beta sent its answer.\nclick me"  # a dropped link keeps its words, not its URL
    assert "<" not in answer["summary"] and "<" not in imported.meta["title"]
    note = next(line for line in imported.report if "converted to plain text" in line)
    assert "2 script, style, iframe or other active element(s)" in note
    assert "2 event-handler attribute(s)" in note and "3 javascript:, data: or vbscript: link(s)" in note


def test_an_event_with_no_http_source_is_marked_unsourced_and_given_no_source():
    imported = read(TJ_JSON)
    events = events_by_id(imported)
    shuttle = events["no-source"]
    assert shuttle[readers.UNSOURCED] == "true"
    assert [shuttle[c] for c in readers.SOURCE_COLUMNS] == ["", "", "", ""]  # nothing made up
    assert [e[readers.UNSOURCED] for k, e in events.items() if k != "no-source"] == ["", "", ""]
    assert imported.unsourced == 1
    assert any("1 event(s) have no http(s) link to cite and are marked unsourced" in line for line in imported.report)
    cited = read(TJ_JSON, options=CITE)  # the explicit alternative: the user names the page to cite
    assert cited.unsourced == 0 and events_by_id(cited)["no-source"]["source_urls"] == CITE.source_url


@pytest.mark.parametrize(("path", "options"), [(TJ_JSON, ReadOptions()), (SHEET, None)])
def test_unsourced_events_are_imported_with_no_source(tmp_path, path, options):
    if options is None:  # a sheet whose row has no link
        sheet = tmp_path / "sheet.csv"
        sheet.write_text(SHEET.read_text().replace("https://example.org/leaves", ""))
        path, options = sheet, ReadOptions(*(None, None), *mapping([str(SHEET_MAP)]))
    data = load_imported(read(path, options=options), path)
    unsourced = [e for e in data.events if e.unsourced]
    assert len(unsourced) == 1 and unsourced[0].sources == []
    assert all(e.sources for e in data.events if e not in unsourced)


def test_import_writes_unsourced_events_and_counts_them(tmp_path):
    output = tmp_path / "out.yaml"
    result = CliRunner().invoke(import_command, [str(TJ_JSON), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "  unsourced events: 1" in result.output
    event = next(e for e in load_dataset([output]).events if e.id == "no-source")
    assert event.unsourced is True and event.sources == []


def test_timelinejs_sheet_reads_title_era_and_event_rows_by_line():
    imported = read(TJ_SHEET)
    events = imported.events
    assert list(events.index) == [4, 5, 6, 7]  # file lines: the title and era rows are not events
    assert list(events["precision"]) == ["day", "month", "year", "day"]
    assert list(events["start"]) == ["2024-03-03", "2024-03-01", "2024-01-01", "2024-03-07"]
    assert events.loc[7, "end"] == "2024-03-09" and events.loc[6, "display_date"] == "Spring 2024"
    assert events.loc[5, "source_publishers"] == "Example News" and events.loc[5, "source_titles"] == "The draft"
    assert events.loc[7, "summary"] == "Beta's team left to consult."
    assert imported.meta["title"] == "Harbour talks (sheet)"
    assert imported.meta["phases"][0] | {"description": None} == {
        "id": "round-one",
        "label": "Round one",
        "start": "2024-03-01",
        "end": "2024-03-10",
        "description": None,
    }


@pytest.mark.parametrize(
    ("start", "problem"),
    [({}, "events[0].start_date: is required (a year at least)"),
     ({"month": 3}, "events[0].start_date: has a month or day but no year"),
     ({"year": 2024, "month": 13}, 'events[0].start_date: "2024-13" is not a date'),
     ({"year": "twenty"}, 'events[0].start_date: year "twenty" is not a whole number'),
     ({"year": 1200}, "events[0].start_date: is outside the allowed range, 1700-01-01 to 2199-12-31")],
)  # fmt: skip
def test_timelinejs_bad_dates_name_the_record_and_field(tmp_path, start, problem):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"events": [{"start_date": start, "text": {"headline": "H"}}]}))
    assert any(p.endswith(problem) for p in problems_of(lambda: read(path, options=CITE))), problem


def test_our_timelinejs_export_imports_back_with_the_same_ids_dates_and_precision(tmp_path):
    for source in (MINI, BUNDLED):
        frame = build_frame(load_dataset([source]))
        path = tmp_path / "export.json"
        path.write_text(json.dumps(to_timelinejs(frame, np.arange(len(frame.events)))))
        data = load_imported(read(path), path)
        before = {e.id: (e.start, e.end, e.precision, [s.url for s in e.sources]) for e in frame.dataset.events}
        after = {e.id: (e.start, e.end, e.precision, [s.url for s in e.sources]) for e in data.events}
        assert after == before


# ---------------------------------------------------------------- ACLED


def test_acled_maps_ids_dates_types_actors_and_cites_the_acled_record():
    imported = read(ACLED)
    events = events_by_id(imported)
    assert list(events) == ["xpl1001", "xpl1002", "xpl1003", "xpl1004", "xpl1005"]
    agreement = events["xpl1001"]
    assert agreement["type"] == "agreement"
    assert agreement["actors"] == ("government-of-alphaland-2019:party; beta-liberation-front:party; "
                                   "gammaland-mediation-council:third_party")  # fmt: skip
    assert agreement["location"] == "Port Gamma, North Province, Alphaland"
    assert agreement["summary"].startswith("On 3 March 2024, delegations")
    assert "fatalities (ACLED's most cautious estimate): 0" in agreement["summary"]
    assert (agreement["source_publishers"], agreement["source_urls"]) == ("ACLED", acled.ACLED_URL)
    assert flatcsv.split_cell(agreement["source_titles"]) == [
        "ACLED event XPL1001 (sources: Example Daily; Example Wire)"
    ]
    assert agreement["source_dates"] == "2024-03-08"  # the upload timestamp
    assert events["xpl1003"]["actors"] == "beta-liberation-front:party; civilians-alphaland:target"
    assert events["xpl1004"]["type"] == "other"  # Protests / Peaceful protest: `other` by the crosswalk's decision
    assert events["xpl1005"]["type"] == "military_action"  # a pair the crosswalk does not list: the fallback
    assert any("typed `military_action`, the fallback: Strategic developments / Ceasefire monitoring (1)" in line
               for line in imported.report)  # fmt: skip
    kinds = {a["name"]: a["kind"] for a in imported.meta["actors"]}
    assert kinds["Military Forces of Alphaland (2019-)"] == "state"  # numeric inter1 = 1
    assert kinds["Beta Liberation Front"] == "armed_group" and kinds["Teachers (Alphaland)"] == "other"
    assert imported.events.index.tolist() == [2, 3, 5, 6, 7]  # row 2's note spans two lines


@pytest.mark.parametrize(
    ("code", "date", "start", "end", "precision"),
    [("1", "2024-03-16", "2024-03-16", "", "day"),
     ("2", "2024-03-16", "2024-03-13", "2024-03-19", "week"),  # the middle of a week: 3 days either side
     ("3", "2024-03-15", "2024-03-01", "", "month"),  # the middle of the month: the month
     ("1", "16 May 2025", "2025-05-16", "", "day"),
     ("1", "16-May-25", "2025-05-16", "", "day")],
)  # fmt: skip
def test_acled_precision_codes_and_date_forms(tmp_path, code, date, start, end, precision):
    path = acled_file(tmp_path, event_date=date, time_precision=code)
    row = read(path).events.iloc[0]
    assert (row["start"], row["end"], row["precision"]) == (start, end, precision)


def acled_file(tmp_path: Path, rows: int = 1, **values: str) -> Path:
    table = pd.read_csv(ACLED, dtype=str, keep_default_na=False).head(rows)
    for column, value in values.items():
        table[column] = value
    path = tmp_path / "acled.csv"
    table.to_csv(path, index=False)
    return path


def test_acled_bad_rows_are_all_named_by_line_and_column(tmp_path):
    table = pd.read_csv(ACLED, dtype=str, keep_default_na=False)
    table.loc[0, "event_date"] = "2024-02-30"
    table.loc[2, "time_precision"] = "4"
    table.loc[3, "event_id_cnty"] = "X Y"
    path = tmp_path / "acled.csv"
    table.to_csv(path, index=False)
    assert problems_of(lambda: read(path)) == [
        f'{path}:6: event_id_cnty: "X Y" is not an ACLED event id (letters and digits)',
        f'{path}:2: event_date: "2024-02-30" is not a date (use YYYY-MM-DD or 16 May 2025)',
        f'{path}:5: time_precision: "4" is not an ACLED time precision (1, 2 or 3)',  # row 2's note has two lines
    ]


def test_an_acled_file_without_its_columns_is_refused_whole(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("event_id_cnty,event_date,sub_event_type\nX1,2024-01-01,Agreement\n")
    assert problems_of(lambda: read(path, "acled")) == [
        f"{path}:1: missing column(s) of an ACLED export: time_precision, event_type, actor1, actor2, notes, source, "
        "location, country"]  # fmt: skip


def test_acled_tags_become_issues_where_the_table_maps_them():
    imported = read(ACLED)
    events = events_by_id(imported)
    assert events["xpl1003"]["issues"] == "women-targeted; local-administrators"
    assert events["xpl1004"]["issues"] == ""  # a crowd size is not an issue
    assert "tags: crowd size=around 200" in events["xpl1004"]["summary"]  # it stays in the summary
    assert imported.meta["issues"] == [acled.TAG_ISSUES[t]._asdict() for t in ("women targeted",
                                                                               "local administrators")]  # fmt: skip
    assert any("1 tag(s) map to no issue and stay in the summary: crowd size (1)" in line for line in imported.report)
    data = load_imported(imported, ACLED)
    assert {i.id for i in data.issues} == {"women-targeted", "local-administrators"}
    assert set(acled.TAG_ISSUES) == {k.lower() for k in acled.TAG_ISSUES}  # looked up in lower case


def test_acled_keeps_the_event_id_and_joins_the_place(tmp_path):
    path = acled_file(tmp_path, rows=2, location="Port Gamma", admin1="Port Gamma", country="Alphaland")
    rows = read(path).events
    assert list(rows["id"]) == ["xpl1001", "xpl1002"]  # event_id_cnty, lower-cased as our ids are
    assert rows["source_titles"].iloc[0].startswith("ACLED event XPL1001 ")  # and as ACLED writes it
    assert list(rows["location"]) == ["Port Gamma, Alphaland"] * 2  # admin1 left out when it repeats the place


def test_acled_crosswalk_covers_the_codebook_with_real_types():
    assert set(acled.CROSSWALK.values()) <= set(EVENT_TYPE_BY_ID)
    assert len(acled.CROSSWALK) == 25  # every (event_type, sub_event_type) pair of the codebook's Table 2
    assert acled.CROSSWALK[("Strategic developments", "Agreement")] == "agreement"
    assert acled.UNMAPPED == "military_action"
    assert [Issue.model_validate(i._asdict()).id for i in acled.TAG_ISSUES.values()] == [
        i.id for i in acled.TAG_ISSUES.values()]  # fmt: skip


# ---------------------------------------------------------------- GDELT


def test_gdelt_maps_cameo_codes_actors_roles_sources_and_merges_duplicates():
    imported = read(GDELT)
    events = events_by_id(imported)
    assert "gdelt-1160000002" not in events  # the same day, actors, code and article as 1160000001
    assert "Also coded as GDELT event(s) 1160000002." in events["gdelt-1160000001"]["summary"]
    types = {k.removeprefix("gdelt-"): v["type"] for k, v in events.items()}
    assert types == {"1160000001": "talks_held", "1160000003": "mediation", "1160000004": "threat",
                     "1160000005": "appeal", "1160000006": "military_action", "1160000007": "other",
                     "1160000008": "demand", "1160000009": "other"}  # fmt: skip
    mediation = events["gdelt-1160000003"]
    assert mediation["actors"] == "gammaland:mediator; alphaland:party"
    assert events["gdelt-1160000004"]["actors"] == "beta-liberation-front:party; alphaland:target"
    assert (mediation["start"], mediation["precision"], mediation["verification"]) == ("2024-03-04", "day", "reported")
    assert mediation["source_urls"] == "https://wire.example.com/gamma-mediates"
    assert mediation["source_publishers"] == "wire.example.com" and mediation["source_dates"] == "2024-03-04"
    assert mediation["summary"].startswith("Machine-coded by GDELT from news reports, not checked by a person.")
    assert "QuadClass 1 (verbal cooperation); Goldstein scale 5.0" in mediation["summary"]
    assert mediation["title"] == "GAMMALAND: Mediate – ALPHALAND"
    names = {a["name"]: (a["id"], a["kind"]) for a in imported.meta["actors"]}
    assert names["UNITED NATIONS"] == ("united-nations", "igo") and names["BETA"] == ("beta", "other")


def test_gdelt_cameo_lookup_by_code_base_and_root():
    kind, label, how = gdelt.cameo_type(pd.Series(["0871", "0874", "1384", "1382", "190", "046", "999"]))
    assert list(kind) == ["ceasefire_start", "other", "threat", "threat", "military_action", "talks_held", "other"]
    assert list(how) == ["code", "root", "code", "base", "root", "code", ""]
    assert list(label)[:2] == ["Declare truce, ceasefire", "Yield"]


def test_the_cameo_crosswalk_is_one_table_in_the_vocabulary_and_agrees_with_its_prose():
    """Every CAMEO code a type's `cameo` text names (`19x` names root 19) is in the table; a code named outside the
    text's remarks in brackets maps to a type that names it."""
    assert set(CAMEO_ROOTS) == {f"{n:02d}" for n in range(1, 21)}
    assert {c.type for c in (*CAMEO.values(), *CAMEO_ROOTS.values())} <= set(EVENT_TYPE_BY_ID)
    assert all(code.isdigit() and len(code) in (3, 4) and code[:2] in CAMEO_ROOTS for code in CAMEO)
    named: dict[str, set[str]] = {}
    for term in EVENT_TYPES:
        for code in re.findall(r"\b\d{3,4}\b", term.cameo):
            assert code in CAMEO, (term.id, code)
        for root in re.findall(r"\b(\d{2})x\b", term.cameo):
            assert root in CAMEO_ROOTS, (term.id, root)
        for code in re.findall(r"\b\d{3,4}\b", re.sub(r"\(.*?\)", "", term.cameo)):
            named.setdefault(code, set()).add(term.id)
    assert named, "the vocabulary names CAMEO codes"
    for code, types in named.items():
        assert gdelt.cameo_type(pd.Series([code]))[0].iloc[0] in types, code
    assert not hasattr(gdelt, "CAMEO_ROOTS") or gdelt.CAMEO_ROOTS is CAMEO_ROOTS  # declared once, in the vocabulary


def test_gdelt_root_filter_keeps_only_the_roots_asked_for():
    imported = read(GDELT, options=ReadOptions(cameo_roots=gdelt.NEGOTIATION_ROOTS))
    assert sorted(imported.events["id"]) == ["gdelt-1160000001", "gdelt-1160000003", "gdelt-1160000007"]
    assert "5 of 9 row(s) left out: their CAMEO root is not one of 03, 04, 05, 06, 08" in imported.report[0]


def test_gdelt_files_of_the_wrong_shape_are_refused_and_rows_without_links_are_unsourced(tmp_path):
    short = tmp_path / "short.tsv"
    short.write_text("\t".join(["1"] * 58) + "\n")
    assert problems_of(lambda: read(short, "gdelt")) == [
        f"{short}:1: has 58 tab-separated columns; a GDELT 2.0 events export has 61 (GDELT 1.0 files are not "
        "supported)"]  # fmt: skip
    unlinked = tmp_path / "unlinked.CSV"
    unlinked.write_text(GDELT.read_text().replace("https://un.example.int/appeal", "BBC Monitoring"))
    imported = read(unlinked)
    assert imported.unsourced == 1
    assert imported.events.loc[5, ["source_urls", "source_publishers", readers.UNSOURCED]].tolist() == ["", "", "true"]
    assert [e.sources for e in load_imported(imported, unlinked).events if e.unsourced] == [[]]


# ---------------------------------------------------------------- spreadsheets


def test_a_mapped_sheet_gives_dates_types_actors_and_sources():
    columns, types = mapping([str(SHEET_MAP)])
    imported = read(SHEET, options=ReadOptions(columns=columns, types=types))
    events = imported.events
    assert list(events["precision"]) == ["day", "month", "day", "year"]
    assert list(events["type"]) == ["talks_start", "proposal", "talks_end", "other"]
    assert events.loc[2, "actors"] == "alpha-state:party; beta-movement:party; gamma:mediator"
    assert events.loc[3, "source_urls"] == "https://example.org/draft; https://example.com/draft-copy"
    assert events.loc[3, "source_publishers"] == "example.org; example.com"
    assert (events.loc[4, "start"], events.loc[4, "end"]) == ("2024-03-07", "2024-03-09")
    assert events.loc[5, "source_urls"] == "https://example.org/year"  # the javascript: link is left out
    assert any("1 source link(s) are not http(s)" in line for line in imported.report)


def test_sheet_mapping_errors_name_the_fields_and_columns(tmp_path):
    with pytest.raises(TimelineError, match=r"names no column for: title(, source_url)?; give each with --map"):
        read(SHEET, options=ReadOptions(columns={"start": "Date"}))
    assert problems_of(lambda: read(SHEET, options=ReadOptions(columns={"start": "When", "title": "Headline",
                                                                        "source_url": "Link"}))) == [  # fmt: skip
        f'{SHEET}:1: no column "When" (for start); the sheet\'s columns are: Date, Until, Headline, Notes, Who, Kind, '
        "Link, Outlet, Place"]  # fmt: skip
    with pytest.raises(TimelineError, match=r"unknown field 'date' in 'date=Date'; the fields are: start, title"):
        mapping(["date=Date"])
    columns = {"start": "Date", "title": "Headline", "source_url": "Link", "type": "Kind"}
    problems = problems_of(lambda: read(SHEET, options=ReadOptions(columns=columns)))
    assert problems == [f'{SHEET}:4: Kind: "Meeting ended" is not an event type; name ours for it under `types:` in '
                        "a mapping file"]  # fmt: skip


def test_map_takes_a_mapping_file_or_field_equals_column_and_never_confuses_them(tmp_path, monkeypatch):
    assert mapping([str(SHEET_MAP)]) == mapping([f"{f}={c}" for f, c in mapping([str(SHEET_MAP)])[0].items()]
                                                + [str(SHEET_MAP)])  # fmt: skip
    monkeypatch.chdir(tmp_path)
    odd = tmp_path / "title=Headline.yaml"  # a file whose name looks like FIELD=COLUMN is read as the file
    odd.write_text("columns: {start: Date, title: Headline}\n")
    assert mapping([odd.name]) == ({"start": "Date", "title": "Headline"}, {})
    assert mapping(["title=Headline"]) == ({"title": "Headline"}, {})  # no such file: a field and its column
    for value, message in [("missing.yaml", "--map missing.yaml: no such mapping file"),
                           ("start=Date.yml", "--map start=Date.yml: no such mapping file"),
                           ("Date", "--map Date: no such mapping file")]:  # fmt: skip
        with pytest.raises(TimelineError, match=re.escape(message)):
            mapping([value])


def test_sheet_dates_are_never_guessed(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("When,What,Link\n3/7/2024,Talks,https://example.org/a\n2024-03-07,Talks,https://example.org/b\n")
    options = ReadOptions(columns={"start": "When", "title": "What", "source_url": "Link"})
    assert problems_of(lambda: read(path, options=options)) == [
        f'{path}:2: When: "3/7/2024" is not a date in a form read without guessing: YYYY-MM-DD, YYYY-MM, YYYY, '
        "16 May 2025 or May 2025"]  # fmt: skip


# ---------------------------------------------------------------- XLSX


def write_xlsx(path: Path, rows: list[list], convert: bool = True) -> Path:
    """A workbook whose first sheet holds `rows` (the first is the header); with `convert`, cells that look like
    ISO dates or whole numbers become real date and number cells, as a spreadsheet user's would be."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        cells = []
        for value in row:
            if convert and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                value = dt.datetime.fromisoformat(value)
            elif convert and isinstance(value, str) and re.fullmatch(r"[1-9]\d{0,9}", value):
                value = int(value)
            cells.append(value if value != "" else None)
        sheet.append(cells)
    book.save(path)
    return path


def xlsx_of(csv_path: Path, path: Path) -> Path:
    table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    return write_xlsx(path, [list(table.columns), *table.to_numpy().tolist()])


@pytest.mark.parametrize(("source", "options", "rows"), [
    (SHEET, ReadOptions(*(None, None), *mapping([str(SHEET_MAP)])), [2, 3, 4, 5]),
    (ACLED, ReadOptions(), [2, 3, 4, 5, 6]),  # the CSV's lines are 2, 3, 5, 6, 7: a note there has two lines
    (TJ_SHEET, ReadOptions(), [4, 5, 6, 7]),  # rows 2 and 3 are the title and an era
])  # fmt: skip
def test_an_xlsx_workbook_reads_as_its_csv_does(tmp_path, source, options, rows):
    """The same sheet saved as XLSX, with real date and number cells, gives the same events, numbered by the
    sheet's rows; its format is recognised by content, whatever the file is called."""
    workbook = xlsx_of(source, tmp_path / "book.xlsx")
    renamed = tmp_path / "book.bin"
    renamed.write_bytes(workbook.read_bytes())
    assert readers.sniff(renamed) == readers.sniff(source)  # None for a sheet of one's own columns
    from_csv, from_xlsx = read(source, options=options), read(renamed, options=options)
    assert from_xlsx.events.reset_index(drop=True).equals(from_csv.events.reset_index(drop=True))
    assert from_xlsx.events.index.tolist() == rows
    assert len(load_imported(from_xlsx, renamed).events) == len(rows)


def test_an_xlsx_zip_bomb_is_refused_before_it_is_expanded(tmp_path, monkeypatch):
    """A workbook whose parts claim to expand past the cap is refused from the zip's directory alone: openpyxl never
    opens it. zipfile expands no part beyond the size the directory states, so the stated sizes bound the cost."""
    import openpyxl

    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a) or pytest.fail("opened"))
    bomb = tmp_path / "bomb.xlsx"  # 2 MB of zeros in 2 kB: a real bomb, against a cap lowered to 1 MB
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 2_000_000)
    assert bomb.stat().st_size < 10_000
    monkeypatch.setattr(readers, "XLSX_MAX_BYTES", 1_000_000)
    options = ReadOptions(columns={"start": "a", "title": "b", "source_url": "c"})
    assert problems_of(lambda: read(bomb, "sheet", options)) == [
        f"{bomb}: would expand to 2,000,008 bytes, more than the 1,000,000 an XLSX file may expand to here (a zip "
        "bomb, or a sheet too large: save it as CSV and import that)"]  # fmt: skip
    monkeypatch.undo()
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("opened"))
    claimed = tmp_path / "claimed.xlsx"  # the directory claims 3 GB: refused at the real cap, nothing expanded
    claimed.write_bytes(_claiming(bomb.read_bytes(), 3_000_000_000))
    assert "would expand to 3,000,000,008 bytes" in problems_of(lambda: readers.sniff(claimed))[0]
    assert not opened


def _claiming(data: bytes, size: int) -> bytes:
    """A zip whose last part's stated uncompressed size (local header and directory) is `size`."""
    out = bytearray(data)
    local = out.rfind(b"PK\x03\x04")
    out[local + 22 : local + 26] = size.to_bytes(4, "little")
    central = out.rfind(b"PK\x01\x02")
    out[central + 24 : central + 28] = size.to_bytes(4, "little")
    return bytes(out)


def test_an_xlsx_sheet_past_the_cell_cap_or_damaged_is_refused_with_one_message(tmp_path, monkeypatch):
    big = write_xlsx(tmp_path / "big.xlsx", [["Date", "Headline"]] + [["2024-03-03", f"t{i}"] for i in range(40)])
    monkeypatch.setattr(readers, "XLSX_MAX_CELLS", 50)
    options = ReadOptions(columns={"start": "Date", "title": "Headline", "source_url": "Headline"})
    assert problems_of(lambda: read(big, options=options)) == [
        f"{big}: its first sheet holds more than 50 cells, the most an XLSX file may hold here; save it as CSV "
        "(UTF-8) and import that"]  # fmt: skip
    monkeypatch.undo()
    lying = tmp_path / "lying.xlsx"  # a part that expands beyond its stated size: read no further than stated
    data = big.read_bytes()
    lying.write_bytes(_shrunk(data, "xl/worksheets/sheet1.xml"))
    assert "cannot be read as an XLSX workbook" in problems_of(lambda: read(lying, options=options))[0]
    for name, content in (("notzip.xlsx", b"PK\x03\x04 not really a zip"), ("empty.xlsx", b"")):
        path = tmp_path / name
        path.write_bytes(content)
        assert problems_of(lambda p=path: read(p, options=options)) == [
            f"{path}: is not an XLSX workbook (not a valid zip file)"]  # fmt: skip
    wide = write_xlsx(tmp_path / "wide.xlsx", [["Date", "Headline"], ["2024-03-03", "t", "extra"]])
    assert problems_of(lambda: read(wide, options=options)) == [f"{wide}:2: 1 cell(s) beyond the last named column"]


def _shrunk(data: bytes, name: str) -> bytes:
    """The zip with `name`'s stated uncompressed size cut to 100 bytes (in its local header and the directory)."""
    out = bytearray(data)
    key = name.encode()
    local = out.find(b"PK\x03\x04" + b"")
    while local != -1:
        length = int.from_bytes(out[local + 26 : local + 28], "little")
        if out[local + 30 : local + 30 + length] == key:
            out[local + 22 : local + 26] = (100).to_bytes(4, "little")
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        length = int.from_bytes(out[central + 28 : central + 30], "little")
        if out[central + 46 : central + 46 + length] == key:
            out[central + 24 : central + 28] = (100).to_bytes(4, "little")
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


# ---------------------------------------------------------------- timeline import


IMPORTS = [
    ("timelinejs.json", ["--source-url", "https://example.org/timeline", "--source-publisher", "Example Newsroom"]),
    ("timelinejs-sheet.csv", []),
    ("acled.csv", []),
    ("gdelt.export.CSV", ["--cameo-root", "negotiation"]),
    ("sheet.csv", ["--map", str(SHEET_MAP)]),
]


def validate(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "timeline", "validate", *map(str, paths)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.mark.parametrize(("name", "args"), IMPORTS)
@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_import_writes_a_dataset_that_validates(tmp_path, name, args, suffix):
    output = tmp_path / f"out{suffix}"
    result = CliRunner().invoke(import_command, [str(READERS_DIR / name), "-o", str(output), *args])
    assert result.exit_code == 0, result.output
    assert "Imported " in result.output
    files = [meta_path(output), output] if suffix == ".csv" else [output]
    checked = validate(*files)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("OK: ")


def test_import_refuses_bad_input_with_every_problem_and_writes_nothing(tmp_path):
    output = tmp_path / "out.yaml"
    runner = CliRunner()
    far = tmp_path / "far.json"
    far.write_text(TJ_JSON.read_text().replace('{"year": 2023}', '{"year": 1500}'))
    result = runner.invoke(import_command, [str(far), "-o", str(output)])
    assert result.exit_code == 1 and not output.exists()
    assert "is outside the allowed range" in result.output
    for content in ("{not json", "\x00\x01binary", ""):
        bad = tmp_path / "bad.json"
        bad.write_text(content)
        result = runner.invoke(import_command, [str(bad), "--format", "timelinejs", "-o", str(output)])
        assert result.exit_code == 1 and "Error: " in result.output and not output.exists(), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    output.write_text("kept")
    result = runner.invoke(import_command, [str(ACLED), "-o", str(output)])
    assert result.exit_code == 1 and "already exists; pass --force" in result.output
    assert output.read_text() == "kept"


def strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def test_import_prints_a_summary_of_events_actors_unsourced_events_and_sanitised_fields(tmp_path):
    output = tmp_path / "out.yaml"
    args = [str(TJ_JSON), "-o", str(output), "--format", "timelinejs", "--source-url", CITE.source_url]
    result = CliRunner().invoke(import_command, args)
    assert result.exit_code == 0, result.stderr
    data = load_dataset([output])
    lines = result.stdout.splitlines()
    assert lines[0] == f"Imported {TJ_JSON} into {output} (events without a link of their own cite example.org)"
    marked_up = sum("<" in text or "&" in text for text in strings(json.loads(TJ_JSON.read_text())))
    assert lines[1:] == [f"  events: {len(data.events)}", f"  actors: {len(data.actors)}", "  phases: 1",
                         "  unsourced events: 0", f"  sanitised fields: {marked_up}"]  # fmt: skip
    assert "note: 1 event(s) had no http(s) link of their own and cite https://example.org/timeline" in result.stderr
    result = CliRunner().invoke(import_command, [str(SHEET), "-o", str(tmp_path / "s.yaml"),
                                                                 "--map", str(SHEET_MAP)])  # fmt: skip
    assert result.exit_code == 0 and "  events: 4\n" in result.stdout, result.stderr
    assert "--from" not in import_command.get_help(click.Context(import_command))


def test_import_options_are_checked(tmp_path):
    output = str(tmp_path / "o.yaml")
    runner = CliRunner()
    for args, message in [(["--cameo-root", "3,42"], "42 is not a CAMEO root code"),
                          (["--source-url", "javascript:alert(1)"], "--source-url must be an http(s) URL"),
                          (["--source-publisher", "X"], "give both")]:  # fmt: skip
        result = runner.invoke(import_command, [str(GDELT), "-o", output, *args])
        assert result.exit_code == 1 and message in result.output, result.output


def test_import_yaml_is_editable_and_keeps_the_imported_events(tmp_path):
    output = tmp_path / "acled.yaml"
    result = CliRunner().invoke(import_command, [str(ACLED), "-o", str(output), "--curator", "Desk A"])
    assert result.exit_code == 0, result.output
    text = output.read_text()
    assert text.startswith("# Imported from acled.csv by `timeline import`")
    data = load_dataset([output])
    assert data.curator == "Desk A" and data.last_updated == dt.date.today()
    assert [e.id for e in data.events] == ["xpl1001", "xpl1002", "xpl1003", "xpl1004", "xpl1005"]


def _registered() -> bool:
    result = subprocess.run([sys.executable, "-m", "timeline", "import", "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    return result.returncode == 0


@pytest.mark.skipif(not _registered(), reason="`timeline import` is not yet registered in timeline/cli.py")
@pytest.mark.parametrize(("name", "args"), IMPORTS)
def test_timeline_import_then_validate_as_a_user_would(tmp_path, name, args):
    output = tmp_path / "out.yaml"
    result = subprocess.run([sys.executable, "-m", "timeline", "import", str(READERS_DIR / name), "-o", str(output),
                             *args], cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stdout.startswith("Imported ")
    assert validate(output).returncode == 0


def test_the_detail_text_says_in_words_that_an_event_is_unsourced():
    frame = load_frame([TJ_JSON])
    macro = TEMPLATES.from_string('{% from "event.html" import event_item %}{{ event_item(item) }}')
    texts = {frame.events["id"].iloc[p]: macro.render(item=event_text(frame, p)) for p in range(len(frame.events))}
    plain = {k: re.sub(r"<[^>]+>", "", v) for k, v in texts.items()}
    assert [k for k, v in plain.items() if "Unsourced: no source is cited for this event" in v] == ["no-source"]
    assert "Sources:" not in plain["no-source"] and all("Sources:" in v for k, v in plain.items() if k != "no-source")
