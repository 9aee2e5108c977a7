"""Loading and validation: every problem named by file, line, field and rule; nothing half-loaded."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from timeline.errors import DatasetError
from timeline.flatcsv import write_events
from timeline.loader import load_dataset

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
        ("x.txt", "hello", "x.txt: unsupported file type: use .yaml, .yml or .csv"),
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
