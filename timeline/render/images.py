"""Print-ready PNG, SVG and PDF through kaleido, drawn by the system's Chromium (never downloaded)."""

from __future__ import annotations

import shutil

import kaleido
import plotly.graph_objects as go

from timeline.errors import TimelineError
from timeline.render.limits import render_slot, time_left

IMAGE_FORMATS = ("png", "svg", "pdf")
RENDER_TIMEOUT = 90  # seconds to draw one image outside a web request (kaleido's own default)
STARTUP_SECONDS = 5  # Chromium's start before kaleido draws: 3-6 s measured on a busy 2-core machine


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def render_image(fig: go.Figure, fmt: str, *, width: int = 1600, scale: float = 2) -> bytes:
    """`fig` as `fmt` bytes, `width` CSS pixels wide (height from the figure) at `scale` device pixels each.

    The default PNG is 3200 pixels wide: about 27 cm at 300 dpi. Chromium runs in a render slot
    (`limits.render_slot`), within what is left of a web request's time budget.
    """
    if fmt not in IMAGE_FORMATS:
        raise TimelineError(f"unknown image format {fmt!r}; use one of {', '.join(IMAGE_FORMATS)}")
    if chromium_path() is None:
        raise TimelineError("PNG, SVG and PDF export draws the chart in Chromium, which was not found; "
                            "install it (Debian: apt-get install chromium)")  # fmt: skip
    options = {"format": fmt, "width": width, "height": int(fig.layout.height or 600), "scale": scale}
    with render_slot():
        # kaleido's timeout counts the drawing only, not Chromium's start; a deadline imposed from outside (asyncio
        # cancellation) was measured to leave Chromium running. So the drawing gets the budget left after an
        # allowance for the start.
        limit = max(1.0, time_left(RENDER_TIMEOUT + STARTUP_SECONDS) - STARTUP_SECONDS)
        # No MathJax: the charts have no LaTeX, and kaleido would otherwise load it from a CDN on every render.
        browser = {"timeout": limit, "mathjax": False}
        try:
            return kaleido.calc_fig_sync(fig.to_dict(), opts=options, kopts=browser)
        except Exception as exc:  # kaleido reports browser failures with many exception types
            reason = str(exc) or type(exc).__name__
            if isinstance(exc, TimeoutError):
                reason = f"it took longer than {limit:.0f} s; narrow the filters, or export it with the command line"
            raise TimelineError(f"could not draw the chart as {fmt.upper()} in Chromium: {reason}") from exc
