"""The attribution that travels with every chart, export and embed."""

from __future__ import annotations

import datetime as dt

from timeline.data.schema import Dataset


def as_known_on(asof: dt.date | None) -> str:
    """`As known on 7 March 2024: only what the cited sources had published by then.`; `""` with no date."""
    return f"As known on {asof:%-d %B %Y}: only what the cited sources had published by then." if asof else ""


def source_line(data: Dataset, asof: dt.date | None = None) -> str:
    """`Source: … Curated by …`: short enough to draw under a chart's title. A view as of a date says so on a
    second line (a chart draws it as one; in running text the line break is a space)."""
    line = f"Source: news reports and statements cited for each event. Curated by {data.curator}."
    return f"{line}\n{as_known_on(asof)}" if asof else line


def attribution(data: Dataset, asof: dt.date | None = None) -> str:
    """The full attribution: source line, licence and date of the last curation pass."""
    return f"{source_line(data, asof)} Licence: {data.licence}. Last updated {data.last_updated:%-d %B %Y}."
