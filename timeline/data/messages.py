"""Plain-language wording for validation errors: the bad value and the rule it breaks."""

from __future__ import annotations

import json
import re
from typing import Any

from timeline.data.charsafety import UNSAFE
from timeline.data.dates import EARLIEST, LATEST

_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})
_RANGE = f"{EARLIEST} to {LATEST}"
_YEAR_ZERO = re.compile(r"^0000-\d\d-\d\d$")
_KIND = {dict: "a mapping", list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false"}


def visible(text: str) -> str:
    """`text` on one line, with control and bidi-override characters written as `\\u001b` and line breaks as
    `\\n`, so a message never carries them."""
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).translate(_BREAKS)


def show(value: Any) -> str:
    """A short, quoted rendering of a user's value for an error message."""
    # Only the first 80 characters are shown: cut long text before quoting it.
    text = json.dumps(value[:100], ensure_ascii=False) if isinstance(value, str) else json.dumps(value, default=str)
    text = visible(text)
    return text if len(text) <= 80 else text[:77] + "…"


def _kind(value: Any) -> str:
    return _KIND.get(type(value), type(value).__name__)


def describe(error: dict[str, Any]) -> str:
    """Turn one pydantic error into `"2024-13-01" is not a date (use YYYY-MM-DD)` and the like."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field (check the spelling against the schema)"
    if kind == "unsafe_character":
        return error["msg"]
    if kind == "date_out_of_range":
        return f"{show(value)} is outside the allowed range, {_RANGE}"
    if kind.startswith("date_") or kind.startswith("datetime_"):
        if isinstance(value, str) and _YEAR_ZERO.match(value.strip()):
            return f"{show(value)} is outside the allowed range, {_RANGE} (there is no year 0)"
        return f"{show(value)} is not a date (use YYYY-MM-DD)"
    if kind == "enum":
        return f"{show(value)} is not one of: {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern", "").startswith("^[a-z0-9]"):
            return f"{show(value)} is not a valid id (lowercase letters, digits, '-' and '_')"
        return f"{show(value)} does not match the pattern {ctx.get('pattern')}"
    if kind.startswith("url_"):
        return f"{show(value)} is not an http(s) URL"
    if kind in {"bool_parsing", "bool_type"}:
        return f"{show(value)} is not true or false"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length', 1)} item(s)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind in {"string_type", "list_type", "dict_type", "model_type", "model_attributes_type"}:
        wanted = {"string_type": "text", "list_type": "a list"}.get(kind, "a mapping")
        return f"must be {wanted}, not {_kind(value)} {show(value)}"
    return f"{error['msg']} (got {show(value)})"


def location(error: dict[str, Any]) -> tuple[str | int, ...]:
    """Where a pydantic error points, down to the list item when the schema's per-field check names one."""
    item = (error.get("ctx") or {}).get("item")
    return (*error["loc"], item) if isinstance(item, int) else tuple(error["loc"])


def dotted(loc: tuple[str | int, ...]) -> str:
    """`('events', 7, 'start')` -> `events[7].start`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return visible(out)
