"""What a client sends, read safely: a callback's inputs can hold any JSON, so these read a value as the type a
callback expects, or as no value, and a forged request never reaches the pure functions malformed."""

from __future__ import annotations

import re

from timeline.data.charsafety import strip_unsafe

SURROGATE = re.compile("[\ud800-\udfff]")


def text(value: object) -> str:
    """A text value (a URL's query string, a typed search) without unsafe characters; "" if it is not text."""
    # JSON can carry lone surrogates (such as \ud800): they are not text, and no encoder accepts them.
    return SURROGATE.sub("", strip_unsafe(value)) if isinstance(value, str) else ""


def texts(value: object) -> list[str]:
    """The strings in a multi-select's value; [] if it is not a list."""
    return [text(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []


def first_point(data: object) -> dict:
    """The first point of plotly's click or hover data; {} if there is none."""
    points = data.get("points") if isinstance(data, dict) else None
    point = points[0] if isinstance(points, list) and points else None
    return point if isinstance(point, dict) else {}
