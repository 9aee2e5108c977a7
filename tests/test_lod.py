"""Level of detail: never more than MAX_MARKS marks, counts that add up, single events when zoomed in."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pandas as pd
import pytest

from timeline.data.frame import build_frame
from timeline.data.synthetic import synthetic_dataset
from timeline.query import lod
from timeline.query.filters import Filters, matching
from timeline.query.lod import (
    BINS,
    CLUSTER_REACH,
    DAY_MS,
    MAX_MARKS,
    clustered,
    level_of_detail,
    marks,
    places,
    unit_days,
)

SIZES = (300, 4_000, 20_000)


@pytest.fixture(scope="module", params=SIZES, ids=[f"{n}-events" for n in SIZES])
def synthetic(request):
    frame = build_frame(synthetic_dataset(request.param, seed=1))
    return frame, matching(frame, Filters())


def day(text: str) -> float:
    return pd.Timestamp(text).value / 1e6


def windows(frame, positions) -> list[tuple[float, float] | None]:
    """The whole extent, a month, a week, an hour, and windows left of, right of and around all the events."""
    lo, hi = day(str(frame.events["lo"].min().date())), day(str(frame.events["hi"].max().date()))
    middle = (lo + hi) / 2
    return [None, (middle, middle + 30 * DAY_MS), (middle, middle + 7 * DAY_MS), (middle, middle + DAY_MS / 24),
            (lo - 400 * DAY_MS, lo - 300 * DAY_MS), (hi + 300 * DAY_MS, hi + 400 * DAY_MS),
            (lo - 5000 * DAY_MS, hi + 5000 * DAY_MS)]  # fmt: skip


def lane_counts(frame, positions, only=()) -> dict[int, int]:
    """How many marks each lane holds: one per event per lane, as the chart draws them."""
    m = marks(frame, positions, only)
    lanes, counts = np.unique(m.lane, return_counts=True)
    return dict(zip(lanes.tolist(), counts.tolist(), strict=True))


def drawn_per_lane(detail) -> dict[int, int]:
    """Marks per lane, single or counted in a bin, as the detail draws them."""
    totals: dict[int, int] = {}
    clusters = detail.clusters
    for row, count in [*zip(detail.bins.row, detail.bins.count, strict=True), *((r, 1) for r in detail.rows),
                       *zip(clusters.row, clusters.count, strict=True)]:  # fmt: skip
        lane = int(detail.lanes[row])
        totals[lane] = totals.get(lane, 0) + int(count)
    return totals


def assert_same_detail(want, have) -> None:
    """Two details alike, field by field (the bins' and clusters' arrays each)."""
    for field in fields(want):
        mine, theirs = getattr(want, field.name), getattr(have, field.name)
        if field.name in ("bins", "clusters"):
            assert all(np.array_equal(getattr(mine, f.name), getattr(theirs, f.name)) for f in fields(mine))
        else:
            assert np.array_equal(mine, theirs) if isinstance(mine, np.ndarray) else mine == theirs, field.name


@pytest.mark.parametrize("bins", [1, 7, BINS, 10_000])
def test_no_more_than_max_marks_ever_leave(synthetic, bins):
    frame, positions = synthetic
    for window in windows(frame, positions):
        for selected in (None, positions[:3]):
            detail = level_of_detail(frame, positions, window, bins=bins, selected=selected)
            assert detail.size <= MAX_MARKS, (len(positions), window, bins, detail.size)


def test_bins_and_single_events_add_up_to_every_mark_in_every_lane(synthetic):
    frame, positions = synthetic
    expected = lane_counts(frame, positions)
    for window in windows(frame, positions):
        detail = level_of_detail(frame, positions, window)
        assert drawn_per_lane(detail) == expected, window
        assert (detail.bins.count > 0).all() and (detail.bins.lo < detail.bins.hi).all()


def test_a_small_budget_bins_and_the_counts_still_add_up(synthetic):
    frame, positions = synthetic
    detail = level_of_detail(frame, positions, max_marks=200)
    assert detail.binned and len(detail.events) == 0 and detail.size <= 200
    assert drawn_per_lane(detail) == lane_counts(frame, positions)
    assert int(detail.bins.count.sum()) == len(marks(frame, positions))


def test_bins_in_the_window_lie_inside_it_and_the_others_outside(synthetic):
    frame, positions = synthetic
    first, last = frame.events["lo"].min().value / 1e6, frame.events["hi"].max().value / 1e6
    lo, hi = first + (last - first) * 0.1, last - (last - first) * 0.1  # most events, but not all
    detail = level_of_detail(frame, positions, (lo, hi), max_marks=300)
    inside, bins = detail.bins.inside, detail.bins
    assert detail.binned and inside.any() and (~inside).any()
    assert (bins.lo[inside] >= lo).all() and (bins.hi[inside] <= hi).all()
    assert ((bins.hi[~inside] <= lo) | (bins.lo[~inside] >= hi)).all()
    assert (bins.hi[inside] - bins.lo[inside]).max() == detail.unit_days * DAY_MS


def test_zoomed_in_every_event_reaching_into_the_window_is_drawn_alone(synthetic):
    frame, positions = synthetic
    lo_day = frame.events["lo"].iloc[len(frame.events) // 2]
    window = (lo_day.value / 1e6, lo_day.value / 1e6 + 2 * DAY_MS)
    detail = level_of_detail(frame, positions, window)
    assert not detail.binned and len(detail.events)
    starts, ends = frame.events["lo"], frame.events["hi"] + pd.Timedelta(days=1)
    reaching = np.flatnonzero(((starts < pd.Timestamp(window[1], unit="ms")) & (ends > lo_day)).to_numpy())
    assert set(detail.events.tolist()) == set(reaching.tolist())
    assert not detail.bins.inside.any()  # only the coarse bins outside the window, for the range slider
    assert list(detail.events) == sorted(detail.events)


def test_the_whole_of_a_small_dataset_is_drawn_event_by_event(bundled_frame):
    positions = matching(bundled_frame, Filters())
    detail = level_of_detail(bundled_frame, positions)
    assert not detail.binned and len(detail.bins) == 0
    assert len(detail.events) == len(marks(bundled_frame, positions))
    assert set(detail.events.tolist()) == set(positions.tolist())


def test_lanes_stay_put_when_zooming(synthetic):
    frame, positions = synthetic
    lanes = [level_of_detail(frame, positions, w).lanes.tolist() for w in windows(frame, positions)]
    assert all(x == lanes[0] for x in lanes)


def test_only_some_lanes(mini_frame):
    positions = matching(mini_frame, Filters(actors=("gamma",)))
    detail = level_of_detail(mini_frame, positions, only=("gamma",))
    gamma = [a.id for a in mini_frame.dataset.actors].index("gamma")
    assert detail.lanes.tolist() == [gamma] and sorted(detail.events.tolist()) == sorted(positions.tolist())


def test_selected_events_are_ringed_in_every_lane_within_the_budget(synthetic):
    frame, positions = synthetic
    chosen = positions[[0, len(positions) // 2]]
    detail = level_of_detail(frame, positions, selected=chosen)
    assert sorted(set(detail.ring_events.tolist())) == sorted(chosen.tolist())
    assert len(detail.ring_events) == int(np.isin(marks(frame, positions).event, chosen).sum())


def test_no_events(mini_frame):
    detail = level_of_detail(mini_frame, np.array([], dtype="int64"))
    assert detail.size == 0 and detail.extent is None and not detail.binned


@pytest.mark.parametrize(("days", "bins", "unit"), [(1, 120, 1), (120, 120, 1), (121, 120, 2), (300, 120, 7),
                                                    (1000, 120, 14), (3000, 120, 28), (10_000, 120, 91),
                                                    (100_000, 120, 1092)])  # fmt: skip
def test_bin_widths_are_nameable(days, bins, unit):
    assert unit_days(days * DAY_MS, bins) == unit


def test_without_context_only_the_window_is_drawn_and_its_marks_add_up(synthetic):
    frame, positions = synthetic
    m = marks(frame, positions)
    for window in windows(frame, positions):
        detail = level_of_detail(frame, positions, window, context=False)
        assert detail.size <= MAX_MARKS and detail.bins.inside.all()
        if detail.binned:
            lo, hi = detail.window
            assert int(detail.bins.count.sum()) == int(((m.x >= lo) & (m.x < hi)).sum())
        with_context = level_of_detail(frame, positions, window)
        assert len(detail.events) >= len(with_context.events)  # the budget all goes to the window


# --- clusters --------------------------------------------------------------------------------------------------

PLOT_PX, MARK_PX = 550, 13  # about the dashboard's plot and its marks


def apart(window: tuple[float, float]) -> float:
    """A mark's width in ms, at the scale of a plot `PLOT_PX` wide showing `window`."""
    return MARK_PX * (window[1] - window[0]) / PLOT_PX


def test_clusters_add_up_to_the_marks_they_replace(synthetic):
    frame, positions = synthetic
    middle = frame.events["lo"].iloc[len(positions) // 2].value / 1e6
    for window in [(middle, middle + 2 * DAY_MS), (middle, middle + 30 * DAY_MS), None]:
        detail = level_of_detail(frame, positions, window)
        merged = clustered(frame, detail, apart(detail.window))
        assert drawn_per_lane(merged) == drawn_per_lane(detail)
        assert (merged.clusters.count >= 2).all() and merged.size <= detail.size
        kept = sorted(zip(merged.events.tolist(), merged.rows.tolist(), strict=True))
        rows = np.repeat(merged.clusters.row, merged.clusters.count).tolist()
        members = sorted(zip(merged.clusters.events.tolist(), rows, strict=True))
        assert sorted(kept + members) == sorted(zip(detail.events.tolist(), detail.rows.tolist(), strict=True))


def test_zoomed_out_the_bundled_march_2024_marks_cluster_and_zoomed_in_they_open(bundled_frame):
    positions = matching(bundled_frame, Filters())
    x = places(bundled_frame.events)[2]
    wide = level_of_detail(bundled_frame, positions)
    wide = clustered(bundled_frame, wide, apart(wide.window))
    in_march = (wide.clusters.x >= day("2024-03-01")) & (wide.clusters.x < day("2024-04-01"))
    assert in_march.any() and wide.clusters.count[in_march].max() >= 5
    window = (day("2024-03-01"), day("2024-04-01"))
    narrow = level_of_detail(bundled_frame, positions, window)
    narrow = clustered(bundled_frame, narrow, apart(window))
    # a mark is under a day wide now: only marks of one lane within a day or so of each other stay together
    starts = narrow.clusters.start
    members = x[narrow.clusters.events]
    width = np.maximum.reduceat(members, starts) - np.minimum.reduceat(members, starts)
    assert (width < CLUSTER_REACH * apart(window)).all() and CLUSTER_REACH * apart(window) < 2 * DAY_MS
    march_marks = ((x[narrow.events] >= window[0]) & (x[narrow.events] < window[1])).sum()
    wide_singles = ((x[wide.events] >= window[0]) & (x[wide.events] < window[1])).sum()
    assert march_marks > wide_singles + 10
    week = (day("2024-03-18"), day("2024-03-25"))
    opened = clustered(bundled_frame, level_of_detail(bundled_frame, positions, week), apart(week))
    assert len(opened.clusters) == 0 and len(opened.events)


def test_a_cluster_spans_no_more_than_its_reach(synthetic):
    frame, positions = synthetic
    detail = level_of_detail(frame, positions, max_marks=100_000, context=False)  # every mark, one by one
    gap = apart(detail.window)
    merged = clustered(frame, detail, gap)
    members = places(frame.events)[2][merged.clusters.events]
    starts = merged.clusters.start
    width = np.maximum.reduceat(members, starts) - np.minimum.reduceat(members, starts)
    assert len(merged.clusters) and (width < CLUSTER_REACH * gap).all()
    assert merged.size < detail.size


def test_a_selected_event_is_never_hidden_in_a_cluster(bundled_frame):
    positions = matching(bundled_frame, Filters())
    detail = level_of_detail(bundled_frame, positions)
    merged = clustered(bundled_frame, detail, apart(detail.window))
    chosen = merged.clusters.events[merged.clusters.start[np.argmax(merged.clusters.count)]]  # in the biggest
    ringed = level_of_detail(bundled_frame, positions, selected=np.array([chosen]))
    merged = clustered(bundled_frame, ringed, apart(ringed.window))
    assert chosen not in merged.clusters.events and chosen in merged.events
    assert drawn_per_lane(merged) == lane_counts(bundled_frame, positions)


def test_the_same_marks_cluster_the_same_way_every_time(synthetic):
    frame, positions = synthetic
    detail = level_of_detail(frame, positions)
    first, again = (clustered(frame, detail, apart(detail.window)) for _ in range(2))
    for a, b in zip((first.clusters.events, first.clusters.x, first.events), (again.clusters.events, again.clusters.x,
                                                                              again.events), strict=True):  # fmt: skip
        assert np.array_equal(a, b)


def test_a_million_events_stay_within_max_marks_with_clusters():
    from timeline.data.synthetic import synthetic_table

    frame = build_frame(*synthetic_table(1_000_000, seed=2, n_actors=12))
    positions = matching(frame, Filters())
    middle = frame.events["lo"].iloc[500_000].value / 1e6
    only = ("actor-01",)
    one = matching(frame, Filters(actors=only))
    for chosen, lanes, window in [(positions, (), None), (positions, (), (middle, middle + DAY_MS)),
                                  (one, only, (middle, middle + DAY_MS / 4)), (one[:3000], only, None)]:  # fmt: skip
        detail = level_of_detail(frame, chosen, window, only=lanes, selected=chosen[:2])
        merged = clustered(frame, detail, apart(detail.window))
        assert merged.size <= MAX_MARKS and drawn_per_lane(merged) == drawn_per_lane(detail)


@pytest.mark.parametrize("only", [(), ("actor-01",)])
def test_the_marks_are_counted_a_block_at_a_time_with_the_same_result(synthetic, monkeypatch, only):
    frame, positions = synthetic
    subset = positions[::3]
    cases = [(p, window, context, max_marks) for p in (positions, subset) for window in windows(frame, positions)
             for context in (True, False) for max_marks in (MAX_MARKS, 60)]  # fmt: skip
    whole = [level_of_detail(frame, p, w, only=only, selected=p[:5], context=c, max_marks=m) for p, w, c, m in cases]
    monkeypatch.setattr(lod._MarkBlocks, "SIZE", max(7, len(frame.actors) // 8))  # a few blocks, or many small ones
    for (p, w, c, m), expected in zip(cases, whole, strict=True):
        assert_same_detail(expected, level_of_detail(frame, p, w, only=only, selected=p[:5], context=c, max_marks=m))


@pytest.mark.parametrize("shuffled", [False, True], ids=["in-event-order", "out-of-order"])
def test_an_events_actor_rows_are_found_by_search_or_scan_alike(synthetic, shuffled):
    frame, positions = synthetic
    long = frame.actors.sample(frac=1, random_state=3) if shuffled else frame.actors
    events = long["event"].to_numpy()
    rng = np.random.default_rng(5)
    for chosen in (positions[:1], positions[::97], np.sort(rng.choice(positions, len(positions) // 2, replace=False)),
                   positions, np.array([], dtype="int64")):  # fmt: skip
        expected = np.flatnonzero(np.isin(events, chosen))
        assert np.array_equal(lod.actor_rows(long, chosen), expected)


@pytest.mark.parametrize("only", [(), ("actor-01",), ("actor-02", "actor-05")])
def test_marks_looked_up_by_date_match_a_scan_of_every_mark(synthetic, only):
    """Without context, the level of detail comes from the marks near the window, looked up in date order; it must
    match a scan of every mark field by field, for every event or a subset, in every window and budget, with and
    without a selection."""
    frame, positions = synthetic
    subsets = (positions, positions[::3], positions[positions % 7 == 0][:50], positions[:0])
    cases = [(p, w, m, s) for p in subsets for w in windows(frame, positions) for m in (MAX_MARKS, 60, 7)
             for s in (None, positions[:5], positions[-3:], np.array([-1, len(positions) + 4]))]  # fmt: skip
    for p, w, m, s in cases:
        looked_up = level_of_detail(frame, p, w, only=only, selected=s, max_marks=m, context=False)
        assert_same_detail(lod._scanned(frame, p, w, only, s, BINS, m, False), looked_up)


@pytest.mark.parametrize("only", [(), ("actor-01",), ("actor-02", "actor-05")])
def test_marks_taken_from_the_marks_of_more_events_are_the_same(synthetic, only):
    """`marks(..., among=)` picks the events' marks out of those of a larger set instead of searching the long
    table of actors: the same marks in the same order, for any subset, including events with no actor."""
    frame, positions = synthetic
    # every fifth event without its actors: drawn in the "no specific actor" lane
    frame = replace(frame, actors=frame.actors[frame.actors["event"] % 5 != 0].reset_index(drop=True))
    every = marks(frame, positions[::2])
    assert (every.lane == len(frame.dataset.actors)).any()
    for chosen in (positions[::2], positions[::6], positions[::2][-5:], positions[:0]):
        expected, have = marks(frame, chosen, only), marks(frame, chosen, only, among=every)
        for column in ("event", "lane", "x"):
            assert np.array_equal(getattr(expected, column), getattr(have, column))
    assert len(marks(frame, positions[::2], only).event) > 0
