"""Print-ready PNG, SVG and PDF through kaleido, drawn by the system's Chromium (never downloaded)."""

from __future__ import annotations

import shutil

import plotly.graph_objects as go
import plotly.io as pio

from .errors import TimelineError

IMAGE_FORMATS = ("png", "svg", "pdf")


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def render_image(fig: go.Figure, fmt: str, *, width: int = 1600, scale: float = 2) -> bytes:
    """`fig` as `fmt` bytes, `width` CSS pixels wide (height from the figure) at `scale` device pixels each.

    The default PNG is 3200 pixels wide: about 27 cm at 300 dpi.
    """
    if fmt not in IMAGE_FORMATS:
        raise TimelineError(f"unknown image format {fmt!r}; use one of {', '.join(IMAGE_FORMATS)}")
    if chromium_path() is None:
        raise TimelineError("PNG, SVG and PDF export draws the chart in Chromium, which was not found; "
                            "install it (Debian: apt-get install chromium)")  # fmt: skip
    try:
        return pio.to_image(fig, format=fmt, width=width, height=int(fig.layout.height or 600), scale=scale)
    except Exception as exc:  # kaleido reports browser failures with many exception types
        raise TimelineError(f"could not draw the chart as {fmt.upper()} in Chromium: {exc}") from exc
