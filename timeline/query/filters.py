"""Which events a view shows: the `Filters` value and the pure function that applies it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from timeline.data.frame import EventFrame
from timeline.query.asof import AsOf, known, known_mask
from timeline.query.lod import per_table


@dataclass(frozen=True)
class Filters:
    """A view's filters; empty fields do not filter. Same names as the URL parameters and CLI options.

    `dataset` names which of the served datasets the view is of ("" for the default one): it filters nothing,
    but every link a view makes must keep it.
    """

    actors: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""
    event: str | None = None
    asof: dt.date | None = None  # "as known on": see timeline/query/asof.py
    dataset: str = ""

    def is_empty(self) -> bool:
        return self == Filters(event=self.event, dataset=self.dataset)


def matching(frame: EventFrame, filters: Filters) -> np.ndarray:
    """Row positions of the events that pass every filter, in date order.

    An event passes the actor filter if any of its actors is chosen (likewise issues), the date filter if its
    date window overlaps the range, and the text filter if every word appears in its title, summary or quote.
    With `asof`, only events known on that date pass (`asof.known_mask`); render them with `shown`.
    """
    events = frame.events
    keep = np.ones(len(events), dtype=bool)
    if filters.actors:
        keep &= _any_of(frame.actors, "actor", filters.actors, len(events))
    if filters.issues:
        keep &= _any_of(frame.issues, "issue", filters.issues, len(events))
    if filters.types:
        keep &= _isin(events["type"], filters.types)
    if filters.date_from:
        keep &= (events["hi"] >= pd.Timestamp(filters.date_from)).to_numpy()
    if filters.date_to:
        keep &= (events["lo"] <= pd.Timestamp(filters.date_to)).to_numpy()
    for word in filters.q.casefold().split():
        # An escaped regex runs faster than a plain substring search on pandas' Arrow-backed strings (measured at 1M).
        keep &= frame.search_text.str.contains(re.escape(word), regex=True).to_numpy()
    if filters.asof:
        keep &= known_mask(frame, filters.asof)
    return np.flatnonzero(keep)


def shown(frame: EventFrame, filters: Filters) -> AsOf:
    """What a page or export shows for `filters`: the matching events as known on `filters.asof` (if set), the
    frame to render them with (its events carry only the sources, claims and quote published by then) and the
    banner. Every page and export calls this rather than `matching`, so they all apply `asof` the same way."""
    return known(frame, matching(frame, replace(filters, asof=None)), filters.asof)


def _any_of(long: pd.DataFrame, column: str, chosen: tuple[str, ...], size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    if isinstance(long[column].dtype, pd.CategoricalDtype):  # each value's events, kept: a lookup, not a scan
        events_of = per_table(long, f"events by {column}", lambda table: _events_by_value(table, column))
        for value in chosen:
            mask[events_of.get(value, [])] = True
        return mask
    mask[long["event"].to_numpy()[_isin(long[column], chosen)]] = True
    return mask


def _events_by_value(long: pd.DataFrame, column: str) -> dict[str, np.ndarray]:
    """For each value of a long table's categorical `column`, the events that have it."""
    codes = long[column].cat.codes.to_numpy()
    order = np.argsort(codes, kind="stable")
    ends = np.cumsum(np.bincount(codes[codes >= 0], minlength=len(long[column].cat.categories)))
    events = long["event"].to_numpy()[order[np.count_nonzero(codes < 0) :]]  # a missing value (-1) sorts first
    return {value: events[end - count : end] for value, end, count in
            zip(long[column].cat.categories, ends, np.diff(ends, prepend=0), strict=True)}  # fmt: skip


def _isin(values: pd.Series, chosen: tuple[str, ...]) -> np.ndarray:
    """`values.isin(chosen)` as a numpy mask; for a categorical, one lookup per row in its categories' answers,
    a fraction of the time pandas takes to search the codes at a million rows."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return values.isin(chosen).to_numpy(dtype=bool)
    answers = np.append(values.cat.categories.isin(chosen), False)  # code -1, a missing value, reads the last
    return answers[values.cat.codes.to_numpy()]
