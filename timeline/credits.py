"""The attribution that travels with every chart, export and embed."""

from __future__ import annotations

from .schema import Dataset


def source_line(data: Dataset) -> str:
    """`Source: <title>, compiled from … Curated by …`: short enough to draw on a chart."""
    return f"Source: {data.title}, compiled from the cited news reports and statements. Curated by {data.curator}."


def attribution(data: Dataset) -> str:
    """The full attribution: source line, licence and date of the last curation pass."""
    return f"{source_line(data)} Licence: {data.licence}. Last updated {data.last_updated:%-d %B %Y}."
