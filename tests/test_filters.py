"""Filtering is a pure function of the frame and the filters."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from timeline.data.frame import build_frame
from timeline.data.synthetic import synthetic_dataset
from timeline.query.filters import Filters, matching


def ids(frame, filters):
    return list(frame.events.iloc[matching(frame, filters)]["id"])


ALL = ["talks-open", "beta-leaves", "holiday-deadline", "resume-expected", "truce"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), ALL),
        (Filters(actors=("gamma",)), ["talks-open", "resume-expected"]),
        (Filters(actors=("gamma", "alpha")), ["talks-open", "resume-expected", "truce"]),
        (Filters(types=("deadline", "ceasefire_start")), ["holiday-deadline", "truce"]),
        (Filters(issues=("exchange",)), ["beta-leaves", "truce"]),
        (Filters(date_from=dt.date(2024, 3, 12)), ["resume-expected", "truce"]),
        (Filters(date_to=dt.date(2024, 3, 10)), ["talks-open", "beta-leaves", "holiday-deadline"]),
        (
            Filters(date_from=dt.date(2024, 3, 11), date_to=dt.date(2024, 3, 11)),
            ["holiday-deadline", "resume-expected"],
        ),
        (Filters(q="TALKS"), ["talks-open", "resume-expected"]),
        (Filters(q="return week"), ["beta-leaves"]),
        (Filters(q="talks gamma"), ["talks-open", "resume-expected"]),
        (Filters(q="nothing-like-this"), []),
        (Filters(actors=("beta",), issues=("ceasefire",)), ["talks-open", "beta-leaves"]),
        # As known on a date: only talks-open has a dated source (3 March); the others' sources carry no date.
        (Filters(asof=dt.date(2024, 3, 3)), ["talks-open"]),
        (Filters(asof=dt.date(2024, 3, 2)), []),
        (Filters(actors=("beta",), asof=dt.date(2030, 1, 1)), ["talks-open"]),
    ],
)
def test_matching(mini_frame, filters, expected):
    assert ids(mini_frame, filters) == expected


def test_imprecise_dates_match_when_their_span_overlaps(mini_frame):
    # "week of 11 Mar" may fall on 17 March, so a view of 15-16 March still shows it.
    assert ids(mini_frame, Filters(date_from=dt.date(2024, 3, 15), date_to=dt.date(2024, 3, 16))) == ["resume-expected"]


@pytest.mark.parametrize("categorical", [True, False], ids=["categorical", "text"])
def test_membership_reads_a_categorical_like_any_column(categorical):
    import numpy as np
    import pandas as pd

    from timeline.query.filters import _isin

    cells = ["talks", None, "threat", "talks", "deadline", None, "appeal"]
    values = pd.Series(pd.Categorical(cells) if categorical else cells)
    for chosen in ((), ("talks",), ("threat", "appeal"), ("nothing",), ("talks", "deadline", "threat", "appeal")):
        assert np.array_equal(_isin(values, chosen), values.isin(chosen).to_numpy()), chosen


@pytest.mark.parametrize("column", ["actor", "issue"])
def test_actor_and_issue_filters_look_up_each_values_events_as_a_scan_finds_them(column):
    frame = build_frame(synthetic_dataset(3_000, seed=4))
    long = frame.actors if column == "actor" else frame.issues
    assert isinstance(long[column].dtype, pd.CategoricalDtype)  # the lookup's case
    values = list(long[column].cat.categories)
    for chosen in ([values[0]], values[1:3], values, ["no-such-value"], [values[-1], "no-such-value"]):
        scanned = np.unique(long["event"].to_numpy()[long[column].isin(chosen).to_numpy()])
        field = "actors" if column == "actor" else "issues"
        assert np.array_equal(matching(frame, Filters(**{field: tuple(chosen)})), scanned), chosen
