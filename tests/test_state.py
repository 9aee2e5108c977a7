"""The URL is the state: parse and write query strings, ignoring anything unknown or hostile."""

import datetime as dt

import pytest

from timeline.errors import TimelineError
from timeline.query.filters import Filters
from timeline.query.state import (
    View,
    Window,
    filters_from_params,
    filters_from_query,
    query_from_filters,
    query_from_view,
    view_from_query,
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", Filters()),
        ("?actors=beta,alpha", Filters(actors=("beta", "alpha"))),
        ("?actors=beta,<script>alert(1)</script>,beta", Filters(actors=("beta",))),
        ("?types=deadline,DROP TABLE", Filters(types=("deadline",))),
        ("?issues=exchange&from=2024-03-01&to=2024-03-31", Filters(issues=("exchange",),
                                                                   date_from=dt.date(2024, 3, 1),
                                                                   date_to=dt.date(2024, 3, 31))),
        ("?from=2024-13-01&to=yesterday", Filters()),
        ("?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", Filters(q="<img src=x onerror=alert(1)>")),
        ("?q=" + "a" * 500, Filters(q="a" * 200)),
        ("?event=truce", Filters(event="truce")),
        ("?event=../../etc/passwd", Filters()),
        ("?unknown=1&actors=", Filters()),
        ("?asof=2024-03-07", Filters(asof=dt.date(2024, 3, 7))),
        ("?asof=2024-02-30&from=2024-03-01", Filters(date_from=dt.date(2024, 3, 1))),
        ("?asof=soon", Filters()),
    ],
)  # fmt: skip
def test_filters_from_query(mini_frame, query, expected):
    assert filters_from_query(query, mini_frame) == expected


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(actors=("alpha", "gamma"), types=("deadline",), issues=("ceasefire", "exchange")),
        Filters(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31), q="talks & truce = 100%", event="truce"),
        Filters(types=("deadline",), asof=dt.date(2024, 3, 7), event="truce"),
    ],
)
def test_query_round_trip(mini_frame, filters):
    assert filters_from_query(query_from_filters(filters), mini_frame) == filters


def test_query_is_readable():
    filters = Filters(actors=("hamas", "egypt"), date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31))
    assert query_from_filters(filters) == "?actors=hamas,egypt&from=2024-03-01&to=2024-03-31"
    assert query_from_filters(Filters()) == ""
    assert query_from_filters(Filters(q="x", asof=dt.date(2024, 3, 7))) == "?q=x&asof=2024-03-07"


def test_strict_parameters_name_every_bad_value(mini_frame):
    with pytest.raises(TimelineError) as caught:
        filters_from_params({"actors": "alpha,zed", "from": "March", "asof": "2024-3-7"}, mini_frame, strict=True)
    assert str(caught.value) == (
        "bad filter: actors: unknown id 'zed'; from: 'March' is not a date (use YYYY-MM-DD); "
        "asof: '2024-3-7' is not a date (use YYYY-MM-DD)"
    )


def test_search_text_in_the_url_loses_control_and_bidi_characters(mini_frame):
    assert filters_from_query("?q=tru%1Bce%E2%80%AEx", mini_frame).q == "trucex"


MARCH = Window(dt.date(2024, 3, 1), dt.date(2024, 3, 31))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?window=2024-03-01..2024-03-31", View(window=MARCH)),
        ("?actors=beta&window=2024-03-01..2024-03-31&page=3", View(Filters(actors=("beta",)), MARCH, 3)),
        ("?window=2024-03-05..2024-03-05", View(window=Window(dt.date(2024, 3, 5), dt.date(2024, 3, 5)))),
        ("?window=2024-03-31..2024-03-01", View()),  # reversed
        ("?window=0001-01-01..9999-12-31", View()),  # days no chart can draw
        ("?window=1699-12-31..2024-01-01", View()),
        ("?window=2024-03-01", View()),
        ("?window=2024-03-01..2024-03-31..2024-04-30", View()),
        ("?window=2024-02-30..2024-03-31", View()),
        ("?window=..", View()),
        ("?window=%3Cscript%3E..2024-03-01", View()),
        ("?window=2024-03-01T00:00..2024-03-31", View()),
        ("?page=0", View()),
        ("?page=-2", View()),
        ("?page=²", View()),
        ("?page=1e3", View()),
        ("?page=99999999999999999999", View()),
        ("?page=12&page=7", View(page=7)),
    ],
)  # fmt: skip
def test_view_from_query(mini_frame, query, expected):
    assert view_from_query(query, mini_frame) == expected


@pytest.mark.parametrize(
    "view",
    [
        View(),
        View(window=MARCH),
        View(page=4),
        View(Filters(actors=("alpha",), q="truce", event="truce"), MARCH, 2),
        View(Filters(asof=dt.date(2024, 3, 7)), Window(dt.date(1700, 1, 1), dt.date(2199, 12, 31))),
    ],
)
def test_view_round_trip(mini_frame, view):
    assert view_from_query(query_from_view(view), mini_frame) == view


def test_view_query_is_readable():
    view = View(Filters(actors=("hamas",)), MARCH, 2)
    assert query_from_view(view) == "?actors=hamas&window=2024-03-01..2024-03-31&page=2"
    assert query_from_view(View(window=MARCH)) == "?window=2024-03-01..2024-03-31"
    assert query_from_view(View()) == ""


def test_a_window_is_whole_days_from_the_first_midnight_to_the_last():
    lo, hi = MARCH.ms()
    assert lo == dt.datetime(2024, 3, 1, tzinfo=dt.UTC).timestamp() * 1000
    assert hi == dt.datetime(2024, 4, 1, tzinfo=dt.UTC).timestamp() * 1000
    assert Window.from_ms(lo, hi) == MARCH
    assert Window.from_ms(lo + 3_600_000, hi - 3_600_000) == MARCH  # part of a day counts as the day
    assert Window.from_ms(lo, lo + 60_000) == Window(MARCH.start, MARCH.start)


@pytest.mark.parametrize("bounds", [(5.0, 1.0), (1.0, 1.0), (float("nan"), 1.0), (0.0, float("inf")),
                                    (-1e17, 0.0), (0.0, 1e300), (-1e300, 1e300)])  # fmt: skip
def test_a_window_from_hostile_numbers_is_none(bounds):
    assert Window.from_ms(*bounds) is None
