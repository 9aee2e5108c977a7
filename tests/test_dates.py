"""Dates read as precisely as they are known, and no more."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from timeline.data.dates import EARLIEST, LATEST, date_label, in_range, window
from timeline.data.frame import EventFrame, build_frame
from timeline.figures import chart as figures
from timeline.formats import timelinejs
from timeline.formats.loader import load_dataset
from timeline.render import export, handout, standalone
from timeline.web import callbacks, embed, present, views

from .conftest import FIXTURES

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "precision", "display", "expected"),
    [
        (D(2024, 3, 3), None, "day", None, "3 Mar 2024"),
        (D(2023, 11, 24), D(2023, 12, 1), "day", None, "24 Nov – 1 Dec 2023"),
        (D(2024, 3, 10), D(2024, 3, 11), "days", None, "between 10–11 Mar 2024"),
        (D(2024, 3, 11), None, "week", None, "week of 11 Mar 2024"),
        (D(2024, 3, 1), None, "month", None, "March 2024"),
        (D(2024, 1, 1), None, "year", None, "2024"),
        (D(2024, 12, 30), D(2025, 1, 2), "approximate", None, "around 30 Dec 2024 – 2 Jan 2025"),
        (D(2024, 3, 10), D(2024, 3, 11), "days", "evening of 10 March", "evening of 10 March"),
    ],
)
def test_date_label(start, end, precision, display, expected):
    assert date_label(start, end, precision, display) == expected


@pytest.mark.parametrize(
    ("start", "end", "precision", "expected"),
    [
        (D(2024, 3, 3), None, "day", (D(2024, 3, 3), D(2024, 3, 3))),
        (D(2024, 3, 11), None, "week", (D(2024, 3, 11), D(2024, 3, 17))),
        (D(2024, 2, 10), None, "month", (D(2024, 2, 10), D(2024, 2, 29))),
        (D(2024, 5, 1), None, "year", (D(2024, 5, 1), D(2024, 12, 31))),
        (D(2024, 3, 10), D(2024, 3, 11), "days", (D(2024, 3, 10), D(2024, 3, 11))),
    ],
)
def test_window_is_the_span_the_date_may_fall_in(start, end, precision, expected):
    assert window(start, end, precision) == expected


EDGES = FIXTURES / "edge-dates.yaml"


def test_the_allowed_range_is_inclusive():
    assert in_range(EARLIEST) and in_range(LATEST)
    assert not in_range(EARLIEST - dt.timedelta(days=1)) and not in_range(LATEST + dt.timedelta(days=1))


@pytest.fixture(scope="module")
def edge_frame() -> EventFrame:
    """Events, phases, story windows and sources at both ends of the allowed range, in every precision."""
    return build_frame(load_dataset([EDGES]))


def test_the_fixture_reaches_both_ends_of_the_range(edge_frame):
    data = edge_frame.dataset
    days = [e.start for e in data.events] + [e.end for e in data.events if e.end]
    assert min(days) == EARLIEST and max(days) == LATEST
    assert {e.precision for e in data.events} >= {"day", "week", "month", "year", "approximate"}
    assert {p.start for p in data.phases} | {p.end for p in data.phases} >= {EARLIEST, LATEST}
    assert edge_frame.events["hi"].max() == pd.Timestamp(LATEST + dt.timedelta(days=6))  # a week from the last day


def _every(frame: EventFrame) -> np.ndarray:
    return np.arange(len(frame.events))


# Every view the app serves, called as its route or callback calls it.
VIEWS = {
    "chart": lambda f: figures.timeline_figure(f, _every(f), selected=0).to_json(),
    "print chart": lambda f: figures.print_figure(f, _every(f)).to_json(),
    "dashboard": lambda f: [callbacks.render(f, f"?event={i}") for i in f.events["id"]],
    "dashboard dates": lambda f: callbacks.render(f, f"?from={EARLIEST}&to={LATEST}"),
    "hover": lambda f: [views.hover_card(f, p) for p in _every(f)],
    "embed": lambda f: [embed.render(f, q) for q in ("", "?theme=dark&aspect=16:9")],
    "presentation": lambda f: [present.render(f, f"?step={n}") for n in (1, 2)],
    "presentation of events": lambda f: [present.render(f, f"?mode=events&step={n + 1}") for n in _every(f)],
    "handout": lambda f: handout.handout_html(f, _every(f)),
    "standalone html": lambda f: standalone.standalone_html(f, _every(f)),
    "timelinejs": lambda f: timelinejs.to_timelinejs(f, _every(f)),
    "csv": lambda f: export.export_events(f, _every(f), "csv"),
    "json": lambda f: export.export_events(f, _every(f), "json"),
}


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_draws_dates_at_both_ends_of_the_range(edge_frame, view):
    assert VIEWS[view](edge_frame)


def test_the_chart_spans_the_whole_range(edge_frame):
    lo, hi = figures.time_range(edge_frame, _every(edge_frame))
    assert lo < pd.Timestamp(EARLIEST).value / 1e6 and hi > pd.Timestamp(LATEST).value / 1e6
    figure = figures.timeline_figure(edge_frame, _every(edge_frame))
    assert len(figure.layout.shapes) >= 3 + 5  # every phase band and every deadline line


def test_dates_at_the_edges_survive_a_csv_round_trip(edge_frame, tmp_path):
    text = EDGES.read_text(encoding="utf-8")
    (tmp_path / "meta.yaml").write_text(text[: text.index("events:")], encoding="utf-8")
    (tmp_path / "events.csv").write_bytes(export.export_events(edge_frame, _every(edge_frame), "csv"))
    again = load_dataset([tmp_path / "meta.yaml", tmp_path / "events.csv"])
    assert {e.id: (e.start, e.end) for e in again.events} == {e.id: (e.start, e.end) for e in edge_frame.dataset.events}
