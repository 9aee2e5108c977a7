"""The timeline "as known on" a date is a pure function of the frame, the positions and the date."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from timeline.data.frame import build_frame
from timeline.formats.loader import load_dataset
from timeline.query.asof import known, known_mask
from timeline.query.filters import Filters, matching, shown
from timeline.query.state import filters_from_query, query_from_filters
from timeline.query.story import shown_at, step_asof, steps
from timeline.render.export import export_events

from .conftest import FIXTURES

ASOF = FIXTURES / "asof.yaml"
ROOT = Path(__file__).resolve().parent.parent
D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def frame():
    return build_frame(load_dataset([ASOF]))


def ids(frame, positions):
    return list(frame.events.iloc[positions]["id"])


@pytest.mark.parametrize(
    ("date", "expected", "claims", "hidden_events", "hidden_claims"),
    [
        # Only the deadline was known: its source was published in February, ahead of it.
        ("2024-03-01", ["holiday-deadline"], 0, 0, 0),
        # "blame" has a source from 2 March, but it had not happened yet: background is not a report ahead.
        ("2024-03-03", ["talks-open", "holiday-deadline"], 0, 0, 0),
        # The undated meeting (4 March) had happened but cannot be placed in time: hidden and counted.
        ("2024-03-05", ["talks-open", "holiday-deadline"], 0, 1, 0),
        # "late-report" (5 March) was published only on 9 March. The expected talks were reported on 7 March.
        ("2024-03-07", ["talks-open", "blame", "holiday-deadline", "resume-expected"], 2, 1, 1),
        ("2024-03-08", ["talks-open", "blame", "holiday-deadline", "resume-expected", "cancelled-visit"], 3, 1, 1),
        ("2024-03-09", ["talks-open", "late-report", "blame", "holiday-deadline", "resume-expected",
                        "cancelled-visit"], 3, 1, 1),
        ("2024-03-20", ["talks-open", "late-report", "blame", "holiday-deadline", "resume-expected",
                        "cancelled-visit", "truce"], 3, 1, 1),
    ],
)  # fmt: skip
def test_what_was_known_on_a_date(frame, date, expected, claims, hidden_events, hidden_claims):
    view = shown(frame, Filters(asof=D(date)))
    assert ids(frame, view.positions) == expected
    assert (view.claims, view.hidden_events, view.hidden_claims) == (claims, hidden_events, hidden_claims)


def test_no_date_shows_everything_unchanged(frame):
    view = shown(frame, Filters())
    assert view.frame is frame and list(view.positions) == list(range(len(frame.events)))
    assert view.banner() == "" and view.claims == 4 and (view.hidden_events, view.hidden_claims) == (0, 0)


@pytest.mark.parametrize("date", [None, *(D("2024-02-28") + dt.timedelta(days=n) for n in range(0, 30, 3))])
@pytest.mark.parametrize("filters", [Filters(), Filters(actors=("alpha",)), Filters(date_from=D("2024-03-06"))])
def test_matching_and_shown_apply_the_same_rule(frame, filters, date):
    with_date = replace(filters, asof=date)
    assert list(shown(frame, with_date).positions) == list(matching(frame, with_date))
    assert set(shown(frame, with_date).positions) <= set(matching(frame, filters))


def test_other_filters_narrow_what_was_known(frame):
    view = shown(frame, Filters(actors=("beta",), asof=D("2024-03-07")))
    assert ids(frame, view.positions) == ["blame"]
    assert view.hidden_events == 1  # the undated meeting involves beta
    assert shown(frame, Filters(actors=("gamma",), asof=D("2024-03-07"))).hidden_events == 0


def test_events_carry_only_what_was_published_by_then(frame):
    blame = frame.position("blame")
    on_7 = shown(frame, Filters(asof=D("2024-03-07"))).frame.event(blame)
    assert [s.title for s in on_7.sources] == ["Background", "Talks stall"]
    assert [c.claimant for c in on_7.claims] == ["Alpha", "Beta"]
    assert on_7.quote is None  # its source was published on 8 March
    on_8 = shown(frame, Filters(asof=D("2024-03-08"))).frame.event(blame)
    assert [s.title for s in on_8.sources] == ["Background", "Talks stall", "Later account"]
    assert len(on_8.claims) == 3 and on_8.quote is not None and on_8.quote.text == "The door is still open."
    # The shared frame is untouched: the full event is still there for views without a date.
    assert len(frame.event(blame).claims) == 4 and len(frame.event(blame).sources) == 4


def test_statuses_are_shown_as_the_data_records_them(frame):
    view = shown(frame, Filters(asof=D("2024-03-08")))
    shown_rows = view.frame.events.iloc[view.positions]
    assert dict(zip(shown_rows["id"], shown_rows["status"], strict=True)) == {
        "talks-open": "occurred", "blame": "occurred", "holiday-deadline": "deadline",
        "resume-expected": "expected", "cancelled-visit": "cancelled",
    }  # fmt: skip
    assert view.frame.event(frame.position("resume-expected")).status == "expected"


@pytest.mark.parametrize(
    ("date", "banner"),
    [
        ("2024-03-07", "As known on 7 March 2024: 4 events, 2 claims. "
                       "Not shown, because their sources carry no date: 1 event and 1 claim."),
        ("2024-03-03", "As known on 3 March 2024: 2 events, 0 claims."),
        ("2024-03-05", "As known on 5 March 2024: 2 events, 0 claims. "
                       "Not shown, because their sources carry no date: 1 event."),
    ],
)  # fmt: skip
def test_banner(frame, date, banner):
    assert shown(frame, Filters(asof=D(date))).banner() == banner


def test_includes_tells_a_page_whether_the_selected_event_is_shown(frame):
    view = shown(frame, Filters(asof=D("2024-03-07")))
    assert view.includes(frame.position("blame"))
    assert not view.includes(frame.position("late-report")) and not view.includes(None)


def test_known_keeps_the_order_and_subset_it_is_given(frame):
    positions = [frame.position("truce"), frame.position("talks-open"), frame.position("late-report")]
    assert ids(frame, known(frame, positions, D("2024-03-20")).positions) == ["truce", "talks-open", "late-report"]
    assert ids(frame, known(frame, positions, D("2024-03-08")).positions) == ["talks-open"]
    assert not known_mask(frame, D("2020-01-01")).any() and known_mask(frame, None).all()


def test_story_steps_apply_their_asof_and_the_earlier_of_two_dates(frame):
    story = steps(frame, Filters())
    assert [s.asof for s in story] == [D("2024-03-07"), None]
    first = shown_at(frame, story, 0, Filters())
    assert ids(frame, first.positions) == ["talks-open", "blame"]
    assert first.banner().startswith("As known on 7 March 2024: 2 events, 2 claims.")
    # The viewer's earlier date wins over the step's; a later one does not reveal more than the step chose.
    assert ids(frame, shown_at(frame, story, 0, Filters(asof=D("2024-03-05"))).positions) == ["talks-open"]
    assert step_asof(story[0], Filters(asof=D("2024-03-30"))) == D("2024-03-07")
    # A step without asof shows everything revealed so far, unless the URL sets a date.
    assert ids(frame, shown_at(frame, story, 1, Filters()).positions) == ["talks-open", "blame", "truce"]
    assert shown_at(frame, story, 1, Filters()).banner() == ""
    assert ids(frame, shown_at(frame, story, 1, Filters(asof=D("2024-03-08"))).positions) == ["talks-open", "blame"]


def test_asof_in_the_url_keeps_the_story(frame):
    assert [s.title for s in steps(frame, Filters(asof=D("2024-03-08")))][0] == "What was known before the deadline"
    assert len(steps(frame, Filters(actors=("alpha",), asof=D("2024-03-08")))) == 2  # one per known alpha event


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?asof=2024-03-07", D("2024-03-07")),
        ("?asof=2024-02-30", None),
        ("?asof=yesterday", None),
        ("?asof=20240307", None),
        ("?asof=2024-03-07T00:00", None),
        ("?asof=%3Cscript%3E", None),
        ("?asof=", None),
    ],
)
def test_url_asof_is_parsed_leniently(frame, query, expected):
    assert filters_from_query(query, frame).asof == expected


def test_url_round_trip(frame):
    filters = Filters(actors=("alpha",), date_from=D("2024-03-01"), asof=D("2024-03-07"), event="blame")
    query = query_from_filters(filters)
    assert query == "?actors=alpha&from=2024-03-01&event=blame&asof=2024-03-07"
    assert filters_from_query(query, frame) == filters


def test_exports_carry_what_was_known(frame):
    view = shown(frame, Filters(asof=D("2024-03-07")))
    body = json.loads(export_events(view.frame, view.positions, "json"))
    assert [e["id"] for e in body["events"]] == ["talks-open", "blame", "holiday-deadline", "resume-expected"]
    blame = body["events"][1]
    assert len(blame["claims"]) == 2 and "quote" not in blame and len(blame["sources"]) == 2


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "timeline", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_cli_export_asof(tmp_path):
    out = tmp_path / "known.json"
    result = run("export", str(ASOF), "--format", "json", "--asof", "2024-03-07", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "As known on 7 March 2024: 4 events, 2 claims." in result.stderr
    events = json.loads(out.read_text())["events"]
    assert [e["id"] for e in events] == ["talks-open", "blame", "holiday-deadline", "resume-expected"]
    assert [c["claimant"] for c in events[1]["claims"]] == ["Alpha", "Beta"]


def test_cli_export_refuses_a_bad_asof_and_an_empty_view(tmp_path):
    result = run("export", str(ASOF), "--format", "csv", "--asof", "7 March", "-o", str(tmp_path / "x.csv"))
    assert result.returncode == 1 and "asof: '7 March' is not a date (use YYYY-MM-DD)" in result.stderr
    result = run("export", str(ASOF), "--format", "csv", "--asof", "2020-01-01", "-o", str(tmp_path / "x.csv"))
    assert result.returncode == 1 and "no events match these filters" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "x.csv").exists()
