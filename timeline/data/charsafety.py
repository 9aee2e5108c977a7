"""Characters that never belong in reader-facing text: control characters and bidi overrides.

The policy, in one place: a dataset that contains them is refused, naming the character and where it is
(`find_unsafe`); text typed into a URL or a form has them removed (`strip_unsafe`). Tab, newline and carriage
return are ordinary whitespace. The plain direction marks (U+200E, U+200F, U+061C) are allowed, since
right-to-left names need them; the embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are not,
because they can make text read in a different order from the one stored ("Trojan Source").
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import BaseModel

UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def find_unsafe(text: str) -> str | None:
    """A description of the first forbidden character in `text`, e.g. `U+001B (ESCAPE)`, or None."""
    match = UNSAFE.search(text)
    if match is None:
        return None
    char = match.group()
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "control character")
    return f"U+{ord(char):04X} ({name})"


def strip_unsafe(text: str) -> str:
    """`text` without control characters or bidi overrides."""
    return UNSAFE.sub("", text)


def without_unsafe(value: Any) -> Any:
    """`value` with control characters and bidi overrides removed from every string in it, however deeply nested
    in lists, tuples, dicts and pydantic models. What holds none comes back as the same object; a model that does
    comes back as an unvalidated copy, so text that is left empty stays empty rather than failing."""
    if isinstance(value, str):
        return strip_unsafe(value) if UNSAFE.search(value) else value
    if isinstance(value, BaseModel):
        changed = {name: new for name, item in value if (new := without_unsafe(item)) is not item}
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, dict):
        pairs = [(without_unsafe(k), without_unsafe(v)) for k, v in value.items()]
        same = all(a is k and b is v for (a, b), (k, v) in zip(pairs, value.items(), strict=True))
        return value if same else dict(pairs)
    if type(value) in (list, tuple):
        items = [without_unsafe(item) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else type(value)(items)
    return value


# unicodedata has no names for C0/C1 controls; these are the ones people meet.
_CONTROL_NAMES = {"\x00": "NUL", "\x07": "BEL", "\x08": "BACKSPACE", "\x1b": "ESCAPE", "\x7f": "DELETE"}
