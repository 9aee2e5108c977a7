"""The timeline figure, checked as data without a browser."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from timeline.data.frame import build_frame
from timeline.figures.chart import DAY_MS, GENERAL_LANE, MAX_MARKS, PLOT_CONFIG, timeline_figure, timeline_view
from timeline.formats.loader import load_dataset
from timeline.query.filters import Filters, matching

from .conftest import FIXTURES


def markers(fig):
    return [t for t in fig.data if t.type != "bar" and t.mode == "markers" and t.customdata is not None]


def points(fig):
    """(event row, lane row, x, symbol) for every marker."""
    out = []
    for t in markers(fig):
        symbols = np.broadcast_to(t.marker.symbol, len(t.x))
        out += list(zip(t.customdata, t.y, t.x, symbols, strict=True))
    return out


def test_every_event_is_drawn_once_per_actor_lane(mini_frame):
    fig = timeline_figure(mini_frame, matching(mini_frame, Filters()))
    assert list(fig.layout.yaxis.ticktext) == ["Alpha State", "Beta Movement", "Gamma", GENERAL_LANE]
    drawn = sorted((int(e), int(lane)) for e, lane, _, _ in points(fig))
    expected = sorted([(0, 0), (0, 1), (0, 2), (1, 1), (2, 3), (3, 2), (4, 0), (4, 1)])
    assert drawn == expected
    assert fig.layout.xaxis.type == "date" and fig.layout.xaxis.rangeslider.visible


def test_lanes_can_be_limited_to_chosen_actors(mini_frame):
    fig = timeline_figure(mini_frame, matching(mini_frame, Filters(actors=("gamma",))), lanes_of=("gamma",))
    assert list(fig.layout.yaxis.ticktext) == ["Gamma"]
    assert sorted(int(e) for e, *_ in points(fig)) == [0, 3]


def test_only_numbers_travel_per_point(bundled_frame):
    fig = timeline_figure(bundled_frame, matching(bundled_frame, Filters()))
    for trace in fig.to_plotly_json()["data"]:
        for key in ("x", "y", "customdata"):
            assert numeric(trace.get(key, [])), (trace.get("name"), key)
        assert numeric(trace.get("marker", {}).get("symbol", 0))
        assert "text" not in trace and "hovertext" not in trace


def numeric(values) -> bool:
    if isinstance(values, dict):  # plotly's base64 typed array
        return values["dtype"][0] in "fiu"
    array = np.asarray(values)
    if array.dtype == object:  # plotly keeps a list for properties that may also be a single value (a bar's base)
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in array.ravel())
    return array.dtype.kind in "fiu"


def test_imprecise_dates_are_hollow_and_span_their_window(mini_frame):
    fig = timeline_figure(mini_frame, matching(mini_frame, Filters()))
    week = mini_frame.position("resume-expected")  # week of 11 March: 11-17 March
    ((_, _, x, symbol),) = [p for p in points(fig) if p[0] == week]
    lo, hi = pd.Timestamp("2024-03-11").value / 1e6, pd.Timestamp("2024-03-18").value / 1e6
    assert x == (lo + hi) / 2 and symbol >= 100  # plotly's "-open" variant
    whiskers = [t for t in fig.data if t.type != "bar" and t.mode == "lines" and t.line.width < 5]
    spans = [tuple(t.x[i : i + 2]) for t in whiskers for i in range(0, len(t.x), 3)]
    assert (lo, hi) in spans
    exact = mini_frame.position("talks-open")
    assert all(s < 100 for e, _, _, s in points(fig) if e == exact)


def test_ranges_are_bars_from_start_to_end(mini_frame):
    fig = timeline_figure(mini_frame, matching(mini_frame, Filters()))
    bars = [t for t in fig.data if t.type != "bar" and t.mode == "lines" and t.line.width > 5]
    start, end = pd.Timestamp("2024-03-20").value / 1e6, pd.Timestamp("2024-03-27").value / 1e6 + DAY_MS
    assert [tuple(b.x[:2]) for b in bars] == [(start, end)]
    assert len(bars[0].x) == 6  # one segment in each of the truce's two lanes, NaN-separated


def test_phases_are_labelled_bands_and_deadlines_labelled_lines(mini_frame):
    fig = timeline_figure(mini_frame, matching(mini_frame, Filters()))
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    labels = [a.text for a in fig.layout.annotations]
    assert "Round one" in labels and "Deadline: Holiday begins" in labels
    assert pd.Timestamp(rects[0].x0) == pd.Timestamp("2024-03-01")
    assert pd.Timestamp(rects[0].x1) == pd.Timestamp("2024-03-11")  # through the end of the last day
    assert [pd.to_datetime(s.x0, unit="ms") for s in lines] == [pd.Timestamp("2024-03-10")]


def test_selected_event_is_ringed(mini_frame):
    fig = timeline_figure(mini_frame, matching(mini_frame, Filters()), selected=mini_frame.position("truce"))
    ring = [t for t in fig.data if t.name == "Selected"]
    assert len(ring) == 1 and len(ring[0].x) == 2


def test_text_from_data_is_escaped_for_plotly():
    frame = build_frame(load_dataset([FIXTURES / "hostile.yaml"]))
    fig = timeline_figure(frame, matching(frame, Filters()), width=1600)
    assert "&lt;b onmouseover=window.__pwned=3&gt;Evil&lt;/b&gt;" in fig.layout.yaxis.ticktext
    assert all("<" not in a.text for a in fig.layout.annotations)


def test_svg_by_default_and_webgl_on_request(mini_frame):
    assert all(isinstance(t, go.Scatter) for t in timeline_figure(mini_frame, np.arange(5)).data)
    assert all(isinstance(t, go.Scattergl) for t in timeline_figure(mini_frame, np.arange(5), webgl=True).data)


@pytest.fixture(scope="module")
def big():
    from timeline.data.synthetic import synthetic_dataset

    frame = build_frame(synthetic_dataset(12_000, seed=3))
    return frame, matching(frame, Filters())


def drawn_marks(fig) -> int:
    """Every marker and bar the browser receives."""
    return sum(len(t.x) for t in fig.data if t.type == "bar" or t.mode == "markers")


def test_zoomed_out_over_many_events_lanes_show_counts(big):
    frame, positions = big
    fig, detail = timeline_view(frame, positions)
    bars = [t for t in fig.data if t.type == "bar"]
    assert detail.binned and bars and not markers(fig)
    assert drawn_marks(fig) <= MAX_MARKS
    assert sum(int(c[0]) for t in bars for c in t.customdata) == int(detail.bins.count.sum())
    assert all(isinstance(t, go.Bar) for t in fig.data) and fig.layout.barmode == "overlay"
    assert "events" in bars[0].hovertemplate and bars[0].showlegend  # the count in the hover; what bars mean
    assert list(fig.layout.xaxis.range) == list(detail.window)


def test_zoomed_in_single_events_with_their_symbols_and_spans(big):
    frame, positions = big
    start = frame.events["lo"].iloc[len(positions) // 2].value / 1e6
    fig, detail = timeline_view(frame, positions, window=(start, start + 2 * DAY_MS))
    assert not detail.binned and len(markers(fig)) > 1
    assert drawn_marks(fig) <= MAX_MARKS
    assert {int(e) for e, *_ in points(fig)} == set(detail.events.tolist())
    assert list(fig.layout.xaxis.range) == [start, start + 2 * DAY_MS]
    assert any(t.type == "scatter" and t.mode == "lines" for t in fig.data)  # spans
    context = [t for t in fig.data if t.type == "bar"]  # outside the window, for the range slider
    assert context and not any(t.showlegend for t in context)
    slider = fig.layout.xaxis.rangeslider.range
    assert slider[0] < start and slider[1] > start + 2 * DAY_MS


def test_only_numbers_travel_per_point_at_every_scale(big):
    frame, positions = big
    start = frame.events["lo"].iloc[len(positions) // 2].value / 1e6
    for window in (None, (start, start + 2 * DAY_MS)):
        for trace in timeline_figure(frame, positions, window=window).to_plotly_json()["data"]:
            for key in ("x", "y", "customdata", "base", "width"):
                assert numeric(trace.get(key, [])), (trace.get("name"), key)
            assert "text" not in trace and "hovertext" not in trace


def test_empty_view_is_an_empty_chart(mini_frame):
    fig = timeline_figure(mini_frame, np.array([], dtype=int))
    assert markers(fig) == [] and list(fig.layout.yaxis.ticktext) == []


def test_no_cloud_button_or_logo():
    assert PLOT_CONFIG["showSendToCloud"] is False and PLOT_CONFIG["displaylogo"] is False


def test_time_range_matches_the_figures_axis(bundled_frame):
    from timeline.figures.chart import time_range

    for filters in (Filters(), Filters(actors=("egypt",))):
        positions = matching(bundled_frame, filters)
        assert time_range(bundled_frame, positions) == list(
            timeline_figure(bundled_frame, positions).layout.xaxis.range
        )
