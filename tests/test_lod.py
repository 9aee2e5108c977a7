"""Level of detail: never more than MAX_MARKS marks, counts that add up, single events when zoomed in."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from timeline.data.frame import build_frame
from timeline.data.synthetic import synthetic_dataset
from timeline.query.filters import Filters, matching
from timeline.query.lod import BINS, DAY_MS, MAX_MARKS, level_of_detail, marks, unit_days

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
    for row, count in [*zip(detail.bins.row, detail.bins.count, strict=True), *((r, 1) for r in detail.rows)]:
        lane = int(detail.lanes[row])
        totals[lane] = totals.get(lane, 0) + int(count)
    return totals


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
