"""Loading and validation: every problem named by file, line, field and rule; nothing half-loaded."""

from __future__ import annotations

import csv
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline.data.charsafety import find_unsafe
from timeline.data.dates import EARLIEST, LATEST
from timeline.errors import DatasetError
from timeline.formats.flatcsv import COLUMNS, write_events
from timeline.formats.loader import MAX_DEPTH, SIZE_LIMITS, load_dataset, load_frame, load_imported
from timeline.formats.readers import read
from timeline.settings import SETTINGS

from .conftest import MINI

HEAD = """\
title: T
description: D
curator: C
licence: CC0
last_updated: 2024-01-01
actors:
  - {id: a, name: A, kind: state, description: d}
  - {id: b, name: B, kind: armed_group, description: d}
issues:
  - {id: ceasefire, label: Ceasefire, description: d}
events:
"""
GOOD_EVENT = """\
  - id: e1
    title: Talks
    summary: Talks began.
    type: talks_start
    start: 2024-03-03
    actors: [{actor: a, role: party}]
    sources: [{publisher: P, title: T, url: "https://example.org/1"}]
"""

UNSOURCED_EVENT = GOOD_EVENT.replace(
    '    sources: [{publisher: P, title: T, url: "https://example.org/1"}]\n', "    unsourced: true\n"
)


def write(tmp_path: Path, body: str, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return path


def problems(*paths: Path) -> list[str]:
    with pytest.raises(DatasetError) as caught:
        load_dataset(paths)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (GOOD_EVENT.replace("2024-03-03", "2024-13-01"),
         'x.yaml:16: events[0].start: "2024-13-01" is not a date (use YYYY-MM-DD)'),
        (GOOD_EVENT.replace("https://example.org/1", "javascript:alert(1)"),
         'x.yaml:18: events[0].sources[0].url: "javascript:alert(1)" is not an http(s) URL'),
        (GOOD_EVENT.replace("https://example.org/1", "ftp://example.org/1"),
         'x.yaml:18: events[0].sources[0].url: "ftp://example.org/1" is not an http(s) URL'),
        (GOOD_EVENT.replace("actor: a,", "actor: zed,"),
         'x.yaml:17: events[0].actors[0].actor: unknown actor "zed"; known actors: a, b'),
        (GOOD_EVENT + "    issues: [truce]\n",
         'x.yaml:19: events[0].issues[0]: unknown issue "truce"; known issues: ceasefire'),
        (GOOD_EVENT + "    end: 2024-03-01\n",
         'x.yaml:19: events[0].end: "2024-03-01" is before start 2024-03-03'),
        (GOOD_EVENT + "    precision: days\n",
         'x.yaml:12: events[0].end: is required when precision is "days" (the latest possible date)'),
        (GOOD_EVENT.replace("    sources: [{publisher: P, title: T, url: \"https://example.org/1\"}]\n", ""),
         "x.yaml:12: events[0].sources: is required"),
        (GOOD_EVENT.replace("type: talks_start", "type: talks"),
         "x.yaml:15: events[0].type: \"talks\" is not one of: 'talks_start'"),
        (GOOD_EVENT + "    colour: red\n",
         "x.yaml:19: events[0].colour: is not a known field (check the spelling against the schema)"),
        (GOOD_EVENT.replace("id: e1", "id: E 1"),
         "x.yaml:12: events[0].id: \"E 1\" is not a valid id (lowercase letters, digits, '-' and '_')"),
        (GOOD_EVENT + "    claims: [{claimant: B, text: B says so., source: \"https://example.org/2\"}]\n",
         'x.yaml:19: events[0].claims[0].source: "https://example.org/2" is not the URL of one of this event\'s '
         "sources"),
        (GOOD_EVENT + GOOD_EVENT, 'x.yaml:19: events[1].id: duplicate event id "e1" (first used by another event)'),
        (GOOD_EVENT + "    title: Again\n",
         "x.yaml:19: events[0].title: appears twice in the same mapping; the first value would be lost"),
        # One date range for every view (timeline/data/dates.py), stated in the message.
        (GOOD_EVENT.replace("2024-03-03", "1699-12-31"),
         'x.yaml:16: events[0].start: "1699-12-31" is outside the allowed range, 1700-01-01 to 2199-12-31'),
        (GOOD_EVENT + "    end: 2200-01-01\n",
         'x.yaml:19: events[0].end: "2200-01-01" is outside the allowed range, 1700-01-01 to 2199-12-31'),
        (GOOD_EVENT.replace("2024-03-03", "9999-12-31") + "    precision: week\n",
         'x.yaml:16: events[0].start: "9999-12-31" is outside the allowed range, 1700-01-01 to 2199-12-31'),
        (GOOD_EVENT.replace("2024-03-03", "0000-01-01"),
         'x.yaml:16: events[0].start: "0000-01-01" is outside the allowed range, 1700-01-01 to 2199-12-31 (there is '
         "no year 0)"),
        (GOOD_EVENT.replace('title: T, url', 'title: T, date: 2300-05-01, url'),
         'x.yaml:18: events[0].sources[0].date: "2300-05-01" is outside the allowed range, 1700-01-01 to 2199-12-31'),
        # Control and bidi-override characters, in any text field (timeline/data/charsafety.py).
        (GOOD_EVENT.replace("title: Talks", 'title: "Talks \\e[31m"'),
         "x.yaml:13: events[0].title: contains U+001B (ESCAPE); remove it"),
        (GOOD_EVENT.replace("summary: Talks began.", 'summary: "Talks \u202ebegan."'),
         "x.yaml:14: events[0].summary: contains U+202E (RIGHT-TO-LEFT OVERRIDE); remove it"),
        (GOOD_EVENT.replace("publisher: P,", 'publisher: "P\\0",'),
         "x.yaml:18: events[0].sources[0].publisher: contains U+0000 (NUL); remove it"),
        (GOOD_EVENT.replace("https://example.org/1", "https://example.org/\u2066x"),
         "x.yaml:18: events[0].sources[0].url: contains U+2066 (LEFT-TO-RIGHT ISOLATE); remove it"),
        (GOOD_EVENT + '    location: "Cai\\x85ro"\n',
         "x.yaml:19: events[0].location: contains U+0085 (control character); remove it"),
        (GOOD_EVENT + '    "col\\eour": red\n',
         "x.yaml:19: events[0].col\\u001bour: is not a known field (check the spelling against the schema)"),
        # The optional fields: a short chart label, key and unsourced (an unsourced event cites nothing at all).
        (GOOD_EVENT + "    label: " + "x" * 41 + "\n", "x.yaml:19: events[0].label: is longer than 40 characters"),
        (GOOD_EVENT + '    label: "A\\u202eB"\n',
         "x.yaml:19: events[0].label: contains U+202E (RIGHT-TO-LEFT OVERRIDE); remove it"),
        (GOOD_EVENT + "    key: maybe\n",
         'x.yaml:19: events[0].key: "maybe" is not true or false'),
        (GOOD_EVENT + "    unsourced: true\n",
         "x.yaml:18: events[0].sources: an unsourced event lists no sources; remove them, or set unsourced: false"),
        (UNSOURCED_EVENT.replace("unsourced: true", "unsourced: false"), "x.yaml:12: events[0].sources: is required"),
        (UNSOURCED_EVENT + '    quote: {text: "We agree.", speaker: A}\n',
         "x.yaml:19: events[0].quote: an unsourced event holds no quote: a quote needs the source that carries it"),
        (UNSOURCED_EVENT + "    claims: [{claimant: B, text: B says so., source: \"https://example.org/2\"}]\n",
         "x.yaml:19: events[0].claims: an unsourced event holds no claims: a claim needs the source that reports it"),
    ],
)  # fmt: skip
def test_bad_input_is_named_by_file_line_field_and_rule(tmp_path, body, expected):
    found = problems(write(tmp_path, body))
    assert any(p.endswith(expected) or expected in p for p in found), found
    assert all(p.startswith(str(tmp_path / "x.yaml")) for p in found)


def test_every_problem_is_reported_at_once(tmp_path):
    body = GOOD_EVENT.replace("2024-03-03", "2024-02-30") + GOOD_EVENT.replace("e1", "e2").replace(
        "actor: a", "actor: q"
    )
    found = problems(write(tmp_path, body))
    assert len(found) == 2
    assert "events[0].start" in found[0] and "events[1].actors[0].actor" in found[1]


def test_invalid_dataset_is_refused_whole(tmp_path):
    body = GOOD_EVENT + GOOD_EVENT.replace("e1", "e2").replace("talks_start", "nonsense")
    with pytest.raises(DatasetError) as caught:
        load_dataset([write(tmp_path, body)])
    assert "dataset refused (1 problem)" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("x.yaml", "title: [unclosed\n", "x.yaml:2: not valid YAML"),
        ("x.yaml", "- just\n- a list\n", "x.yaml:1: must be a YAML mapping"),
        ("x.yaml", HEAD + "  - just text\n", "x.yaml:13: events[0]: must be a mapping, not text \"just text\""),
        ("x.txt", "hello", "x.txt: unsupported file type: use .yaml, .yml, .csv or .parquet"),
        ("x.csv", "id,title\n1,2\n", "x.csv:1: missing column(s): summary, type, start, source_publishers"),
        ("x.csv", "id,title,summary,type,start,source_publishers,source_titles,source_urls,colour\n",
         "x.csv:1: unknown column(s): colour"),
    ],
)  # fmt: skip
def test_unreadable_files_say_why(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    found = problems(path)
    assert found[0].startswith(str(tmp_path / expected.split(":")[0])) and expected.split(": ", 1)[1] in found[0]


def test_missing_file_and_not_utf8(tmp_path):
    assert problems(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: no such file"]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: caf\xe9\n".encode("latin-1"))
    assert "is not UTF-8 text" in problems(latin)[0]


def test_csv_events_load_into_the_same_dataset_as_yaml(tmp_path):
    yaml_data = load_dataset([MINI])
    meta = {k: v for k, v in yaml.safe_load(MINI.read_text()).items() if k != "events"}
    (tmp_path / "meta.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    (tmp_path / "events.csv").write_text(write_events(yaml_data.events), encoding="utf-8")
    csv_data = load_dataset([tmp_path / "meta.yaml", tmp_path / "events.csv"])
    assert csv_data == yaml_data


def test_csv_errors_name_the_row_line_and_column(tmp_path):
    meta = {k: v for k, v in yaml.safe_load(MINI.read_text()).items() if k != "events"}
    (tmp_path / "meta.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    rows = write_events(load_dataset([MINI]).events).splitlines()
    rows[2] = rows[2].replace("https://example.net/c", "javascript:x()").replace("2024-03-07", "7 March")
    (tmp_path / "events.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = problems(tmp_path / "meta.yaml", tmp_path / "events.csv")
    csv = str(tmp_path / "events.csv")
    assert f'{csv}:3: start: "7 March" is not a date (use YYYY-MM-DD)' in found
    assert f'{csv}:3: source_urls[2]: "javascript:x()" is not an http(s) URL' in found


def test_csv_with_misaligned_source_columns_is_refused(tmp_path):
    meta = {k: v for k, v in yaml.safe_load(MINI.read_text()).items() if k != "events"}
    (tmp_path / "meta.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    header = "id,title,summary,type,start,source_publishers,source_titles,source_urls\n"
    row = 'e,T,S,statement,2024-01-01,"P1; P2",T1,"https://a.org; https://b.org"\n'
    (tmp_path / "e.csv").write_text(header + row, encoding="utf-8")
    found = problems(tmp_path / "meta.yaml", tmp_path / "e.csv")
    assert f"{tmp_path / 'e.csv'}:2: source_titles: has 1 item(s) but the sources need 2" in found


def test_exactly_one_file_holds_the_metadata(tmp_path):
    second = write(tmp_path, GOOD_EVENT, "y.yaml")
    found = problems(MINI, second)
    assert "exactly one file must hold the dataset metadata" in found[0]


def test_bundled_dataset_is_valid_and_every_event_is_cited(bundled_frame):
    data = bundled_frame.dataset
    assert len(data.events) >= 49
    assert all(e.sources and all(s.url.startswith(("http://", "https://")) for s in e.sources) for e in data.events)
    ids = {e.id for e in data.events}
    for required in ("2024-03-03-cairo-round-begins", "2024-03-07-hamas-delegation-leaves-cairo",
                     "2024-03-10-ramadan-deadline", "2024-03-10-rafah-offensive-deadline-disputed"):  # fmt: skip
        assert required in ids
    ramadan = next(e for e in data.events if e.id == "2024-03-10-ramadan-deadline")
    assert ramadan.precision != "day" and ramadan.verification == "disputed" and len(ramadan.claims) >= 2


def test_story_steps_must_name_events(tmp_path):
    story = (
        "story:\n  - {title: One, events: [e1, nope]}\n"
        "  - {title: Two, events: [e1], window_start: 2024-03-05, window_end: 2024-03-01}\n"
    )
    path = tmp_path / "x.yaml"
    path.write_text(HEAD + textwrap.dedent(GOOD_EVENT) + story, encoding="utf-8")
    found = problems(path)
    assert f'{path}:20: story[0].events[1]: unknown event id "nope"' in found
    assert f'{path}:21: story[1].window_end: "2024-03-01" is before window_start 2024-03-05' in found
    assert len(found) == 2


def test_a_story_naming_an_invalid_event_reports_the_event_only(tmp_path):
    story = "story:\n  - {title: One, events: [e1]}\n"
    path = tmp_path / "x.yaml"
    path.write_text(HEAD + textwrap.dedent(GOOD_EVENT).replace("2024-03-03", "March") + story, encoding="utf-8")
    assert problems(path) == [f'{path}:16: events[0].start: "March" is not a date (use YYYY-MM-DD)']


def test_metadata_dates_and_text_follow_the_same_rules(tmp_path):
    head = HEAD.replace("last_updated: 2024-01-01", "last_updated: 2200-01-01").replace(
        "name: A,", 'name: A, aliases: [Ay, "B\\u202eee"],'
    )
    tail = (
        "phases:\n  - {id: p, label: P, start: 2024-01-01, end: 9999-12-31}\n"
        "story:\n  - {title: One, events: [e1], window_start: 1600-01-01, window_end: 2024-03-03,"
        ' narration: "Say \\a", asof: 2300-01-01}\n'
    )
    path = tmp_path / "x.yaml"
    path.write_text(head + textwrap.dedent(GOOD_EVENT) + tail, encoding="utf-8")
    allowed = "is outside the allowed range, 1700-01-01 to 2199-12-31"
    assert problems(path) == [
        f'{path}:5: last_updated: "2200-01-01" {allowed}',
        f"{path}:7: actors[0].aliases[1]: contains U+202E (RIGHT-TO-LEFT OVERRIDE); remove it",
        f'{path}:20: phases[0].end: "9999-12-31" {allowed}',
        f'{path}:22: story[0].window_start: "1600-01-01" {allowed}',
        f"{path}:22: story[0].narration: contains U+0007 (BEL); remove it",
        f'{path}:22: story[0].asof: "2300-01-01" {allowed}',
    ]


def _bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol"]'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


NO_ALIASES = "YAML anchors and aliases (&name, *name) are not allowed in a dataset: write every value out in full"
TOO_DEEP = "nested more than 50 levels deep; a dataset needs no more than 5"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A 9-level alias bomb expands to 9^9 items: refused at its first anchor, before anything is expanded.
        ("title: T\n" + _bomb(9), f"2: {NO_ALIASES}"),
        (HEAD + "  - &event {id: e1}\n  - *event\n", f"12: {NO_ALIASES}"),
        ("title: T\ndescription: *nowhere\n", f"2: {NO_ALIASES}"),
        ("title: T\n<<: {description: D}\n", "2: YAML merge keys (<<) are not allowed in a dataset: write every value "
                                             "out in full"),
        ("title: T\nactors: " + "[" * 500 + "]" * 500 + "\n", f"2: {TOO_DEEP}"),
        ("title: T\nevents:\n" + "".join("  " * (i + 1) + "-\n" for i in range(60)), f"52: {TOO_DEEP}"),
        ("title: T\ndescription: ring\a\n", "2: contains U+0007 (BEL); remove it"),
        ("title: T\ndescription: ok\nlicence: 'x\x1b'\n", "3: contains U+001B (ESCAPE); remove it"),
        ("title: T\nactors: !!set {a}\n", "2: the YAML tag !!set is not allowed in a dataset"),
        ("title: !!python/object:os.system x\n",
         "1: the YAML tag !!python/object:os.system is not allowed in a dataset"),
        ("title: T\ndescription: !!map x\n", "2: the YAML tag !!map is not allowed in a dataset"),
        ("title: !!binary aGVsbG8=\n", "1: the YAML tag !!binary is not allowed in a dataset"),
        ("title: !shout T\n", "1: the YAML tag !shout is not allowed in a dataset"),
        ("title: T\n---\ntitle: U\n", "2: holds more than one YAML document (a second `---`)"),
        ("title: " + "1" * 5000 + "\n", f'1: "{"1" * 76}… cannot be read as int; quote it if it is text'),
        ("? [a, b]\n: c\n", "1: a mapping key must be plain text, not a list or mapping"),
        ("title: [unclosed\n", "2: not valid YAML: while parsing a flow sequence; did not find expected ',' or ']'"),
    ],
)  # fmt: skip
def test_hostile_yaml_is_refused_with_one_clear_line(tmp_path, text, expected):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    assert problems(path) == [f"{path}:{expected}"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = write(tmp_path, GOOD_EVENT)
    size = path.stat().st_size
    monkeypatch.setenv("TIMELINE_MAX_YAML_MB", str(size / 1e6))
    assert load_dataset([path]).events[0].id == "e1"  # at the limit: loaded
    monkeypatch.setenv("TIMELINE_MAX_YAML_MB", str((size - 1) / 1e6))
    assert problems(path) == [
        f"{path}: is {size:,} bytes, over the {(size - 1) / 1e6:g} MB limit for YAML datasets (loading needs many "
        "times the file's size in memory); to load it anyway, set TIMELINE_MAX_YAML_MB to a larger number of MB"
    ]
    monkeypatch.setenv("TIMELINE_MAX_YAML_MB", "inf")
    assert load_dataset([path]).events[0].id == "e1"
    monkeypatch.setenv("TIMELINE_MAX_YAML_MB", "lots")
    assert problems(path) == [f"{path}: TIMELINE_MAX_YAML_MB: 'lots' is not a positive number of MB"]


def test_csv_and_yaml_have_their_own_size_limits(tmp_path, monkeypatch):
    meta, sheet = _meta_and_sheet(tmp_path, write_events(load_dataset([MINI]).events))
    monkeypatch.setenv("TIMELINE_MAX_CSV_MB", "0.0001")
    assert problems(meta, sheet) == [
        f"{sheet}: is {sheet.stat().st_size:,} bytes, over the 0.0001 MB limit for CSV datasets (loading needs many "
        "times the file's size in memory); to load it anyway, set TIMELINE_MAX_CSV_MB to a larger number of MB"
    ]


def _meta_and_sheet(tmp_path: Path, sheet: str, encoding: str = "utf-8") -> tuple[Path, Path]:
    meta = {k: v for k, v in yaml.safe_load(MINI.read_text()).items() if k not in ("events", "story")}
    (tmp_path / "meta.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    (tmp_path / "events.csv").write_text(sheet, encoding=encoding)
    return tmp_path / "meta.yaml", tmp_path / "events.csv"


def test_csv_from_a_spreadsheet_with_a_byte_order_mark_loads(tmp_path):
    # Excel's "CSV UTF-8" starts with U+FEFF and ends lines with CRLF.
    events = load_dataset([MINI]).events
    text = write_events(events).replace("\n", "\r\n")
    loaded = load_dataset(_meta_and_sheet(tmp_path, text, encoding="utf-8-sig"))
    assert (tmp_path / "events.csv").read_bytes().startswith(b"\xef\xbb\xbfid,")
    assert loaded.events == events


def test_csv_rows_that_cannot_be_read_whole_are_named_by_line(tmp_path):
    rows = write_events(load_dataset([MINI]).events).splitlines()
    rows[1] += ",extra,cells"
    rows[2] = rows[2].replace("Beta delegation leaves to consult", "x" * 131_073)
    rows[4] = rows[4].replace("Holiday begins", "Holiday \x1b[31mbegins")
    rows[5] += ","
    meta, sheet = _meta_and_sheet(tmp_path, "\n".join(rows) + "\n")
    assert problems(meta, sheet) == [
        f"{sheet}:2: 2 extra cell(s) beyond the last column",
        f"{sheet}:3: a cell is longer than 131,072 characters, the most a cell may hold",
        f"{sheet}:5: title: contains U+001B (ESCAPE); remove it",
        f"{sheet}:6: 1 extra cell(s) beyond the last column",
    ]


def test_a_csv_header_that_cannot_be_read_is_named(tmp_path):
    meta, sheet = _meta_and_sheet(tmp_path, "id," + "x" * 131_073 + "\n")
    found = problems(meta, sheet)
    assert found[0] == f"{sheet}:1: a cell is longer than 131,072 characters, the most a cell may hold"


def test_the_limits_are_documented_as_the_code_sets_them():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "input-limits.md").read_text(encoding="utf-8")
    assert f"## Dates: {EARLIEST} to {LATEST}" in doc
    assert f"At most {MAX_DEPTH} levels of nesting" in doc
    for fmt, name in SIZE_LIMITS.items():
        setting = SETTINGS[name]
        assert f"| {setting.default:g} MB | `{setting.variable}` |" in doc, fmt
    assert f"{csv.field_size_limit():,} characters" in doc


# Characters that matter to YAML and CSV syntax, and ones the loader must refuse or name safely.
MUTATIONS = list("{}[]:,-&*!|>'\"#%@`\n \t\\?<=~0123456789.eE+xX;") + ["\x00", "\x07", "\x1b", "\u202e", "\x85"]
CSV_OF_MINI = write_events(load_dataset([MINI]).events)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(fmt=st.sampled_from(["yaml", "csv"]), data=st.data())
def test_a_damaged_file_is_refused_one_plain_line_per_problem(tmp_path_factory, fmt, data):
    """Whatever a file holds, loading ends in a dataset or a `DatasetError`, never another exception, and every
    problem is one line with no control or bidi-override characters."""
    text = MINI.read_text(encoding="utf-8") if fmt == "yaml" else CSV_OF_MINI
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(text) - 1))
        cut = data.draw(st.integers(0, 3))
        text = text[:at] + data.draw(st.sampled_from(MUTATIONS)) + text[at + cut :]
    folder = tmp_path_factory.mktemp("damaged")
    (folder / f"x.{fmt}").write_text(text, encoding="utf-8")
    paths = [folder / "x.yaml"]
    if fmt == "csv":
        meta = MINI.read_text(encoding="utf-8")
        (folder / "meta.yaml").write_text(meta[: meta.index("events:")], encoding="utf-8")
        paths = [folder / "meta.yaml", folder / "x.csv"]
    try:
        load_dataset(paths)
    except DatasetError as exc:
        for problem in map(str, exc.problems):
            assert "\n" not in problem and find_unsafe(problem) is None, problem


def test_messages_quote_what_they_name_without_raw_control_characters(tmp_path):
    head = HEAD.replace("{id: b,", '{id: "\\u202eb",')
    path = tmp_path / "x.yaml"
    path.write_text(head + textwrap.dedent(GOOD_EVENT).replace("actor: a,", "actor: b,"), encoding="utf-8")
    assert problems(path) == [
        f"{path}:8: actors[1].id: \"\\u202eb\" is not a valid id (lowercase letters, digits, '-' and '_')",
        f'{path}:17: events[0].actors[0].actor: unknown actor "b"; known actors: a, \\u202eb',
    ]
    header = "id,title,summary,type,start,source_publishers,source_titles,source_urls"
    meta, sheet = _meta_and_sheet(tmp_path, f'{header},"new\ncolumn"\n')
    assert problems(meta, sheet) == [f"{sheet}:1: unknown column(s): new\\ncolumn; allowed: {', '.join(COLUMNS)}"]
    row = "e,T,S,statement,2024-01-01,P,T,https://example.org/1,alpha:party; \x07"
    meta, sheet = _meta_and_sheet(tmp_path, f"{header},actors\n{row}\n")
    assert f'{sheet}:2: actors: "\\u0007" must be written as actor:role, e.g. "hamas:party"' in problems(meta, sheet)


def test_label_key_and_unsourced_load_the_same_from_yaml_and_csv(tmp_path):
    labelled = GOOD_EVENT + "    label: Talks open\n    key: true\n"
    yaml_path = write(tmp_path, labelled + UNSOURCED_EVENT.replace("id: e1", "id: e2"))
    yaml_data = load_dataset([yaml_path])
    first, second = yaml_data.events
    assert (first.label, first.key, first.unsourced) == ("Talks open", True, False)
    assert (second.label, second.key, second.unsourced, second.sources) == (None, False, True, [])
    (tmp_path / "meta.yaml").write_text(HEAD.removesuffix("events:\n"), encoding="utf-8")
    (tmp_path / "events.csv").write_text(write_events(yaml_data.events), encoding="utf-8")
    files = [tmp_path / "meta.yaml", tmp_path / "events.csv"]
    assert load_dataset(files) == yaml_data
    events = load_frame(files).events
    assert events[["id", "label", "key", "unsourced"]].to_dict("records") == [
        {"id": "e1", "label": "Talks open", "key": True, "unsourced": False},
        {"id": "e2", "label": "", "key": False, "unsourced": True},
    ]


def test_csv_flags_read_true_and_false_in_any_case_and_name_a_wrong_cell(tmp_path):
    (tmp_path / "meta.yaml").write_text(HEAD.removesuffix("events:\n"), encoding="utf-8")
    header = "id,title,summary,type,start,source_publishers,source_titles,source_urls,key,unsourced\n"
    rows = ("e1,T,S,statement,2024-01-01,P,T,https://a.org/1,TRUE,False\n"
            "e2,T,S,statement,2024-01-02,,,,,true\n")  # fmt: skip
    (tmp_path / "e.csv").write_text(header + rows, encoding="utf-8")
    files = [tmp_path / "meta.yaml", tmp_path / "e.csv"]
    assert [(e.key, e.unsourced, len(e.sources)) for e in load_dataset(files).events] == [(True, False, 1),
                                                                                         (False, True, 0)]  # fmt: skip
    (tmp_path / "e.csv").write_text(header + rows.replace(",true\n", ",sure\n").replace(",False\n", ",true\n"))
    sheet = tmp_path / "e.csv"
    assert problems(*files) == [
        f"{sheet}:2: source_urls: an unsourced event lists no sources; remove them, or set unsourced: false",
        f'{sheet}:3: unsourced: "sure" is not true or false',
    ]


FIXTURE_READERS = Path(__file__).parent / "fixtures" / "readers"


def validate(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "timeline", "validate", *map(str, paths)], capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "summary"),
    [
        ("timelinejs.json", "OK: 4 events, 3 actors, 0 issues, 1 phases, 2023-01-01 to 2024-12-31"),
        ("timelinejs-sheet.csv", "OK: 4 events, 3 actors, 0 issues, 1 phases, 2024-01-01 to 2024-03-09"),
        ("acled.csv", "OK: 5 events, 8 actors, 2 issues, 0 phases, 2024-03-03 to 2024-04-01"),
        ("gdelt.export.CSV", "OK: 8 events, 5 actors, 0 issues, 0 phases, 2024-03-03 to 2024-03-10"),
    ],
)
def test_validate_reads_every_format_directly(name, summary):
    checked = validate(FIXTURE_READERS / name)
    assert (checked.returncode, checked.stdout.strip(), checked.stderr) == (0, summary, "")


def test_another_tools_file_loads_as_its_import_does_and_its_problems_name_its_lines(tmp_path):
    acled = FIXTURE_READERS / "acled.csv"
    imported = load_imported(read(acled), acled)
    loaded = load_dataset([acled])
    assert loaded.model_copy(update={"events": []}) == imported.model_copy(update={"events": []})
    assert write_events(loaded.events) == write_events(imported.events)
    broken = tmp_path / "acled.csv"
    broken.write_text(acled.read_text().replace("16 March 2024", "16 March 1500"), encoding="utf-8")
    checked = validate(broken)
    assert checked.returncode == 1
    assert f"{broken}:3: event_date: is outside the allowed range, 1700-01-01 to 2199-12-31" in checked.stderr
    frame = load_frame([FIXTURE_READERS / "timelinejs.json"])
    assert frame.events["unsourced"].tolist().count(True) == 1  # an event with no link is kept, marked unsourced


def test_a_workbook_with_its_own_columns_is_sent_to_import(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["Date", "Headline"])
    book.active.append(["2024-03-03", "Talks"])
    book.save(tmp_path / "own.xlsx")
    assert problems(tmp_path / "own.xlsx") == [
        f"{tmp_path / 'own.xlsx'}: is a workbook with columns of its own: name them with `timeline import FILE "
        "--map FIELD=COLUMN … -o dataset.yaml`, then load that"
    ]
