"""Benchmark the tool next to vis-timeline and TimelineJS: the same events, in the same headless Chromium.

Setup (once): bash tests/benchmarks/setup.sh    installs both peers from npm into tests/benchmarks/peers/installed/
Run: python tests/benchmarks/bench_peers.py [--sizes 100,1000,10000,100000,1000000] [--repeat 3] [--budget 120]

For each size N, `timeline.data.synthetic` makes N events among 12 actors. Our server (`timeline serve` on them, written
as Parquet) starts in a child process; the same events become vis-timeline items (one point per event, in the group of
its first actor: 12 groups) and the tool's own TimelineJS3 export, which a loopback static server serves, gzipped,
with the peers' pages (tests/benchmarks/peers/). Every page is loaded cold (a new browser context, HTTP cache
disabled through the DevTools Protocol) --repeat times, the tools interleaved. Prints one Markdown table. Not a
pytest test.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_dashboard import ACTOR_ID, ACTOR_NAME, SEED, rss_mb, say  # noqa: E402
from tests.benchmarks.bench_embed import NetworkLog, progress, size  # noqa: E402

PEERS = Path(__file__).resolve().parent / "peers"
INSTALLED = PEERS / "installed" / "node_modules"
PACKAGES = ("vis-timeline", "@knight-lab/timelinejs")
VIS = "vis-timeline"
VIEWPORT = {"width": 1400, "height": 1000}
SIZE_LIMIT = "TIMELINE_MAX_PARQUET_MB"  # the setting that admits Parquet files over the default size limit (README)
ZOOM_DAYS = 90  # the zoom shows this many days around the middle of the synthetic span
GRACE_S = 10  # past a phase's own timeout, how long the watchdog waits before it stops the page
SETTLE_S = 60  # the limit for reading the bytes and the heap once the chart is drawn
QUIET_MS = 500  # after a zoom, this long without a pending Dash callback means nothing more will be drawn
GZIP_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
              ".map": "application/json", ".svg": "image/svg+xml"}  # fmt: skip
OTHER_TYPES = {".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".png": "image/png",
               ".gif": "image/gif", ".jpg": "image/jpeg"}  # fmt: skip

# Every probe is polled by Playwright, which bounds the wait; no evaluate waits for the page's own work.
# The plotly graph has drawn traces of events (they carry `customdata`) and the count line reads `text` ("N of M
# events"), so it is the whole view, whatever the chart draws per event. Then window[key] is set to performance.now()
# one frame later, when the drawing has been painted, and the probe returns it with the time of the last pointerdown.
DRAWN = """([graph, countSel, text, key]) => {
  if (window[key]) return {t: window[key], clicked: window.__clicked || null};
  const gd = document.querySelector(graph + ' .js-plotly-plot');
  if (!gd || !gd._fullData || !gd.querySelector('.main-svg')) return false;
  if (!gd._fullData.some(t => t.customdata && (t._length || 0) > 0)) return false;
  const count = document.querySelector(countSel);
  if (!count || !count.textContent.trim().startsWith(text) || window[key] === 0) return false;
  window[key] = 0;
  requestAnimationFrame(() => requestAnimationFrame(() => { window[key] = performance.now(); }));
  return false;
}"""
# A zoom, started in a task of its own so that the evaluate returns at once: Plotly.relayout of the x range, then
# QUIET_MS without a pending Dash callback, in case the app answers the new range (e.g. with more detail). The end is
# the frame after the relayout or, if a callback ran, the frame after the last redraw.
PLOTLY_ZOOM = """([graph, start, end, quiet]) => {
  window.__result = null;
  const gd = document.querySelector(graph + ' .js-plotly-plot');
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))));
  let plotted = 0, server = false;
  const onPlot = () => frame().then(t => { plotted = t; });
  setTimeout(async () => {
    try {
      gd.on('plotly_afterplot', onPlot);
      const t0 = performance.now();
      await Plotly.relayout(gd, {'xaxis.range': [start, end]});
      const drawn = await frame();
      let calm = drawn;
      while (performance.now() - calm < quiet) {
        await frame();
        if (document.querySelector('._dash-loading-callback')) { server = true; calm = performance.now(); }
      }
      gd.removeListener('plotly_afterplot', onPlot);
      window.__result = {ms: (server ? Math.max(drawn, plotted) : drawn) - t0,
                         note: server ? 'the zoom ran a server callback; the time includes its redraw' : ''};
    } catch (e) { window.__result = {error: String(e)}; }
  });
}"""
# A zoom as a reader makes it: a drag across the plot from one date to another. Armed before the drag: where the
# dates are on the page, the time of the mouseup, and the frame after each drawing. Done after it: QUIET_MS without a
# pending Dash callback, then the frame after the last drawing, from the mouseup.
PLOTLY_DRAG_ARM = """([graph, start, end]) => {
  const gd = document.querySelector(graph + ' .js-plotly-plot');
  const xa = gd._fullLayout.xaxis, box = gd.querySelector('.nsewdrag').getBoundingClientRect();
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))));
  window.__released = null;
  window.__plotted = 0;
  gd.on('plotly_afterplot', () => frame().then(t => { window.__plotted = t; }));
  document.addEventListener('mouseup', () => { window.__released = performance.now(); }, {capture: true, once: true});
  const x = d => box.left + xa.l2p(xa.d2l(d));
  return {x0: x(start), x1: x(end), y: box.top + box.height / 2};
}"""
PLOTLY_DRAG_DONE = """async (quiet) => {
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))));
  let calm = await frame(), server = false;
  while (performance.now() - calm < quiet) {
    await frame();
    if (document.querySelector('._dash-loading-callback')) { server = true; calm = performance.now(); }
  }
  if (!window.__released || window.__plotted < window.__released) return {error: 'the drag drew nothing'};
  return {ms: window.__plotted - window.__released,
          note: server ? 'the zoom ran a server callback; the time includes its redraw' : ''};
}"""
# Calls one of a peer page's window.__zoom / window.__filter, which resolve with performance.now() after the redraw.
PAGE_CALL = """([name, args]) => {
  window.__result = null;
  setTimeout(() => {
    const t0 = performance.now();
    window[name](...args).then(t => { window.__result = {ms: t - t0, note: ''}; },
                               e => { window.__result = {error: String(e)}; });
  });
}"""
PAGE_DRAWN = "() => window.__drawn ? {t: window.__drawn} : window.__failed && {error: window.__failed}"
MARK_POINTERDOWN = """() => { window.__clicked = null; document.addEventListener('pointerdown',
  () => { if (window.__clicked === null) window.__clicked = performance.now(); }, {capture: true}); }"""


class NotDrawn(Exception):
    """The page did not draw within the budget."""


class StartFailed(Exception):
    """Our server did not answer within the budget, or exited."""


# --- the same events for every tool --------------------------------------------------------------------------


@dataclass
class Case:
    """One size: our dataset file and what the views should show once drawn, filtered and zoomed."""

    n: int
    parquet: Path
    filtered: int  # events with ACTOR_ID among their actors: the dashboard's count after the filter
    points: int  # event × actor pairs: the most markers our chart could draw (the peers draw one item per event)
    zoom: tuple[str, str]

    @property
    def all_text(self) -> str:
        return f"{self.n:,} of {self.n:,} events"


def prepare(n: int, work: Path, peers: set[str]) -> Case:
    """Write the synthetic dataset as Parquet for our server and, for the peers still in the run (`peers`), as
    vis-timeline items and TimelineJS3 JSON, from the columns of the frame our server loads."""
    import numpy as np

    from timeline.data.synthetic import SPAN_DAYS, START, synthetic_table
    from timeline.formats.loader import load_frame
    from timeline.formats.parquet import write_parquet
    from timeline.formats.timelinejs import to_timelinejs

    parquet = work / f"synthetic-{n}.parquet"
    head, table = synthetic_table(n, seed=SEED)
    write_parquet(parquet, table, head)
    del table
    frame = load_frame([parquet])
    pairs = frame.actors
    if VIS in peers:
        lane = {a.id: i for i, a in enumerate(frame.dataset.actors)}
        groups = [{"id": i, "content": a.name} for i, a in enumerate(frame.dataset.actors)]
        lanes = pairs.assign(lane=pairs["actor"].astype(str).map(lane)).groupby("event", sort=True)["lane"]
        first, actors = lanes.first().reindex(range(n), fill_value=0), lanes.agg(list).reindex(range(n))
        actors = [a if isinstance(a, list) else [] for a in actors.tolist()]  # rows keep each event's actor order
        starts = frame.events["lo"].dt.strftime("%Y-%m-%d").tolist()
        items = [{"id": i, "group": int(g), "start": s, "content": t, "actors": a}
                 for i, (g, s, t, a) in enumerate(zip(first.tolist(), starts, frame.events["title"].tolist(), actors,
                                                      strict=True))]  # fmt: skip
        (work / f"vis-{n}.json").write_text(json.dumps({"groups": groups, "items": items}), encoding="utf-8")
    if "TimelineJS" in peers:  # the tool's own export reads each event from the table: slow, but only for TimelineJS
        document = to_timelinejs(frame, np.arange(len(frame.events)))
        (work / f"timelinejs-{n}.json").write_text(json.dumps(document), encoding="utf-8")
    middle = START + dt.timedelta(days=SPAN_DAYS // 2)
    half = dt.timedelta(days=ZOOM_DAYS // 2)
    filtered = pairs.loc[pairs["actor"] == ACTOR_ID, "event"].nunique()
    return Case(n, parquet, filtered=int(filtered), points=len(pairs),
                zoom=((middle - half).isoformat(), (middle + half).isoformat()))  # fmt: skip


# --- the peers' static server --------------------------------------------------------------------------------


class StaticHandler(BaseHTTPRequestHandler):
    """GET only: the peers' pages and installed packages from PEERS, the data files under /data/ from the work
    folder. Text is sent gzipped when the browser accepts it, compressed once per file, as a static host would."""

    protocol_version = "HTTP/1.1"
    server: StaticServer

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        path = unquote(urlsplit(self.path).path)
        root, rest = (self.server.data, path[len("/data/") :]) if path.startswith("/data/") else (PEERS, path[1:])
        file = (root / rest).resolve()
        if not file.is_file() or not file.is_relative_to(root.resolve()):
            self.send_error(404)
            return
        kind = GZIP_TYPES.get(file.suffix) or OTHER_TYPES.get(file.suffix, "application/octet-stream")
        zipped = file.suffix in GZIP_TYPES and "gzip" in self.headers.get("Accept-Encoding", "")
        body = self.server.gzipped(file) if zipped else file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet: the benchmark prints one table
        pass


class StaticServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, data: Path) -> None:
        super().__init__(("127.0.0.1", 0), StaticHandler)
        self.data = data
        self._gz: dict[Path, bytes] = {}
        self._lock = threading.Lock()

    def gzipped(self, file: Path) -> bytes:
        with self._lock:
            if file not in self._gz:
                self._gz[file] = gzip.compress(file.read_bytes(), compresslevel=6)
            return self._gz[file]


@contextlib.contextmanager
def static_server(data: Path) -> Iterator[tuple[str, StaticServer]]:
    server = StaticServer(data)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def warm(server: StaticServer, files: list[Path]) -> None:
    """Compress the files a peer page loads before it is timed: a static host serves them ready-compressed."""
    for file in files:
        if file.suffix in GZIP_TYPES:
            server.gzipped(file.resolve())


# --- our server ------------------------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    start_s: float
    rss_mb: float
    note: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(case: Case, budget_s: float, work: Path, limit_mb: int | None = None) -> Server:
    """`timeline serve` on the case's Parquet file, timed from process start until `/` answers 200. A file over the size
    limit is served again with the limit raised to fit it, as a user who needs that size would."""
    env = dict(os.environ, TIMELINE_CACHE_DIR=str(work / "render-cache"), TIMELINE_RENDER_LOCKS=str(work / "locks"))
    note = ""
    if limit_mb:
        env[SIZE_LIMIT] = str(limit_mb)
        megabytes = case.parquet.stat().st_size / 1e6
        note = f"served with {SIZE_LIMIT}={limit_mb}: the Parquet file ({megabytes:.0f} MB) is over the default limit"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (work / f"server-{case.n}.log").open("wb")
    cmd = [sys.executable, "-m", "timeline", "serve", str(case.parquet), "--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                               start_new_session=True)  # fmt: skip
    log.close()
    try:
        while True:
            if process.poll() is not None:
                output = (work / f"server-{case.n}.log").read_text(errors="replace")
                if SIZE_LIMIT in output and not limit_mb:
                    limit_mb = math.ceil(case.parquet.stat().st_size / 1e6) + 1
                    return start_server(case, budget_s - (time.perf_counter() - started), work, limit_mb)
                tail = " / ".join(output.strip().splitlines()[-3:])
                raise StartFailed(f"exited with code {process.returncode}: {tail[:300]}")
            if time.perf_counter() - started > budget_s:
                raise StartFailed(f"did not answer `/` within {budget_s:g} s")
            try:
                with urllib.request.urlopen(url + "/", timeout=10) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        return Server(process, url, time.perf_counter() - started, rss_mb(process.pid)[0], note)
    except BaseException:
        stop(process)
        raise


def stop(process: subprocess.Popen) -> None:
    """Stop our server and anything it started (its own process group)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


# --- one tool, one cold load ------------------------------------------------------------------------------------


Measured = tuple[float, str]  # seconds, and a note for under the table ("" if none)
Step = Callable[..., Measured]


def wait_result(page, probe: str, timeout_ms: float, arg=None):
    return page.wait_for_function(probe, arg=arg, polling="raf", timeout=max(timeout_ms, 1)).json_value()


def plotly_drawn(graph: str, count: str, page, case: Case, timeout_ms: float) -> Measured:
    return wait_result(page, DRAWN, timeout_ms, [graph, count, case.all_text, "__first"])["t"] / 1000, ""


def page_drawn(page, case: Case, timeout_ms: float) -> Measured:
    state = wait_result(page, PAGE_DRAWN, timeout_ms)
    if "error" in state:
        raise RuntimeError(f"the page failed: {state['error']}")
    return state["t"] / 1000, ""


def plotly_zoom(graph: str, page, case: Case, timeout_ms: float) -> Measured:
    page.evaluate(PLOTLY_ZOOM, [graph, *case.zoom, QUIET_MS])
    return finished(wait_result(page, "() => window.__result", timeout_ms))


def plotly_drag(graph: str, page, case: Case, timeout_ms: float) -> Measured:
    """Zoom as a reader does, dragging across the plot over the case's dates: from the mouseup until the chart is
    drawn, in detail if the app answers the new range."""
    at = page.evaluate(PLOTLY_DRAG_ARM, [graph, *case.zoom])
    page.mouse.move(at["x0"], at["y"])
    page.mouse.down()
    page.mouse.move(at["x1"], at["y"], steps=6)
    page.mouse.up()
    page.set_default_timeout(timeout_ms)
    return finished(page.evaluate(PLOTLY_DRAG_DONE, QUIET_MS))


def dashboard_filter(page, case: Case, timeout_ms: float) -> Measured:
    """Choose ACTOR_NAME in the actor filter, as a reader does: from the pointerdown on it until the chart and the
    count line show its events, plus the next frame. The filter is a disclosure of checkboxes, or a dropdown."""
    disclosure = page.locator("#filter-actors-summary")
    if disclosure.count():
        disclosure.click(timeout=timeout_ms)
        choice = page.get_by_role("checkbox", name=ACTOR_NAME, exact=True)
    else:
        page.locator("#filter-actors").click(timeout=timeout_ms)
        choice = page.get_by_role("option", name=ACTOR_NAME, exact=True)
    choice.wait_for(state="visible", timeout=timeout_ms)
    page.evaluate(MARK_POINTERDOWN)
    choice.click(timeout=timeout_ms)
    text = f"{case.filtered:,} of {case.n:,} events"
    done = wait_result(page, DRAWN, timeout_ms, ["#timeline", "#event-count", text, "__filtered"])
    return (done["t"] - done["clicked"]) / 1000, ""


def page_call(name: str, args: list, page, case: Case, timeout_ms: float) -> Measured:
    page.evaluate(PAGE_CALL, [name, args])
    return finished(wait_result(page, "() => window.__result", timeout_ms))


def vis_zoom(page, case: Case, timeout_ms: float) -> Measured:
    return page_call("__zoom", list(case.zoom), page, case, timeout_ms)


def vis_filter(page, case: Case, timeout_ms: float) -> Measured:
    return page_call("__filter", [0], page, case, timeout_ms)  # lane 0 is ACTOR_ID: the same events as ours


def finished(result: dict) -> Measured:
    if "error" in result:
        raise RuntimeError(result["error"])
    return result["ms"] / 1000, result["note"]


@dataclass(frozen=True)
class Tool:
    name: str
    path: str  # ours: a path on our server; peers: a page in PEERS, formatted with the size
    drawn: Step
    zoom: Step | None = None
    filter: Step | None = None

    @property
    def ours(self) -> bool:
        return self.path.startswith("/")

    def files(self, work: Path, n: int) -> list[Path]:
        """A peer page's files: the page, what it loads from the installed packages, and its data."""
        address = urlsplit(self.path.format(n=n))
        page = PEERS / address.path
        loaded = [PEERS / ref for ref in re.findall(r'(?:src|href)="(installed/[^"]+)"', page.read_text("utf-8"))]
        return [page, *loaded, work / parse_qs(address.query)["data"][0].removeprefix("/data/")]


ZOOMS = {"drag": plotly_drag, "relayout": plotly_zoom}  # how our charts are zoomed (--zoom)

TOOLS = (
    Tool("dashboard", "/", partial(plotly_drawn, "#timeline", "#event-count"), partial(plotly_drag, "#timeline"),
         dashboard_filter),
    Tool("embed", "/embed/", partial(plotly_drawn, "#embed-graph", "#embed-count"),
         partial(plotly_drag, "#embed-graph")),
    Tool(VIS, "vis-timeline.html?data=/data/vis-{n}.json", page_drawn, vis_zoom, vis_filter),
    Tool("TimelineJS", "timelinejs.html?data=/data/timelinejs-{n}.json&events={n}", page_drawn),
)  # fmt: skip


@dataclass
class Row:
    n: int
    tool: str
    first: list[float] = field(default_factory=list)
    zoom: list[float] = field(default_factory=list)
    filter: list[float] = field(default_factory=list)
    wire: list[int] = field(default_factory=list)
    heap: list[int] = field(default_factory=list)
    status: str = ""  # set when there is no time to show: "not drawn after 120 s", "skipped: …"
    errors: list[str] = field(default_factory=list)


class Overrun(Exception):
    """A phase of a load outlasted its limit, and the page's renderer was stopped."""


class Watchdog:
    """Bounds every phase of a load. A page whose main thread is busy answers no evaluate and no DevTools call,
    and Playwright waits for it; when a phase overruns, the watchdog stops this run's page renderers (descendants of
    this process, by id), so the waiting call fails and the run goes on."""

    def __init__(self) -> None:
        self._fired = threading.Event()

    @contextlib.contextmanager
    def limit(self, seconds: float, what: str) -> Iterator[None]:
        self._fired.clear()
        timer = threading.Timer(seconds, self._fire)
        timer.daemon = True
        timer.start()
        try:
            yield
        except Exception as exc:
            if self._fired.is_set():
                raise Overrun(f"{what}: the page was still busy after {seconds:.0f} s") from exc
            raise
        finally:
            timer.cancel()
        if self._fired.is_set():
            raise Overrun(f"{what}: the page was still busy after {seconds:.0f} s")

    def _fire(self) -> None:
        self._fired.set()
        for pid in page_renderers():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def page_renderers() -> list[int]:
    """Chromium's page renderer processes among this process's descendants (never another process's)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            children.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(int(stat.parent.name))
    found, todo = [], [os.getpid()]
    while todo:
        for pid in children.get(todo.pop(), []):
            todo.append(pid)
            with contextlib.suppress(OSError):
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"--type=renderer" in command and b"--top-chrome-webui" not in command:
                    found.append(pid)
    return found


def cold_load(browser, tool: Tool, url: str, case: Case, budget_s: float, row: Row, watchdog: Watchdog) -> None:
    """One load in a new context with the HTTP cache disabled: first chart, bytes, JS heap, then zoom and filter.
    Raises NotDrawn when the first chart takes longer than the budget."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e).splitlines()[0][:200]))
        log = NetworkLog(context, page)
        log.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        budget_ms, started = budget_s * 1000, time.monotonic()
        try:
            with watchdog.limit(budget_s + GRACE_S, "first chart"):
                page.goto(url, wait_until="commit", timeout=budget_ms)
                row.first.append(tool.drawn(page, case, budget_ms - (time.monotonic() - started) * 1000)[0])
        except Exception as exc:
            if isinstance(exc, Overrun) or "Timeout" in type(exc).__name__:
                raise NotDrawn(f"not drawn after {budget_s:.0f} s") from None
            raise
        progress(f"  drawn after {row.first[-1]:.1f} s")
        try:
            with watchdog.limit(SETTLE_S, "bytes and heap"):
                metrics = {m["name"]: m["value"] for m in log.cdp.send("Performance.getMetrics")["metrics"]}
                row.heap.append(int(metrics.get("JSHeapUsedSize", 0)))
                log.settle(page)
                row.wire.append(sum(r.wire for r in log.resources.values() if r.url))
                row.errors += [f"`{r.path}`: {r.failed or f'HTTP {r.status}'}" for r in log.resources.values()
                               if r.url and (r.failed or r.status >= 400)]  # fmt: skip
            for name, step, values in (("zoom", tool.zoom, row.zoom), ("filter", tool.filter, row.filter)):
                if step:
                    with watchdog.limit(budget_s + GRACE_S, name):
                        seconds, note = step(page, case, budget_ms)
                    values.append(seconds)
                    row.errors += [f"{name}: {note}"] if note else []
        except Exception as exc:  # noqa: BLE001 - reported under the table; the figures measured so far stand
            row.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        row.errors += [f"page error: {e}" for e in errors]
    finally:
        context.close()


# --- the run ---------------------------------------------------------------------------------------------------


@dataclass
class SizeInfo:
    case: Case
    server: Server | None = None
    server_error: str = ""
    peak_mb: float | None = None


def run(browser, sizes: list[int], chosen: list[Tool], args, work: Path, static: str, statics: StaticServer,
        ) -> list[tuple]:  # fmt: skip
    """Every size, every chosen tool: a list of (SizeInfo, [Row per tool])."""
    stopped: dict[str, str] = {}  # tool → why bigger sizes are skipped
    results = []
    watchdog = Watchdog()
    for n in sizes:
        tools = [t for t in chosen if t.name not in stopped]
        progress(f"{n:,} events: writing the dataset for every tool still in the run…")
        info = SizeInfo(prepare(n, work, {t.name for t in tools if not t.ours}))
        rows = {tool.name: Row(n, tool.name, status=stopped.get(tool.name, "")) for tool in chosen}
        if any(t.ours for t in tools):
            progress(f"{n:,} events: starting our server…")
            try:
                info.server = start_server(info.case, args.start_budget, work)
            except StartFailed as exc:
                info.server_error = f"server did not start: {exc}"
                for tool in [t for t in tools if t.ours]:
                    rows[tool.name].status = info.server_error
                    stopped[tool.name] = f"skipped: our server did not start at {n:,} events"
                tools = [t for t in tools if not t.ours]
        for tool in tools:
            if not tool.ours:
                warm(statics, tool.files(work, n))
        try:
            for i in range(args.repeat):
                for tool in [t for t in tools if t.name not in stopped]:
                    progress(f"{n:,} events: {tool.name}, cold load {i + 1} of {args.repeat}…")
                    url = (info.server.url + tool.path) if tool.ours else f"{static}/{tool.path.format(n=n)}"
                    try:
                        cold_load(browser, tool, url, info.case, args.budget, rows[tool.name], watchdog)
                    except NotDrawn as exc:
                        rows[tool.name].status = str(exc)
                        stopped[tool.name] = f"skipped: {exc} at {n:,} events"
                    except Exception as exc:  # noqa: BLE001 - one failed load is reported, the run goes on
                        rows[tool.name].errors.append(f"load {i + 1}: {type(exc).__name__}: "
                                                      f"{str(exc).splitlines()[0][:200]}")  # fmt: skip
        finally:
            if info.server:
                with contextlib.suppress(OSError, KeyError):
                    info.peak_mb = rss_mb(info.server.process.pid)[1]
                stop(info.server.process)
        results.append((info, list(rows.values())))
    return results


# --- report ----------------------------------------------------------------------------------------------------


def spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}" if values else "–"


def peer_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        manifest = INSTALLED / name / "package.json"
        versions[name] = json.loads(manifest.read_text())["version"] if manifest.is_file() else ""
    return versions


def machine_facts(browser_version: str, chromium: str) -> None:
    from importlib.metadata import version

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")  # fmt: skip
    mem = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
              .split()[1]) / 1024**2  # fmt: skip
    peers = ", ".join(f"{name} {v}" for name, v in peer_versions().items())
    say("# The tool next to vis-timeline and TimelineJS")
    say()
    say(f"- Machine: {os.cpu_count()} cores ({cpu}), {mem:.1f} GiB RAM, {platform.platform()}; load average "
        f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1 / 5 / 15 min) at the start")  # fmt: skip
    say(f"- Browser: Chromium {browser_version} (`{chromium}`), headless, viewport {VIEWPORT['width']}×"
        f"{VIEWPORT['height']}, software WebGL, HTTP cache disabled, a new context per load")  # fmt: skip
    say(f"- Ours: Python {platform.python_version()}, dash {version('dash')}, plotly {version('plotly')}, served by "
        f"`timeline serve` (Flask's threaded server, compressed responses). Peers: {peers}, from npm, served gzipped "
        "by a loopback static server")  # fmt: skip


def report(results: list[tuple], args) -> None:
    say()
    say(f"| events | tool | first chart, s: median (min–max) | ratio to {VIS} | filter, s | zoom, s | server start, s "
        "| bytes transferred | server RSS, MB: started / peak | page JS heap |")  # fmt: skip
    say("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    notes: list[str] = []
    for info, rows in results:
        vis = next((r for r in rows if r.tool == VIS), None)
        for r in rows:
            ours = r.tool in ("dashboard", "embed")
            first = spread(r.first) if r.first and not r.status else (r.status or "n/a")
            if r.first and vis and vis.first and not r.status and not vis.status:
                ratio = f"×{statistics.median(r.first) / statistics.median(vis.first):.2f}"
            else:
                ratio = "–"
            server = info.server
            start = f"{server.start_s:.1f}" if ours and server else "–"
            rss = "–"
            if ours and server:
                rss = f"{server.rss_mb:.0f} / {info.peak_mb:.0f}" if info.peak_mb else f"{server.rss_mb:.0f}"
            wire = size(statistics.median(r.wire)) if r.wire else "–"
            heap = size(statistics.median(r.heap)) if r.heap else "–"
            say(f"| {r.n:,} | {r.tool} | {first} | {ratio} | {cell(r.filter)} | {cell(r.zoom)} | {start} | {wire} "
                f"| {rss} | {heap} |")  # fmt: skip
            for error in dict.fromkeys(r.errors):
                notes.append(f"{r.tool} at {r.n:,}: {error}")
        if info.server and info.server.note:
            notes.append(f"ours at {info.case.n:,}: {info.server.note}")
    say()
    say(f"- Every tool draws the same `timeline.data.synthetic` events (seed {SEED}, 12 actors); ours reads them from "
        "a Parquet file. Zoomed in, ours draws one marker per event and actor (an event with three actors is in three "
        "lanes); past its level of detail's cap (`timeline.query.lod.MAX_MARKS`) it draws per-lane counts instead. "
        "vis-timeline gets one point item per event in the group of its first actor (12 groups, not stacked, as our "
        "lanes are not); TimelineJS gets the tool's own TimelineJS3 export of the events "
        "(`timeline/formats/timelinejs.py`), a slide per event. Event × actor pairs: "
        + ", ".join(f"{info.case.points:,} at {info.case.n:,}" for info, _ in results) + ".")  # fmt: skip
    say(f"- First chart: median of {args.repeat} cold loads (min–max), from navigation start (`performance.now()` "
        "in the page) to the frame after the chart is drawn. Ours: the plotly graph holds traces of events and the "
        "count line reads 'N of N events'. vis-timeline: the first `changed` event with its items in the DOM after it "
        "has fitted the window to them (it draws that fit at its next redraw, which may wait for its 1 s resize "
        "check). "
        "TimelineJS: after `loaded`, its time navigator holds a marker per event. Ratio: median over vis-timeline's "
        "median at the same size.")  # fmt: skip
    say(f"- Filter (same load, after the zoom): the dashboard's actor filter, from the pointerdown on "
        f"'{ACTOR_NAME}' until the chart and count show its events; vis-timeline: a DataView filter to the items "
        "with that actor, until the next `changed`. The embed and TimelineJS have no filter control.")  # fmt: skip
    how = ("a drag across the plot over those days, as a reader zooms, from the mouseup" if args.zoom == "drag"
           else "`Plotly.relayout` on the graph")  # fmt: skip
    say(f"- Zoom: the x range set to {ZOOM_DAYS} days in the middle of the data. Ours: {how}, to the frame after "
        f"it is drawn, and if Dash runs a callback on the new range (none ran when "
        f"{QUIET_MS} ms passed without one), to the frame after its redraw. vis-timeline: "
        "`setWindow(…, {animation: false})` until the next `changed`. TimelineJS: not measured (it zooms in steps, "
        "with no range to set).")  # fmt: skip
    say("- Server start: once per size, from starting `timeline serve` on the Parquet file until `/` answers "
        "200. RSS: the server's VmRSS then, and its VmHWM after every load of that size. Bytes: everything the page "
        "downloaded until the network was idle after the first chart (DevTools `encodedDataLength`, headers included), "
        "median. Page JS heap: Chrome's `JSHeapUsedSize` (DevTools `Performance.getMetrics`) once the chart is "
        "drawn.")  # fmt: skip
    say(f"- A tool not drawn within {args.budget:.0f} s is skipped at bigger sizes. Figures are noisy: the machine is "
        "shared, and other work ran during the run.")  # fmt: skip
    say(f"- Load average at the end: {' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1 / 5 / 15 min).")
    if notes:
        say()
        say("Notes:")
        for note in dict.fromkeys(notes):
            say(f"- {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000,1000000", help="comma-separated event counts")
    parser.add_argument("--repeat", type=int, default=3, help="cold loads per tool and size (the median is shown)")
    parser.add_argument("--budget", type=float, default=120, help="seconds a page may take to draw; past it, bigger "
                        "sizes are skipped for that tool")  # fmt: skip
    parser.add_argument("--start-budget", type=float, default=600, help="seconds our server may take to answer")
    parser.add_argument("--tools", default=",".join(t.name for t in TOOLS), help="comma-separated, of: %(default)s")
    parser.add_argument("--zoom", choices=ZOOMS, default="drag", help="how our charts are zoomed: a drag across the "
                        "plot, as a reader does, or Plotly.relayout of the range (default: %(default)s)")  # fmt: skip
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.repeat < 1 or not sizes or min(sizes) < 1:
        parser.error("--repeat and every size must be at least 1")
    tools = [t for t in TOOLS if t.name in args.tools.split(",")]
    if not tools or len(tools) != len(args.tools.split(",")):
        parser.error(f"--tools: choose from {', '.join(t.name for t in TOOLS)}")
    tools = [replace(t, zoom=partial(ZOOMS[args.zoom], *t.zoom.args)) if t.ours else t for t in tools]
    missing = [name for name, v in peer_versions().items() if not v]
    if missing:
        sys.exit(f"{', '.join(missing)} not installed in {INSTALLED}: run `bash tests/benchmarks/setup.sh` first")
    chromium = os.environ.get("TIMELINE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("Needs Debian's Chromium: apt-get install -y chromium (or set TIMELINE_CHROMIUM)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally blocks below stop every child

    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS

    # Loopback only: any host name fails to resolve, so a peer's page cannot reach a CDN.
    launch_args = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
    with (
        tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp,
        static_server(Path(tmp)) as (static, statics),
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=chromium, args=launch_args)
        try:
            machine_facts(browser.version, chromium)
            results = run(browser, sizes, tools, args, Path(tmp), static, statics)
        finally:
            browser.close()
    report(results, args)
    say()
    say(f"Command: `python tests/benchmarks/bench_peers.py {shlex.join(sys.argv[1:])}`")


if __name__ == "__main__":
    main()
