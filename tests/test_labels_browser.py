"""The chart's labels as the browser draws them: at three zoom levels of the bundled dataset, on the dashboard and
the 700 px embed, no two overlap and none covers a lane name; the legend stays small; presentation type is large."""

from __future__ import annotations

import pytest

from timeline.web.app import create_app

from .conftest import serving

pytestmark = pytest.mark.browser

ZOOMS = {"all": "", "2024": "window=2024-01-01..2024-12-31", "March 2024": "window=2024-03-01..2024-03-31"}
PAGES = {"dashboard": ("/", 1400), "embed": ("/embed/", 700)}

# The text of the event labels on the lanes (the points of the "Event labels" traces, timeline/figures/chart.py;
# not the phase and deadline labels above the plot), as drawn on the main plot.
LABEL_TEXTS = """gd => Array.from(gd.querySelectorAll('.cartesianlayer .subplot.xy g.trace.scatter'))
  .filter(g => g.__data__ && g.__data__[0] && g.__data__[0].trace.name === 'Event labels')
  .flatMap(g => Array.from(g.querySelectorAll('.textpoint text')))"""

# Their boxes, the lane names' boxes, and the legend's entries.
GEOMETRY = (
    """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const labels = ("""
    + LABEL_TEXTS
    + """)(gd).map(t => ({text: t.textContent, box: box(t)}));
  const lanes = Array.from(gd.querySelectorAll('.ytick text')).map(t => ({text: t.textContent, box: box(t)}));
  return {labels, lanes, legend: gd.querySelectorAll('.legend .traces').length};
}"""
)


def overlaps(a: list[float], b: list[float], slack: float = 0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


@pytest.fixture(scope="module")
def bundled_url():
    with serving(create_app()) as url:
        yield url


@pytest.mark.parametrize("zoom", list(ZOOMS))
@pytest.mark.parametrize("where", list(PAGES))
def test_labels_never_overlap_each_other_or_the_lane_names(chromium, bundled_url, where, zoom):
    path, width = PAGES[where]
    context = chromium.new_context(viewport={"width": width, "height": 1000})
    tab = context.new_page()
    tab.goto(f"{bundled_url}{path}?{ZOOMS[zoom]}")
    tab.wait_for_selector(".js-plotly-plot .textpoint", timeout=30_000)
    tab.wait_for_function("() => document.fonts.status === 'loaded'")
    drawn = tab.evaluate(GEOMETRY)
    context.close()
    labels, lanes = drawn["labels"], drawn["lanes"]
    assert labels and lanes, f"{where} {zoom}: {len(labels)} labels, {len(lanes)} lane names"
    clashes = [
        (a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1 :] if overlaps(a["box"], b["box"])
    ]
    covered = [(a["text"], n["text"]) for a in labels for n in lanes if overlaps(a["box"], n["box"])]
    assert clashes == [] and covered == [], f"{where} {zoom}: {len(labels)} labels"
    assert 0 < drawn["legend"] <= 8


def test_presentation_chart_text_is_large_at_1920(chromium, bundled_url):
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    tab = context.new_page()
    tab.goto(f"{bundled_url}/present/?step=6")
    tab.wait_for_selector("#present-graph .textpoint", timeout=30_000)
    sizes = tab.evaluate(
        """() => { const gd = document.querySelector('#present-graph .js-plotly-plot');
           const size = el => parseFloat(getComputedStyle(el).fontSize);
           const labels = ("""
        + LABEL_TEXTS
        + """)(gd).map(size);
           return {labels, lanes: Array.from(gd.querySelectorAll('.ytick text')).map(size),
                   ticks: Array.from(gd.querySelectorAll('.xtick text')).map(size)}; }"""
    )
    context.close()
    for kind, found in sizes.items():
        assert found and min(found) >= 24, (kind, found)


def test_a_label_stays_beside_its_mark_when_the_chart_zooms_in_the_browser(chromium, bundled_url):
    # The embed has no server to draw a zoom again: plotly.js moves the labels with their marks. Each label starts
    # (or ends) half a gap from its mark, in pixels, at any zoom.
    context = chromium.new_context(viewport={"width": 700, "height": 1000})
    tab = context.new_page()
    tab.goto(f"{bundled_url}/embed/?window=2024-03-01..2024-03-31")
    tab.wait_for_selector(".js-plotly-plot .textpoint", timeout=30_000)
    gaps = (
        """() => {
      const gd = document.querySelector('.js-plotly-plot'), xa = gd._fullLayout.xaxis;
      const left = gd.querySelector('.main-svg').getBoundingClientRect().left + xa._offset;
      return ("""
        + LABEL_TEXTS
        + """)(gd).map(t => {
        const d = t.parentNode.__data__, r = t.getBoundingClientRect(), at = left + xa.c2p(d.x);
        return t.getAttribute('text-anchor') === 'start' ? r.left - at : at - r.right; });
    }"""
    )
    before = tab.evaluate(gaps)
    tab.evaluate("() => Plotly.relayout(document.querySelector('.js-plotly-plot'), "
                 "{'xaxis.range': ['2024-03-05', '2024-03-12']})")  # fmt: skip
    after = tab.evaluate(gaps)
    context.close()
    assert before and after
    assert all(2 <= gap <= 8 for gap in before + after), (before, after)
