"""The query layer as SQL (timeline/query/sql.py), run on DuckDB, gives exactly what the pages compute in
process: the events that pass the filters, the level of detail of a window and the pages of the list. The SQL
keeps to what distributed engines share, so these tests stand for running the same queries there."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import fields

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.data.frame import EventFrame, build_frame
from timeline.data.synthetic import synthetic_table
from timeline.data.vocab import EVENT_TYPES
from timeline.query import lod, sql
from timeline.query.filters import Filters, matching

duckdb = pytest.importorskip("duckdb")

PAGE = 50
DAY = dt.timedelta(days=1)


SYNTHETIC = {"synthetic-6k": (6_000, 3, 12), "30-actors": (2_000, 4, 30)}  # events, seed, actors


@pytest.fixture(scope="module", params=["bundled", *SYNTHETIC])
def engine(request):
    """A frame, and a DuckDB in memory holding its three tables; yields the frame and a fetch function."""
    if request.param == "bundled":
        frame = request.getfixturevalue("bundled_frame")
    else:
        n, seed, n_actors = SYNTHETIC[request.param]
        frame = build_frame(*synthetic_table(n, seed=seed, n_actors=n_actors))
    con = duckdb.connect()
    for name, table in sql.tables(frame).items():
        con.register(name, table)
    yield frame, lambda text, params: con.execute(text, params).fetchall()
    con.close()


def ids(frame: EventFrame) -> tuple[list[str], list[str]]:
    return [a.id for a in frame.dataset.actors], [i.id for i in frame.dataset.issues]


def cases(frame: EventFrame) -> list[Filters]:
    """Each filter alone, with one and several values, values nothing matches, and combinations."""
    actors, issues = ids(frame)
    events = frame.events
    types = tuple(events["type"].value_counts().index[:2])
    first, last = events["lo"].min().date(), events["hi"].max().date()
    middle = first + (last - first) / 2
    words = events["title"].iloc[len(events) // 2].split()
    return [
        Filters(),
        Filters(actors=(actors[0],)),
        Filters(actors=tuple(actors[1:4])),
        Filters(actors=("no-such-actor",)),
        Filters(types=types[:1]),
        Filters(types=types),
        Filters(issues=(issues[0],)),
        Filters(issues=tuple(issues[:3])),
        Filters(date_from=middle),
        Filters(date_to=middle),
        Filters(date_from=middle, date_to=middle + 30 * DAY),
        Filters(date_from=last + 365 * DAY),
        Filters(q=words[0]),
        Filters(q=" ".join(w.upper() for w in words[:2])),
        Filters(q=words[0][1:-1] or words[0]),
        Filters(q="Straße % _ 'x' ?"),
        Filters(asof=middle),
        Filters(asof=middle, actors=(actors[0],)),
        Filters(actors=tuple(actors[:2]), types=types, date_from=first, date_to=middle),
        Filters(actors=(actors[0],), issues=(issues[0],), q=words[0], asof=last),
    ]


def sql_positions(fetch, filters: Filters) -> np.ndarray:
    return np.array([row[0] for row in fetch(*sql.matching_query(filters))], dtype="int64")


def test_matching_gives_the_same_events_as_in_process(engine):
    frame, fetch = engine
    sizes = set()
    for filters in cases(frame):
        expected = matching(frame, filters)
        assert np.array_equal(sql_positions(fetch, filters), expected), filters
        assert fetch(*sql.count_query(filters)) == [(len(expected),)]
        sizes.add(len(expected))
    # The cases reach every kind of answer: none, all, and some of the events.
    assert 0 in sizes and len(frame.events) in sizes and len(sizes) > 5


@st.composite
def any_filters(draw, frame: EventFrame) -> Filters:
    actors, issues = ids(frame)
    text = frame.search_text
    words = sorted({w for t in text.iloc[:: max(len(text) // 200, 1)] for w in t.split()})
    first, last = frame.events["lo"].min().date(), frame.events["hi"].max().date()
    dates = st.none() | st.dates(first - 60 * DAY, last + 60 * DAY)
    word = st.sampled_from(words).flatmap(lambda w: st.sampled_from([w, w.upper(), w[: len(w) // 2 + 1], w[1:]]))
    noise = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=4)
    return Filters(
        actors=tuple(draw(st.lists(st.sampled_from([*actors, "no-such-actor"]), max_size=3))),
        types=tuple(draw(st.lists(st.sampled_from([t.id for t in EVENT_TYPES]), max_size=3))),
        issues=tuple(draw(st.lists(st.sampled_from(issues), max_size=2))),
        date_from=draw(dates),
        date_to=draw(dates),
        q=" ".join(draw(st.lists(word | noise, max_size=2))),
        asof=draw(st.none() | st.none() | dates),
    )


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_matching_agrees_for_any_filters(engine, data):
    frame, fetch = engine
    filters = data.draw(any_filters(frame))
    assert np.array_equal(sql_positions(fetch, filters), matching(frame, filters))


def assert_same_detail(expected: lod.Detail, got: lod.Detail) -> None:
    for field in fields(lod.Detail):
        want, have = getattr(expected, field.name), getattr(got, field.name)
        if field.name in ("bins", "clusters"):  # positions, counts and bin edges (epoch ms): equal, not close
            for part in fields(type(want)):
                assert np.array_equal(getattr(want, part.name), getattr(have, part.name)), (field.name, part.name)
        elif isinstance(want, np.ndarray):
            assert np.array_equal(want, have), field.name
        else:
            assert want == have, field.name


def ms(day: dt.date) -> float:
    return float((day - dt.date(1970, 1, 1)).days * lod.DAY_MS)


def windows(frame: EventFrame) -> list[tuple[float, float] | None]:
    """All the events, a month, a week and an hour in the middle, windows beside and around them all."""
    first, last = ms(frame.events["lo"].min().date()), ms(frame.events["hi"].max().date())
    middle = (first + last) / 2
    return [None, (middle, middle + 30 * lod.DAY_MS), (middle, middle + 7 * lod.DAY_MS),
            (middle, middle + lod.DAY_MS / 24), (first - 400 * lod.DAY_MS, first - 300 * lod.DAY_MS),
            (last + 300 * lod.DAY_MS, last + 400 * lod.DAY_MS),
            (first - 5000 * lod.DAY_MS, last + 5000 * lod.DAY_MS)]  # fmt: skip


def both(frame, fetch, filters, window, only, context, max_marks) -> tuple[lod.Detail, lod.Detail]:
    expected = lod.level_of_detail(frame, matching(frame, filters), window, only=only, context=context,
                                   max_marks=max_marks)  # fmt: skip
    got = sql.level_of_detail(fetch, filters, window, n_actors=len(frame.dataset.actors), only=only,
                              context=context, max_marks=max_marks)  # fmt: skip
    return expected, got


def test_level_of_detail_gives_the_same_marks_and_bins(engine):
    frame, fetch = engine
    chosen = cases(frame)
    seen = set()
    for filters in (chosen[0], chosen[1], chosen[12], chosen[-2]):  # none, an actor, a word, several filters
        for window in windows(frame):
            for context in (True, False):
                for max_marks in (lod.MAX_MARKS, 60):  # the smaller budget bins the smaller selections too
                    # The pages draw only the chosen actors' lanes.
                    expected, got = both(frame, fetch, filters, window, filters.actors, context, max_marks)
                    assert_same_detail(expected, got)
                    seen.add((expected.binned, bool((~expected.bins.inside).any())))
    # Single events and bins were both compared, and so were bins outside the window.
    assert {binned for binned, _ in seen} == {True, False} and any(outside for _, outside in seen)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_level_of_detail_agrees_for_any_filters_and_window(engine, data):
    frame, fetch = engine
    filters = data.draw(any_filters(frame))
    first, last = ms(frame.events["lo"].min().date()), ms(frame.events["hi"].max().date())
    start = data.draw(st.floats(first - 200 * lod.DAY_MS, last + 200 * lod.DAY_MS))
    width = data.draw(st.floats(lod.DAY_MS / 24, (last - first) * 1.5 + lod.DAY_MS))
    window = data.draw(st.sampled_from([None, (start, start + width)]))
    only = data.draw(st.sampled_from([(), filters.actors]))
    context, max_marks = data.draw(st.booleans()), data.draw(st.sampled_from([lod.MAX_MARKS, 300, 60]))
    assert_same_detail(*both(frame, fetch, filters, window, only, context, max_marks))


def test_pages_of_the_list_are_the_in_process_pages(engine):
    frame, fetch = engine
    for filters in cases(frame):
        positions = matching(frame, filters)
        pages = max(-(-len(positions) // PAGE), 1)
        for page in sorted({1, 2, pages, pages + 1}):
            shown = positions[(page - 1) * PAGE : page * PAGE]
            rows = fetch(*sql.page_query(filters, page, PAGE))
            expected = frame.events.iloc[shown][["id", "title", "date_label", "type_label"]].astype(str)
            assert [r[0] for r in rows] == shown.tolist(), (filters, page)
            assert [tuple(r[1:]) for r in rows] == list(expected.itertuples(index=False, name=None))


def test_every_dialect_gives_one_value_per_placeholder():
    """The templates of every engine fill in whole: no brace left, a value for each `?`, none spliced in."""
    full = Filters(actors=("a", "b"), types=("statement",), issues=("i",), date_from=dt.date(2024, 1, 1),
                   date_to=dt.date(2024, 2, 1), q="two words", asof=dt.date(2024, 3, 1))  # fmt: skip
    window, span = (1.7e12, 1.71e12), (1.6e12, 1.8e12)
    for name, dialect in sql.DIALECTS.items():
        for filters in (Filters(), full):
            queries = [sql.matching_query(filters, dialect), sql.count_query(filters, dialect),
                       sql.page_query(filters, 3, PAGE, dialect),
                       sql.lanes_query(filters, window, 12, ("a",), dialect),
                       sql.marks_query(filters, window, 12, ("a",), dialect),
                       *(sql.bins_query(filters, window, span, 100, 12, ("a",), skip, dialect)
                         for skip in (None, "near", "outside"))]  # fmt: skip
            for query in queries:
                assert not re.search(r"[{}]", query.sql), name
                assert query.sql.count("?") == len(query.params), (name, query.sql)
                assert "two" not in query.sql and "2024" not in query.sql
