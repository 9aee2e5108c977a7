"""The timeline figure: actor lanes, markers coloured by family, spans for uncertain dates, phases and deadlines,
and short labels on the events there is room for.

Only numbers travel per point (dates in epoch milliseconds, lane numbers, row positions, counts); the chart's
labels are the text of two traces, only as many as fit (`timeline.figures.labels`), and the rest of what the reader
sees per event comes from the server on hover or click, so the payload stays small at any scale. The level of
detail (`timeline.query.lod`) keeps the marks to a few thousand: zoomed out, lanes show counts; zoomed in, marks of
a lane that would overlap are drawn as one cluster with their count, and zooming in further opens it.
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Collection
from functools import partial

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.validator_cache import ValidatorCache

from timeline.data.dates import date_label
from timeline.data.frame import EventFrame
from timeline.data.vocab import DEFAULT_SHAPE, FAMILIES, LABEL_RANK, SHAPE_OF, SHAPES
from timeline.figures.labels import MIN_CHARS, importance, lane_height, place_labels, shorten, text_px
from timeline.query.lod import (
    DAY_MS,
    MAX_MARKS,
    Detail,
    clustered,
    extent,
    level_of_detail,
    marks,
    per_table,
    places,
)
from timeline.text.credits import source_line

__all__ = ["COUNTS", "DAY_MS", "LABELS", "MAX_MARKS", "PLOT_CONFIG", "print_figure", "time_range", "timeline_figure",
           "timeline_view"]  # fmt: skip

MAX_DEADLINE_LINES = 24  # more in the window and none is drawn: the chart would be a fence; zoom in to see them
MAX_LABEL_ROWS = 4  # rows of phase and deadline labels above the plot; a label that fits in none is left out
BAND_PX = 11  # the phases' and deadlines' labels above the plot, on a screen; in large type, three quarters of it
GENERAL_LANE = "No specific actor"
PHASE_FILL = ("#8a8a8a", "#5f7ea8", "#a0785a")
DEADLINE_COLOUR = "#D55E00"
DENSITY_COLOUR = "#5f7ea8"
DENSITY_HEIGHT = 0.84  # of a lane's height: the tallest bar of a zoomed-out chart
LABEL_PX = 12  # the event labels' font size on a screen; lane names and ticks are a pixel larger
MARK_PX = 13
CLUSTER_FILL, CLUSTER_LINE = "#e2e2e2", "#6b6b6b"  # neutral: a cluster mixes families
CLUSTER = "cluster"  # what a cluster's customdata starts with
HOVER_TITLES = 5  # a cluster's hover names its first few events
TOP_RANK = max(LABEL_RANK.values())  # agreements, ceasefires, deadlines, ultimatums, talks begin and end
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
SWATCH = "■ "  # before a lane name whose actor has a colour
SHAPE_COLOUR = "#505050"  # the legend's shape entries: a shape, whatever the family's colour
# The page's padding and a scrollbar can take a few per cent from the width a caller expects: labels are placed
# for a plot this much narrower, so that they still clear each other when it is drawn a little narrower.
LABEL_SLACK = 0.94
MARGIN_R = 12
WIDTH = 900  # px: the width a chart is made for when the page has not said what it has
TITLE_PX, CREDIT_PX = 18, 12
COUNTS = "Counts per bin"  # the undrawn points that give a zoomed-out chart's bars their counts in the hover
LABELS = "Event labels"  # the traces of the labels on the lanes (assets/dashboard.js leaves them out on a phone)
LABEL_OFFSET = 1.6  # plotly.js sets a point's text `size / 1.6 + 1` px from the point's marker of that size


def _symbol_numbers() -> dict[str, int]:
    # plotly lists each symbol as number, "number", name; markers send the number to keep payloads numeric
    values = ValidatorCache.get_validator("scatter.marker", "symbol").values
    return {name: values[i - 2] for i, name in enumerate(values) if isinstance(name, str) and not name.isdigit()}


# the marks' symbols, and a cluster's circle and a zoomed-out label's tick
_SYMBOL_CODE = {
    name: _symbol_numbers()[name] for name in {"circle", "line-ns", DEFAULT_SHAPE, *(s.symbol for s in SHAPES)}
}

PLOT_CONFIG = {
    "displaylogo": False,
    "showSendToCloud": False,
    "responsive": True,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "filename": "negotiation-timeline", "scale": 2},
}

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13, "color": "#1b1b1b"},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={"l": 10, "r": 10, "t": 40, "b": 96},
        hoverlabel={"bgcolor": "#ffffff", "font": {"size": 13}},
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": 12},
            "itemclick": False,
            "itemdoubleclick": False,
        },  # fmt: skip
        xaxis={"type": "date", "showgrid": True, "gridcolor": "#ececec", "linecolor": "#8a8a8a", "ticks": "outside"},
        yaxis={
            "showgrid": True,
            "gridcolor": "#f3f3f3",
            "zeroline": False,
            "fixedrange": True,
            "automargin": True,
            "autorange": "reversed",
            "ticklabeloverflow": "allow",
        },  # fmt: skip
    )
)


def plain(text: str) -> str:
    """Data text for plotly labels: plotly reads a subset of HTML, so escape it to show it as written."""
    return html.escape(text, quote=False)


def timeline_figure(frame: EventFrame, positions: np.ndarray, *, lanes_of: tuple[str, ...] = (),
                    selected: int | Collection[int] | None = None, title: str | None = None,
                    credit: str | None = None, slider: bool = True, webgl: bool | None = None, width: int = WIDTH,
                    window: tuple[float, float] | None = None, max_marks: int = MAX_MARKS,
                    font_px: int = LABEL_PX, legend: bool = True, cluster: bool = True) -> go.Figure:  # fmt: skip
    """The timeline of the events at `positions`, in every actor's lane (or only in `lanes_of`).

    `window` (epoch ms) is the x-axis range, all the events by default. The chart never holds more than
    `max_marks` marks (`timeline.query.lod`): zoomed in, single events; zoomed out over more, counts per lane.
    `title` and `credit` (the source line) are drawn on the chart itself, for exports and embeds; `slider` adds
    the range slider (which draws every mark a second time, and with them counts of the events outside the
    window); `webgl` draws single events with WebGL (SVG by default: the marks stay few).
    `width`, the expected width in pixels, sizes the lane names' margin, the legend's rows and which labels fit;
    drawn wider, the labels only have more room. `font_px` is the labels' size (the lane names and axis a pixel more);
    `legend=False` leaves the legend out, and its room. With `cluster`, marks of a lane closer than about a mark's
    width are drawn as one cluster with their count: for charts that are drawn again when zoomed (the dashboard)
    or not zoomed at all (images); a chart zoomed in the browser alone would never open them.
    """
    return timeline_view(frame, positions, lanes_of=lanes_of, selected=selected, title=title, credit=credit,
                         slider=slider, webgl=webgl, width=width, window=window, max_marks=max_marks,
                         font_px=font_px, legend=legend, cluster=cluster)[0]  # fmt: skip


def timeline_view(frame: EventFrame, positions: np.ndarray, *, lanes_of: tuple[str, ...] = (),
                  selected: int | Collection[int] | None = None, title: str | None = None,
                  credit: str | None = None, slider: bool = True, webgl: bool | None = None, width: int = WIDTH,
                  window: tuple[float, float] | None = None, max_marks: int = MAX_MARKS,
                  font_px: int = LABEL_PX, legend: bool = True, cluster: bool = True,
                  steady: bool = False) -> tuple[go.Figure, Detail]:  # fmt: skip
    """`timeline_figure`, and the level of detail it drew (for the caption).

    With `steady`, the chart's height does not depend on its window: the margins hold the most label rows and the
    fullest legend any window could need. For a chart the server draws again at each zoom (the dashboard): a new
    height would move the page under the reader, and plotly.js would draw the whole chart a second time for it."""
    chosen = np.array([selected] if isinstance(selected, int | np.integer) else list(selected or []), dtype="int64")
    detail = level_of_detail(frame, positions, window, only=lanes_of, selected=chosen, max_marks=max_marks,
                             context=slider)  # fmt: skip
    names = [a.name for a in frame.dataset.actors] + [GENERAL_LANE]
    colours = [a.color if isinstance(a.color, str) and HEX_COLOUR.fullmatch(a.color) else None
               for a in frame.dataset.actors] + [None]  # fmt: skip
    tick_px = font_px + 1
    # Labels are placed for a plot that starts after the lane names' estimated width, an upper bound, and the left
    # margin is that estimate. plotly's automargin only widens a margin: were it to start narrower, plotly.js would
    # draw the whole chart twice, the second time after measuring the names (half the time of a first drawing).
    # On a phone, assets/dashboard.js shortens the names, drops the labels and narrows the margin again.
    names_cap = width // 3
    swatches = [colours[i] for i in detail.lanes]
    lane_names = _lane_names([names[i] for i in detail.lanes],
                             [max(8, int((names_cap - 16) // text_px(1, tick_px)) - len(SWATCH) * bool(c))
                              for c in swatches])  # fmt: skip
    widest = max((len(t) + len(SWATCH) * bool(c) for t, c in zip(lane_names, swatches, strict=True)), default=0)
    names_px = min(int(text_px(widest, tick_px)) + 16, names_cap)
    plot_px = (width - names_px - MARGIN_R) * LABEL_SLACK
    if cluster:  # marks closer than a mark's width at the plot's scale would overlap
        detail = clustered(frame, detail, MARK_PX * (detail.window[1] - detail.window[0]) / plot_px)
    Trace = partial(go.Scattergl, _validate=False) if webgl else _scatter
    traces = [_clusters(Trace, frame, detail, font_px)] if len(detail.clusters) else []
    traces += _single_events(Trace, frame, detail) if len(detail.events) else []
    traces += _density(detail) if len(detail.bins) else []
    if len(detail.ring_events):
        x, y = places(frame.events)[2][detail.ring_events], detail.ring_rows
        traces.append(Trace(x=x, y=y, mode="markers", name="Selected", hoverinfo="skip",
                            showlegend=False, marker={"size": 26, "color": "rgba(0,0,0,0)",
                                                      "line": {"width": 3, "color": "#1b1b1b"}}))  # fmt: skip
    limits = list(detail.window)
    band_px = max(BAND_PX, round(font_px * 0.75))
    rows = _LabelRows(*limits, across=(width - names_px - MARGIN_R) * LABEL_SLACK / text_px(1, band_px),
                      font_px=band_px)  # fmt: skip
    phase_shapes, phase_labels = _phases(frame, rows, limits)
    due = _due(frame, positions)
    deadline_shapes, deadline_labels = _deadlines(frame, due, rows, limits)
    heading = bool(title or credit)
    title_lines, credit_lines = _heading_lines(title, credit, width)
    # The legend sits at the bottom of the container. Measured in plotly.js 4.1: with a range slider, plotly
    # adds the slider's and the legend's heights below the bottom margin; without one, it only makes sure the
    # margin holds the legend, so the margin itself must hold the tick labels and the legend.
    entries = [t.name for t in traces if t.showlegend is not False] if legend else []
    if steady and legend:  # every family and kept shape: the fullest legend a window of single events shows
        entries = [f.short for f in FAMILIES.values()] + [s.label for s in SHAPES]
    legend_rows = _legend_rows(entries, width - names_px - MARGIN_R)
    legend_height = 30 * legend_rows + 8 if legend_rows else 0  # measured: a row of entries takes 29 px
    extra = 22 * max(len(title_lines) - 1, 0) + 16 * max(len(credit_lines) - 1, 0)  # lines past one of each
    labelled = steady and (bool(frame.dataset.phases) or bool(len(due)))  # in any window
    label_rows_held = MAX_LABEL_ROWS if labelled else len(rows.ends)
    ticks_px = 16 + math.ceil(2.6 * tick_px)  # two lines of tick labels: the day, and the year under the first
    margin = {"l": names_px, "r": MARGIN_R,
              "t": (78 + extra if heading else 24) + rows.row_px * label_rows_held,
              "b": 40 if slider else ticks_px + legend_height}  # fmt: skip
    bottom = margin["b"] + (80 + legend_height if slider else 0)
    label_rows = 4 if len(lane_names) <= 3 else 2
    lane_px = lane_height(font_px, label_rows, MARK_PX)
    if detail.binned:
        labels, marked = _top_labels(frame, positions, lanes_of, detail, plot_px, lane_px, font_px, label_rows)
        traces += [_ticks(Trace, *marked)] if len(marked[0]) else []
    else:
        labels = _event_labels(frame, detail, plot_px, lane_px, font_px, label_rows)
    traces += labels  # last: over the marks
    span = [min(limits[0], detail.extent[0]), max(limits[1], detail.extent[1])] if detail.extent else limits
    layout = dict(
        template=TEMPLATE,
        height=lane_px * max(len(lane_names), 1) + margin["t"] + bottom,
        **({"title": _heading(title_lines, credit_lines)} if heading else {}),
        margin=margin,
        shapes=phase_shapes + deadline_shapes,
        annotations=phase_labels + deadline_labels,
        yaxis={
            "tickvals": list(range(len(lane_names))),
            "ticktext": [_lane_name(t, c) for t, c in zip(lane_names, swatches, strict=True)],
            "range": [len(lane_names) - 0.5, -0.5],
            "autorange": False,
            "tickfont": {"size": tick_px},
        },  # fmt: skip
        xaxis={
            "type": "date",
            "range": limits,
            "tickfont": {"size": tick_px},
            # no events and no window: a day's worth of hours would stand for dates nobody gave
            **({} if detail.extent or window else {"showticklabels": False}),
            "rangeslider": {"visible": slider, "thickness": 0.08, "range": span, "autorange": False},
        },  # fmt: skip
        **({} if legend else {"showlegend": False}),
        hovermode="closest",
        dragmode="zoom",
        # A new window is a new view: plotly then takes the range given here, not the one the reader zoomed to.
        uirevision=f"{limits[0]:.0f}..{limits[1]:.0f}" if window else "all",
    )
    # The figure is set as written, without plotly's checks (see `_scatter`). Later updates are checked again.
    fig = go.Figure(data=traces, layout=layout, _validate=False)
    fig._validate = fig.layout._validate = True
    return fig, detail


def _lane_names(names: list[str], limits: list[int]) -> list[str]:
    """Each name cut to its limit of characters; names that would then read alike ("Synthetic actor 01" and "...02"
    as "Synthetic…") keep their ends as well as their starts ("Synthetic…or 01"), so that the lanes stay apart."""
    short = [shorten(name, limit) for name, limit in zip(names, limits, strict=True)]
    if len(set(short)) == len(short):
        return short
    ends = []
    for name, limit, cut in zip(names, limits, short, strict=True):
        name = " ".join(name.split())
        tail = max(limit * 2 // 5, 1)
        ends.append(cut if len(name) <= limit else f"{name[: limit - tail - 1].rstrip()}…{name[-tail:].lstrip()}")
    return ends


def _scatter(**props: object) -> go.Scatter:
    """A trace as written here. plotly's checks of each property and array, made for figures written by hand, took
    half the time an embed of 1,000 events took to render; the tests draw these figures in a browser instead."""
    return go.Scatter(**props, _validate=False)


def _legend_rows(names: list[str], room: float) -> int:
    """How many rows plotly wraps a horizontal legend of these entries into, `room` px wide (an estimate from
    above: an entry is its symbol, a gap and its name in the legend's 12 px font)."""
    rows, used = (1 if names else 0), 0.0
    for name in names:
        entry = 46 + text_px(len(name), 12)
        if used and used + entry > room:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def _event_labels(frame: EventFrame, detail: Detail, plot_px: float, lane_px: int, font_px: int,
                  rows: int) -> list[go.Scatter]:  # fmt: skip
    """The labels that fit, beside their marks (as traces): the event's `label`, else its title; the most
    important events first (their type's rank, or `key`). A cluster is labelled as its most important event."""
    clusters = detail.clusters
    x = places(frame.events)[2]
    rank = _ranks(frame.events)
    members = clusters.events
    # each cluster's most important member, the earliest of equals (members are in date order)
    best = members[np.lexsort((np.arange(len(members)), -rank[members], clusters.cluster_of))[clusters.start]]
    event = np.concatenate([detail.events, best])
    order = np.argsort(event, kind="stable")  # by event row, so by date: the order ties are settled in
    event = event[order]
    where = np.concatenate([x[detail.events], clusters.x])[order]
    lane = np.concatenate([detail.rows, clusters.row])[order]
    return _labels(frame, event, where, lane, rank[event], detail.window, plot_px=plot_px, lane_px=lane_px,
                   font_px=font_px, rows=rows)[0]  # fmt: skip


def _top_labels(frame: EventFrame, positions: np.ndarray, lanes_of: tuple[str, ...], detail: Detail,
                plot_px: float, lane_px: int, font_px: int,
                rows: int) -> tuple[list[go.Scatter], tuple[np.ndarray, np.ndarray, np.ndarray]]:  # fmt: skip
    """Zoomed out, where lanes show counts: labels for the events that matter most (`TOP_RANK` or `key`) in the
    window (as traces), over the bars, with a light halo so they read over them; and the labelled marks (event
    rows, x, lane rows), for a tick that shows where each label's event falls."""
    rank = _ranks(frame.events)
    x = places(frame.events)[2]
    first, last = detail.window
    positions = np.asarray(positions, dtype="int64")
    every = per_table(frame.events, "top rows", lambda events: np.flatnonzero(rank >= TOP_RANK))
    # every row (positions are distinct): the top rows, kept, need no lookup
    top = every if len(positions) == len(rank) else positions[rank[positions] >= TOP_RANK]
    top = top[(x[top] >= first) & (x[top] <= last)]
    if not len(top):
        return [], (top, top.astype(float), top)
    m = marks(frame, top, lanes_of, among=per_table(frame.events, "top marks", lambda events: marks(frame, every)))
    lane = np.searchsorted(detail.lanes, m.lane)
    known = (lane < len(detail.lanes)) & (detail.lanes[np.minimum(lane, len(detail.lanes) - 1)] == m.lane)
    event, lane, where = m.event[known], lane[known], m.x[known]
    # Only a few labels fit in a stretch as wide as the shortest label: a few candidates each, the most important
    # first, keep placement quick at a million events.
    shortest = text_px(MIN_CHARS + 1, font_px)
    cell = np.floor((where - first) / (last - first) * plot_px / shortest).astype("int64")
    order = np.lexsort((event, -rank[event], cell, lane))
    group = np.ones(len(order), dtype=bool)
    group[1:] = (lane[order][1:] != lane[order][:-1]) | (cell[order][1:] != cell[order][:-1])
    starts = np.flatnonzero(group)
    nth = np.arange(len(order)) - starts[np.cumsum(group) - 1]
    kept = order[nth < 2]
    kept = kept[np.lexsort((kept, event[kept]))]  # by event row again, so by date: ties go to the earlier
    event, lane, where = event[kept], lane[kept], where[kept]
    labels, placed = _labels(frame, event, where, lane, rank[event], detail.window, plot_px=plot_px,
                             lane_px=lane_px, font_px=font_px, rows=1, ground=True)  # fmt: skip
    return labels, (event[placed], where[placed], lane[placed])


def _labels(frame: EventFrame, event: np.ndarray, x: np.ndarray, lane: np.ndarray, rank: np.ndarray,
            window: tuple[float, float], *, plot_px: float, lane_px: int, font_px: int, rows: int,
            ground: bool = False) -> tuple[list[go.Scatter], np.ndarray]:  # fmt: skip
    """The labels `place_labels` finds room for, of the marks of `event` at `x` (epoch ms) in lane rows `lane`, as
    traces (none when no label fits), and which of the marks they label."""
    # the few columns, then the drawn rows: converting a whole column of a million texts takes a third of a second
    events = frame.events[[c for c in ("title", "label") if c in frame.events]].iloc[event]
    first, last = window
    text = events["title"].to_numpy()
    if "label" in events:
        own = events["label"].to_numpy()
        given = pd.notna(own) & (own != "")
        text = np.where(given, own, text)
    placed = place_labels((x - first) / (last - first) * plot_px, lane, text.tolist(), rank, plot_px=plot_px,
                          lane_px=lane_px, font_px=font_px, mark_px=MARK_PX, rows=rows, event=event)  # fmt: skip
    at = placed.index.to_numpy()
    return _label_traces(x[at], lane[at], placed, lane_px=lane_px, font_px=font_px, ground=ground), at


def _label_traces(x: np.ndarray, lane: np.ndarray, placed: pd.DataFrame, *, lane_px: int, font_px: int,
                  ground: bool) -> list[go.Scatter]:  # fmt: skip
    """Placed labels as the text of points: a trace of those that start at their mark and one of those that end
    there. As layout annotations, plotly.js measured each label's box at every drawing, about half the time a
    zoomed chart took to draw.

    A label's point is at its mark's date, on the label's row (lanes are `lane_px` tall, and the lane axis never
    zooms). Its text is offset from the mark in pixels by the point's own invisible marker, so that a zoom or a pan
    keeps each label beside its mark. Over a zoomed-out chart's bars the text has a light halo."""
    y = (lane - placed["dy"].to_numpy() / lane_px).astype("float32")
    size = np.maximum(LABEL_OFFSET * (np.abs(placed["dx"].to_numpy()) - 1), 0).round(2)
    text = np.array([plain(t) for t in placed["text"]], dtype=object)
    halo = ", ".join(f"{dx}px {dy}px 2px #ffffff" for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)))
    font = {"size": font_px, "color": "#1b1b1b", **({"shadow": halo} if ground else {})}
    traces = []
    for anchor, position in (("left", "middle right"), ("right", "middle left")):
        mine = (placed["anchor"] == anchor).to_numpy()
        if mine.any():
            traces.append(_scatter(x=x[mine], y=y[mine], mode="markers+text", name=LABELS,
                                     text=text[mine].tolist(), textposition=position, textfont=font,
                                     marker={"size": size[mine], "opacity": 0}, hoverinfo="skip",
                                     showlegend=False))  # fmt: skip
    return traces


def _ranks(events: pd.DataFrame) -> np.ndarray:
    """Each event's claim to a label (`labels.importance`), worked out once per table."""

    def compute(events: pd.DataFrame) -> np.ndarray:
        key = events["key"].fillna(False).to_numpy(dtype=bool) if "key" in events else None
        return importance(events["type"], key)

    return per_table(events, "ranks", compute)


def _clusters(Trace, frame: EventFrame, detail: Detail, font_px: int) -> go.Scatter:  # noqa: N803
    """One neutral circle per cluster with its count in it; its hover gives the count and the dates the events
    fall in, as precisely as they are known. Its `customdata` is no event row but `[CLUSTER, first, last]`, the
    span its members cover in epoch ms (the last exclusive), which a click on it zooms to (web/callbacks.py)."""
    clusters = detail.clusters
    members, starts = clusters.events, clusters.start
    lo, hi, _ = places(frame.events)
    first = np.minimum.reduceat(lo[members], starts)
    last = np.maximum.reduceat(hi[members], starts) - DAY_MS  # `hi` is exclusive
    exact = np.logical_and.reduceat((frame.events["precision"].iloc[members] == "day").to_numpy(dtype=bool), starts)
    days = [np.datetime64(int(v), "ms").astype("datetime64[D]").item() for v in (*first, *last)]
    titles = frame.events["title"].to_numpy()[members]
    named = [
        "".join(f"<br>• {plain(shorten(str(t), 60))}" for t in titles[start : start + HOVER_TITLES])
        + (f"<br>and {count - HOVER_TITLES:,} more" if count > HOVER_TITLES else "")
        for start, count in zip(starts.tolist(), clusters.count.tolist(), strict=True)
    ]
    spans = zip(clusters.count.tolist(), days[: len(first)], days[len(first) :], exact, named, strict=True)
    hover = [f"{count:,} events, {date_label(d0, d1, 'day' if sure else 'days')}{names}"
             for count, d0, d1, sure, names in spans]  # fmt: skip
    counts = [str(c) for c in clusters.count.tolist()]
    digits = np.array([len(c) for c in counts])
    size = np.maximum(text_px(digits, font_px - 1) + 10, MARK_PX + 6).round(1)
    return Trace(
        x=clusters.x, y=clusters.row.astype("int16"), mode="markers+text", name="Clusters", text=counts,
        # A list, not an array: Dash leaves a point's row of a binary-encoded array out of its click data.
        customdata=[[CLUSTER, lo, hi] for lo, hi in zip(first.tolist(), (last + DAY_MS).tolist(), strict=True)],
        textposition="middle center", textfont={"size": font_px - 1, "color": "#1b1b1b"}, hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
        marker={"symbol": _SYMBOL_CODE["circle"], "size": size, "color": CLUSTER_FILL,
                "line": {"width": 1.5, "color": CLUSTER_LINE}},
    )  # fmt: skip


def _ticks(Trace, events: np.ndarray, x: np.ndarray, rows: np.ndarray) -> go.Scatter:  # noqa: N803
    """A short dark tick on the lane's centre line where each labelled event of a zoomed-out chart falls; like a
    single event's mark, it carries the event's row, for its hover card and a click."""
    return Trace(x=x, y=rows.astype("int16"), mode="markers", name="Labelled events", customdata=events.tolist(),
                 hoverinfo="none", showlegend=False,
                 marker={"symbol": _SYMBOL_CODE["line-ns"], "size": 12,
                         "line": {"width": 2.5, "color": "#1b1b1b"}})  # fmt: skip


def _lane_name(name: str, colour: str | None) -> str:
    """A lane's tick text: the name as written, after a swatch of the actor's colour when it has one (the name
    keeps the text colour, so it reads whatever the swatch's)."""
    text = plain(name)
    return f'<span style="color:{colour}">{SWATCH.strip()}</span> {text}' if colour else text


def _single_events(Trace, frame: EventFrame, detail: Detail) -> list:  # noqa: N803
    """Every mark in the window: coloured by family, a kept shape for the few types that have one, a circle
    otherwise, hollow when the date is known only to a span, with a bar for how long it lasted or a whisker for
    the span its date is known to. The legend names the families present and the shapes present."""
    events = frame.events[["precision", "status", "is_range", "family", "type"]].iloc[detail.events]
    lo, hi, x = (column[detail.events] for column in places(frame.events))
    exact = (events["precision"] == "day").to_numpy(dtype=bool)
    y = detail.rows.astype("int16")
    faded = events["status"].isin(["expected", "scheduled", "postponed", "cancelled"]).to_numpy()
    ranges = events["is_range"].to_numpy(dtype=bool)
    families = events["family"].to_numpy()
    shapes = events["type"].map(SHAPE_OF).fillna(DEFAULT_SHAPE).to_numpy()
    traces = []
    for family in dict.fromkeys(families):
        colour = FAMILIES[family].colour
        for mask, thickness in ((ranges & (families == family), 9), (~exact & ~ranges & (families == family), 2.5)):
            if mask.any():  # solid bars: how long it lasted; thin whiskers: the span a date is known to
                traces.append(_spans(Trace, lo[mask], hi[mask], y[mask], colour, thickness))
    present = set(families)
    for family in FAMILIES:
        for symbol in (DEFAULT_SHAPE, *(s.symbol for s in SHAPES)):
            for is_exact in (True, False):  # one trace per symbol: per-point symbol arrays are slow to validate
                mask = (families == family) & (shapes == symbol) & (exact == is_exact)
                if mask.any():
                    traces.append(_markers(Trace, family, symbol, x[mask], y[mask], is_exact, faded[mask],
                                           detail.events[mask]))  # fmt: skip
    # The legend: a colour per family, then the kept shapes, as entries of their own. Each has one point that is
    # never drawn (plotly hides a trace with none, and its legend entry with it).
    nowhere = np.array([np.nan])
    traces += [Trace(x=nowhere, y=nowhere, mode="markers", name=f.short, hoverinfo="skip", legendgroup=family,
                     showlegend=True, marker={"symbol": _SYMBOL_CODE[DEFAULT_SHAPE], "size": 11, "color": f.colour})
               for family, f in FAMILIES.items() if family in present]  # fmt: skip
    traces += [Trace(x=nowhere, y=nowhere, mode="markers", name=s.label, hoverinfo="skip", legendgroup=s.symbol,
                     showlegend=True, marker={"symbol": _SYMBOL_CODE[s.symbol], "size": 12, "color": SHAPE_COLOUR})
               for s in SHAPES if (shapes == s.symbol).any()]  # fmt: skip
    return traces


def _density(detail: Detail) -> list[go.Scatter]:
    """Counts per lane and bin as bars rising from each lane's foot: the taller, the more events.

    The bars of all lanes are one filled outline, a lane after another, and an undrawn point in the middle of
    each bar gives its count in the hover. As a plotly bar trace, plotly.js drew and styled each bin on its own:
    a third of the time a zoomed-out chart took to draw."""
    bins, traces = detail.bins, []
    for inside in (True, False):  # in the window; outside it (seen in the range slider), coarser
        mask = bins.inside == inside
        if not mask.any():
            continue
        order = np.lexsort((bins.lo[mask], bins.row[mask]))  # lane by lane, in date order
        row, lo, hi, count = (column[mask][order] for column in (bins.row, bins.lo, bins.hi, bins.count))
        foot = row + DENSITY_HEIGHT / 2
        top = foot - np.maximum(count / count.max(), 0.1) * DENSITY_HEIGHT  # a single event still shows
        days = np.round((hi - lo) / DAY_MS, 1)
        when = "on %{customdata[2]|%-d %b %Y}" if (days == 1).all() else (
            "in the %{customdata[1]:.0f} days from %{customdata[2]|%-d %b %Y}")  # fmt: skip
        shown = inside and detail.binned
        x, y = _outline(row, lo, hi, foot, top)
        traces.append(_scatter(
            x=x, y=y.astype("float32"), mode="lines", fill="toself", fillcolor=DENSITY_COLOUR, line={"width": 0},
            name=_per(detail.unit_days) if shown else "Events", showlegend=shown, hoverinfo="skip",
            opacity=1.0 if inside else 0.6,
        ))  # fmt: skip
        starts = np.datetime_as_string(lo.astype("int64").astype("datetime64[ms]"), unit="D").tolist()
        traces.append(_scatter(
            x=(lo + hi) / 2, y=((foot + top) / 2).astype("float32"), mode="none", name=COUNTS, showlegend=False,
            # A list: a row mixes numbers and a date, which the hover formats.
            customdata=[[c, d, s] for c, d, s in zip(count.tolist(), days.tolist(), starts, strict=True)],
            hovertemplate=f"%{{customdata[0]:,}} events {when}<extra></extra>",
        ))  # fmt: skip
    return traces


def _outline(row: np.ndarray, lo: np.ndarray, hi: np.ndarray, foot: np.ndarray,
             top: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The outline of bars [lo, hi) from `foot` to `top`, ordered lane `row` by lane: each bar's four corners, a
    gap (NaN) after each lane's last, so that each lane is one closed shape."""
    corners = 4
    x = np.column_stack([lo, lo, hi, hi]).ravel()
    y = np.column_stack([foot, top, top, foot]).ravel()
    last = np.flatnonzero(np.r_[row[1:] != row[:-1], True])  # each lane's last bar
    at = (last + 1) * corners
    return np.insert(x, at, np.nan), np.insert(y, at, np.nan)


def _per(days: int) -> str:
    """The density legend: how many events a bar's height counts."""
    named = {1: "day", 7: "week", 14: "fortnight", 28: "4 weeks", 91: "quarter", 182: "half-year", 364: "year"}
    unit = named.get(days) or (f"{days // 364} years" if days % 364 == 0 else f"{days} days")
    return f"Events per {unit}"


def _heading_lines(title: str | None, credit: str | None, width: int) -> tuple[list[str], list[str]]:
    """The title and the source line broken into lines that fit `width` px (plotly never wraps them itself)."""
    room = width - 24

    def lines(text: str, font_px: int) -> list[str]:
        fit = max(20, int(room // text_px(1, font_px)))
        return [part for line in text.split("\n") for part in textwrap.wrap(line, fit) or [""]]

    return (lines(title, TITLE_PX) if title else []), (lines(credit, CREDIT_PX) if credit else [])


def _heading(title: list[str], credit: list[str]) -> dict:
    """The chart's title with the source line beneath it, pinned to the top so labels below never collide."""
    return {"text": "<br>".join(plain(line) for line in title), "x": 0, "xref": "container", "xanchor": "left",
            # plotly centres a title of several lines on where one line would be: pad it down by the rest's half
            "pad": {"l": 12, "t": 10 + 12 * (len(title) - 1)}, "y": 1, "yref": "container", "yanchor": "top",
            "font": {"size": TITLE_PX},
            "subtitle": {"text": "<br>".join(plain(line) for line in credit),
                         "font": {"size": CREDIT_PX, "color": "#505050"}}}  # fmt: skip


def print_figure(frame: EventFrame, positions: np.ndarray, *, lanes_of: tuple[str, ...] = (),
                 width: int = 1600) -> go.Figure:  # fmt: skip
    """The chart as it prints: the dashboard's look, with the title and source line drawn in, no slider."""
    data = frame.dataset
    return timeline_figure(frame, positions, lanes_of=lanes_of, title=data.title, credit=source_line(data, frame.asof),
                           slider=False, webgl=False, width=width)  # fmt: skip


def time_range(frame: EventFrame, positions: np.ndarray) -> list[float] | None:
    """The x-axis range, in epoch milliseconds, that `timeline_figure` gives the events at `positions`."""
    lo, hi, _ = places(frame.events)
    span = extent(lo[positions], hi[positions])
    return list(span) if span else None


def _markers(Trace, family: str, symbol: str, x, y, exact: bool, faded, rows) -> go.Scatter:  # noqa: N803
    # Plotly's open variant of a symbol is its code + 100: hollow marks a date known only to a span.
    code = _SYMBOL_CODE[symbol] + (0 if exact else 100)
    colour = FAMILIES[family].colour
    opacity = np.where(faded, 0.55, 1.0).astype("float32") if faded.any() else 1.0
    # customdata as a plain list: plotly leaves typed-array customdata out of click and hover event data.
    return Trace(
        x=x, y=y, mode="markers", name=plain(FAMILIES[family].short), customdata=rows.tolist(), hoverinfo="none",
        legendgroup=family, showlegend=False,
        marker={"symbol": code, "size": MARK_PX, "color": colour, "opacity": opacity,
                "line": {"width": 1.5, "color": "#ffffff" if exact else colour}},
    )  # fmt: skip


def _spans(Trace, lo, hi, y, colour: str, width: float) -> go.Scatter:  # noqa: N803
    nan = np.full(len(lo), np.nan)
    xs = np.column_stack([lo, hi, nan]).ravel()
    ys = np.column_stack([y, y, nan]).ravel().astype("float32")
    return Trace(x=xs, y=ys, mode="lines", line={"width": width, "color": colour}, opacity=0.5 if width > 3 else 0.9,
                 hoverinfo="skip", showlegend=False, connectgaps=False)  # fmt: skip


class _LabelRows:
    """Stacks labels above the plot so that labels close in time do not overlap or run off its edges."""

    def __init__(self, first_ms: float, last_ms: float, across: float, font_px: int = BAND_PX) -> None:
        self.first, self.last = first_ms, last_ms
        self.ms_per_char = max(last_ms - first_ms, DAY_MS) / across  # `across`: label characters across the plot
        self.font_px, self.row_px = font_px, font_px + 6
        self.ends: list[float] = []

    def place(self, start_ms: float, end_ms: float, text: str) -> tuple[dict, str] | None:
        """Where to put a label for [start, end], as annotation keyword arguments, and its text (shortened when it
        would run off the plot either way); None when no row has room."""
        width = self.ms_per_char * (len(text) + 2)
        start_ms = max(start_ms, self.first)  # a band that began before the view is labelled at the view's edge
        room_right, room_left = self.last - start_ms, end_ms - self.first
        right = width > room_right  # would run off the plot: hang it left of the band's end instead
        if right and width > room_left:  # runs off either way (large type): on the roomier side, shortened
            right = room_left > room_right
            text = shorten(text, max(8, int(max(room_left, room_right) / self.ms_per_char) - 2))
            width = self.ms_per_char * (len(text) + 2)
        lo, hi = (end_ms - width, end_ms) if right else (start_ms, max(end_ms, start_ms + width))
        row = next((r for r, last in enumerate(self.ends) if last <= lo), len(self.ends))
        if row >= MAX_LABEL_ROWS:
            return None
        self.ends[row : row + 1] = [hi]
        return {"x": end_ms if right else start_ms, "xanchor": "right" if right else "left", "y": 1,
                "yshift": 3 + self.row_px * row}, text  # fmt: skip


def _phases(frame: EventFrame, rows: _LabelRows, limits: list[float]) -> tuple[list[dict], list[dict]]:
    shapes, labels = [], []
    for i, phase in enumerate(sorted(frame.dataset.phases, key=lambda p: p.start)):
        start, end = pd.Timestamp(phase.start), pd.Timestamp(phase.end) + pd.Timedelta(days=1)
        if end.value / 1e6 < limits[0] or start.value / 1e6 > limits[1]:
            continue  # outside the events shown: it would only stretch the axis
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": start, "x1": end, "y0": 0, "y1": 1,
                       "fillcolor": PHASE_FILL[i % len(PHASE_FILL)], "opacity": 0.09, "layer": "below",
                       "line": {"width": 0}})  # fmt: skip
        placed = rows.place(start.value / 1e6, end.value / 1e6, phase.label)
        if placed is None:
            continue
        where, label = placed
        labels.append({**where, "yref": "paper", "yanchor": "bottom", "text": plain(label), "showarrow": False,
                       **({"hovertext": plain(phase.label)} if label != phase.label else {}),
                       "font": {"size": rows.font_px, "color": "#3d3d3d"},
                       "bgcolor": "rgba(255,255,255,0.85)"})  # fmt: skip
    return shapes, labels


def _due(frame: EventFrame, positions: np.ndarray) -> np.ndarray:
    """The deadlines among the events at `positions`, wherever they fall."""
    is_due = per_table(frame.events, "due", lambda e: (e["type"] == "deadline").to_numpy(dtype=bool)
                       | (e["status"] == "deadline").to_numpy(dtype=bool))  # fmt: skip
    return np.asarray(positions, dtype="int64")[is_due[positions]]


def _deadlines(frame: EventFrame, candidates: np.ndarray, rows: _LabelRows,
               limits: list[float]) -> tuple[list[dict], list[dict]]:  # fmt: skip
    """The deadlines of `candidates` (`_due`'s rows) that fall in the window: a dashed line each, and a band for a
    span; none when there are more than `MAX_DEADLINE_LINES`."""
    events = frame.events
    lo, hi, _ = (column[candidates] for column in places(events))
    due = candidates[(lo < limits[1]) & (hi > limits[0])]
    shapes, labels = [], []
    if len(due) > MAX_DEADLINE_LINES:
        return shapes, labels
    # the few columns, then the rows: taking rows of every column copies each one's texts
    for event in events[["lo", "hi", "precision", "is_range", "title"]].iloc[due].itertuples(index=False):
        start, end = event.lo, event.hi + pd.Timedelta(days=1)
        if event.precision != "day" or event.is_range:
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": start,
                    "x1": end,
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": DEADLINE_COLOUR,
                    "opacity": 0.12,
                    "layer": "below",
                    "line": {"width": 0},
                }
            )
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": start.value // 1_000_000,
                       "x1": start.value // 1_000_000, "y0": 0, "y1": 1,
                       "line": {"color": DEADLINE_COLOUR, "dash": "dash", "width": 1.5}})  # fmt: skip
        placed = rows.place(start.value / 1e6, start.value / 1e6, shorten(f"Deadline: {event.title}", 48))
        if placed is None:
            continue
        where, label = placed
        labels.append({**where, "yref": "paper", "yanchor": "bottom", "text": plain(label),
                       "hovertext": plain(event.title), "showarrow": False,
                       "font": {"size": rows.font_px, "color": "#a34400"},
                       "bgcolor": "rgba(255,255,255,0.85)"})  # fmt: skip
    return shapes, labels
