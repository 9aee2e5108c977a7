"""The columnar data path: flat tables checked as whole columns, frames built from them, Parquet files and the Arrow
CSV reader. The bulk checks are held to the schema: a row they pass is one the model and the event rules accept."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import HttpUrl, TypeAdapter, ValidationError

from timeline.data import bulk, dates, flat
from timeline.data import frame as frame_module
from timeline.data.bulk import check_table
from timeline.data.dates import date_label, precision_label, window
from timeline.data.flat import COLUMNS, complete, events_to_table, join_cell, row_to_record, split_cell, table_row
from timeline.data.frame import build_frame
from timeline.data.rules import check_events
from timeline.data.schema import Event
from timeline.data.synthetic import synthetic_dataset, synthetic_table
from timeline.data.vocab import EVENT_TYPE_BY_ID
from timeline.errors import DatasetError
from timeline.formats import flatcsv
from timeline.formats.flatcsv import read_flat, read_sheet, write_events
from timeline.formats.loader import _shared, load_dataset, load_frame
from timeline.formats.parquet import META_KEY, write_parquet
from timeline.query.filters import Filters, matching

from .conftest import FIXTURES, MINI

FIXTURE_FILES = sorted(FIXTURES.glob("*.yaml")) + [Path(__file__).resolve().parents[1] / "data" / "gaza-ceasefire.yaml"]
SYNTHETIC_HEAD, SYNTHETIC = synthetic_table(300, seed=5)
ACTORS = {a.id for a in SYNTHETIC_HEAD.actors}
ISSUES = {i.id for i in SYNTHETIC_HEAD.issues}
MINI_DATA = load_dataset([MINI])


def _meta(tmp_path: Path, data=MINI_DATA, name: str = "meta.yaml") -> Path:
    meta = data.model_dump(mode="json", exclude={"events", "story"}, exclude_none=True)
    (tmp_path / name).write_text(yaml.safe_dump(meta), encoding="utf-8")
    return tmp_path / name


def _problems(*paths: Path) -> list[str]:
    with pytest.raises(DatasetError) as caught:
        load_dataset(paths)
    return [str(p) for p in caught.value.problems]


# The frame: every column as the per-event definitions in timeline/data/dates.py and the vocabulary give it.


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_frame_columns_follow_the_per_event_definitions(path):
    data = load_dataset([path])
    frame = build_frame(data)
    assert frame.dataset is data and len(frame.events) == len(data.events)
    for position, (index, row) in enumerate(frame.events.iterrows()):
        event = data.events[index]
        lo, hi = window(event.start, event.end, event.precision)
        text = " ".join(filter(None, (event.title, event.summary, event.quote.text if event.quote else None)))
        first = min((s.date for s in event.sources if s.date), default=None)
        expected = {
            "id": event.id, "title": event.title, "type": event.type,
            "type_label": EVENT_TYPE_BY_ID[event.type].label, "family": EVENT_TYPE_BY_ID[event.type].family,
            "status": event.status, "precision": event.precision, "precision_label": precision_label(event.precision),
            "date_label": date_label(event.start, event.end, event.precision, event.display_date),
            "lo": pd_day(lo), "hi": pd_day(hi), "is_range": event.precision == "day" and event.end is not None,
            "location": event.location or "", "verification": event.verification,
            "first_source": pd_day(first), "label": event.label or "", "key": event.key,
            "unsourced": event.unsourced,
        }  # fmt: skip
        assert {k: _plain(row[k]) for k in expected} == expected, event.id
        assert frame.search_text.iloc[position] == text.casefold()
        assert frame.event(position) == event
        assert frame.position(event.id) == position
    order = [(data.events[i].start, i) for i in frame.events.index]
    assert [frame.events["lo"].iloc[k] for k in range(len(order))] == sorted(frame.events["lo"])
    actors = [(p, a.actor, a.role) for p, i in enumerate(frame.events.index) for a in data.events[i].actors]
    assert list(frame.actors[["event", "actor", "role"]].itertuples(index=False, name=None)) == actors
    issues = [(p, issue) for p, i in enumerate(frame.events.index) for issue in data.events[i].issues]
    assert list(frame.issues.itertuples(index=False, name=None)) == issues


def pd_day(day: dt.date | None) -> pd.Timestamp | None:
    return pd.Timestamp(day) if day is not None else None


def _plain(value):
    """A frame's cell, with NaT and NaN as None."""
    return None if value is pd.NaT or (isinstance(value, float) and value != value) else value


def test_search_text_is_casefolded_like_python():
    data = MINI_DATA
    event = data.events[0].model_copy(update={"title": "Straße ΣΊΣΥΦΟΣ", "summary": "İstanbul"})
    frame = build_frame(data.model_copy(update={"events": [event]}))
    assert frame.search_text.iloc[0] == "Straße ΣΊΣΥΦΟΣ İstanbul".casefold()


def test_the_search_text_is_built_by_the_first_search_not_at_start():
    words = itertools.cycle(["Alpha", "Bravo", "Charlie"])
    events = [e.model_copy(update={"title": f"Talks, {next(words)} {k}"}) for k, e in enumerate(MINI_DATA.events)]
    frame = build_frame(MINI_DATA.model_copy(update={"events": events[::-1]}))  # read out of date order
    assert "search_text" not in frame.__dict__
    found = matching(frame, Filters(q="bravo"))
    assert "search_text" in frame.__dict__
    expected = [e.title for e in events if "Bravo" in e.title]
    assert sorted(frame.events["title"].iloc[found]) == sorted(expected) and expected


def test_the_search_text_is_one_array_however_many_slices_made_it(monkeypatch):
    monkeypatch.setattr(frame_module, "SEARCH_SLICE", 2)  # casefolded a slice at a time, and longer than it was
    texts = ["Straße", "ǅ İ ﬃ", "plain", "ΣΊΣΥΦΟΣ", "x"]
    events = [e.model_copy(update={"title": t}) for e, t in zip(MINI_DATA.events, texts, strict=False)]
    frame = build_frame(MINI_DATA.model_copy(update={"events": events}))
    column = frame.search_text.array._pa_array  # iloc would join a column of chunks whole
    assert column.num_chunks == 1
    expected = {e.id: " ".join(filter(None, (e.title, e.summary, e.quote.text if e.quote else None))).casefold()
                for e in events}  # fmt: skip
    assert dict(zip(frame.events["id"], column.to_pylist(), strict=True)) == expected


def test_date_labels_say_what_date_label_says():
    days = [dt.date(1700, 1, 1), dt.date(1969, 12, 31), dt.date(1970, 1, 1), dt.date(2024, 2, 28),
            dt.date(2024, 2, 29), dt.date(2024, 3, 1), dt.date(2024, 12, 31), dt.date(2025, 1, 1),
            dt.date(2199, 12, 31)]  # fmt: skip
    cases = [(start, end, precision, display) for start in days for end in [None, *(d for d in days if d >= start)]
             for precision in ("day", "days", "week", "month", "year", "approximate")
             for display in ("", "mid-March 2024")]  # fmt: skip
    spans = [window(start, end, precision) for start, end, precision, _ in cases]
    number = np.vectorize(lambda day: (day - dates.EPOCH).days, otypes=[np.int64])
    precision, ended = np.array([c[2] for c in cases], dtype=object), np.array([c[1] is not None for c in cases])
    labels = dates.date_labels(number([lo for lo, _ in spans]), number([hi for _, hi in spans]), precision, ended,
                               np.array([c[3] for c in cases], dtype=object))  # fmt: skip
    assert list(labels) == [date_label(start, end, precision, display or None) for start, end, precision, display in
                            cases]  # fmt: skip


@pytest.mark.parametrize("order", ["as written", "reversed"])
def test_date_labels_are_numbered_in_date_order_whatever_the_file_order(order):
    head, table = synthetic_table(200, seed=9)
    if order == "reversed":
        table = table.take(pa.array(range(table.num_rows - 1, -1, -1)))
    labels = build_frame(head, table).events["date_label"]
    assert list(labels.cat.categories) == list(dict.fromkeys(labels))


# Synthetic data: the same events as objects, as a table and as a Parquet file.


@pytest.mark.parametrize(("n", "seed", "actors"), [(400, 3, 12), (120, 1, 1), (120, 2, 2), (60, 7, 3)])
def test_synthetic_table_holds_the_events_of_synthetic_dataset(n, seed, actors):
    head, table = synthetic_table(n, seed=seed, n_actors=actors)
    data = synthetic_dataset(n, seed=seed, n_actors=actors)
    assert table.equals(events_to_table(data.events))
    assert head == data.model_copy(update={"events": []})


def test_a_parquet_file_loads_as_the_same_dataset_and_frame(tmp_path):
    path = tmp_path / "synthetic.parquet"
    write_parquet(path, SYNTHETIC, SYNTHETIC_HEAD)
    assert META_KEY in pq.read_schema(path).metadata
    data = synthetic_dataset(300, seed=5)
    assert load_dataset([path]) == data
    frame, reference = load_frame([path]), build_frame(data)
    assert frame.dataset.events == [] and frame.dataset == data.model_copy(update={"events": []})
    pd_equal(frame.events, reference.events)
    for name in ("actors", "issues", "claims"):
        pd_equal(getattr(frame, name), getattr(reference, name))
    assert [frame.event(p) for p in range(0, 300, 37)] == [reference.event(p) for p in range(0, 300, 37)]


def pd_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b)


def test_valid_rows_build_no_object_per_event(tmp_path, monkeypatch):
    path = tmp_path / "synthetic.parquet"
    write_parquet(path, SYNTHETIC, SYNTHETIC_HEAD)
    built = []
    for name in ("model_validate", "model_construct"):
        original = getattr(Event, name)
        monkeypatch.setattr(Event, name, classmethod(lambda cls, *a, _o=original, **k: built.append(1) or _o(*a, **k)))
    frame = load_frame([path])
    assert built == [] and len(frame.events) == 300
    frame.event(5)  # the detail panel reads one event, on demand
    assert len(built) == 1


def test_parquet_events_load_with_a_yaml_metadata_file(tmp_path):
    write_parquet(tmp_path / "events.parquet", events_to_table(MINI_DATA.events))
    assert load_dataset([_meta(tmp_path), tmp_path / "events.parquet"]) == MINI_DATA.model_copy(update={"story": []})
    write_parquet(tmp_path / "both.parquet", events_to_table(MINI_DATA.events), MINI_DATA)
    assert "exactly one file must hold the dataset metadata" in _problems(tmp_path / "meta.yaml",
                                                                          tmp_path / "both.parquet")[0]  # fmt: skip


def test_parquet_dates_nulls_and_dictionary_columns_are_read_as_text(tmp_path):
    table = events_to_table(MINI_DATA.events)
    columns = {name: table[name] for name in table.column_names}
    columns["start"] = pa.array([dt.date.fromisoformat(d) for d in table["start"].to_pylist()], pa.date32())
    columns["location"] = pa.array([v or None for v in table["location"].to_pylist()], pa.large_string())
    columns["type"] = table["type"].dictionary_encode()
    del columns["display_date"]  # empty in every row
    pq.write_table(pa.table(columns), tmp_path / "events.parquet")
    assert load_dataset([_meta(tmp_path), tmp_path / "events.parquet"]).events == MINI_DATA.events


def _bad_parquet(tmp_path: Path, column: str, row: int, value: str) -> Path:
    table = events_to_table(MINI_DATA.events)
    cells = table[column].to_pylist()
    cells[row] = value
    write_parquet(tmp_path / "x.parquet", table.set_column(COLUMNS.index(column), column, pa.array(cells)), MINI_DATA)
    return tmp_path / "x.parquet"


@pytest.mark.parametrize(
    ("column", "row", "value", "expected"),
    [
        ("start", 0, "2024-13-01", 'row 1: start: "2024-13-01" is not a date (use YYYY-MM-DD)'),
        ("source_urls", 2, "javascript:x()", 'row 3: source_urls[1]: "javascript:x()" is not an http(s) URL'),
        ("id", 2, "talks-open", 'row 3: id: duplicate event id "talks-open" (first used by another event)'),
        ("actors", 1, "zed:party", 'row 2: actors[1]: unknown actor "zed"; known actors: alpha, beta, gamma'),
        ("source_titles", 0, "T1; T2", "row 1: source_publishers: has 1 item(s) but the sources need 2"),
        ("title", 3, "Truce \x1b[31m", "row 4: title: contains U+001B (ESCAPE); remove it"),
    ],
)  # fmt: skip
def test_parquet_problems_name_the_row_and_column(tmp_path, column, row, value, expected):
    path = _bad_parquet(tmp_path, column, row, value)
    assert f"{path}: {expected}" in _problems(path)


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (lambda p: p.write_bytes(b"PAR1 but not really"), "is not a Parquet file"),
        (lambda p: pq.write_table(pa.table({"id": ["a"]}), p), "missing column(s): title, summary, type, start"),
        (lambda p: pq.write_table(events_to_table([]).append_column("colour", pa.array([], pa.string())), p),
         "unknown column(s): colour; allowed: id, title"),
        (lambda p: pq.write_table(events_to_table([]).set_column(0, "id", pa.array([], pa.int64())), p),
         "column id holds int64; every column holds text"),
        (lambda p: pq.write_table(events_to_table([]).replace_schema_metadata({META_KEY: b"{not json"}), p),
         "its metadata (timeline.dataset) is not JSON"),
        (lambda p: pq.write_table(events_to_table([]).replace_schema_metadata({META_KEY: b'{"a": 1, "a": 2}'}), p),
         'the key "a" appears twice in the same object'),
        (lambda p: pq.write_table(events_to_table([]).replace_schema_metadata({META_KEY: b"[1]"}), p),
         "must be a JSON object"),
        (lambda p: pq.write_table(events_to_table([]).replace_schema_metadata({META_KEY: b'{"events": []}'}), p),
         "events: a Parquet file holds its events as rows, not in its metadata"),
    ],
)  # fmt: skip
def test_a_parquet_file_that_is_not_a_dataset_is_refused_in_one_line(tmp_path, write, expected):
    path = tmp_path / "x.parquet"
    write(path)
    found = _problems(path) if b"timeline" in _metadata_bytes(path) else _problems(_meta(tmp_path), path)
    assert len(found) == 1 and found[0].startswith(f"{path}: ") and expected in found[0], found


def _metadata_bytes(path: Path) -> bytes:
    try:
        return b"".join((pq.read_schema(path).metadata or {}).keys())
    except pa.ArrowException:
        return b""


def test_parquet_metadata_problems_name_the_field(tmp_path):
    data = MINI_DATA.model_dump(mode="json", exclude={"events"})
    data["actors"][0]["kind"] = "martian"
    table = events_to_table(MINI_DATA.events).replace_schema_metadata({META_KEY: yaml.safe_dump(data).encode()})
    pq.write_table(table, tmp_path / "x.parquet")
    assert "is not JSON" in _problems(tmp_path / "x.parquet")[0]
    table = table.replace_schema_metadata({META_KEY: json.dumps(data).encode()})
    pq.write_table(table, tmp_path / "x.parquet")
    assert f'{tmp_path / "x.parquet"}: actors[0].kind: "martian" is not one of' in _problems(tmp_path / "x.parquet")[0]


def test_a_parquet_file_over_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):

    path = tmp_path / "x.parquet"
    write_parquet(path, SYNTHETIC, SYNTHETIC_HEAD)
    monkeypatch.setenv("TIMELINE_MAX_PARQUET_MB", "0.05")
    (found,) = _problems(path)
    assert found.startswith(f"{path}: holds ") and "bytes of rows, over the 0.05 MB limit for Parquet" in found
    assert "TIMELINE_MAX_PARQUET_MB" in found


# CSV: rows read by Arrow when it reads them as the csv module does, and the same problems either way.


def test_csv_rows_load_through_arrow_with_the_same_result(tmp_path):
    text = write_events(MINI_DATA.events)
    sheet = read_flat(text, text.splitlines()[0].split(","))
    assert sheet.problems == [] and sheet.table.num_rows == len(MINI_DATA.events)
    assert sheet.lines() == [line for line, _ in read_sheet(text).rows]
    meta = _meta(tmp_path)
    (tmp_path / "e.csv").write_text(text, encoding="utf-8")
    assert load_dataset([meta, tmp_path / "e.csv"]).events == MINI_DATA.events


def test_csv_lines_count_cells_that_hold_line_breaks(tmp_path):
    events = [e.model_copy(update={"summary": "One.\nTwo.\n\nThree."}) for e in MINI_DATA.events]
    text = write_events(events)
    at = text.index(events[2].id)  # the third event's row starts on line 2 + 4 * 2
    text = text[:at] + text[at:].replace(str(events[2].start), "March", 1)
    (tmp_path / "e.csv").write_text(text + ",,\n", encoding="utf-8")
    assert _problems(_meta(tmp_path), tmp_path / "e.csv") == [
        f'{tmp_path / "e.csv"}:{2 + 4 * 2}: start: "March" is not a date (use YYYY-MM-DD)'
    ]


CSV_CHARS = st.sampled_from(list("ab,\"\n\r \t;'=-") + ["\u00e9", "\x00", "\u202e"])


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(st.text(CSV_CHARS, max_size=12), max_size=6).map(lambda cells: ",".join(cells)),
       rows=st.integers(0, 4))  # fmt: skip
def test_arrow_reads_a_csv_as_the_csv_module_does_or_leaves_it_to_it(body, rows):
    header = ["id", "title", "summary"]
    text = ",".join(header) + "\n" + "\n".join([body] * rows)
    table = flatcsv._arrow_rows(text, header)
    if table is None:
        return
    expected = [{c: row.get(c, "") for c in COLUMNS} for _, row in read_sheet(text).rows]
    assert [table_row(table, i) for i in range(table.num_rows)] == expected


# The bulk checks are at least as strict as the schema and the event rules.

CELLS = ["", " ", ";", ":", "\\", "\\;", "; ;", ",", "x", "é", "\x1b", "\u202e", "\x85", "\xa0", "\u3000", "\t", "\n",
         "actor-01", "actor-01:party", "actor-99:party", "issue-1", "issue-9", ":party", "party", "day", "days",
         "month", "year", "week", "approximate", "deadline", "occurred", "statement", "disputed", "2024-03-03",
         "2024-02-30", "2024-3-3", "1699-12-31", "2199-12-31", "0000-01-01", "20240303", "https://example.org/a",
         "http://example.org/synthetic/0/0", "https://example.org/synthetic/0/0", "HTTPS://example.org/",
         "https://1.2.3.4/", "https://a.org:99999/", "https://-a.org/", "https://a..org/", "ftp://a.org/",
         "https://a.org/x y", "https://a.org/é", "x" * 161, "=1", "'=1", "true", "TRUE", "False", "yes", "1",
         "x" * 40, "é" * 41]  # fmt: skip
# What an unsourced row clears: it lists no source, and so no quote or claim.
CITING = [c for c in COLUMNS if c.startswith(("source_", "claim_", "quote"))]


@st.composite
def mutated_rows(draw):
    row = dict(table_row(SYNTHETIC, draw(st.integers(0, SYNTHETIC.num_rows - 1))))
    if draw(st.booleans()):
        row.update({c: "" for c in CITING}, unsourced="true")
    for _ in range(draw(st.integers(1, 3))):
        column, piece = draw(st.sampled_from(COLUMNS)), draw(st.sampled_from(CELLS))
        cell = row[column]
        at = draw(st.integers(0, len(cell)))
        row[column] = draw(st.sampled_from([piece, cell[:at] + piece + cell[at:], cell + "; " + piece]))
    return row


@settings(max_examples=800, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(mutated_rows(), min_size=1, max_size=4))
def test_rows_that_pass_the_bulk_checks_pass_the_schema_and_rules(rows):
    table, ok = check_table(complete(pa.Table.from_pylist(rows, schema=flat.SCHEMA)), ACTORS, ISSUES)
    for i, row in enumerate(rows):
        record, problems = row_to_record(row)
        try:
            event = Event.model_validate(record)
        except ValidationError:
            assert not ok[i], row
            continue
        if problems or check_events([event], ACTORS, ISSUES):
            assert not ok[i], row
        if ok[i]:  # the trimmed row holds the same event
            assert Event.model_validate(row_to_record(table_row(table, i))[0]) == event


def test_the_bulk_checks_read_a_text_a_block_at_a_time_with_the_same_answers(monkeypatch):
    # Every piece in every column of a synthetic row, and blocks a few bytes or rows long: each piece crosses a
    # block's edge somewhere.
    rows = [dict(table_row(SYNTHETIC, k % SYNTHETIC.num_rows), **{column: piece + " x" + piece})
            for k, (column, piece) in enumerate((c, p) for c in COLUMNS for p in CELLS)]  # fmt: skip
    table = complete(pa.Table.from_pylist(rows, schema=flat.SCHEMA))
    whole, ok = check_table(table, ACTORS, ISSUES)
    monkeypatch.setattr(bulk, "_BLOCK", 5)
    monkeypatch.setattr(bulk, "_ROWS", 3)
    blocks, blocks_ok = check_table(table, ACTORS, ISSUES)
    assert blocks.equals(whole)
    assert (blocks_ok == ok).all() and 0 < ok.sum() < len(ok)


def test_the_bulk_checks_pass_every_row_of_the_curated_fixtures():
    # payloads.yaml and hostile.yaml hold escaped `;` and URLs with spaces: the schema, not the bulk checks, passes them
    for path in [p for p in FIXTURE_FILES if p.name not in ("payloads.yaml", "hostile.yaml")]:
        data = load_dataset([path])
        _, ok = check_table(complete(events_to_table(data.events)), {a.id for a in data.actors},
                            {i.id for i in data.issues})  # fmt: skip
        assert ok.all(), (path.name, [data.events[i].id for i in range(len(ok)) if not ok[i]])


_HTTP_URL = TypeAdapter(HttpUrl)
URL_CHARS = st.sampled_from(list("htps:/.-_~%?#=&;@![]{}|\\^`'\"<>()*+,$ az09AZé") + ["\t", "\x7f"])


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.one_of(st.text(URL_CHARS, max_size=30).map(lambda s: "https://" + s), st.text(URL_CHARS, max_size=30)))
def test_urls_the_bulk_checks_accept_are_http_urls(url):
    if re.fullmatch(bulk.URL, url) and len(url) <= bulk.URL_LENGTH:
        _HTTP_URL.validate_python(url)


URL_CELLS = ["", " ", "\u3000", "https://a.org", "http://a.org/x?y#z", "https://a.org/x; https://b.org:80/",
             " https://a.org", "https://a.org ", "https://a.org;", "; https://a.org", "https://a.org/\x00",
             "https://a.org/x\x00ttps://b.org", "xttps://a.org", "h", "https://a..org", "https://a.org/x y",
             "https://a.org/é", "https://" + "a" * 64 + ".org", "https://1.2.3.4/", "https://a.org:12345",
             "https://a.org;https://b.org", "https://a.org/\\", "HTTPS://a.org"]  # fmt: skip


@settings(max_examples=300, deadline=None, derandomize=True)
@given(cells=st.lists(st.sampled_from(URL_CELLS), min_size=1, max_size=12), block=st.sampled_from([1, 5, 1 << 20]))
def test_urls_matched_a_block_of_cells_at_a_time_match_as_cell_by_cell(cells, block):
    array = pa.array(cells, pa.string())
    rows = np.array([bool(c) for c in cells])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk, "_BLOCK", block)
        patch.setattr(bulk, "_JOINED_BLOCK", 1)
        for pattern in bulk._JOINED:
            expected = bulk._matching(array, pattern, rows)
            assert (bulk._joined_matching(array, pattern, rows) == expected).all(), pattern
            assert (bulk._joined_matching(array.slice(1), pattern, rows[1:]) == expected[1:]).all(), pattern


@settings(max_examples=200, deadline=None, derandomize=True)
@given(cells=st.lists(st.sampled_from(["", "", "", "", *URL_CELLS, *CELLS]), min_size=1, max_size=12))
def test_columns_of_mostly_empty_cells_are_checked_on_their_filled_cells_with_the_same_answers(cells):
    array = pa.array(cells, pa.string())
    for check, whole in ((bulk._items, bulk._text_items), (bulk._url_cells, bulk._text_urls)):
        (count, ok), (whole_count, whole_ok) = check(array), whole(array)
        assert count.tolist() == whole_count.tolist() and ok.tolist() == whole_ok.tolist()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.text(st.sampled_from(list("ab;\\ é")), min_size=1).map(str.strip).filter(bool), max_size=5))
def test_a_joined_cell_splits_back_into_its_values(values):
    assert split_cell(join_cell(values)) == values


@settings(max_examples=200, deadline=None, derandomize=True)
@given(filled=st.lists(st.sampled_from([c for c in CELLS if c]), min_size=1, max_size=6))
def test_cells_that_may_need_trimming_are_found_alike_in_mostly_empty_and_full_columns(filled):
    full = bulk.Text.of(pa.array(filled, pa.string())).padded()  # every row looked at
    cells = [cell for c in filled for cell in (c, "", "", "")]  # three in four empty: the filled ones looked at
    padded = bulk.Text.of(pa.array([" x ", *cells], pa.string()).slice(1)).padded()
    assert padded[::4].tolist() == full.tolist() and not np.delete(padded, np.s_[::4]).any()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(cells=st.lists(st.text(st.sampled_from(list("ab-1é")), max_size=20), min_size=1, max_size=12))
def test_equal_cells_have_equal_fingerprints_and_the_shared_ids_are_found(cells):
    # Between cells of other lengths, and in a slice of a longer array: only the cell's own bytes count.
    array = pa.array(["x" * 9, *cells, "y" * 17], pa.string()).slice(1, len(cells))
    fingerprints = bulk.Text.of(array).fingerprints()
    for i, j in itertools.combinations(range(len(cells)), 2):
        assert (fingerprints[i] == fingerprints[j]) == (cells[i] == cells[j]), (cells[i], cells[j])
    assert _shared(array).tolist() == [cells.count(c) > 1 for c in cells]


def test_whitespace_is_what_str_strip_removes():
    assert "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()) == flat.WHITESPACE


def test_the_bulk_checks_read_their_limits_from_the_schema():
    assert (bulk.SLUG.pattern, bulk.SLUG_LENGTH, bulk.TITLE_LENGTH) == ("^[a-z0-9][a-z0-9_-]*$", 80, 160)


def test_rows_the_bulk_checks_cannot_pass_still_load_when_the_schema_accepts_them(tmp_path):
    # A `\\` in a multi-valued cell sends the row through the schema; padding is trimmed as the schema trims it.
    events = [e.model_copy(update={"title": e.title + " c:\\", "location": "Cairo\u3000"}) for e in MINI_DATA.events]
    sources = [s.model_copy(update={"title": "A; B\\"}) for s in events[0].sources]
    events[0] = events[0].model_copy(update={"sources": sources})
    (tmp_path / "e.csv").write_text(write_events(events), encoding="utf-8")
    loaded = load_frame([_meta(tmp_path), tmp_path / "e.csv"])
    first = loaded.event(loaded.position(events[0].id))
    assert [s.title for s in first.sources] == ["A; B\\"] * len(sources)
    assert set(loaded.events["location"]) == {"Cairo"} and {e.title for e in events} == set(loaded.events["title"])


def test_a_dataset_with_no_events_loads_from_csv_and_parquet(tmp_path):
    meta = _meta(tmp_path)
    (tmp_path / "e.csv").write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    write_parquet(tmp_path / "e.parquet", events_to_table([]))
    for events in (tmp_path / "e.csv", tmp_path / "e.parquet"):
        frame = load_frame([meta, events])
        assert len(frame.events) == len(frame.actors) == len(frame.issues) == len(frame.claims) == 0


def test_yaml_and_table_events_combine_in_file_order_and_duplicates_are_named(tmp_path):
    head = textwrap.dedent(MINI.read_text(encoding="utf-8"))
    (tmp_path / "all.yaml").write_text(head, encoding="utf-8")
    write_parquet(tmp_path / "more.parquet", events_to_table(MINI_DATA.events[1:2]))
    found = _problems(tmp_path / "all.yaml", tmp_path / "more.parquet")
    assert found == [f'{tmp_path / "more.parquet"}: row 1: id: duplicate event id "{MINI_DATA.events[1].id}" (first '
                     "used by another event)"]  # fmt: skip


def test_the_version_changes_with_any_event_cell_and_not_otherwise() -> None:
    head, table = synthetic_table(300, seed=4)
    same = build_frame(head, table).version
    assert build_frame(head, table).version == same
    edited = table.set_column(table.column_names.index("title"), "title",
                              pa.array(["Edited"] + table["title"].to_pylist()[1:]))  # fmt: skip
    assert build_frame(head, edited).version != same  # same metadata, one cell changed
    assert build_frame(head, table.slice(1)).version != same


def test_label_key_and_unsourced_reach_the_frame_and_pass_the_bulk_checks():
    data = load_dataset([FIXTURE_FILES[0].parent / "mini.yaml"])
    first, second, *rest = data.events
    cleared = {"unsourced": True, "sources": [], "claims": [], "quote": None}
    events = [first.model_copy(update={"label": "Short", "key": True}), second.model_copy(update=cleared), *rest]
    data = data.model_copy(update={"events": events})
    table = complete(events_to_table(events))
    _, ok = check_table(table, {a.id for a in data.actors}, {i.id for i in data.issues})
    assert ok.all()
    frame = build_frame(data, table)
    by_id = frame.events.set_index("id")
    assert tuple(by_id.loc[first.id, ["label", "key", "unsourced"]]) == ("Short", True, False)
    assert (by_id.loc[second.id, "label"], by_id.loc[second.id, "unsourced"]) == ("", True)
    assert frame.event(frame.position(second.id)) == events[1]
    assert pd.isna(by_id.loc[second.id, "first_source"])
