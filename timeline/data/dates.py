"""Date windows and wording that never claim more precision than is known."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import NamedTuple

import numpy as np

from timeline.data.vocab import PRECISION_LABEL

# The one range of dates a dataset may hold. The chart reads dates as pandas nanosecond timestamps, which end at
# 1677-09-21 and 2262-04-11, and a date's window reaches up to a year past it; round years well inside those
# limits leave room for both. Every view is tested with events at each edge (tests/test_dates.py).
EARLIEST = dt.date(1700, 1, 1)
LATEST = dt.date(2199, 12, 31)
EPOCH = dt.date(1970, 1, 1)  # day numbers count from it


def in_range(day: dt.date) -> bool:
    """Whether `day` lies in the range every view can draw, `EARLIEST`..`LATEST`."""
    return EARLIEST <= day <= LATEST


def window(start: dt.date, end: dt.date | None, precision: str) -> tuple[dt.date, dt.date]:
    """The first and last day the event may fall on (or spans), inclusive."""
    if end is not None:
        return start, end
    if precision == "week":
        return start, start + dt.timedelta(days=6)
    if precision == "month":
        return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if precision == "year":
        return start, dt.date(start.year, 12, 31)
    return start, start


class DayWords(NamedTuple):
    """The words a date label is made of for one day."""

    day: str  # of the month: `3`
    month: str  # `Mar`
    year: str  # `2024`
    full: str  # `3 Mar 2024`
    month_year: str  # `Mar 2024`
    month_name: str  # `March 2024`


def day_words(day: dt.date) -> DayWords:
    month_year = f"{day:%b %Y}"
    return DayWords(str(day.day), f"{day:%b}", str(day.year), f"{day.day} {month_year}", month_year, f"{day:%B %Y}")


def _span(lo: dt.date, hi: dt.date) -> str:
    first, last = day_words(lo), day_words(hi)
    if lo == hi:
        return first.full
    if (lo.year, lo.month) == (hi.year, hi.month):
        return f"{first.day}–{last.day} {last.month_year}"
    if lo.year == hi.year:
        return f"{first.day} {first.month} – {last.day} {last.month_year}"
    return f"{first.full} – {last.full}"


def date_label(start: dt.date, end: dt.date | None, precision: str, display_date: str | None = None) -> str:
    """How the date reads to a person, e.g. `3 Mar 2024`, `March 2024`, `between 10–11 Mar 2024`."""
    if display_date:
        return display_date
    lo, hi = window(start, end, precision)
    if precision == "day":
        return _span(lo, hi)
    if precision == "month" and end is None:
        return day_words(start).month_name
    if precision == "year" and end is None:
        return day_words(start).year
    if precision == "week" and end is None:
        return f"week of {day_words(start).full}"
    if precision == "approximate":
        return f"around {_span(lo, hi)}"
    return f"between {_span(lo, hi)}"


def date_labels(lo: np.ndarray, hi: np.ndarray, precision: np.ndarray, ended: np.ndarray,
                display: np.ndarray) -> np.ndarray:  # fmt: skip
    """`date_label` of many dates at once, as an object array: the arrays hold each one's first and last day (as
    `window` gives them, in days since `EPOCH`), its precision, whether it has an end, and its display date ("" for
    none). The same words as `date_label`'s, each put together only for the dates that read that way."""
    labels = np.array(display, dtype=object)
    if not len(lo):
        return labels
    days, at = np.unique(np.concatenate([lo, hi]), return_inverse=True)
    first, last = at[: len(lo)], at[len(lo) :]
    months = days.astype("datetime64[D]").astype("datetime64[M]")
    month_of = np.unique(months, return_inverse=True)[1]
    # The words of a month come from `day_words` of its first day; a day adds its number.
    words = [day_words(month.astype(dt.date)) for month in np.unique(months)]
    month, year, month_year, month_name = (np.array([getattr(w, f) for w in words], dtype=object)[month_of]
                                           for f in ("month", "year", "month_year", "month_name"))  # fmt: skip
    day = np.array([str(d.day) for d in days.astype("datetime64[D]").astype(dt.date)], dtype=object)
    full = day + " " + month_year
    open_ended, undecided = ~ended, display == ""
    for name, words_of_start in (("month", month_name), ("year", year)):
        chosen = undecided & open_ended & (precision == name)
        labels[chosen] = words_of_start[first[chosen]]
        undecided &= ~chosen
    chosen = undecided & open_ended & (precision == "week")
    labels[chosen] = "week of " + full[first[chosen]]
    undecided &= ~chosen
    rows = np.flatnonzero(undecided)
    start, end = first[rows], last[rows]
    span = full[start]  # one day
    apart = start != end
    same_month = apart & (months[start] == months[end])
    same_year = apart & ~same_month & (year[start] == year[end])
    other = apart & ~same_month & ~same_year
    span[same_month] = (day[start[same_month]] + "–" + day[end[same_month]] + " "
                        + month_year[end[same_month]])  # fmt: skip
    span[same_year] = (day[start[same_year]] + " " + month[start[same_year]] + " – " + day[end[same_year]] + " "
                       + month_year[end[same_year]])  # fmt: skip
    span[other] = full[start[other]] + " – " + full[end[other]]
    kind = precision[rows]
    around, between = kind == "approximate", (kind != "day") & (kind != "approximate")
    span[around] = "around " + span[around]
    span[between] = "between " + span[between]
    labels[rows] = span
    return labels


def precision_label(precision: str) -> str:
    """The precision in words, e.g. `exact day` or `month`."""
    return PRECISION_LABEL[precision]
