"""The URL is the state: parse and write query strings, ignoring anything unknown or hostile."""

import datetime as dt

import pytest

from timeline.errors import TimelineError
from timeline.query.filters import Filters
from timeline.query.state import filters_from_params, filters_from_query, query_from_filters


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
