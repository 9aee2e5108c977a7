"""plotly.js's basic partial bundle (scatter, shapes, annotations, range slider: all an SVG timeline needs, at a
quarter of the full bundle), vendored in `vendor/`, and the URL this server serves it at for a year.

The vendored file is plotly.js's own, with one line added at its top: `COMPILE_HINT`, V8's explicit compile hint.
Chromium then compiles the bundle's functions on a background thread while the file downloads, instead of on the
page's main thread as each is first called: plotly.js's start stops being one long task that blocks the page."""

from __future__ import annotations

from importlib.resources import files

PLOTLY_JS_VERSION = "4.1.1"
COMPILE_HINT = "//# allFunctionsCalledOnLoad"  # the vendored file's first line; see the module's docstring
BASIC_BUNDLE = "/embed/plotly-basic.min.js"
BASIC_BUNDLE_URL = f"{BASIC_BUNDLE}?v={PLOTLY_JS_VERSION}"  # the URL changes with the file: cacheable for good

# regenerator-runtime, vendored from npm: all the Dash pages need of the `@babel/polyfill` Dash links into them.
# That polyfill's core-js swaps modern browsers' own String.prototype.trim and parseInt for slower ones of its own
# (it takes U+180E for white space), which plotly.js calls while it draws; and it is the page's first long task.
REGENERATOR_VERSION = "0.14.1"
REGENERATOR = "/embed/regenerator-runtime.js"
REGENERATOR_URL = f"{REGENERATOR}?v={REGENERATOR_VERSION}"


def plotly_basic_bundle() -> str:
    """The bundle's text, for pages that inline it."""
    return files("timeline").joinpath("vendor/plotly-basic.min.js").read_text(encoding="utf-8")
