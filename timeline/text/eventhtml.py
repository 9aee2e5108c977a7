"""Dataset text on its way out: the one Jinja2 environment the standalone page and the handout are rendered with,
one event's values for the `event_item` macro (templates/event.html), and the last-layer cleaning of exports.

Autoescape is on for every `.html` template, so dataset text is escaped wherever it lands, and the `tojson` filter
writes inline JSON with `<`, `>`, `&` and `'` as `\\u003c`…, so no text can end or comment out a script.

Control characters and bidi overrides: the loader refuses a dataset that holds them (`charsafety`). As a second
layer, every writer drops them too: each value a template prints, and every string of a CSV, JSON or TimelineJS
export (`charsafety.without_unsafe`). They are removed, never escaped, since no reader is meant to see them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from timeline.data.charsafety import strip_unsafe
from timeline.data.frame import EventFrame
from timeline.data.schema import Event
from timeline.data.vocab import ROLE_LABEL


def _printed(value: Any) -> Any:
    # Markup is HTML we made or trust (plotly.js, the chart, a rendered macro), left byte for byte as it is.
    return strip_unsafe(value) if isinstance(value, str) and not isinstance(value, Markup) else value


TEMPLATES = Environment(
    loader=PackageLoader("timeline", "text/templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    finalize=_printed,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
# Keys in the order written (Jinja sorts them by default), and non-ASCII text as it is.
TEMPLATES.policies["json.dumps_kwargs"] = {"ensure_ascii": False}


def render(template: str, **context: Any) -> str:
    """The template `template` from timeline/text/templates, rendered with `context`."""
    return TEMPLATES.get_template(template).render(**context)


class EventText(NamedTuple):
    """What `event_item` shows of one event, beyond the event itself."""

    event: Event
    date: str  # ISO day for `<time datetime>`
    date_label: str
    precision_label: str
    type_label: str
    actors: list[tuple[str, str]]  # (name, role)


def event_text(frame: EventFrame, position: int) -> EventText:
    """The event at `position` with its date, precision and type in words, and its actors' names and roles."""
    event, row = frame.event(position), frame.events.iloc[position]
    names = frame.actor_names
    return EventText(event, f"{row['lo']:%Y-%m-%d}", row["date_label"], row["precision_label"], row["type_label"],
                     [(names[a.actor], ROLE_LABEL[a.role]) for a in event.actors])  # fmt: skip
