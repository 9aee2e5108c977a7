"""The URL is the state: parse a query string into `Filters` and write `Filters` back as one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from urllib.parse import parse_qs, urlencode

from timeline.data.charsafety import strip_unsafe
from timeline.data.frame import EventFrame
from timeline.data.vocab import EVENT_TYPE_BY_ID
from timeline.errors import TimelineError
from timeline.query.filters import Filters

PARAMS = ("actors", "types", "issues", "from", "to", "q", "event", "asof")
MAX_QUERY = 200


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
                   dates["asof"])  # fmt: skip


def filters_from_query(query: str, frame: EventFrame) -> Filters:
    """Filters from a URL query string such as `?actors=hamas&from=2024-03-01`; bad values are ignored."""
    parsed = parse_qs(query.lstrip("?"), keep_blank_values=False)
    return filters_from_params({k: v[-1] for k, v in parsed.items() if k in PARAMS}, frame)


def query_from_filters(filters: Filters) -> str:
    """`Filters` as a query string with a leading `?`, or `""` when nothing is set."""
    pairs = [
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
