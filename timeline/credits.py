"""The attribution that travels with every chart, export and embed."""

from __future__ import annotations

from .schema import Dataset


def source_line(data: Dataset) -> str:
    """`Source: … Curated by …`: short enough to draw under a chart's title."""
    return f"Source: news reports and statements cited for each event. Curated by {data.curator}."


def attribution(data: Dataset) -> str:
    """The full attribution: source line, licence and date of the last curation pass."""
    return f"{source_line(data)} Licence: {data.licence}. Last updated {data.last_updated:%-d %B %Y}."
