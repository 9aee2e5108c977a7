"""Where event labels go on the chart: no two overlap, none covers the lane names or leaves the plot.

Pure geometry in pixels. Each lane band has its marks on its centre line and a few label rows above and below
them; labels are placed greedily, most important first, so a label is only ever dropped for one that matters
at least as much. Text widths are estimated from the character count (see `CHAR_EM`).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from timeline.data.vocab import KEY_RANK, LABEL_RANK

# Width of one character of an event title in the chart font, in em: an upper bound, measured with canvas
# measureText in Chromium on the bundled dataset's titles cut to 30 characters. The chart's font stack resolves to
# DejaVu Sans where Segoe UI, San Francisco and Roboto are missing: 0.515 em on average, 0.587 at most; Liberation
# Sans (Arial's metrics): 0.456 on average, 0.531 at most. The same at 12, 16 and 24 px.
CHAR_EM = 0.6
ELLIPSIS_EM = 1.0  # "…" is a full em wide in both fonts
# Kept clear between labels and at the plot's edges. A short label with wide letters can outgrow its estimate
# (worst measured: "Hamas welcomes…" by 0.37 em), so half the gap takes one label's excess on each side.
GAP_EM = 0.75
ROW_EM = 1.4  # one label row: plotly's line spacing (1.3) plus the annotation's border padding
MIN_CHARS = 10  # a label cut to fewer characters than this, before its ellipsis, says too little
MAX_CHARS = 32
ANCHORS = ("left", "right")  # a label starts at its mark and runs right, or runs left and ends at it


def text_px(chars: np.ndarray | int, font_px: float) -> np.ndarray | float:
    """Estimated width in pixels of text `chars` characters long."""
    return chars * CHAR_EM * font_px


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, the last an ellipsis; at a word boundary when one is near."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= 0.6 * len(cut):
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def importance(types: Sequence[str] | pd.Series, key: Sequence[bool] | np.ndarray | None = None) -> np.ndarray:
    """Each event's claim to a label: its type's rank, or `KEY_RANK` for an event marked `key: true`. Categorical
    types are ranked once per category (a million events' types in milliseconds)."""
    if isinstance(getattr(types, "dtype", None), pd.CategoricalDtype):
        categorical = pd.Categorical(types)
        by_type = np.array([LABEL_RANK.get(t, 0) for t in categorical.categories] + [0], dtype="int64")
        ranks = by_type[categorical.codes]  # a missing type's code, -1, takes the 0 at the end
    else:
        ranks = np.array([LABEL_RANK.get(t, 0) for t in types], dtype="int64")
    return ranks if key is None else np.where(np.asarray(key, dtype=bool), KEY_RANK, ranks)


def row_px(font_px: float) -> int:
    """Height of one label row."""
    return math.ceil(ROW_EM * font_px)


def lane_height(font_px: float, rows: int = 2, mark_px: float = 13) -> int:
    """The smallest lane band that holds `rows` label rows, split above and below its marks."""
    return 2 * (math.ceil(mark_px / 2) + 1 + -(-rows // 2) * row_px(font_px))


def place_labels(x: np.ndarray, lane: np.ndarray, text: Sequence[str], rank: np.ndarray, *, plot_px: float,
                 lane_px: float, font_px: float, names_px: float = 0.0, mark_px: float = 13, rows: int = 2,
                 event: np.ndarray | None = None, max_chars: int = MAX_CHARS) -> pd.DataFrame:  # fmt: skip
    """Choose which marks get a label, the label's text and where it goes.

    One candidate per mark: `x` its position in pixels from the left of the plot, `lane` its band (0 at the top),
    `text` the label it would like (the event's `label` or title) and `rank` its importance (see `importance`).
    The plot is `plot_px` wide with the lane names over its first `names_px`; bands are `lane_px` tall, with the
    marks (`mark_px` across) on their centre lines and up to `rows` label rows of `font_px` text, alternately
    above and below them. Marks of one `event` (drawn in several lanes) share one label, tried in the order given.

    Returns one row per label, indexed by the candidate's position in the input, in placement order: `text`
    (shortened to `max_chars` or to the room there is), `anchor` ("left": the text starts near the mark; "right":
    it ends there), `dx` (px from the mark to the anchor point), `row` (-1, -2: first, second row above the mark;
    1, 2: below), `dy` (px from the mark up to the label's middle, as plotly's yshift), and the label's box in
    plot pixels, `x0`, `x1`, `y0`, `y1` (y down from the top of the first band).
    """
    x = np.asarray(x, dtype="float64")
    lane = np.asarray(lane, dtype="int64")
    rank = np.asarray(rank, dtype="int64")
    event = np.arange(len(x)) if event is None else np.asarray(event)
    height = row_px(font_px)
    clear = mark_px / 2 + 1  # between the mark's centre line and the nearest row
    per_side = int(max(0.0, lane_px / 2 - clear) // height)
    slots = [side * (k + 1) for k in range(per_side) for side in (-1, 1)][:rows]
    bands = _Bands(float(names_px), float(plot_px), GAP_EM * font_px / 2)
    char_px, ellipsis_px = CHAR_EM * font_px, ELLIPSIS_EM * font_px
    room = bands.right - bands.left - 2 * bands.half_gap
    if not slots or room <= 0 or not len(x):
        return _table([], [])

    limit = max(MIN_CHARS + 1, min(max_chars, int((room - ellipsis_px) // char_px) + 1))
    order = np.lexsort((np.arange(len(x)), -rank))  # most important first; ties in input order (by date)
    order = order[(x[order] >= bands.left) & (x[order] <= bands.right)]
    xs, lanes, events = x.tolist(), lane.tolist(), event.tolist()  # plain floats: the loop below is scalar
    marks_of: dict = {}
    for i in order.tolist():
        marks_of.setdefault(events[i], []).append(i)
    placed, out = [], []
    tries = [(row, anchor) for row in slots for anchor in ANCHORS]  # the order of `_Bands.rooms`
    shortest = MIN_CHARS * char_px + ellipsis_px + 2 * bands.half_gap
    for marks in marks_of.values():
        free = [room for j in marks for room in bands.rooms(xs[j], lanes[j], slots)]
        widest = max(free)
        if widest < shortest:
            continue
        label = shorten(text[marks[0]], limit)
        need = _width(label, char_px, ellipsis_px) + 2 * bands.half_gap
        if widest >= need:
            k = next(k for k, f in enumerate(free) if f >= need)
        else:  # no room for the whole label anywhere: cut it to the widest room on offer
            label = shorten(label, int((widest - 2 * bands.half_gap - ellipsis_px) // char_px) + 1)
            if len(label) <= MIN_CHARS:  # cut back to a word boundary, too far
                continue
            k = free.index(widest)
        j, (row, anchor) = marks[k // len(tries)], tries[k % len(tries)]
        x0, x1 = bands.take(xs[j], lanes[j], row, anchor, _width(label, char_px, ellipsis_px))
        centre = (lanes[j] + 0.5) * lane_px
        middle = centre + (1 if row > 0 else -1) * (clear + (abs(row) - 0.5) * height)
        placed.append(j)
        out.append((label, anchor, (x0 if anchor == "left" else x1) - xs[j], row, centre - middle, x0, x1,
                    middle - height / 2, middle + height / 2))  # fmt: skip
    return _table(placed, out)


def _width(label: str, char_px: float, ellipsis_px: float) -> float:
    """Estimated width of a label, its closing ellipsis wider than the rest."""
    cut = label.endswith("…")
    return (len(label) - cut) * char_px + cut * ellipsis_px


class _Bands:
    """The label boxes taken so far, per lane and row, each widened by half the gap: sorted starts and ends."""

    def __init__(self, left: float, right: float, half_gap: float) -> None:
        self.left, self.right, self.half_gap = left, right, half_gap
        self.taken: dict[tuple[int, int], tuple[list[float], list[float]]] = {}

    def _edges(self, x: float) -> tuple[float, float]:
        """Where a box for a mark at `x` starts if anchored "left", ends if "right": the text begins or ends half a
        gap from the mark, so a label on each side of it fits in one row."""
        return max(x, self.left), min(x, self.right)

    def rooms(self, x: float, lane: int, rows: list[int]) -> list[float]:
        """Width free (gaps included) for a box anchored at a mark at `x`, in each row, for each of `ANCHORS`."""
        start, end = self._edges(x)
        free = []
        for row in rows:  # inlined: this runs for every candidate, most of which find no room when zoomed out
            starts, ends = self.taken.get((lane, row), ((), ()))
            at = bisect.bisect_right(starts, start)
            blocked = at and ends[at - 1] > start
            free.append(0.0 if blocked else (starts[at] if at < len(starts) else self.right) - start)
            at = bisect.bisect_left(starts, end)
            blocked = at and ends[at - 1] > end
            free.append(0.0 if blocked else end - (ends[at - 1] if at else self.left))
        return free

    def take(self, x: float, lane: int, row: int, anchor: str, width: float) -> tuple[float, float]:
        """Reserve a box `width` wide anchored at a mark at `x`; returns the text's left and right."""
        start, end = self._edges(x)
        if anchor == "left":
            end = start + width + 2 * self.half_gap
        else:
            start = end - width - 2 * self.half_gap
        starts, ends = self.taken.setdefault((lane, row), ([], []))
        at = bisect.bisect_left(starts, start)
        starts.insert(at, start)
        ends.insert(at, end)
        return start + self.half_gap, end - self.half_gap


def _table(index: list[int], rows: list[tuple]) -> pd.DataFrame:
    columns = ["text", "anchor", "dx", "row", "dy", "x0", "x1", "y0", "y1"]
    return pd.DataFrame(rows, columns=columns, index=pd.Index(index, dtype="int64"))
