"""Chart labels: the reduced encodings in the vocabulary, and label placement that never overlaps."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.data.frame import EventFrame
from timeline.data.vocab import EVENT_TYPES, FAMILIES, KEY_RANK, LABEL_RANK, SHAPE_OF, SHAPES
from timeline.figures.chart import TEMPLATE
from timeline.figures.labels import (
    GAP_EM,
    importance,
    lane_height,
    place_labels,
    shorten,
    text_px,
)

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}


# --- the vocabulary --------------------------------------------------------------------------------------------


def test_the_six_families_of_the_chart() -> None:
    assert list(FAMILIES) == ["talks", "proposals", "statements", "pressure", "agreements", "context"]
    pressure = {t.id for t in EVENT_TYPES if t.family == "pressure"}
    assert pressure == {"threat", "ultimatum", "deadline"}
    assert {"agreement", "ceasefire_start"} <= {t.id for t in EVENT_TYPES if t.family == "agreements"}


def test_every_type_has_a_family_a_shape_and_a_rank() -> None:
    for term in EVENT_TYPES:
        assert term.family in FAMILIES, term.id
        assert term.id in SHAPE_OF and term.id in LABEL_RANK, term.id
    assert set(LABEL_RANK) == {t.id for t in EVENT_TYPES}


def test_palette_is_colour_blind_safe_and_distinct() -> None:
    colours = [f.colour for f in FAMILIES.values()]
    assert len(set(colours)) == len(colours)
    assert set(colours) <= OKABE_ITO


def test_legend_of_families_and_kept_shapes_fits_in_eight_entries() -> None:
    assert len(FAMILIES) + len(SHAPES) <= 8
    kept = [type_id for shape in SHAPES for type_id in shape.types]
    assert len(kept) == len(set(kept)), "a type keeps at most one shape"
    assert set(kept) <= {t.id for t in EVENT_TYPES}
    assert len({s.symbol for s in SHAPES} | {SHAPE_OF["statement"]}) == len(SHAPES) + 1
    assert all(len(f.short.split()) == 1 for f in FAMILIES.values())


def test_the_types_that_matter_most_outrank_the_rest() -> None:
    top = {"agreement", "ceasefire_start", "ceasefire_end", "deadline", "talks_start", "talks_end", "ultimatum"}
    highest = max(LABEL_RANK.values())
    assert {t for t, rank in LABEL_RANK.items() if rank == highest} == top
    assert highest < KEY_RANK
    assert list(importance(["statement", "agreement", "statement"], key=[False, False, True])) == [
        LABEL_RANK["statement"],
        highest,
        KEY_RANK,
    ]


def test_importance_of_categorical_types_is_the_same_as_of_plain_ones() -> None:
    types = ["statement", "agreement", None, "deadline", "no-such-type", "agreement"]
    key = [False, False, False, False, True, False]
    categorical = pd.Series(types, dtype="category")
    assert list(importance(categorical, key)) == list(importance([t or "" for t in types], key))
    assert list(importance(categorical)) == [LABEL_RANK["statement"], LABEL_RANK["agreement"], 0,
                                             LABEL_RANK["deadline"], 0, LABEL_RANK["agreement"]]  # fmt: skip


# --- shortening ------------------------------------------------------------------------------------------------


@given(st.text(alphabet=st.sampled_from("ab c,;–"), max_size=80), st.integers(2, 60))
def test_shorten_keeps_a_prefix_within_the_limit(text: str, limit: int) -> None:
    short = shorten(text, limit)
    words = " ".join(text.split())
    assert len(short) <= max(limit, 1)
    if short == words:
        return
    assert short.endswith("…") and words.startswith(short[:-1])


def test_shorten_cuts_at_a_word_boundary_when_one_is_near() -> None:
    assert shorten("Qatar announces a two-day extension of the truce", 20) == "Qatar announces a…"


# --- placement: properties -------------------------------------------------------------------------------------


def _problems(out: pd.DataFrame, x: np.ndarray, lane: np.ndarray, text: list[str], *, plot_px: float, lane_px: float,
              font_px: float, names_px: float, mark_px: float = 13) -> list[str]:  # fmt: skip
    """Everything wrong with a placement: overlaps, boxes out of bounds or over marks, text not from its event."""
    x0, x1, y0, y1 = (out[c].to_numpy()[:, None] for c in ("x0", "x1", "y0", "y1"))
    hit = (x0 < x1.T) & (x1 > x0.T) & (y0 < y1.T) & (y1 > y0.T)
    bad = [f"{out.index[i]} and {out.index[j]} overlap" for i, j in zip(*np.nonzero(np.triu(hit, 1)), strict=True)]
    half_gap = GAP_EM * font_px / 2
    for i, r in zip(out.index, out.itertuples(), strict=True):
        centre = (lane[i] + 0.5) * lane_px
        if r.x0 < names_px or r.x1 > plot_px:
            bad.append(f"{i} leaves the plot or covers the lane names: {r.x0:.1f}–{r.x1:.1f}")
        if r.y0 < lane[i] * lane_px or r.y1 > (lane[i] + 1) * lane_px:
            bad.append(f"{i} leaves its lane band")
        if r.y1 > centre - mark_px / 2 and r.y0 < centre + mark_px / 2:
            bad.append(f"{i} covers the marks' line")
        if not r.x0 - half_gap - 1e-9 <= x[i] <= r.x1 + half_gap + 1e-9:  # the text starts half a gap from it
            bad.append(f"{i} is away from its mark")
        if r.x1 - r.x0 < text_px(len(r.text) - 1, font_px):
            bad.append(f"{i}: box narrower than its text")
        full = " ".join(text[i].split())
        if r.text != full and not (r.text.endswith("…") and full.startswith(r.text[:-1])):
            bad.append(f"{i}: {r.text!r} is not its event's text")
    return bad


@st.composite
def scenes(draw: st.DrawFn) -> dict:
    """Marks of a few events, some drawn in several lanes; an event's marks share its text and rank."""
    n = draw(st.integers(0, 60))
    plot_px = draw(st.integers(150, 2000))
    event = np.array(draw(st.lists(st.integers(0, max(n // 2, 1)), min_size=n, max_size=n)), dtype=int)
    count = int(event.max(initial=0)) + 1
    texts = draw(st.lists(st.text(alphabet="Hamas talk ,", min_size=1, max_size=50), min_size=count, max_size=count))
    ranks = np.array(draw(st.lists(st.integers(0, KEY_RANK), min_size=count, max_size=count)), dtype=int)
    return {
        "x": np.array(draw(st.lists(st.floats(-40, plot_px + 40), min_size=n, max_size=n))),
        "lane": np.array(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), dtype=int),
        "text": [texts[e] for e in event],
        "rank": ranks[event],
        "event": event,
        "plot_px": plot_px,
        "names_px": draw(st.integers(0, plot_px // 2)),
        "font_px": draw(st.sampled_from([12, 16, 24])),
        "lane_px": draw(st.integers(20, 140)),
        "rows": draw(st.integers(1, 4)),
    }


def _place(scene: dict) -> pd.DataFrame:
    return place_labels(scene["x"], scene["lane"], scene["text"], scene["rank"], plot_px=scene["plot_px"],
                        lane_px=scene["lane_px"], font_px=scene["font_px"], names_px=scene["names_px"],
                        rows=scene["rows"], event=scene["event"])  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(scenes())
def test_labels_never_overlap_and_stay_in_the_plot(scene: dict) -> None:
    out = _place(scene)
    geometry = {k: scene[k] for k in ("plot_px", "lane_px", "font_px", "names_px")}
    assert _problems(out, scene["x"], scene["lane"], scene["text"], **geometry) == []
    assert (out["row"].abs() <= -(-scene["rows"] // 2)).all(), "rows alternate above and below the marks"
    events = scene["event"][out.index]
    assert len(set(events)) == len(events), "one label per event"
    assert out.equals(_place(scene)), "deterministic"


@settings(max_examples=150, deadline=None)
@given(scenes(), st.integers(1, KEY_RANK))
def test_a_label_is_never_dropped_for_a_less_important_one(scene: dict, threshold: int) -> None:
    """Leaving out every event below a rank changes nothing for those at or above it: a less important label never
    took the place of a more important one it would collide with."""
    out = _place(scene)
    keep = np.flatnonzero(scene["rank"] >= threshold)
    fewer = {k: v[keep] if isinstance(v, np.ndarray) else v for k, v in scene.items()}
    fewer["text"] = [scene["text"][i] for i in keep]
    alone = _place(fewer)
    alone.index = keep[alone.index]
    assert alone.to_dict("index") == out[scene["rank"][out.index] >= threshold].to_dict("index")


def test_zoomed_in_every_event_gets_its_whole_label() -> None:
    x = np.array([300.0, 700, 1100, 1500, 300, 310])
    text = ["Talks begin in Cairo", "Hamas replies", "Deadline passes", "Ceasefire begins", "Qatar appeal", "Truce"]
    out = place_labels(x, np.array([0, 0, 0, 0, 1, 1]), text, importance(["statement"] * 6), plot_px=1920,
                       lane_px=lane_height(16), font_px=16, names_px=200)  # fmt: skip
    assert sorted(out.index) == list(range(6))
    assert list(out.sort_index()["text"]) == text


def test_where_two_collide_the_more_important_wins_and_the_other_is_stacked_or_cut() -> None:
    x = np.array([400.0, 402, 404])
    text = ["Hamas delegation arrives in Cairo for talks", "Truce agreed in Doha after talks", "A statement on it"]
    rank = importance(["delegation_arrives", "agreement", "statement"])
    out = place_labels(x, np.zeros(3, dtype=int), text, rank, plot_px=800, lane_px=lane_height(12, rows=2),
                       font_px=12, rows=2, max_chars=60)  # fmt: skip
    assert out.index[0] == 1 and out.loc[1, "text"] == text[1] and out.loc[1, "row"] == -1
    assert _problems(out, x, np.zeros(3, dtype=int), text, plot_px=800, lane_px=lane_height(12), font_px=12,
                     names_px=0) == []  # fmt: skip
    assert len(out) == 3, "one above, one below and one ending at its mark, hanging left"


def test_no_rows_fit_in_a_thin_lane() -> None:
    out = place_labels(np.array([100.0]), np.array([0]), ["Talks"], np.array([3]), plot_px=500, lane_px=20,
                       font_px=24)  # fmt: skip
    assert out.empty


# --- the bundled dataset at three zoom levels ------------------------------------------------------------------

WINDOWS = {"all": None, "2024": ("2024-01-01", "2025-01-01"), "March 2024": ("2024-03-01", "2024-04-01")}


def _candidates(frame: EventFrame, window: tuple[str, str] | None, width: int) -> tuple[dict, dict]:
    """One candidate per event and lane, as the chart draws them, with x in pixels for a chart `width` wide."""
    events = frame.events
    points = frame.actors[["event", "lane"]]
    alone = np.setdiff1d(np.arange(len(events)), points["event"])
    general = pd.DataFrame({"event": alone, "lane": len(frame.dataset.actors)})
    points = pd.concat([points, general]).sort_values(["event", "lane"], kind="stable")
    lo = events["lo"].to_numpy().astype("datetime64[ms]").astype("float64")
    hi = events["hi"].to_numpy().astype("datetime64[ms]").astype("float64") + 86_400_000
    when = np.where(events["precision"] == "day", lo, (lo + hi) / 2)[points["event"]]
    start, end = (lo.min(), hi.max()) if window is None else (pd.Timestamp(d).value / 1e6 for d in window)
    shown = (when >= start) & (when < end)
    points, when = points[shown], when[shown]
    names = [a.name for a in frame.dataset.actors] + ["No specific actor"]
    used = np.unique(points["lane"])
    names_px = min(text_px(max(len(names[i]) for i in used), 12) + 12, width // 3)
    plot_px = width - 20
    pad = (end - start) * 0.03
    x = names_px + (when - start + pad) / (end - start + 2 * pad) * (plot_px - names_px)
    rows = np.searchsorted(used, points["lane"].to_numpy())
    ids = points["event"].to_numpy()
    scene = {"x": x, "lane": rows, "text": events["title"].to_numpy()[ids].tolist(),
             "rank": importance(events["type"].to_numpy()[ids]), "event": ids}  # fmt: skip
    return scene, {"plot_px": plot_px, "names_px": names_px, "font_px": 12, "lane_px": lane_height(12)}


@pytest.mark.parametrize("width", [700, 1920])
@pytest.mark.parametrize("zoom", list(WINDOWS))
def test_bundled_dataset_labels_do_not_overlap(bundled_frame: EventFrame, zoom: str, width: int) -> None:
    scene, geometry = _candidates(bundled_frame, WINDOWS[zoom], width)
    out = place_labels(scene["x"], scene["lane"], scene["text"], scene["rank"], event=scene["event"], **geometry)
    events = len(set(scene["event"]))
    whole = int((~out["text"].str.endswith("…")).sum())
    summary = f"{zoom} at {width} px: {len(out)} of {events} events labelled ({whole} uncut)"
    assert 0 < len(out) <= events, summary
    assert _problems(out, scene["x"], scene["lane"], scene["text"], **geometry) == [], summary


@pytest.mark.browser
def test_drawn_labels_stay_within_their_box_and_half_the_gap(chromium, bundled_frame: EventFrame) -> None:
    """Measured in the chart's font: a label's text may outgrow its estimated box only into its half of the gap."""
    labels = []
    for window, width, font_px in itertools.product(WINDOWS.values(), (700, 1920), (12, 16, 24)):
        scene, geometry = _candidates(bundled_frame, window, width)
        geometry |= {"font_px": font_px, "lane_px": lane_height(font_px)}
        out = place_labels(scene["x"], scene["lane"], scene["text"], scene["rank"], event=scene["event"], **geometry)
        labels += [(text, font_px, box) for text, box in zip(out["text"], out["x1"] - out["x0"], strict=True)]
    tab = chromium.new_page()
    tab.set_content("<canvas></canvas>")
    drawn = tab.evaluate(
        """([family, labels]) => { const c = document.querySelector('canvas').getContext('2d');
           return labels.map(([text, size]) => { c.font = `${size}px ${family}`;
                                                 return c.measureText(text).width; }); }""",
        [TEMPLATE.layout.font.family, [(text, size) for text, size, _ in labels]],
    )
    tab.close()
    over = [(text, round((real - box) / size, 3)) for (text, size, box), real in zip(labels, drawn, strict=True)
            if real > box + GAP_EM * size / 2]  # fmt: skip
    assert labels and over == [], f"{len(labels)} labels measured"
