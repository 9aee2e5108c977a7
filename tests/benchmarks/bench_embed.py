"""Benchmark the journalists' embed: standalone HTML size, bytes `/embed/` transfers, and its time to first chart.

Run: python tests/benchmarks/bench_embed.py [--cold 5] [--sizes 100,1000,10000] [--budget 120]

1. `standalone_html` for the bundled dataset (all events), inlined and with a plotly.js URL, against a naive
   `plotly.io.to_html(fig, include_plotlyjs=True)` of the same figure: raw, gzip and brotli bytes.
2. `create_app()` served on a loopback port in a thread; Debian's headless Chromium (through Playwright) opens
   `/embed/?actors=hamas` and the dashboard `/` in fresh contexts, and the Chrome DevTools Protocol counts the
   bytes of every response: on the wire (compressed, `Network.loadingFinished.encodedDataLength`) and decoded
   (`Network.dataReceived.dataLength`).
3. Time from navigation start until the plotly graph's `_fullData` holds a trace with `customdata`, read with
   `performance.now()` in the page: median of N cold loads (a new context each) and of as many warm loads (a
   second tab in the same context, so the HTTP cache is warm).
4. The same `/embed/` for `timeline.data.synthetic` datasets of each `--sizes` (12 actors): its time to first
   chart, cold and warm, the bytes of the page itself and of everything it loads, and the time the server takes
   to answer it. A load that has not drawn within `--budget` seconds is reported as such, and the size is not
   loaded again.

Prints Markdown. Not a pytest test.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import platform
import shutil
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

EMBED_PATH, DASHBOARD_PATH = "/embed/?actors=hamas", "/"
SIZED_PATH, SIZED_GRAPH = "/embed/", "#embed-graph"
SEED = 7
PAGES = (("embed", EMBED_PATH, "#embed-graph"), ("dashboard", DASHBOARD_PATH, "#timeline"))
PLOTLYJS_URL = "https://example.org/plotly.min.js"
TIMEOUT_MS = 60_000
GZIP_LEVEL = 6  # what nginx, Apache and most CDNs use for gzip
BROTLI_QUALITY = 11  # what CDNs use for static files
CATEGORIES = ("script", "xhr", "document", "other")
LARGE = 300_000  # decoded bytes above which a resource is listed as large

# The page's strict CSP forbids eval of expression strings, so every probe is a function string.
PLOTLY_READY = "() => window.Plotly ? performance.now() : false"
CHART_READY = """(graph) => {
  const gd = document.querySelector(graph + ' .js-plotly-plot');
  if (!gd || !gd._fullData) return false;
  return gd._fullData.some(t => t.customdata && t.customdata.length > 0) ? performance.now() : false;
}"""
NAVIGATION = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, response: n.responseEnd};
}"""
RESOURCE_TIMING = """() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
  .map(e => ({name: e.name, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize}))"""
LISTEN_CSP = """() => { window.__csp = []; document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'))); }"""


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def progress(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def size(n: float | None) -> str:
    if n is None:
        return "n/a"
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


def brotli_size(data: bytes) -> int | None:
    try:
        import brotli
    except ImportError:
        return None
    return len(brotli.compress(data, quality=BROTLI_QUALITY))


# --- 1. standalone HTML -----------------------------------------------------------------------------------------


def html_sizes(frame) -> list[tuple[str, bytes]]:
    import numpy as np
    import plotly.io as pio
    import plotly.offline

    from timeline.figures.chart import timeline_figure
    from timeline.render.bundles import plotly_basic_bundle
    from timeline.render.standalone import standalone_html

    positions = np.arange(len(frame.events))
    fig = timeline_figure(frame, positions, webgl=False)  # the figure standalone_html draws
    return [
        ("`standalone_html` (plotly.js basic bundle inlined)", standalone_html(frame, positions).encode()),
        (f"`standalone_html(plotlyjs_url={PLOTLYJS_URL!r})`",
         standalone_html(frame, positions, plotlyjs_url=PLOTLYJS_URL).encode()),
        ("naive: `plotly.io.to_html(fig, include_plotlyjs=True, full_html=True)`",
         pio.to_html(fig, include_plotlyjs=True, full_html=True).encode()),
        ("*of which:* plotly.js basic bundle (`timeline/vendor`)", plotly_basic_bundle().encode()),
        ("*of which:* plotly.js full bundle (plotly.py's)", plotly.offline.get_plotlyjs().encode()),
    ]  # fmt: skip


# --- 2. bytes on the wire, from the Chrome DevTools Protocol ------------------------------------------------------


@dataclass
class Resource:
    url: str = ""
    type: str = "Other"
    status: int = 0
    raw_status: int = 0  # as the server sent it: 304 for a revalidation that DevTools reports as the cached 200
    encoding: str = "identity"
    wire: int = 0  # Network.loadingFinished.encodedDataLength: response headers + body as sent (compressed)
    headers: int = 0  # bytes of the response headers (Network.responseReceivedExtraInfo.headersText)
    decoded: int = 0  # sum of Network.dataReceived.dataLength: the body after decompression
    cached: bool = False
    done: bool = False
    failed: str = ""
    start: float = 0.0  # DevTools timestamps (s): request sent, response finished
    end: float = 0.0

    @property
    def category(self) -> str:
        return {"Script": "script", "XHR": "xhr", "Fetch": "xhr", "Document": "document"}.get(self.type, "other")

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "") if parts.scheme.startswith("http") else self.url


class NetworkLog:
    """Every response of one page, as the DevTools Protocol reports it."""

    def __init__(self, context, page) -> None:
        self.resources: dict[str, Resource] = defaultdict(Resource)
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.responseReceivedExtraInfo", self._extra)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.on("Network.requestServedFromCache", lambda p: setattr(self.resources[p["requestId"]], "cached", True))
        cdp.send("Network.enable")
        cdp.send("Performance.enable")
        self.cdp = cdp

    def main_thread(self) -> dict[str, float]:
        """Seconds the page's main thread spent on script, style and layout, and on all tasks (Chrome's metrics)."""
        metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        names = ("ScriptDuration", "RecalcStyleDuration", "LayoutDuration", "TaskDuration")
        return {name: metrics[name] for name in names if name in metrics}

    def _request(self, p: dict) -> None:
        r = self.resources[p["requestId"]]
        if "redirectResponse" in p:  # the same id continues after a redirect: count the hop's header bytes too
            r.wire += p["redirectResponse"].get("encodedDataLength", 0)
        r.url, r.type = p["request"]["url"], p.get("type", r.type)
        r.start = r.start or p["timestamp"]

    def _response(self, p: dict) -> None:
        r, response = self.resources[p["requestId"]], p["response"]
        r.type, r.status = p.get("type", r.type), response["status"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        r.encoding = headers.get("content-encoding", "identity")
        r.cached = r.cached or response.get("fromDiskCache", False) or response.get("fromPrefetchCache", False)

    def _extra(self, p: dict) -> None:
        r = self.resources[p["requestId"]]
        r.raw_status = p.get("statusCode", r.raw_status)
        if p.get("headersText"):
            r.headers = len(p["headersText"].encode())

    def _data(self, p: dict) -> None:
        self.resources[p["requestId"]].decoded += p["dataLength"]

    def _finished(self, p: dict) -> None:
        r = self.resources[p["requestId"]]
        r.wire, r.done, r.end = r.wire + int(p["encodedDataLength"]), True, p["timestamp"]

    def _failed(self, p: dict) -> None:
        r = self.resources[p["requestId"]]
        r.failed, r.done, r.end = p.get("errorText", "failed"), True, p["timestamp"]

    def settle(self, page, timeout_s: float = 10) -> None:
        """Wait for the network to go quiet and every response to finish."""
        with contextlib.suppress(Exception):  # a page that never idles shows up as unfinished responses
            page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not all(r.done for r in self.resources.values() if r.url):
            page.wait_for_timeout(100)

    def finished(self) -> list[Resource]:
        shown = [r for r in self.resources.values() if r.url and not r.url.startswith("data:")]
        origin = min((r.start for r in shown if r.start), default=0.0)  # the document's request
        for r in shown:
            r.start, r.end = (r.start - origin) if r.start else 0.0, (r.end - origin) if r.end else 0.0
        return shown


@dataclass
class Transfer:
    resources: list[Resource]
    timing: list[dict]  # the page's own Resource Timing, as a cross-check
    chart: float = 0.0  # seconds from navigation start to the chart's data
    main_thread: dict[str, float] = field(default_factory=dict)
    warm: Transfer | None = None  # the same URL again in a second tab of the same context

    def total(self, what: str, category: str | None = None) -> int:
        return sum(getattr(r, what) for r in self.resources if category in (None, r.category))

    def body_wire(self) -> int | None:
        """Compressed body bytes alone (wire minus headers), when Chromium reported every header block."""
        if any(r.headers == 0 and r.wire for r in self.resources):
            return None
        return sum(r.wire - r.headers for r in self.resources)


# --- 3. time to first chart ---------------------------------------------------------------------------------------


@dataclass
class Loads:
    cold: list[float] = field(default_factory=list)  # seconds from navigation start to chart data in plotly
    warm: list[float] = field(default_factory=list)
    cold_dcl: list[float] = field(default_factory=list)
    cold_plotly: list[float] = field(default_factory=list)  # seconds until plotly.js has run (window.Plotly)
    warm_transfer: list[int] = field(default_factory=list)  # Resource Timing transferSize of the warm load
    warm_from_cache: list[tuple[int, int]] = field(default_factory=list)  # (served from cache, all) resources
    first_ever: float | None = None  # the very first load, against a server that has served nothing yet
    errors: list[str] = field(default_factory=list)


def open_page(context, errors: list[str], timeout_ms: float = TIMEOUT_MS):
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text[:200]}"))
    return page


def load(page, url: str, graph: str, timeout_ms: float = TIMEOUT_MS) -> tuple[float, dict]:
    """Navigate and wait for the chart's data; (seconds to first chart, navigation timing in ms and the time
    plotly.js had run)."""
    page.goto(url, wait_until="commit")
    page.evaluate(LISTEN_CSP)
    plotly = page.wait_for_function(PLOTLY_READY, polling="raf", timeout=timeout_ms).json_value()
    ready = page.wait_for_function(CHART_READY, arg=graph, polling="raf", timeout=timeout_ms).json_value()
    return ready / 1000, page.evaluate(NAVIGATION) | {"plotly": plotly}


def csp_violations(page) -> list[str]:
    return [f"CSP violation: {v}" for v in page.evaluate("() => window.__csp || []")]


def logged_load(context, url: str, graph: str, loads: Loads, timeout_ms: float = TIMEOUT_MS) -> Transfer:
    page = open_page(context, loads.errors, timeout_ms)
    log = NetworkLog(context, page)
    seconds, _ = load(page, url, graph, timeout_ms)
    log.settle(page)
    loads.errors += csp_violations(page)
    transfer = Transfer(log.finished(), page.evaluate(RESOURCE_TIMING), seconds, log.main_thread())
    page.close()
    return transfer


def measure_transfer(browser, url: str, graph: str, loads: Loads, timeout_ms: float = TIMEOUT_MS) -> Transfer:
    """A cold load (fresh context, so an empty cache) with the DevTools Protocol counting every response, then a
    warm one in a second tab of the same context."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        cold = logged_load(context, url, graph, loads, timeout_ms)
        loads.first_ever = cold.chart
        cold.warm = logged_load(context, url, graph, loads, timeout_ms)
        return cold
    finally:
        context.close()


def measure_times(browser, url: str, graph: str, loads: Loads, timeout_ms: float = TIMEOUT_MS) -> None:
    """One cold load in a new context, then a warm load in a second tab of the same context."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = open_page(context, loads.errors, timeout_ms)
        seconds, nav = load(page, url, graph, timeout_ms)
        loads.cold.append(seconds)
        loads.cold_dcl.append(nav["dcl"] / 1000)
        loads.cold_plotly.append(nav["plotly"] / 1000)
        page.wait_for_load_state("networkidle")  # everything cacheable is in the cache before the warm load
        loads.errors += csp_violations(page)
        page.close()
        page = open_page(context, loads.errors, timeout_ms)
        seconds, _ = load(page, url, graph, timeout_ms)
        loads.warm.append(seconds)
        page.wait_for_load_state("networkidle")
        timing = page.evaluate(RESOURCE_TIMING)
        loads.warm_transfer.append(sum(e["transfer"] for e in timing))
        loads.warm_from_cache.append((sum(e["transfer"] == 0 and e["decoded"] > 0 for e in timing), len(timing)))
    except Exception as exc:  # noqa: BLE001 - a failed load is reported, not a crash
        loads.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        context.close()


# --- report -----------------------------------------------------------------------------------------------------


def machine_facts(browser_version: str, chromium: str) -> None:
    from importlib.metadata import version

    import dash
    import plotly

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")  # fmt: skip
    mem = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
              .split()[1]) / 1024**2  # fmt: skip
    say("# Embed benchmark: standalone HTML, `/embed/` transfer and time to first chart")
    say()
    say("| machine | |")
    say("|---|---|")
    say(f"| CPU | {os.cpu_count()} cores, {cpu} |")
    say(f"| RAM | {mem:.1f} GiB |")
    say(f"| OS | {platform.platform()} |")
    say(f"| Browser | Chromium {browser_version} (`{chromium}`), headless, Playwright {version('playwright')} |")
    say(f"| Python | {platform.python_version()}; dash {dash.__version__}, plotly {plotly.__version__}, "
        f"flask-compress {version('flask-compress')} |")  # fmt: skip
    say(f"| Load average | {' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1 / 5 / 15 min, at start) |")


def report_html(rows: list[tuple[str, bytes]]) -> None:
    say()
    say("## 1. Standalone HTML, bundled dataset, all events")
    say()
    say(f"| file | raw | gzip -{GZIP_LEVEL} | brotli q{BROTLI_QUALITY} |")
    say("|---|---:|---:|---:|")
    for label, data in rows:
        say(f"| {label} | {size(len(data))} | {size(len(gzip.compress(data, GZIP_LEVEL)))} | "
            f"{size(brotli_size(data))} |")  # fmt: skip
    say()
    say("The naive baseline has the chart alone; `standalone_html` adds the attribution, the full event list "
        "(sources, quotes, claims) and schema.org JSON-LD, which the *plotlyjs_url* row measures on their "
        "own.")  # fmt: skip


def warm_state(r: Resource | None) -> str:
    if r is None:
        return "not requested"
    if r.cached:
        return "from cache"
    if r.raw_status == 304:
        return f"304 revalidated ({size(r.wire)})"
    return f"{r.raw_status or r.status} ({size(r.wire)})"


def by_occurrence(resources: list[Resource]) -> dict[tuple[str, int], Resource]:
    seen: dict[str, int] = defaultdict(int)
    keyed = {}
    for r in sorted(resources, key=lambda r: r.start):  # by path alone: callback URLs carry a per-page id
        path = urlsplit(r.url).path
        keyed[(path, seen[path])] = r
        seen[path] += 1
    return keyed


def transfer_row(label: str, t: Transfer) -> str:
    cells = []
    for c in CATEGORIES:
        n = sum(r.category == c for r in t.resources)
        cells.append(f"{size(t.total('wire', c))} / {size(t.total('decoded', c))} ({n})" if n else "–")
    return (f"| {label} | {len(t.resources)} | " + " | ".join(cells)
            + f" | **{size(t.total('wire'))} / {size(t.total('decoded'))}** |")  # fmt: skip


def report_transfer(transfers: dict[str, Transfer], notes: list[str]) -> None:
    paths = {name: path for name, path, _ in PAGES}
    say()
    say("## 2. Bytes transferred, cold load (fresh context, empty cache)")
    say()
    say("Each cell: on the wire (compressed, response headers included) / decoded body (number of responses). "
        "Dash runs with `compress=True`. *Warm*: the same URL in a second tab of the same context right after; "
        "responses from the HTTP cache count 0 on the wire.")  # fmt: skip
    say()
    say("| page | requests | " + " | ".join(CATEGORIES) + " | **total** |")
    say("|---|---:|" + "---:|" * (len(CATEGORIES) + 1))
    for name, t in transfers.items():
        say(transfer_row(f"{name} (`{paths[name]}`)", t))
        if t.warm:
            say(transfer_row(f"{name}, warm", t.warm))
    say()
    for name, t in transfers.items():
        body, headers = t.body_wire(), t.total("headers")
        rt_wire, rt_body = sum(e["transfer"] for e in t.timing), sum(e["encoded"] for e in t.timing)
        rt_decoded = sum(e["decoded"] for e in t.timing)
        say(f"- {name}: compressed bodies alone {size(body)} + {size(headers)} of response headers. "
            f"Cross-check, the page's Resource Timing ({len(t.timing)} entries): transferSize {size(rt_wire)}, "
            f"encodedBodySize {size(rt_body)}, decodedBodySize {size(rt_decoded)}.")  # fmt: skip
        busy = ", ".join(f"{k.removesuffix('Duration')} {v:.2f} s" for k, v in t.main_thread.items())
        say(f"  Main thread until the network went quiet (Chrome's Performance.getMetrics): {busy or 'n/a'}; "
            f"chart data in at {t.chart:.2f} s.")  # fmt: skip
        if abs(rt_decoded - t.total("decoded")) > 0.02 * max(rt_decoded, 1):
            notes.append(f"{name}: DevTools and Resource Timing disagree on decoded bytes "
                         f"({size(t.total('decoded'))} vs {size(rt_decoded)}).")  # fmt: skip
        for r in t.resources:
            if r.failed or not r.done:
                notes.append(f"{name}: `{r.path}` {r.failed or 'never finished'}")
            elif r.status >= 400:
                notes.append(f"{name}: `{r.path}` answered HTTP {r.status}")
            if r.decoded > LARGE:
                notes.append(f"{name}: large resource `{r.path}` ({r.type}): {size(r.decoded)} decoded, "
                             f"{size(r.wire)} on the wire ({r.encoding})")  # fmt: skip
            elif r.decoded > 10_000 and r.encoding == "identity":
                notes.append(f"{name}: `{r.path}` ({size(r.decoded)}) was sent uncompressed")
        for r in t.warm.resources if t.warm else []:
            if not r.cached and r.decoded > 10_000 and r.category != "xhr":
                how = "revalidated (304)" if r.raw_status == 304 else f"downloaded again ({size(r.wire)})"
                notes.append(f"{name}: `{urlsplit(r.url).path}` ({size(r.decoded)}) is not cached between visits: "
                             f"{how} on the warm load")  # fmt: skip
    for name, t in transfers.items():
        warm = by_occurrence(t.warm.resources) if t.warm else {}
        say()
        say(f"### Every response of {name}, largest first")
        say()
        say("| resource | type | status | encoding | on the wire | decoded | cold: sent → done (s) | warm |")
        say("|---|---|---:|---|---:|---:|---:|---|")
        for key, r in sorted(by_occurrence(t.resources).items(), key=lambda kv: -kv[1].decoded):
            path = r.path if len(r.path) <= 80 else r.path[:77] + "…"
            say(f"| `{path}` | {r.type} | {r.status} | {r.encoding} | {size(r.wire)} | {size(r.decoded)} | "
                f"{r.start:.2f} → {r.end:.2f} | {warm_state(warm.get(key))} |")  # fmt: skip


def stats(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"{statistics.median(values):.3f}"


def spread(values: list[float]) -> str:
    return f"{min(values):.3f}–{max(values):.3f}" if values else "n/a"


def report_times(times: dict[str, Loads], cold: int, notes: list[str]) -> None:
    say()
    say("## 3. Time to first chart (s, from navigation start)")
    say()
    say("| page | cold, median | cold, min–max | warm, median | warm, min–max | DOMContentLoaded, cold median "
        "| `window.Plotly` set, cold median | warm load transferred | first load of the run |")  # fmt: skip
    say("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, loads in times.items():
        warm_bytes = statistics.median(loads.warm_transfer) if loads.warm_transfer else None
        first = f"{loads.first_ever:.3f}" if loads.first_ever is not None else "n/a"
        say(f"| {name} | {stats(loads.cold)} | {spread(loads.cold)} | {stats(loads.warm)} | {spread(loads.warm)} | "
            f"{stats(loads.cold_dcl)} | {stats(loads.cold_plotly)} | {size(warm_bytes)} | {first} |")  # fmt: skip
    say()
    say(f"- Cold: {cold} loads, each in a new browser context (empty HTTP cache). Warm: right after each cold "
        "load, a second tab in the same context opens the same URL; the median is of as many warm "
        "loads.")  # fmt: skip
    say("- First chart: `performance.now()` in the page when the plotly graph's `_fullData` first holds a "
        "trace with `customdata` (polled every animation frame): the data is in the chart, drawing may "
        "finish a frame later.")  # fmt: skip
    say("- First load of the run: the transfer-measuring load of section 2, the server's first request for "
        "each page, with the DevTools Protocol attached; not in the medians.")  # fmt: skip
    say("- `window.Plotly` set: plotly.js downloaded, parsed and run (Dash's Graph loads it lazily); first "
        "animation frame after.")  # fmt: skip
    say("- Warm load transferred: Resource Timing `transferSize`, response headers included; 0 for responses "
        "from the HTTP cache.")  # fmt: skip
    for name, loads in times.items():
        if loads.warm_from_cache:
            hits, total = loads.warm_from_cache[-1]
            say(f"- {name}, last warm load: {hits} of {total} responses came from the HTTP cache.")
        for error in dict.fromkeys(loads.errors):
            notes.append(f"{name}: {error}")


# --- 4. the embed at each size -------------------------------------------------------------------------------


@dataclass
class Sized:
    n: int
    loads: Loads
    answer: list[float] = field(default_factory=list)  # seconds the server takes to answer the page itself
    transfer: Transfer | None = None
    gave_up: str = ""


def answer_seconds(url: str, repeat: int = 3) -> list[float]:
    """Seconds from request to the last byte of the page, uncompressed, `repeat` times."""
    import urllib.request

    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        with urllib.request.urlopen(url, timeout=600) as response:
            response.read()
        seconds.append(time.perf_counter() - start)
    return seconds


def measure_size(browser, n: int, cold: int, budget_s: float) -> Sized:
    """`/embed/` of a synthetic dataset of `n` events, served by `create_app` in this process. A page whose main
    thread stays busy answers no evaluate, so a watchdog (the peers benchmark's) stops its renderer when a load
    overruns the budget."""
    from tests.benchmarks.bench_peers import Watchdog
    from tests.conftest import serving
    from timeline.data.frame import build_frame
    from timeline.data.synthetic import synthetic_dataset
    from timeline.web.app import create_app

    sized, watchdog, limit = Sized(n, Loads()), Watchdog(), 2 * budget_s + 30  # a cold and a warm load
    app = create_app(frame=build_frame(synthetic_dataset(n, seed=SEED)))
    with serving(app) as base:
        url = base + SIZED_PATH
        sized.answer = answer_seconds(url)
        progress(f"{n:,} events: counting the bytes of {SIZED_PATH}…")
        try:
            with watchdog.limit(limit, "first load"):
                sized.transfer = measure_transfer(browser, url, SIZED_GRAPH, sized.loads, budget_s * 1000)
        except Exception as exc:  # noqa: BLE001 - a page that never draws is a result
            timed_out = "Timeout" in type(exc).__name__ or "Overrun" in type(exc).__name__
            sized.gave_up = f"not drawn within {budget_s:.0f} s" if timed_out else str(exc).splitlines()[0]
            return sized
        progress(f"{n:,} events: first load drawn after {sized.transfer.chart:.2f} s")
        for i in range(cold):
            progress(f"{n:,} events: load {i + 1}/{cold}…")
            try:
                with watchdog.limit(limit, f"load {i + 1}"):
                    measure_times(browser, url, SIZED_GRAPH, sized.loads, budget_s * 1000)
            except Exception as exc:  # noqa: BLE001
                sized.loads.errors.append(str(exc).splitlines()[0])
    return sized


def report_sizes(results: list[Sized], cold: int, notes: list[str]) -> None:
    say()
    say(f"## 4. `{SIZED_PATH}` by dataset size (`timeline.data.synthetic`, seed {SEED}, 12 actors)")
    say()
    say("| events | first chart, cold median (min–max) | plotly.js ran, cold median | warm median "
        "| first load of the run | page: on the wire / decoded | everything, cold: on the wire / decoded (responses) "
        "| server answers the page (median of 3) |")  # fmt: skip
    say("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        answer = f"{statistics.median(r.answer):.3f} s" if r.answer else "n/a"
        if r.gave_up:
            say(f"| {r.n:,} | {r.gave_up} | – | – | – | – | – | {answer} |")
            continue
        t = r.transfer
        page = t.total("wire", "document"), t.total("decoded", "document")
        say(f"| {r.n:,} | {stats(r.loads.cold)} ({spread(r.loads.cold)}) | {stats(r.loads.cold_plotly)} | "
            f"{stats(r.loads.warm)} | "
            f"{t.chart:.3f} | {size(page[0])} / {size(page[1])} | {size(t.total('wire'))} / {size(t.total('decoded'))} "
            f"({len(t.resources)}) | {answer} |")  # fmt: skip
        for error in dict.fromkeys(r.loads.errors):
            notes.append(f"{r.n:,} events: {error}")
    say()
    say(f"- {cold} cold loads per size, each followed by a warm one, as in section 3; the bytes are those of "
        "the first cold load (section 2's method). *Page*: the document alone; a Dash page fetches its data "
        "afterwards, counted in *everything*.")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=5, help="cold (and warm) loads per page; medians are reported")
    parser.add_argument(
        "--sizes",
        default="100,1000,10000",
        help="synthetic dataset sizes for section 4, separated by commas; empty for none",
    )
    parser.add_argument("--budget", type=float, default=120, help="seconds a load of section 4 may take")
    parser.add_argument("--only-sizes", action="store_true", help="section 4 alone")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",") if n.strip()]

    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS, serving
    from timeline.data.frame import build_frame
    from timeline.formats.loader import load_dataset
    from timeline.web.app import create_app

    chromium = os.environ.get("TIMELINE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("Needs Debian's Chromium: apt-get install -y chromium (or set TIMELINE_CHROMIUM)")

    html_rows: list[tuple[str, bytes]] = []
    transfers: dict[str, Transfer] = {}
    times: dict[str, Loads] = {name: Loads() for name, _, _ in PAGES}
    sized: list[Sized] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            machine_facts(browser.version, chromium)
            if not args.only_sizes:
                progress("building the standalone HTML files…")
                frame = build_frame(load_dataset())
                html_rows = html_sizes(frame)
                with serving(create_app(frame=frame)) as base:
                    for name, path, graph in PAGES:
                        progress(f"counting the bytes of {path}…")
                        try:
                            transfers[name] = measure_transfer(browser, base + path, graph, times[name])
                        except Exception as exc:  # noqa: BLE001
                            times[name].errors.append(f"transfer load failed: {type(exc).__name__}: {exc}")
                    for i in range(args.cold):
                        for name, path, graph in PAGES:  # interleaved: drift in the machine hits both pages alike
                            progress(f"load {i + 1}/{args.cold} of {path}…")
                            measure_times(browser, base + path, graph, times[name])
            for n in sizes:
                sized.append(measure_size(browser, n, args.cold, args.budget))
        finally:
            browser.close()

    notes: list[str] = []
    if not args.only_sizes:
        report_html(html_rows)
        report_transfer(transfers, notes)
        report_times(times, args.cold, notes)
    if sized:
        report_sizes(sized, args.cold, notes)
    say()
    say(f"Load average at the end: {' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1 / 5 / 15 min).")
    say()
    say("## Anomalies")
    say()
    for note in dict.fromkeys(notes) or ["none detected"]:
        say(f"- {note}")


if __name__ == "__main__":
    main()
