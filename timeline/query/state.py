"""The URL is the state: parse a query string into `Filters` (and the dashboard's `View`) and write it back.

`dataset=` names which dataset a view is of, when the server serves several or an upload: a file's name or an
upload's token (`DATASET_ID`). It comes first in every URL, so a shared link always opens the same data.

Beyond the filters, the dashboard's URL holds the chart's time window, `window=YYYY-MM-DD..YYYY-MM-DD` (both days
included), and the event list's page, `page=N`. A malformed, reversed or out-of-range value is ignored.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlencode

from timeline.data.charsafety import strip_unsafe
from timeline.data.dates import in_range
from timeline.data.frame import EventFrame
from timeline.data.vocab import EVENT_TYPE_BY_ID
from timeline.errors import TimelineError
from timeline.query.filters import Filters

PARAMS = ("dataset", "actors", "types", "issues", "from", "to", "q", "event", "asof")
# A dataset's id in the URL: a served file's name, or an upload's unguessable token.
DATASET_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}")
VIEW_PARAMS = ("window", "page")  # the dashboard's own: what the chart and the list show of the filtered events
MAX_QUERY = 200
MAX_PAGE = 10_000_000
DAY_MS = 86_400_000
EPOCH = dt.date(1970, 1, 1)


def _known(frame: EventFrame) -> dict[str, Collection[str]]:
    return {
        "actors": frame.actor_names.keys(),
        "types": set(EVENT_TYPE_BY_ID),
        "issues": frame.issue_labels.keys(),
    }


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def filters_from_params(params: Mapping[str, str], frame: EventFrame, *, strict: bool = False) -> Filters:
    """Filters from `{"actors": "hamas,egypt", "from": "2024-03-01", "asof": "2024-03-07", …}`.

    Unknown ids and malformed dates are dropped; with `strict`, they raise `TimelineError` instead.
    """
    known, bad = _known(frame), []
    lists: dict[str, tuple[str, ...]] = {}
    for name, allowed in known.items():
        values = [v.strip() for v in params.get(name, "").split(",") if v.strip()]
        bad += [f"{name}: unknown id {v!r}" for v in values if v not in allowed]
        lists[name] = tuple(dict.fromkeys(v for v in values if v in allowed))
    dates = {}
    for name in ("from", "to", "asof"):
        text = params.get(name, "").strip()
        dates[name] = _date(text)
        if text and dates[name] is None:
            bad.append(f"{name}: {text!r} is not a date (use YYYY-MM-DD)")
    event = params.get("event", "").strip()
    if event and frame.position(event) is None:
        bad.append(f"event: unknown id {event!r}")
        event = ""
    if strict and bad:
        raise TimelineError("bad filter: " + "; ".join(bad))
    q = " ".join(strip_unsafe(params.get("q", "")).split())[:MAX_QUERY]
    return Filters(lists["actors"], lists["types"], lists["issues"], dates["from"], dates["to"], q, event or None,
                   dates["asof"], dataset_from_params(params))  # fmt: skip


def dataset_from_params(params: Mapping[str, str]) -> str:
    """The `dataset` a URL names, or "" (the default dataset) when it names none or a malformed one."""
    name = params.get("dataset", "").strip()
    return name if DATASET_ID.fullmatch(name) else ""


def dataset_from_query(query: str) -> str:
    """The `dataset` a URL query string names, or "" for the default one."""
    parsed = parse_qs(query.lstrip("?"), keep_blank_values=False)
    return dataset_from_params({k: v[-1] for k, v in parsed.items() if k == "dataset"})


def filters_from_query(query: str, frame: EventFrame) -> Filters:
    """Filters from a URL query string such as `?actors=hamas&from=2024-03-01`; bad values are ignored."""
    parsed = parse_qs(query.lstrip("?"), keep_blank_values=False)
    return filters_from_params({k: v[-1] for k, v in parsed.items() if k in PARAMS}, frame)


def query_from_filters(filters: Filters) -> str:
    """`Filters` as a query string with a leading `?`, or `""` when nothing is set."""
    pairs = [
        ("dataset", filters.dataset),
        ("actors", ",".join(filters.actors)),
        ("types", ",".join(filters.types)),
        ("issues", ",".join(filters.issues)),
        ("from", filters.date_from.isoformat() if filters.date_from else ""),
        ("to", filters.date_to.isoformat() if filters.date_to else ""),
        ("q", filters.q),
        ("event", filters.event or ""),
        ("asof", filters.asof.isoformat() if filters.asof else ""),
    ]
    text = urlencode([(k, v) for k, v in pairs if v], safe=",")
    return f"?{text}" if text else ""


def query_without_event(filters: Filters) -> str:
    """The query of these filters without their selected event: what a presentation, a handout or a rendered file
    of the view shows, which the selected event does not change."""
    return query_from_filters(replace(filters, event=None))


@dataclass(frozen=True)
class Window:
    """The chart's time window: whole days, `start` through `end`."""

    start: dt.date
    end: dt.date

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def ms(self) -> tuple[float, float]:
        """The window as an x-axis range in epoch milliseconds: from the start of `start` to the end of `end`."""
        return float((self.start - EPOCH).days * DAY_MS), float(((self.end - EPOCH).days + 1) * DAY_MS)

    @classmethod
    def parse(cls, text: str) -> Window | None:
        """`2024-03-01..2024-03-31`; None for anything else, a reversed window or days no view can draw."""
        parts = text.strip().split("..")
        days = [_date(p) for p in parts] if len(parts) == 2 else []
        if len(days) != 2 or None in days or days[0] > days[1] or not all(in_range(d) for d in days):
            return None
        return cls(days[0], days[1])

    @classmethod
    def from_ms(cls, lo: float, hi: float) -> Window | None:
        """The whole days that cover [lo, hi) epoch ms; None when reversed, not finite or out of range."""
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
            return None
        first, last = math.floor(lo / DAY_MS), math.ceil(hi / DAY_MS) - 1
        try:
            start, end = EPOCH + dt.timedelta(days=first), EPOCH + dt.timedelta(days=max(first, last))
        except OverflowError:
            return None
        return cls(start, end) if in_range(start) and in_range(end) else None


@dataclass(frozen=True)
class View:
    """What the dashboard shows: the filtered events, the chart's window (None: all of them) and the list's
    page (None: the first, or the one holding the selected event)."""

    filters: Filters = field(default_factory=Filters)
    window: Window | None = None
    page: int | None = None


def view_from_query(query: str, frame: EventFrame) -> View:
    """The dashboard's view from a URL query string; bad values are ignored."""
    parsed = {k: v[-1] for k, v in parse_qs(query.lstrip("?"), keep_blank_values=False).items()}
    page = parsed.get("page", "").strip()
    # [0-9], not isdigit(): "²" is a digit to Python but not to int()
    number = int(page) if re.fullmatch(r"[0-9]{1,8}", page) and 1 <= int(page) <= MAX_PAGE else None
    return View(filters_from_params({k: v for k, v in parsed.items() if k in PARAMS}, frame),
                Window.parse(parsed.get("window", "")), number)  # fmt: skip


def query_from_view(view: View) -> str:
    """The dashboard's URL query string for `view`, with a leading `?`, or `""` for everything unfiltered."""
    extra = [("window", str(view.window) if view.window else ""), ("page", str(view.page or ""))]
    text = urlencode([(k, v) for k, v in extra if v], safe=",.")
    base = query_from_filters(view.filters)
    return f"{base}&{text}" if base and text else base or (f"?{text}" if text else "")
