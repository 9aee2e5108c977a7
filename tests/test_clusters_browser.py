"""Cluster marks as the browser draws them: on the bundled dataset's whole extent a dense stretch is one circle with
its count written in it, and a window around it opens it into single marks."""

from __future__ import annotations

import datetime as dt

import pytest

from timeline.web.app import create_app

from .conftest import serving

pytestmark = pytest.mark.browser

# Every drawn mark as plotly holds it: for each trace, its name, x (epoch ms), lane row and, for clusters, the
# count; and the count texts the SVG shows in the clusters' layer.
DRAWN = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const traces = gd._fullData.map(t => ({name: t.name, mode: t.mode, x: Array.from(t.x || []),
                                          y: Array.from(t.y || []), text: t.text ? Array.from(t.text) : null,
                                          custom: !!t.customdata}));
  const i = gd._fullData.findIndex(t => t.name === 'Clusters');
  const layer = i < 0 ? null : gd.querySelectorAll('.scatterlayer .trace')[i];
  const shown = layer ? Array.from(layer.querySelectorAll('.textpoint text')).map(t => t.textContent) : [];
  return {traces, shown};
}"""


@pytest.fixture(scope="module")
def bundled_url():
    with serving(create_app()) as url:
        yield url


def drawn(chromium, url: str) -> dict:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.goto(url)
    tab.wait_for_selector(".js-plotly-plot .scatterlayer .trace", timeout=30_000)
    tab.wait_for_function("() => document.querySelector('.js-plotly-plot')._fullData.length > 0")
    marks = tab.evaluate(DRAWN)
    context.close()
    return marks


def lane_marks(marks: dict, row: int, lo: float, hi: float) -> tuple[list[int], int]:
    """The cluster counts, and how many single event marks, in lane `row` between `lo` and `hi` (epoch ms)."""
    counts, singles = [], 0
    for t in marks["traces"]:
        inside = [i for i, (x, y) in enumerate(zip(t["x"], t["y"], strict=True)) if y == row and lo <= x <= hi]
        if t["name"] == "Clusters":
            counts += [int(t["text"][i]) for i in inside]
        elif t["mode"] == "markers" and t["custom"] and t["name"] != "Selected":
            singles += len(inside)
    return counts, singles


def day(ms: float) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).date().isoformat()


def test_a_cluster_shows_its_count_and_opens_when_zoomed_in(chromium, bundled_url):
    whole = drawn(chromium, bundled_url + "/")
    (clusters,) = [t for t in whole["traces"] if t["name"] == "Clusters"]
    assert sorted(whole["shown"]) == sorted(clusters["text"])  # each circle has its count written in it
    biggest = max(range(len(clusters["text"])), key=lambda i: int(clusters["text"][i]))
    count, x, row = int(clusters["text"][biggest]), clusters["x"][biggest], clusters["y"][biggest]
    assert count >= 5

    # a cluster spans at most about two marks' widths, under 14 days either side of where it sits at this scale
    reach = 14 * 86_400_000
    zoomed = drawn(chromium, f"{bundled_url}/?window={day(x - reach)}..{day(x + reach)}")
    counts, singles = lane_marks(zoomed, row, x - reach, x + reach)
    assert max(counts, default=0) <= count // 2 and singles >= 4, (count, counts, singles)
    assert sum(counts) + singles >= count  # every event the cluster stood for is still drawn


# The clusters' circles as drawn on the screen, and the width the chart's figure was made for.
CIRCLES = """() => {
  const gd = document.querySelector('#timeline .js-plotly-plot');
  const i = gd._fullData.findIndex(t => t.name === 'Clusters');
  const layer = i < 0 ? null : gd.querySelectorAll('.scatterlayer .trace')[i];
  const boxes = layer ? Array.from(layer.querySelectorAll('path.point')).map(p => p.getBoundingClientRect()) : [];
  return {made: gd.layout.meta && gd.layout.meta.width, width: gd.clientWidth,
          boxes: boxes.map(b => [b.left, b.top, b.right, b.bottom])};
}"""


def overlapping(boxes: list[list[float]], slack: float = 2) -> list[tuple[int, int]]:
    """The pairs of boxes that overlap by more than `slack` px both ways."""
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes[i + 1 :], i + 1)
            if a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack]  # fmt: skip


@pytest.mark.parametrize("width", [375, 1920])
def test_clusters_are_made_for_the_width_the_chart_is_drawn_at(chromium, bundled_url, width):
    """The server makes the first chart for a usual width; on a phone (or a projector) the page tells it the chart's
    own, and the clusters are made again for it: made for 900 px, a phone's drew a dozen circles over each other."""
    context = chromium.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    told = []
    tab.on("request", lambda r: told.append(r) if '"changedPropIds":["timeline-width.data"]' in (r.post_data or "")
           else None)  # fmt: skip
    tab.goto(bundled_url + "/")
    tab.wait_for_function("() => { const gd = document.querySelector('#timeline .js-plotly-plot');"
                          " return gd && gd.layout && gd.layout.meta && gd.layout.meta.width === gd.clientWidth; }",
                          timeout=30_000)  # fmt: skip
    tab.wait_for_timeout(300)  # the new figure's drawing
    drawn = tab.evaluate(CIRCLES)
    assert len(told) == 1 and drawn["made"] == drawn["width"]
    # Circles may touch: one with a count of two digits is a little wider than the mark that sets how close marks
    # may come before they are clustered.
    assert len(drawn["boxes"]) >= 10 and not overlapping(drawn["boxes"], slack=4), drawn
    context.close()
