"""Benchmark the dashboard against a naive tutorial-style Dash app, in Debian's headless Chromium.

Run: python tests/benchmarks/bench_dashboard.py [--sizes 1000,100000] [--repeat 3] [--apps ours,naive]

Each (size, app) server runs in its own child process, so its memory is measured alone; the parent drives
Chromium through Playwright and prints Markdown tables: time to the first chart, to a filtered chart and to a
zoomed chart, and the bytes each brings. Not a pytest test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

READY = "BENCH-READY "
TIMEOUT_MS = 180_000
SEED = 0
ACTOR_ID, ACTOR_NAME = "actor-01", "Synthetic actor 01"  # the busiest actor: the heaviest filtered view
NAIVE_GRAPH, NAIVE_DROPDOWN = "graph", "actors"
ZOOM = ("2023-06-01", "2023-06-08")  # a week in the middle of the synthetic events, zoomed to after the filter

# Resolves with performance.now() (ms since navigation start) once the graph stands for `expected` marks and,
# for ours, the count line reads `text`; plotly fills _fullData as it draws. A marker stands for one mark, a bar
# of ours for the marks it counts (the first customdata number of its point in the "Counts per bin" trace). With
# `start` (and `expected` null: zoomed in, ours draws only the window's events), the x axis must begin on that day
# and, for ours, the figure be the server's for that window, with single events.
CHART_READY = """([graph, expected, countSel, text, start]) => {
  const gd = document.querySelector(graph + ' .js-plotly-plot');
  if (!gd || !gd._fullData || !gd.querySelector('.main-svg')) return false;
  let n = 0, markers = 0;
  for (const t of gd._fullData) {
    if (!t.customdata) continue;
    if (t.name === 'Counts per bin') { for (const c of t.customdata) n += c[0]; }
    else { n += t._length || 0; markers += t._length || 0; }
  }
  if (expected !== null && n !== expected) return false;
  if (countSel) {
    const c = document.querySelector(countSel);
    if (!c || c.textContent.trim() !== text) return false;
  }
  if (start) {
    const range = gd._fullLayout.xaxis.range;
    if (!String(range[0]).startsWith(start)) return false;
    // ours: the server's figure for the window (its uirevision names it), with single events
    if (countSel && (gd.layout.uirevision === 'all' || markers === 0)) return false;
  }
  return performance.now();
}"""
ZOOM_IN = """([graph, lo, hi]) => { const gd = document.querySelector(graph + ' .js-plotly-plot');
  const start = performance.now(); window.Plotly.relayout(gd, {'xaxis.range': [lo, hi]}); return start; }"""
# The next frame after the data is in: plotly's WebGL drawing and the page's layout finish before it.
NEXT_FRAME = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"
DASH_REQUESTS = """() => performance.getEntriesByType('resource')
  .filter(e => e.name.includes('/_dash-update-component') || e.name.includes('/_dash-layout'))
  .map(e => ({start: e.startTime, request: e.requestStart, first_byte: e.responseStart, end: e.responseEnd}))"""


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """Resident and peak resident memory of a process, from /proc (psutil is not a dependency)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def timed(fn: Callable, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# --- the naive app, as a typical tutorial writes it -------------------------------------------------------------


def naive_app(df):
    """px.scatter in a dcc.Graph, a multi-select actor Dropdown, and a callback that filters and redraws."""
    import plotly.express as px
    from dash import Dash, Input, Output, dcc, html

    app = Dash(__name__)
    app.layout = html.Div([
        html.H1("Negotiation timeline"),
        dcc.Dropdown(id=NAIVE_DROPDOWN, options=sorted(df["actor"].unique()), multi=True, placeholder="Actors"),
        dcc.Graph(id=NAIVE_GRAPH),
    ])  # fmt: skip

    @app.callback(Output(NAIVE_GRAPH, "figure"), Input(NAIVE_DROPDOWN, "value"))
    def update(actors):
        shown = df[df["actor"].isin(actors)] if actors else df
        return px.scatter(shown, x="date", y="actor", color="type", hover_data=["title", "summary"])

    return app


def naive_frame(dataset):
    """One row per event × actor: date, actor name, type label, title and summary."""
    import pandas as pd

    from timeline.data.vocab import EVENT_TYPE_BY_ID

    names = {a.id: a.name for a in dataset.actors}
    rows = [(e.start, names[a.actor], EVENT_TYPE_BY_ID[e.type].label, e.title, e.summary)
            for e in dataset.events for a in e.actors]  # fmt: skip
    df = pd.DataFrame(rows, columns=["date", "actor", "type", "title", "summary"])
    df["date"] = pd.to_datetime(df["date"])
    return df


# --- child process: build one app, time its server-side pieces, serve it until stdin closes ----------------------


def serve_child(kind: str, n: int, csv: str | None, repeat: int) -> None:
    import gc

    import plotly.io as pio

    from tests.conftest import serving

    info: dict = {"kind": kind, "events": n, "server": {}}
    start = time.perf_counter()
    if kind == "ours":
        from timeline.data.frame import build_frame
        from timeline.data.synthetic import synthetic_dataset
        from timeline.figures.chart import timeline_figure
        from timeline.query.filters import Filters, matching
        from timeline.query.state import Window
        from timeline.web.app import create_app
        from timeline.web.callbacks import render

        dataset = synthetic_dataset(n, seed=SEED)
        info["synthetic_s"] = time.perf_counter() - start
        mark = time.perf_counter()
        frame = build_frame(dataset)
        info["frame_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        app = create_app(frame=frame)
        info["app_s"] = time.perf_counter() - mark
        del dataset
        gc.collect()
        info["rss_mb"] = rss_mb()[0]
        week = Window(*(dt.date.fromisoformat(d) for d in ZOOM)).ms()
        for label, filters, search in (("all", Filters(), ""), ("filtered", Filters(actors=(ACTOR_ID,)),
                                                                  f"?actors={ACTOR_ID}")):  # fmt: skip
            t_match, positions = timed(lambda f=filters: matching(frame, f), repeat)
            t_fig, fig = timed(lambda p=positions, f=filters: timeline_figure(frame, p, lanes_of=f.actors), repeat)
            t_json, text = timed(lambda fig=fig: pio.to_json(fig), repeat)
            t_week, zoomed = timed(lambda p=positions, f=filters: timeline_figure(frame, p, lanes_of=f.actors,
                                                                               window=week), repeat)  # fmt: skip
            t_render, _ = timed(lambda s=search: render(frame, s), 1)  # it repeats timeline_figure: once is enough
            info["server"][label] = {"matching": t_match, "timeline_figure": t_fig, "plotly.io.to_json": t_json,
                                     "timeline_figure, zoomed to a week": t_week,
                                     "render callback (1 run)": t_render, "json_bytes": len(text),
                                     "zoomed json_bytes": len(pio.to_json(zoomed))}  # fmt: skip
    else:
        import pandas as pd
        import plotly.express as px

        df = pd.read_csv(csv, parse_dates=["date"])
        info["read_csv_s"] = time.perf_counter() - start
        mark = time.perf_counter()
        app = naive_app(df)
        info["app_s"] = time.perf_counter() - mark
        gc.collect()
        info["rss_mb"] = rss_mb()[0]
        for label, actors in (("all", None), ("filtered", [ACTOR_NAME])):
            t_fig, fig = timed(
                lambda a=actors: px.scatter(df[df["actor"].isin(a)] if a else df, x="date", y="actor", color="type",
                                            hover_data=["title", "summary"]), repeat)  # fmt: skip
            t_json, text = timed(lambda fig=fig: pio.to_json(fig), repeat)
            info["server"][label] = {"filter + px.scatter": t_fig, "plotly.io.to_json": t_json, "json_bytes": len(text)}
    with serving(app) as url:
        info["url"] = url
        sys.stdout.write(READY + json.dumps(info) + "\n")
        sys.stdout.flush()
        sys.stdin.read()  # the parent closes stdin when it is done


# --- parent: drive Chromium -----------------------------------------------------------------------------------


@dataclass
class Result:
    events: int
    app: str
    points: int = 0
    first_chart: list[float] = field(default_factory=list)  # until the next frame after the data is in
    filter: list[float] = field(default_factory=list)
    zoom: list[float] = field(default_factory=list)
    first_data: list[float] = field(default_factory=list)  # until plotly's _fullData holds the points
    filter_data: list[float] = field(default_factory=list)
    first_payload: tuple[int, int, int] | None = None
    filter_payload: tuple[int, int, int] | None = None
    zoom_payload: tuple[int, int, int] | None = None
    first_split: list[dict] = field(default_factory=list)
    filter_split: list[dict] = field(default_factory=list)
    zoom_split: list[dict] = field(default_factory=list)
    responses: dict[str, list[str]] = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    rss_after: tuple[float, float] | None = None
    errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@dataclass
class Expected:
    events: int
    points: int  # event × actor pairs: every event has at least one actor, so one marker each
    filtered_events: int
    csv: str


def expectations(n: int, workdir: Path) -> Expected:
    from timeline.data.synthetic import synthetic_dataset

    dataset = synthetic_dataset(n, seed=SEED)
    df = naive_frame(dataset)
    csv = workdir / f"naive-{n}.csv"
    df.to_csv(csv, index=False)
    filtered = sum(any(a.actor == ACTOR_ID for a in e.actors) for e in dataset.events)
    return Expected(n, len(df), filtered, str(csv))


def start_child(kind: str, exp: Expected, repeat: int) -> tuple[subprocess.Popen, dict]:
    cmd = [sys.executable, __file__, "--serve", kind, "--events", str(exp.events), "--csv", exp.csv,
           "--repeat", str(repeat)]  # fmt: skip
    child = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    for line in child.stdout:
        if line.startswith(READY):
            return child, json.loads(line[len(READY) :])
    child.wait()
    raise RuntimeError(f"the {kind} server exited with code {child.returncode} before it was ready")


def stop_child(child: subprocess.Popen) -> None:
    child.stdin.close()
    try:
        child.wait(30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def body_of(response) -> tuple[bytes, str]:
    """The decoded body; when Chromium has evicted a large one from its inspector cache, replay the same request."""
    try:
        return response.body(), ""
    except Exception:  # noqa: BLE001 - Playwright raises a bare Error for evicted bodies
        request = response.request
        replay = urllib.request.Request(request.url, data=request.post_data_buffer, method="POST",
                                        headers={"Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(replay, timeout=TIMEOUT_MS / 1000) as answer:
            return answer.read(), " (body evicted by Chromium; size from replaying the same request)"


def payload(responses: list) -> tuple[tuple[int, int, int], list[str]]:
    """(raw, gzip level 6, bytes on the wire) summed over the Dash callback responses, and one line per response."""
    raw = gz = wire = 0
    lines = []
    for response in responses:
        body, note = body_of(response)
        zipped = len(gzip.compress(body, compresslevel=6))
        try:
            on_wire = response.request.sizes()["responseBodySize"]
        except Exception:  # noqa: BLE001
            on_wire = len(body) if "content-encoding" not in response.headers else 0
        encoding = response.headers.get("content-encoding", "identity")
        output = (response.request.post_data_json or {}).get("output", "?") if response.request.post_data else "layout"
        raw, gz, wire = raw + len(body), gz + zipped, wire + on_wire
        lines.append(f"{output[:70]}: {len(body):,} B raw, {zipped:,} B gzip, {on_wire:,} B on the wire "
                     f"({encoding}){note}")  # fmt: skip
    return (raw, gz, wire), lines


def split(page, since: float, done: float) -> dict:
    """Where the time of one interaction went, from the page's resource timing of Dash callback requests."""
    entries = [e for e in page.evaluate(DASH_REQUESTS) if e["start"] >= since - 1 and e["end"] <= done + 1]
    if not entries:
        return {}
    return {
        "to first request": entries[0]["start"] - since,
        "waiting for the server": _covered([(e["request"], e["first_byte"]) for e in entries]),
        "download": _covered([(e["first_byte"], e["end"]) for e in entries]),
        "last response → data in chart": done - max(e["end"] for e in entries),
        "requests": len(entries),
    }


def _covered(spans: list[tuple[float, float]]) -> float:
    """Length of the union of time spans: parallel requests are not counted twice."""
    total, reach = 0.0, float("-inf")
    for lo, hi in sorted(spans):
        lo = max(lo, reach)
        if hi > lo:
            total, reach = total + hi - lo, hi
    return total


def measure(browser, url: str, kind: str, exp: Expected, result: Result, first: bool, args) -> None:
    ours = kind == "ours"
    graph = "#timeline" if ours else f"#{NAIVE_GRAPH}"
    count = "#event-count" if ours else None
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    responses: list = []
    page.on("response", lambda r: ("/_dash-update-component" in r.url or "/_dash-layout" in r.url)
            and responses.append(r))  # fmt: skip
    try:
        page.goto(url + "/", wait_until="commit")
        total_text = f"{exp.events:,} of {exp.events:,} events shown"
        done = page.wait_for_function(CHART_READY, arg=[graph, exp.points, count, total_text, None], polling="raf")
        t_data = done.json_value()
        t_chart = page.evaluate(NEXT_FRAME)
        result.first_data.append(t_data / 1000)
        result.first_chart.append(t_chart / 1000)
        if first:
            result.first_split.append(split(page, 0, t_data) | {"data in → next frame": t_chart - t_data})
        page.wait_for_timeout(300)  # let trailing initial callbacks (e.g. the tooltip's) land before the filter
        initial = [r for r in responses if "tooltip" not in (r.request.post_data or "")]
        if first:
            result.first_payload, result.responses["first chart"] = payload(initial)
        mark = len(responses)

        if ours:  # a disclosure of checkboxes
            page.locator("#filter-actors-summary").click()
            option = page.locator("#filter-actors-picker").get_by_role("checkbox", name=ACTOR_NAME, exact=True)
        else:
            page.locator(f"#{NAIVE_DROPDOWN}").click()
            option = page.get_by_role("option", name=ACTOR_NAME, exact=True)
        option.wait_for(state="visible")
        page.evaluate("""() => { window.__clicked = null; document.addEventListener('pointerdown',
            () => { if (window.__clicked === null) window.__clicked = performance.now(); }, {capture: true}); }""")
        option.click()
        text = f"{exp.filtered_events:,} of {exp.events:,} events shown"
        done = page.wait_for_function(CHART_READY, arg=[graph, exp.filtered_events, count, text, None],
                                      polling="raf")  # fmt: skip
        t_data = done.json_value()
        t_done, t_click = page.evaluate(NEXT_FRAME), page.evaluate("() => window.__clicked")
        result.filter_data.append((t_data - t_click) / 1000)
        result.filter.append((t_done - t_click) / 1000)
        page.wait_for_timeout(300)  # the filter's trailing callbacks
        if first:
            result.filter_split.append(split(page, t_click, t_data) | {"data in → next frame": t_done - t_data})
            later = [r for r in responses[mark:] if "tooltip" not in (r.request.post_data or "")]
            result.filter_payload, result.responses["filter"] = payload(later)
        mark = len(responses)
        # Zoom the filtered chart to a week, as a drag across the plot does (dcc.Graph hears plotly's relayout).
        t_zoom = page.evaluate(ZOOM_IN, [graph, *ZOOM])
        done = page.wait_for_function(CHART_READY, arg=[graph, None, count, text, ZOOM[0]], polling="raf")
        t_data = done.json_value()
        t_done = page.evaluate(NEXT_FRAME)
        result.zoom.append((t_done - t_zoom) / 1000)
        if first:
            result.zoom_split.append(split(page, t_zoom, t_data) | {"data in → next frame": t_done - t_data})
            result.zoom_payload, result.responses["zoom"] = payload(responses[mark:])
    except Exception as exc:  # noqa: BLE001 - a failed run is reported as n/a, not a crash
        result.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        result.page_errors += errors
        context.close()


def run_app(browser, kind: str, exp: Expected, args) -> Result:
    result = Result(exp.events, kind, points=exp.points)
    try:
        child, result.info = start_child(kind, exp, args.repeat)
    except Exception as exc:  # noqa: BLE001
        result.errors.append(f"server did not start: {exc}")
        return result
    try:
        for i in range(args.repeat):
            measure(browser, result.info["url"], kind, exp, result, i == 0, args)
        result.rss_after = rss_mb(child.pid)
    finally:
        stop_child(child)
    return result


# --- report ---------------------------------------------------------------------------------------------------


def size(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


def seconds(values: list[float]) -> str:
    value = median(values)
    return f"{value:.2f}" if value is not None else "n/a"


def pair(p: tuple[int, int, int] | None) -> str:
    return f"{size(p[0])} / {size(p[1])}" if p else "n/a"


def machine_facts(browser_version: str, chromium: str) -> None:
    from importlib.metadata import version

    import dash
    import numpy
    import pandas
    import plotly

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
              .split()[1]) / 1024**2  # fmt: skip
    say("# Dashboard benchmark: ours vs a naive tutorial-style Dash app")
    say()
    say(f"- Machine: {os.cpu_count()} cores ({cpu}), {mem:.1f} GiB RAM, {platform.platform()}")
    say(f"- Python {platform.python_version()}; dash {dash.__version__}, plotly {plotly.__version__}, "
        f"pandas {pandas.__version__}, numpy {numpy.__version__}")  # fmt: skip
    say(f"- Browser: {chromium} (Chromium {browser_version}), headless through Playwright {version('playwright')}, "
        "viewport 1400×1000, software WebGL")  # fmt: skip


def report(results: list[Result], args) -> None:
    say()
    say(f"Median of {args.repeat} run(s). Filter = choose '{ACTOR_NAME}' in the actor filter.")
    say()
    say("| events | app | points | first chart (s) | filter (s) | zoom (s) | first-chart payload (raw / gzip) "
        "| filter payload (raw / gzip) | zoom payload (raw / gzip) | server RSS (MB) after build / peak |")  # fmt: skip
    say("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        rss = f"{r.info['rss_mb']:.0f}" if "rss_mb" in r.info else "n/a"
        rss += f" / {r.rss_after[1]:.0f}" if r.rss_after else ""
        say(f"| {r.events:,} | {r.app} | {r.points:,} | {seconds(r.first_chart)} | {seconds(r.filter)} | "
            f"{seconds(r.zoom)} | {pair(r.first_payload)} | {pair(r.filter_payload)} | {pair(r.zoom_payload)} | "
            f"{rss} |")  # fmt: skip
    say()
    say("- First chart: `performance.now()` in the page, i.e. from navigation start until the plotly graph's "
        "`_fullData` stands for every point (a marker for one, a bar of ours for the points it counts; for ours, "
        "also `#event-count` reads 'N of N events shown'), plus the wait for the next animation frame, so "
        "plotly's drawing (SVG or WebGL) is included. The time to `_fullData` alone is listed below.")  # fmt: skip
    say("- Filter: from the `pointerdown` on the dropdown option until `_fullData` holds the filtered point count "
        "(for ours, the count line must agree too), plus the next frame. Ours makes one round trip: the control "
        "→ URL, chart, list and count.")  # fmt: skip
    say(f"- Zoom: after the filter, `Plotly.relayout` to {ZOOM[0]}..{ZOOM[1]} (what a drag across the plot "
        "does), until the x axis starts there and, for ours, the server's redrawn chart holds single events; plus "
        "the next frame. The naive app zooms in the browser alone.")  # fmt: skip
    say("- Payload: bodies of the `/_dash-layout` and `/_dash-update-component` responses (the tooltip's initial "
        "call left out); gzip "
        "is level 6, computed here. Ours runs with `Dash(compress=True)` (flask-compress picks zstd or brotli when "
        "the browser offers them); the naive app does not compress, as in a tutorial. Bytes on the wire are "
        "listed below.")  # fmt: skip
    say("- RSS: each server runs alone in a child process. 'After build' is read from /proc once the app is "
        "built; 'peak' is VmHWM after the browser runs and includes the server-side timings below.")  # fmt: skip
    for r in results:
        if r.errors:
            say(f"- **n/a** for {r.app} at {r.events:,}: " + " | ".join(dict.fromkeys(r.errors)))
        if r.page_errors:
            shown = "; ".join(dict.fromkeys(r.page_errors))
            say(f"- **Page errors** in {r.app} at {r.events:,} ({len(r.page_errors)} in {args.repeat} run(s)): {shown}")

    say()
    say(f"## Server-side pieces without a browser (median of {args.repeat} unless noted)")
    say()
    say("| events | app | step | all events (s) | one actor (s) |")
    say("|---:|---|---|---:|---:|")
    for r in results:
        server = r.info.get("server", {})
        for step in server.get("all", {}):
            a, f = server["all"][step], server["filtered"][step]
            if step.endswith("json_bytes"):
                say(f"| {r.events:,} | {r.app} | {step.replace('json_bytes', 'figure JSON size')} | {size(a)} | "
                    f"{size(f)} |")  # fmt: skip
            else:
                say(f"| {r.events:,} | {r.app} | {step} | {a:.3f} | {f:.3f} |")
    say()
    say("Ours: `matching()`, `timeline_figure()` (all of the time axis, and zoomed to a week), "
        "`plotly.io.to_json(figure)`, and the whole `render` callback (figure, caption, count and a page of the event "
        "list). Naive: the DataFrame filter plus `px.scatter`, then `plotly.io.to_json`.")  # fmt: skip

    say()
    say("## Where the time goes (first run, from the page's resource timing)")
    for r in results:
        build = ", ".join(f"{k[:-2]} {v:.2f} s" for k, v in r.info.items() if k.endswith("_s"))
        say()
        say(f"**{r.app}, {r.events:,} events**, build: {build or 'n/a'}")
        for label, data, splits in (("first chart", r.first_data, r.first_split), ("filter", r.filter_data,
                                    r.filter_split), ("zoom", r.zoom, r.zoom_split)):  # fmt: skip
            if splits and splits[0]:
                parts = ", ".join(f"{k} {v / 1000:.2f} s" if k != "requests" else f"{v} request(s)"
                                  for k, v in splits[0].items())  # fmt: skip
                say(f"- {label}: data in chart after {seconds(data)} s (median); first run: {parts}")
        for label, lines in r.responses.items():
            for line in lines:
                say(f"  - {label} response {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated event counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--apps", default="ours,naive", help="comma-separated apps to run: ours, naive")
    parser.add_argument("--serve", choices=["ours", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--events", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_child(args.serve, args.events, args.csv, args.repeat)
        return

    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS

    chromium = os.environ.get("TIMELINE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("Needs Debian's Chromium: apt-get install -y chromium (or set TIMELINE_CHROMIUM)")
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        machine_facts(browser.version, chromium)
        for n in sizes:
            exp = expectations(n, Path(tmp))
            for kind in [k for k in ("ours", "naive") if k in args.apps.split(",")]:
                sys.stderr.write(f"measuring {kind} at {n:,} events…\n")
                try:
                    results.append(run_app(browser, kind, exp, args))
                except Exception as exc:  # noqa: BLE001
                    traceback.print_exc()
                    results.append(Result(n, kind, points=exp.points, errors=[f"{type(exc).__name__}: {exc}"]))
        browser.close()
    report(results, args)


if __name__ == "__main__":
    main()
