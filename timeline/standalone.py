"""A standalone HTML page of a view: the chart, the attribution, the event list and schema.org JSON-LD.

It works opened from disk with no network: plotly.js's "basic" partial bundle (scatter, shapes, annotations,
range slider) is inlined, about a quarter the size of the full bundle. Or it loads plotly.js from a URL you give.
"""

from __future__ import annotations

import html
import json
from importlib.resources import files
from typing import Any

import numpy as np
import plotly.io as pio

from .credits import attribution
from .eventhtml import event_item
from .figures import PLOT_CONFIG, timeline_figure
from .frame import EventFrame

STATUS_TO_SCHEMA = {"postponed": "EventPostponed", "cancelled": "EventCancelled"}
STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;line-height:1.45}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}h1{font-size:1.5rem;margin:1rem 0 .25rem}
.attribution{color:#505050;font-size:.9rem}figure{margin:0}ol{padding-left:1.2rem}li{margin:.6rem 0}
time{font-variant-numeric:tabular-nums}blockquote{margin:.3rem 0;padding-left:.8rem;
border-left:3px solid #ccc;font-style:italic}.meta{color:#505050;font-size:.9rem}.events{list-style:none;padding:0}
.event{border-top:1px solid #ddd;padding:.5rem 0}.event h3{font-size:1.05rem;margin:.1rem 0}
.claims{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:.5rem}
.claim{border:1px solid #ccc;border-radius:4px;padding:.3rem .6rem}
"""


def plotly_basic_bundle() -> str:
    return files("timeline").joinpath("vendor/plotly-basic.min.js").read_text(encoding="utf-8")


def _iso(lo, hi) -> str:
    """The most precise ISO 8601 date that still covers the whole window `lo`..`hi`."""
    if lo == hi:
        return lo.isoformat()
    if (lo.year, lo.month) == (hi.year, hi.month):
        return f"{lo:%Y-%m}"
    return f"{lo:%Y}"


def json_ld(frame: EventFrame, positions: np.ndarray) -> dict[str, Any]:
    """schema.org `Event`s for search engines and newsroom tools, dated no more precisely than known."""
    graph = []
    for position in positions:
        event, row = frame.event(position), frame.events.iloc[position]
        lo, hi = row["lo"].date(), row["hi"].date()
        item: dict[str, Any] = {
            "@type": "Event",
            "@id": f"#{event.id}",
            "name": event.title,
            "description": event.summary,
            "startDate": lo.isoformat() if row["is_range"] else _iso(lo, hi),
            "eventStatus": f"https://schema.org/{STATUS_TO_SCHEMA.get(event.status, 'EventScheduled')}",
            "subjectOf": [{"@type": "CreativeWork", "headline": s.title, "url": s.url,
                           "publisher": {"@type": "Organization", "name": s.publisher},
                           **({"datePublished": s.date.isoformat()} if s.date else {})} for s in event.sources],
        }  # fmt: skip
        if row["is_range"]:
            item["endDate"] = hi.isoformat()
        if event.location:
            item["location"] = {"@type": "Place", "name": event.location}
        graph.append(item)
    return {"@context": "https://schema.org", "@graph": graph}


def standalone_html(frame: EventFrame, positions: np.ndarray, *, plotlyjs_url: str | None = None,
                    lanes_of: tuple[str, ...] = ()) -> str:  # fmt: skip
    """The page; with `plotlyjs_url`, a small file that loads plotly.js from there instead of inlining it."""
    data = frame.dataset
    fig = timeline_figure(frame, positions, lanes_of=lanes_of, webgl=False)
    chart = pio.to_html(fig, config=PLOT_CONFIG, full_html=False, div_id="timeline",
                        include_plotlyjs=False, default_height=f"{fig.layout.height}px")  # fmt: skip
    if plotlyjs_url:
        script = f'<script src="{html.escape(plotlyjs_url)}" charset="utf-8"></script>'
    else:
        script = f'<script charset="utf-8">{plotly_basic_bundle()}</script>'
    ld = json.dumps(json_ld(frame, positions), ensure_ascii=False).replace("</", "<\\/")
    items = "".join(event_item(frame, p) for p in positions)
    title = html.escape(data.title)
    return f"""<!doctype html>
<html lang="{html.escape(data.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{STYLE}</style>
<script type="application/ld+json">{ld}</script>
</head>
<body>
<header><h1>{title}</h1><p class="attribution">{html.escape(attribution(data))}</p></header>
<main>
<figure aria-labelledby="chart-caption">
{script}
{chart}
<figcaption id="chart-caption" class="meta">Timeline of {len(positions)} events. Filled symbols mark exact dates;
hollow symbols with whiskers mark dates known only to a span. The list below gives the same events as text.</figcaption>
</figure>
<section aria-labelledby="events-heading"><h2 id="events-heading">Events</h2><ol class="events">{items}</ol></section>
</main>
<footer><p class="attribution">{html.escape(attribution(data))}</p></footer>
</body>
</html>
"""
