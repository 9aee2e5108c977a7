"""The timeline figure, checked as data without a browser."""

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from timeline.data.frame import build_frame
from timeline.data.vocab import LABEL_RANK
from timeline.figures.chart import (
    CLUSTER,
    COUNTS,
    DAY_MS,
    GENERAL_LANE,
    HOVER_TITLES,
    LABELS,
    MAX_MARKS,
    PLOT_CONFIG,
    plain,
    timeline_figure,
    timeline_view,
)
from timeline.figures.labels import importance, shorten
from timeline.formats.loader import load_dataset
from timeline.query.filters import Filters, matching
from timeline.query.lod import marks

from .conftest import FIXTURES


def markers(fig):
    return [t for t in fig.data if t.mode == "markers" and t.customdata is not None]


def density(fig) -> list:
    """The filled outlines of a zoomed-out chart's bars (or of the bars outside the window, for a range slider)."""
    return [t for t in fig.data if t.fill == "toself"]


def event_labels(fig) -> list[tuple[str, float, float]]:
    """(text, x, y) of every label on the lanes: the text of the label traces' points."""
    return [(t, x, y) for tr in fig.data if tr.name == LABELS for t, x, y in zip(tr.text, tr.x, tr.y, strict=True)]


def points(fig):
    """(event row, lane row, x, symbol) for every marker."""
    out = []
    for t in markers(fig):
        symbols = np.broadcast_to(t.marker.symbol, len(t.x))
        out += list(zip(t.customdata, t.y, t.x, symbols, strict=True))
    return out


def test_every_event_is_drawn_once_per_actor_lane(mini_frame):
    fig = timeline_figure(mini_frame, matching(mini_frame, Filters()))
    gamma = '<span style="color:#0072B2">■</span> Gamma'  # the only actor given a colour
    assert list(fig.layout.yaxis.ticktext) == ["Alpha State", "Beta Movement", gamma, GENERAL_LANE]
    drawn = sorted((int(e), int(lane)) for e, lane, _, _ in points(fig))
    expected = sorted([(0, 0), (0, 1), (0, 2), (1, 1), (2, 3), (3, 2), (4, 0), (4, 1)])
    assert drawn == expected
    assert fig.layout.xaxis.type == "date" and fig.layout.xaxis.rangeslider.visible


def test_lanes_can_be_limited_to_chosen_actors(mini_frame):
    fig = timeline_figure(mini_frame, matching(mini_frame, Filters(actors=("gamma",))), lanes_of=("gamma",))
    assert list(fig.layout.yaxis.ticktext) == ['<span style="color:#0072B2">■</span> Gamma']
    assert sorted(int(e) for e, *_ in points(fig)) == [0, 3]


def test_only_numbers_travel_per_point(bundled_frame):
    fig = timeline_figure(bundled_frame, matching(bundled_frame, Filters()))
    for trace in fig.to_plotly_json()["data"]:
        assert_only_numbers_per_point(trace)


def assert_only_numbers_per_point(trace: dict) -> None:
    """Text travels only for the few clusters and labels drawn; everything else per point is a number."""
    if trace.get("name") == "Clusters":  # a count and a date range for each, a few dozen at most
        assert all(t.isdigit() for t in trace["text"]) and len(trace.get("hovertext", [])) <= MAX_MARKS
        return
    if trace.get("name") == COUNTS:  # a count, a width in days and a start date for each bar, bars a lane at most
        rows = trace["customdata"]
        assert len(rows) <= MAX_MARKS and numeric(trace["x"]) and numeric(trace["y"])
        assert all(numeric(row[:2]) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[2]) for row in rows)
        return
    if trace.get("name") == LABELS:  # only the labels there is room for
        assert len(trace["text"]) < 100 and isinstance(trace["textposition"], str)
        assert numeric(trace["x"]) and numeric(trace["y"]) and numeric(trace["marker"]["size"])
        return
    for key in ("x", "y", "customdata", "base", "width"):
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
    whiskers = [t for t in fig.data if t.mode == "lines" and t.fill != "toself" and t.line.width < 5]
    spans = [tuple(t.x[i : i + 2]) for t in whiskers for i in range(0, len(t.x), 3)]
    assert (lo, hi) in spans
    exact = mini_frame.position("talks-open")
    assert all(s < 100 for e, _, _, s in points(fig) if e == exact)


def test_ranges_are_bars_from_start_to_end(mini_frame):
    fig = timeline_figure(mini_frame, matching(mini_frame, Filters()))
    bars = [t for t in fig.data if t.mode == "lines" and t.fill != "toself" and t.line.width > 5]
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
    labels = [text for text, _, _ in event_labels(fig)]
    assert labels and all("<" not in text for text in labels)
    assert any(text.startswith("&lt;img src=x onerror=") for text in labels)  # shortened to the room there is


def test_svg_by_default_and_webgl_on_request(mini_frame):
    assert all(isinstance(t, go.Scatter) for t in timeline_figure(mini_frame, np.arange(5)).data)
    webgl = timeline_figure(mini_frame, np.arange(5), webgl=True).data
    assert all(isinstance(t, go.Scattergl) for t in webgl if t.name != LABELS)
    assert all(isinstance(t, go.Scatter) for t in webgl if t.name == LABELS)  # text offsets are SVG's


@pytest.fixture(scope="module")
def big():
    from timeline.data.synthetic import synthetic_dataset

    frame = build_frame(synthetic_dataset(12_000, seed=3))
    return frame, matching(frame, Filters())


def drawn_marks(fig) -> int:
    """Every marker and bar the browser receives (a label's point has an invisible marker)."""
    return sum(len(t.x) for t in fig.data if t.name == COUNTS or "markers" in t.mode)


def test_zoomed_out_over_many_events_lanes_show_counts(big):
    frame, positions = big
    fig, detail = timeline_view(frame, positions)
    (counts,) = [t for t in fig.data if t.name == COUNTS]
    (outline,) = density(fig)
    ticks = [t for t in fig.data if t.name == "Labelled events"]  # where the labelled events fall
    assert detail.binned and markers(fig) == ticks
    assert drawn_marks(fig) - 2 * len(ticks[0].x) <= MAX_MARKS  # a tick and a label's point for each label
    assert sum(int(c[0]) for c in counts.customdata) == int(detail.bins.count.sum()) and len(counts.x) == len(
        detail.bins)  # fmt: skip
    labelled = [*ticks, *(t for t in fig.data if t.name == LABELS)]
    assert [t for t in fig.data if t not in labelled] == [outline, counts]
    assert "events" in counts.hovertemplate and counts.mode == "none"  # the count in the hover, nothing drawn
    assert outline.showlegend and outline.name.startswith("Events per ") and outline.hoverinfo == "skip"
    assert list(fig.layout.xaxis.range) == list(detail.window)


def test_each_lanes_bars_are_one_closed_outline_over_the_same_days(big):
    frame, positions = big
    fig, detail = timeline_view(frame, positions)
    (counts,) = [t for t in fig.data if t.name == COUNTS]
    (outline,) = density(fig)
    x, y = np.asarray(outline.x, dtype=float), np.asarray(outline.y, dtype=float)
    gaps = np.flatnonzero(np.isnan(x))
    assert len(gaps) == len(detail.lanes) and np.array_equal(np.isnan(y), np.isnan(x))  # a shape a lane
    corners = np.delete(x, gaps).reshape(-1, 4), np.delete(y, gaps).reshape(-1, 4)  # each bar's four corners
    lo, hi = corners[0][:, 0], corners[0][:, 2]
    assert np.array_equal(corners[0][:, 1], lo) and np.array_equal(corners[0][:, 3], hi)
    bins = detail.bins
    assert sorted(zip(lo, hi, strict=True)) == sorted(zip(bins.lo, bins.hi, strict=True))
    foot, top = corners[1][:, 0], corners[1][:, 1]
    assert np.allclose(foot, np.round(foot - 0.42) + 0.42) and (top < foot).all()  # rising from the lane's foot
    middles = np.sort(np.asarray(counts.x, dtype=float))
    assert np.array_equal(middles, np.sort((lo + hi) / 2))  # the hover's point sits in its bar
    days = {(row[0], row[2]) for row in counts.customdata}
    starts = np.datetime_as_string(bins.lo.astype("int64").astype("datetime64[ms]"), unit="D")
    assert days == set(zip(bins.count.tolist(), starts.tolist(), strict=True))


def test_zoomed_in_single_events_with_their_symbols_and_spans(big):
    frame, positions = big
    start = frame.events["lo"].iloc[len(positions) // 2].value / 1e6
    fig, detail = timeline_view(frame, positions, window=(start, start + 2 * DAY_MS))
    assert not detail.binned and len(markers(fig)) > 1
    assert drawn_marks(fig) <= MAX_MARKS
    assert {int(e) for e, *_ in points(fig)} == set(detail.events.tolist())
    assert list(fig.layout.xaxis.range) == [start, start + 2 * DAY_MS]
    assert any(t.type == "scatter" and t.mode == "lines" for t in fig.data)  # spans
    context = density(fig)  # outside the window, for the range slider
    assert context and not any(t.showlegend for t in context)
    slider = fig.layout.xaxis.rangeslider.range
    assert slider[0] < start and slider[1] > start + 2 * DAY_MS


def test_only_numbers_travel_per_point_at_every_scale(big):
    frame, positions = big
    start = frame.events["lo"].iloc[len(positions) // 2].value / 1e6
    for window in (None, (start, start + 2 * DAY_MS)):
        for trace in timeline_figure(frame, positions, window=window).to_plotly_json()["data"]:
            assert_only_numbers_per_point(trace)


def test_every_kind_of_figure_passes_plotlys_own_checks(big, bundled_frame):
    """The figures are built without plotly's checks (for speed): here they go through them, so that a misspelt
    property or a value out of range, which plotly.js would silently ignore, fails."""
    frame, positions = big
    start = frame.events["lo"].iloc[len(positions) // 2].value / 1e6
    everything = matching(bundled_frame, Filters())
    figures = [
        timeline_figure(frame, positions),  # bars, ticks and top labels
        timeline_figure(frame, positions, window=(start, start + 2 * DAY_MS), slider=False),  # single events
        timeline_figure(frame, positions, window=(start, start + 2 * DAY_MS), webgl=True),
        timeline_figure(bundled_frame, everything, selected=int(everything[0]), title="A title", credit="A credit"),
        timeline_figure(bundled_frame, everything, width=375, font_px=18, legend=False),
    ]
    for fig in figures:
        checked = go.Figure(fig.to_plotly_json())  # raises ValueError on any property plotly does not know
        assert len(checked.data) == len(fig.data) and checked.layout.height == fig.layout.height
    assert {t.mode for fig in figures for t in fig.data} >= {"markers", "lines", "markers+text", "none"}
    broken = figures[0].to_plotly_json()
    broken["data"][0]["marker"] = {"colour": "red"}
    with pytest.raises(ValueError, match="colour"):
        go.Figure(broken)


def test_lane_names_cut_for_a_narrow_chart_still_tell_the_lanes_apart(big):
    frame, positions = big
    wide = list(timeline_figure(frame, positions).layout.yaxis.ticktext)
    narrow = list(timeline_figure(frame, positions, width=341).layout.yaxis.ticktext)
    assert "Synthetic actor 01" in wide  # room enough: whole
    assert len(set(narrow)) == len(narrow) == len(wide)  # cut, starts alike: each keeps its end
    assert all(n.endswith(w[-2:]) and "…" in n and len(n) < len(w) for n, w in zip(narrow, wide, strict=True))


def test_empty_view_is_an_empty_chart(mini_frame):
    fig = timeline_figure(mini_frame, np.array([], dtype=int))
    assert markers(fig) == [] and list(fig.layout.yaxis.ticktext) == []
    # with no dates to show, its axis names none (not the hours of a made-up day)
    assert fig.layout.xaxis.showticklabels is False
    assert timeline_figure(mini_frame, np.arange(3)).layout.xaxis.showticklabels is not False


def test_no_cloud_button_or_logo():
    assert PLOT_CONFIG["showSendToCloud"] is False and PLOT_CONFIG["displaylogo"] is False


def test_time_range_matches_the_figures_axis(bundled_frame):
    from timeline.figures.chart import time_range

    for filters in (Filters(), Filters(actors=("egypt",))):
        positions = matching(bundled_frame, filters)
        assert time_range(bundled_frame, positions) == list(
            timeline_figure(bundled_frame, positions).layout.xaxis.range
        )


# --- clusters, labels zoomed out, actor colours ----------------------------------------------------------------


def clusters(fig) -> list:
    return [t for t in fig.data if t.name == "Clusters"]


def test_dense_stretches_are_drawn_as_clusters_with_their_counts(bundled_frame):
    positions = matching(bundled_frame, Filters())
    fig, detail = timeline_view(bundled_frame, positions, slider=False)
    (trace,) = clusters(fig)
    counts = [int(t) for t in trace.text]
    assert counts == detail.clusters.count.tolist() and min(counts) >= 2
    assert sum(counts) + len(points(fig)) == len(marks(bundled_frame, positions))
    # A cluster's customdata names no event but the days it covers, which a click on it zooms to.
    assert all(kind == CLUSTER and lo < hi for kind, lo, hi in trace.customdata)
    assert all(isinstance(t, go.Scatter) for t in fig.data)
    # the hover: how many, the days they fall on (hedged when some are known only to a span), and the first titles
    heads = [h.split("<br>")[0] for h in trace.hovertext]
    assert all(re.fullmatch(r"\d+ events, (between )?\d.* \d{4}", h) for h in heads)
    first = detail.clusters.events[: counts[0]]
    days = bundled_frame.events.iloc[first]
    if (days["precision"] == "day").all():
        assert heads[0].endswith(f"{days['hi'].max():%b %Y}")
    named = trace.hovertext[0].split("<br>")[1:]
    assert len(named) == min(counts[0], HOVER_TITLES) + (counts[0] > HOVER_TITLES)
    assert named[0] == f"• {plain(shorten(days['title'].iloc[0], 60))}"


def test_zoomed_in_clusters_open_into_single_marks(bundled_frame):
    positions = matching(bundled_frame, Filters())
    week = (pd.Timestamp("2024-03-18").value / 1e6, pd.Timestamp("2024-03-25").value / 1e6)
    fig, detail = timeline_view(bundled_frame, positions, slider=False, window=week)
    assert not clusters(fig) and len(detail.clusters) == 0 and points(fig)
    unclustered = timeline_figure(bundled_frame, positions, slider=False, cluster=False)
    assert not clusters(unclustered) and len(points(unclustered)) == len(marks(bundled_frame, positions))


def test_a_selected_event_is_drawn_alone_and_ringed(bundled_frame):
    positions = matching(bundled_frame, Filters())
    _, detail = timeline_view(bundled_frame, positions, slider=False)
    chosen = int(detail.clusters.events[0])
    fig, detail = timeline_view(bundled_frame, positions, slider=False, selected=chosen)
    assert chosen not in detail.clusters.events and chosen in [int(e) for e, *_ in points(fig)]
    assert [t for t in fig.data if t.name == "Selected"]


def test_clusters_are_labelled_as_their_most_important_event(bundled_frame):
    positions = matching(bundled_frame, Filters())
    fig, detail = timeline_view(bundled_frame, positions, slider=False, width=1600)
    labels = {text for text, _, _ in event_labels(fig)}
    c = detail.clusters
    ranks = importance(bundled_frame.events["type"], bundled_frame.events["key"])
    best = [c.events[s : s + n][np.argmax(ranks[c.events[s : s + n]])] for s, n in zip(c.start, c.count, strict=True)]
    titles = bundled_frame.events["title"]
    # a label is the title, shortened to the room there is: at least one cluster's best title begins a label
    assert any(any(t.startswith(label.rstrip("…")) for label in labels) for t in titles.iloc[best])


def test_zoomed_out_the_events_that_matter_most_keep_their_labels(big):
    frame, positions = big
    fig, detail = timeline_view(frame, positions, slider=False)
    labels = event_labels(fig)
    (ticks,) = [t for t in fig.data if t.name == "Labelled events"]
    assert detail.binned and labels and len(ticks.customdata) == len(labels)
    ranks = importance(frame.events["type"], frame.events["key"])
    assert (ranks[list(ticks.customdata)] >= max(LABEL_RANK.values())).all()
    first, last = detail.window
    assert all(first <= x <= last for _, x, _ in labels)
    assert all("#ffffff" in t.textfont.shadow for t in fig.data if t.name == LABELS)  # a halo over the bars
    assert drawn_marks(fig) <= MAX_MARKS + 2 * len(labels)


def test_actor_colours_are_swatches_on_the_lane_names_only_when_valid(mini_frame):
    from dataclasses import replace

    actors = [a.model_copy(update={"color": c}) for a, c in
              zip(mini_frame.dataset.actors, ["#D55E00", "red;background:url(x)", None], strict=True)]  # fmt: skip
    frame = replace(mini_frame, dataset=mini_frame.dataset.model_copy(update={"actors": actors}))
    ticks = list(timeline_figure(frame, matching(frame, Filters())).layout.yaxis.ticktext)
    assert ticks == ['<span style="color:#D55E00">■</span> Alpha State', "Beta Movement", "Gamma", GENERAL_LANE]


@pytest.mark.parametrize("phases", [True, False], ids=["phases-and-deadlines", "deadlines-only"])
def test_a_steady_chart_keeps_its_height_whatever_the_window(bundled_frame, phases):
    """The dashboard's chart: zooming never changes its height (the page would move, and plotly.js would draw it
    twice); without `steady`, the margins follow what each window holds."""
    if not phases:  # then only the deadlines among the events need label rows, in the windows that hold them
        bundled_frame = build_frame(bundled_frame.dataset.model_copy(update={"phases": []}))
    positions = matching(bundled_frame, Filters())
    day = pd.Timestamp
    windows = [None] + [
        (day(a).value / 1e6, day(b).value / 1e6)
        for a, b in (("2024-03-01", "2024-03-20"), ("2024-09-01", "2024-12-01"), ("2023-10-01", "2025-06-01"))
    ]
    steady = [timeline_view(bundled_frame, positions, slider=False, window=w, steady=True)[0].layout for w in windows]
    assert len({(layout.height, layout.margin.t, layout.margin.b) for layout in steady}) == 1
    loose = [timeline_view(bundled_frame, positions, slider=False, window=w)[0].layout.height for w in windows]
    assert len(set(loose)) > 1  # these windows do hold different label rows and legends
    assert steady[0].height >= max(loose)
