"""The steps of a presentation: the dataset's story, or one step per filtered event in date order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import overload

import numpy as np

from timeline.data.frame import EventFrame
from timeline.query.asof import AsOf, known
from timeline.query.filters import Filters, matching


@dataclass(frozen=True)
class Step:
    """One step: its title, the events it shows (row positions), a time window to zoom to, a note, and the date
    whose knowledge it shows (`asof`, see timeline/query/asof.py)."""

    title: str
    positions: tuple[int, ...]
    window: tuple[dt.date, dt.date] | None = None
    narration: str | None = None
    asof: dt.date | None = None


def uses_story(frame: EventFrame, filters: Filters, mode: str | None) -> bool:
    """The story is the default when the dataset has one and the view sets no filters (or `mode=story`).

    `asof` alone keeps the story: it applies to every step.
    """
    if not frame.dataset.story or mode == "events":
        return False
    return mode == "story" or replace(filters, asof=None).is_empty()


class EventSteps(Sequence[Step]):
    """One step per event at `positions` (in date order), titled by its event, each made when it is asked for: a
    million events are a million steps, of which a page shows one."""

    def __init__(self, frame: EventFrame, positions: np.ndarray) -> None:
        self.positions = np.asarray(positions, dtype="int64")
        self._titles = frame.events["title"]

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, index: int) -> Step: ...
    @overload
    def __getitem__(self, index: slice) -> list[Step]: ...
    def __getitem__(self, index: int | slice) -> Step | list[Step]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        position = int(self.positions[index])
        return Step(self._titles.iloc[position], (position,))


def steps(frame: EventFrame, filters: Filters, mode: str | None = None) -> Sequence[Step]:
    """The steps to present, in order."""
    if uses_story(frame, filters, mode):
        return [
            Step(s.title, tuple(frame.position(e) for e in s.events),
                 (s.window_start, s.window_end) if s.window_start and s.window_end else None, s.narration, s.asof)
            for s in frame.dataset.story
        ]  # fmt: skip
    return EventSteps(frame, matching(frame, filters))


def revealed(all_steps: Sequence[Step], index: int) -> tuple[int, ...] | np.ndarray:
    """Row positions of every event shown up to and including step `index` (0-based): past steps stay visible."""
    if isinstance(all_steps, EventSteps):  # an event a step: the first `index + 1` events
        return np.sort(all_steps.positions[: index + 1])
    seen = dict.fromkeys(p for step in all_steps[: index + 1] for p in step.positions)
    return tuple(sorted(seen))


def step_asof(step: Step, filters: Filters) -> dt.date | None:
    """The date whose knowledge step shows: the earlier of the step's `asof` and the URL's, so a viewer's date
    never reveals more than the step's author chose, and a step never shows more than the viewer asked for."""
    dates = [d for d in (step.asof, filters.asof) if d is not None]
    return min(dates) if dates else None


def shown_at(frame: EventFrame, all_steps: Sequence[Step], index: int, filters: Filters) -> AsOf:
    """What step `index` (0-based) shows: the events revealed so far that were known on `step_asof`, the frame to
    render them (and the step's cards) with, and the banner. Cards show only the step's events that `includes`."""
    return known(frame, revealed(all_steps, index), step_asof(all_steps[index], filters))
