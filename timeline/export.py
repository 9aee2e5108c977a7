"""Exports of exactly the events a view shows: flat CSV (formula-safe) and JSON."""

from __future__ import annotations

import json

import numpy as np

from .flatcsv import write_events
from .frame import EventFrame

FORMATS = ("csv", "json")


def export_events(frame: EventFrame, positions: np.ndarray, fmt: str) -> str:
    """The events at `positions` as text in `fmt`."""
    events = [frame.event(p) for p in positions]
    if fmt == "csv":
        return write_events(events)
    if fmt == "json":
        data = frame.dataset
        body = {"title": data.title, "curator": data.curator, "licence": data.licence,
                "events": [e.model_dump(mode="json", exclude_none=True) for e in events]}  # fmt: skip
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown format {fmt!r}")
