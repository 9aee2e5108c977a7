"""plotly.js's basic partial bundle (scatter, shapes, annotations, range slider: all an SVG timeline needs, at a
quarter of the full bundle), vendored in `vendor/`, and the URL this server serves it at for a year."""

from __future__ import annotations

from importlib.resources import files

PLOTLY_JS_VERSION = "4.1.1"
BASIC_BUNDLE = "/embed/plotly-basic.min.js"
BASIC_BUNDLE_URL = f"{BASIC_BUNDLE}?v={PLOTLY_JS_VERSION}"  # the URL changes with the file: cacheable for good


def plotly_basic_bundle() -> str:
    """The bundle's text, for pages that inline it."""
    return files("timeline").joinpath("vendor/plotly-basic.min.js").read_text(encoding="utf-8")
