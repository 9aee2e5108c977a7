"""The timeline figure: actor lanes, markers by event type, spans for uncertain dates, phases and deadlines.

Only numbers travel per point (dates in epoch milliseconds, lane numbers, row positions); every label the
reader sees per event comes from the server on hover or click, so the payload stays small at any scale.
"""

from __future__ import annotations

import html
from collections.abc import Collection

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.validator_cache import ValidatorCache

from timeline.data.frame import EventFrame
from timeline.data.vocab import EVENT_TYPE_BY_ID, EVENT_TYPES, FAMILIES
from timeline.text.credits import source_line

DAY_MS = 86_400_000.0
GL_THRESHOLD = 3_000  # above this many points SVG gets slow; WebGL draws the same arrays
MAX_DEADLINE_LINES = 40
LABEL_ROW_PX = 17
GENERAL_LANE = "No specific actor"
PHASE_FILL = ("#8a8a8a", "#5f7ea8", "#a0785a")
DEADLINE_COLOUR = "#D55E00"


def _symbol_numbers() -> dict[str, int]:
    # plotly lists each symbol as number, "number", name; markers send the number to keep payloads numeric
    values = ValidatorCache.get_validator("scatter.marker", "symbol").values
    return {name: values[i - 2] for i, name in enumerate(values) if isinstance(name, str) and not name.isdigit()}


_SYMBOL_CODE = {t.id: _symbol_numbers()[t.symbol] for t in EVENT_TYPES}

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
            "entrywidth": 175,
            "entrywidthmode": "pixels",
            "itemdoubleclick": False,
            "title": {"text": "Event type: "},
        },  # fmt: skip
        xaxis={"type": "date", "showgrid": True, "gridcolor": "#ececec", "linecolor": "#8a8a8a", "ticks": "outside"},
        yaxis={
            "showgrid": True,
            "gridcolor": "#f3f3f3",
            "zeroline": False,
            "fixedrange": True,
            "automargin": True,
            "autorange": "reversed",
        },  # fmt: skip
    )
)


LEGEND_TITLE_PX = 100


def plain(text: str) -> str:
    """Data text for plotly labels: plotly reads a subset of HTML, so escape it to show it as written."""
    return html.escape(text, quote=False)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _ms(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="datetime64[ms]").astype("int64").astype("float64")


def max_points(frame: EventFrame) -> int:
    """How many markers the chart draws when nothing is filtered out: one per event and actor."""
    with_actors = frame.actors["event"].nunique() if len(frame.actors) else 0
    return len(frame.actors) + len(frame.events) - with_actors


def lanes(frame: EventFrame, positions: np.ndarray, only: tuple[str, ...] = ()) -> tuple[pd.DataFrame, list[str]]:
    """One row per point (event × actor), with its lane number, and the lane labels top to bottom.

    With `only`, just those actors' lanes are drawn.
    """
    points = frame.actors[frame.actors["event"].isin(positions)]
    if only:
        points = points[points["actor"].isin(only)]
    points = points[["event", "lane"]]
    unassigned = np.setdiff1d(positions, points["event"].to_numpy())
    if len(unassigned):
        points = pd.concat([points, pd.DataFrame({"event": unassigned, "lane": len(frame.dataset.actors)})])
    used = np.unique(points["lane"].to_numpy())
    names = [a.name for a in frame.dataset.actors] + [GENERAL_LANE]
    row_of = np.full(len(names), -1)
    row_of[used] = np.arange(len(used))
    points = points.assign(row=row_of[points["lane"].to_numpy()]).sort_values(["event", "row"], kind="stable")
    return points.reset_index(drop=True), [names[i] for i in used]


def timeline_figure(frame: EventFrame, positions: np.ndarray, *, lanes_of: tuple[str, ...] = (),
                    selected: int | Collection[int] | None = None, title: str | None = None,
                    credit: str | None = None,
                    slider: bool = True, webgl: bool | None = None, width: int = 900) -> go.Figure:  # fmt: skip
    """The timeline of the events at `positions`, in every actor's lane (or only in `lanes_of`).

    `title` and `credit` (the source line) are drawn on the chart itself, for exports and embeds; `slider` adds
    the range slider; `webgl` forces (or forbids) WebGL, which is otherwise used above `GL_THRESHOLD` points;
    `width`, the expected width in pixels, sets how many legend rows to leave room for.
    """
    points, labels = lanes(frame, positions, lanes_of)
    events = frame.events.iloc[points["event"].to_numpy()]
    lo, hi = _ms(events["lo"]), _ms(events["hi"]) + DAY_MS
    exact = (events["precision"] == "day").to_numpy()
    x = np.where(exact, lo, (lo + hi) / 2)
    y = points["row"].to_numpy().astype("int16")
    faded = events["status"].isin(["expected", "scheduled", "postponed", "cancelled"]).to_numpy()
    webgl = len(points) > GL_THRESHOLD if webgl is None else webgl
    Trace = go.Scattergl if webgl else go.Scatter
    fig = go.Figure()
    ranges = events["is_range"].to_numpy()
    families = events["family"].to_numpy()
    for family in dict.fromkeys(families):
        colour = FAMILIES[family][1]
        for mask, thickness in ((ranges & (families == family), 9), (~exact & ~ranges & (families == family), 2.5)):
            if mask.any():  # solid bars: how long it lasted; thin whiskers: the span a date is known to
                fig.add_trace(_spans(Trace, lo[mask], hi[mask], y[mask], colour, thickness))
    types = events["type"].to_numpy()
    rows_of_points = points["event"].to_numpy()
    size = 13 if len(points) <= GL_THRESHOLD else 7  # big markers cost seconds to fill without a GPU
    for term in EVENT_TYPES:
        first = True
        for is_exact in (True, False):  # one trace per symbol: per-point symbol arrays are slow to validate
            mask = (types == term.id) & (exact == is_exact)
            if mask.any():
                fig.add_trace(_markers(Trace, term.id, x[mask], y[mask], is_exact, faded[mask], rows_of_points[mask],
                                       size, legend=first))  # fmt: skip
                first = False
    chosen = [selected] if isinstance(selected, int | np.integer) else list(selected or [])
    mask = np.isin(points["event"].to_numpy(), chosen)
    if mask.any():
        fig.add_trace(Trace(x=x[mask], y=y[mask], mode="markers", name="Selected", hoverinfo="skip",
                            showlegend=False, marker={"size": 26, "color": "rgba(0,0,0,0)",
                                                      "line": {"width": 3, "color": "#1b1b1b"}}))  # fmt: skip
    span = _padded(lo, hi)
    limits = span or [0.0, DAY_MS]
    rows = _LabelRows(*limits)
    phase_shapes, phase_labels = _phases(frame, rows, limits)
    deadline_shapes, deadline_labels = _deadlines(frame, positions, rows)
    # set in one go: adding shapes one by one re-validates the whole layout each time
    fig.update_layout(shapes=phase_shapes + deadline_shapes, annotations=phase_labels + deadline_labels)
    heading = bool(title or credit)
    # The legend sits at the bottom of the container. Measured in plotly.js 4.1: with a range slider, plotly
    # adds the slider's and the legend's heights below the bottom margin; without one, it only makes sure the
    # margin holds the legend, so the margin itself must hold the tick labels and the legend.
    # plotly wraps the legend at the plot area's width: the figure's, less the lane names (sized by automargin,
    # estimated here from the longest name) and the legend's title; an entry takes about 185 px.
    lane_names_px = min(7 * max((len(t) for t in labels), default=0) + 30, width // 2)
    legend_rows = -(-len(set(types)) // max(1, (width - lane_names_px - LEGEND_TITLE_PX) // 185))
    legend_height = 20 * legend_rows + 12
    credit_lines = (credit or "").count("\n")  # a second line of the source line: "As known on …"
    margin = {"t": (78 + 16 * credit_lines if heading else 24) + LABEL_ROW_PX * len(rows.ends),
              "b": 40 if slider else 44 + legend_height}  # fmt: skip
    bottom = margin["b"] + (80 + legend_height if slider else 0)
    fig.update_layout(
        template=TEMPLATE,
        height=120 + 48 * max(len(labels), 1) + margin["t"] + bottom,
        title=_heading(title, credit) if heading else None,
        margin=margin,
        yaxis={
            "tickvals": list(range(len(labels))),
            "ticktext": [plain(t) for t in labels],
            "range": [len(labels) - 0.5, -0.5],
            "autorange": False,
        },  # fmt: skip
        xaxis={
            "type": "date",
            "rangeslider": {"visible": slider, "thickness": 0.08, "range": span},
            "range": span,
        },  # fmt: skip
        hovermode="closest",
        dragmode="zoom",
        uirevision="timeline",
    )
    return fig


def _heading(title: str | None, credit: str | None) -> dict:
    """The chart's title with the source line beneath it, pinned to the top so labels below never collide."""
    return {"text": plain(title or ""), "x": 0, "xref": "container", "xanchor": "left", "pad": {"l": 12, "t": 10},
            "y": 1, "yref": "container", "yanchor": "top", "font": {"size": 18},
            "subtitle": {"text": "<br>".join(plain(line) for line in (credit or "").split("\n")),
                         "font": {"size": 12, "color": "#505050"}}}  # fmt: skip


def print_figure(frame: EventFrame, positions: np.ndarray, *, lanes_of: tuple[str, ...] = (),
                 width: int = 1600) -> go.Figure:  # fmt: skip
    """The chart as it prints: the dashboard's look, with the title and source line drawn in, no slider."""
    data = frame.dataset
    return timeline_figure(frame, positions, lanes_of=lanes_of, title=data.title, credit=source_line(data, frame.asof),
                           slider=False, webgl=False, width=width)  # fmt: skip


def time_range(frame: EventFrame, positions: np.ndarray) -> list[float] | None:
    """The x-axis range, in epoch milliseconds, that `timeline_figure` gives the events at `positions`."""
    events = frame.events.iloc[positions]
    return _padded(_ms(events["lo"]), _ms(events["hi"]) + DAY_MS)


def _padded(lo: np.ndarray, hi: np.ndarray) -> list[float] | None:
    if not len(lo):
        return None
    first, last = float(lo.min()), float(hi.max())
    pad = max((last - first) * 0.03, 2 * DAY_MS)
    return [first - pad, last + pad]


def _markers(Trace, type_id: str, x, y, exact: bool, faded, rows, size: int, legend: bool) -> go.Scatter:  # noqa: N803
    term = EVENT_TYPE_BY_ID[type_id]
    # Plotly's open variant of a symbol is its code + 100: hollow marks a date known only to a span.
    symbol = _SYMBOL_CODE[type_id] + (0 if exact else 100)
    colour = FAMILIES[term.family][1]
    opacity = np.where(faded, 0.55, 1.0).astype("float32") if faded.any() else 1.0
    # customdata as a plain list: plotly leaves typed-array customdata out of click and hover event data.
    return Trace(
        x=x, y=y, mode="markers", name=plain(term.label), customdata=rows.tolist(), hoverinfo="none",
        legendgroup=type_id, showlegend=legend,
        marker={"symbol": symbol, "size": size, "color": colour, "opacity": opacity,
                "line": {"width": 1.5, "color": "#ffffff" if exact else colour}},
    )  # fmt: skip


def _spans(Trace, lo, hi, y, colour: str, width: float) -> go.Scatter:  # noqa: N803
    nan = np.full(len(lo), np.nan)
    xs = np.column_stack([lo, hi, nan]).ravel()
    ys = np.column_stack([y, y, nan]).ravel().astype("float32")
    return Trace(x=xs, y=ys, mode="lines", line={"width": width, "color": colour}, opacity=0.5 if width > 3 else 0.9,
                 hoverinfo="skip", showlegend=False, connectgaps=False)  # fmt: skip


class _LabelRows:
    """Stacks labels above the plot so that labels close in time do not overlap or run off the right edge."""

    def __init__(self, first_ms: float, last_ms: float) -> None:
        self.first, self.last = first_ms, last_ms
        self.ms_per_char = max(last_ms - first_ms, DAY_MS) / 130  # ~130 label characters across a desktop plot
        self.ends: list[float] = []

    def place(self, start_ms: float, end_ms: float, text: str) -> dict:
        """Where to put a label for [start, end]: annotation keyword arguments."""
        width = self.ms_per_char * (len(text) + 2)
        start_ms = max(start_ms, self.first)  # a band that began before the view is labelled at the view's edge
        right = start_ms + width > self.last  # would run off the plot: hang it left of the band's end instead
        lo, hi = (end_ms - width, end_ms) if right else (start_ms, max(end_ms, start_ms + width))
        row = next((r for r, last in enumerate(self.ends) if last <= lo), len(self.ends))
        self.ends[row : row + 1] = [hi]
        return {"x": end_ms if right else start_ms, "xanchor": "right" if right else "left", "y": 1,
                "yshift": 3 + LABEL_ROW_PX * row}  # fmt: skip


def _phases(frame: EventFrame, rows: _LabelRows, limits: list[float]) -> tuple[list[dict], list[dict]]:
    shapes, labels = [], []
    for i, phase in enumerate(sorted(frame.dataset.phases, key=lambda p: p.start)):
        start, end = pd.Timestamp(phase.start), pd.Timestamp(phase.end) + pd.Timedelta(days=1)
        if end.value / 1e6 < limits[0] or start.value / 1e6 > limits[1]:
            continue  # outside the events shown: it would only stretch the axis
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": start, "x1": end, "y0": 0, "y1": 1,
                       "fillcolor": PHASE_FILL[i % len(PHASE_FILL)], "opacity": 0.09, "layer": "below",
                       "line": {"width": 0}})  # fmt: skip
        where = rows.place(start.value / 1e6, end.value / 1e6, phase.label)
        labels.append({**where, "yref": "paper", "yanchor": "bottom", "text": plain(phase.label), "showarrow": False,
                       "font": {"size": 11, "color": "#3d3d3d"}, "bgcolor": "rgba(255,255,255,0.85)"})  # fmt: skip
    return shapes, labels


def _deadlines(frame: EventFrame, positions: np.ndarray, rows: _LabelRows) -> tuple[list[dict], list[dict]]:
    shown = frame.events.iloc[positions]
    due = shown[(shown["type"] == "deadline") | (shown["status"] == "deadline")]
    shapes, labels = [], []
    for _, event in due.head(MAX_DEADLINE_LINES).iterrows():
        start, end = event["lo"], event["hi"] + pd.Timedelta(days=1)
        if event["precision"] != "day" or event["is_range"]:
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
        label = shorten(f"Deadline: {event['title']}", 48)
        where = rows.place(start.value / 1e6, start.value / 1e6, label)
        labels.append({**where, "yref": "paper", "yanchor": "bottom", "text": plain(label),
                       "hovertext": plain(event["title"]), "showarrow": False,
                       "font": {"size": 11, "color": "#a34400"}, "bgcolor": "rgba(255,255,255,0.85)"})  # fmt: skip
    return shapes, labels
