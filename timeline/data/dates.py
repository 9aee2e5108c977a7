"""Date windows and wording that never claim more precision than is known."""

from __future__ import annotations

import calendar
import datetime as dt

from timeline.data.vocab import PRECISION_LABEL

# The one range of dates a dataset may hold. The chart reads dates as pandas nanosecond timestamps, which end at
# 1677-09-21 and 2262-04-11, and a date's window reaches up to a year past it; round years well inside those
# limits leave room for both. Every view is tested with events at each edge (tests/test_dates.py).
EARLIEST = dt.date(1700, 1, 1)
LATEST = dt.date(2199, 12, 31)


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


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def _span(lo: dt.date, hi: dt.date) -> str:
    if lo == hi:
        return _day(lo)
    if (lo.year, lo.month) == (hi.year, hi.month):
        return f"{lo.day}–{hi.day} {hi:%b %Y}"
    if lo.year == hi.year:
        return f"{lo.day} {lo:%b} – {hi.day} {hi:%b %Y}"
    return f"{_day(lo)} – {_day(hi)}"


def date_label(start: dt.date, end: dt.date | None, precision: str, display_date: str | None = None) -> str:
    """How the date reads to a person, e.g. `3 Mar 2024`, `March 2024`, `between 10–11 Mar 2024`."""
    if display_date:
        return display_date
    lo, hi = window(start, end, precision)
    if precision == "day":
        return _span(lo, hi)
    if precision == "month" and end is None:
        return f"{start:%B %Y}"
    if precision == "year" and end is None:
        return str(start.year)
    if precision == "week" and end is None:
        return f"week of {_day(start)}"
    if precision == "approximate":
        return f"around {_span(lo, hi)}"
    return f"between {_span(lo, hi)}"


def precision_label(precision: str) -> str:
    """The precision in words, e.g. `exact day` or `month`."""
    return PRECISION_LABEL[precision]
