"""Dates read as precisely as they are known, and no more."""

import datetime as dt

import pytest

from timeline.dates import date_label, window

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
