"""Lighthouse on the tool's pages: desktop performance and accessibility, in the system's headless Chromium.

Setup (once): bash tests/benchmarks/setup.sh    installs the pinned Lighthouse CLI in tests/benchmarks/peers/installed/
Run: python tests/benchmarks/bench_lighthouse.py [--runs 3] [--pages /,/embed/,/present/,/handout/] [--save DIR]

`gunicorn -w 2 app:server` (the bundled dataset, as deployed; tests/load/server.py) serves the pages; each is fetched
once to warm the server, then Lighthouse (`--preset=desktop`: simulated throttling, 40 ms RTT, 10 Mbit/s, no CPU
slowdown) runs on every page --runs times, the pages interleaved, each run in a fresh Chromium. Prints one Markdown
table (medians), then, for every audit that failed, the elements or resources Lighthouse names. Targets (issues 7
and 8): performance >= 0.9 with total blocking time < 200 ms on /, /embed/ and /present/; accessibility 1.0 on all
four pages; /handout/ answers in under 300 ms (the server's response time, as Lighthouse observed it: from the
request until the page's first byte). Not a pytest test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_dashboard import say  # noqa: E402
from tests.benchmarks.bench_embed import progress  # noqa: E402
from tests.load.server import gunicorn  # noqa: E402

INSTALLED = Path(__file__).resolve().parent / "peers" / "installed"
LIGHTHOUSE = INSTALLED / "node_modules" / ".bin" / "lighthouse"
PAGES = ("/", "/embed/", "/present/", "/handout/")
PERFORMANCE_PAGES = ("/", "/embed/", "/present/")  # the pages with a performance target
ANSWER_TARGETS_MS = {"/handout/": 300}  # pages with a target for the server's answer
CATEGORIES = ("performance", "accessibility")
CHROME_FLAGS = "--headless=new --no-sandbox"
WORKERS = 2
RUN_TIMEOUT_S = 300
TARGET_PERFORMANCE, TARGET_TBT_MS, TARGET_ACCESSIBILITY = 0.9, 200, 1.0
# Lighthouse's own bar: below 0.9 a scored performance audit is drawn orange or red in its report.
PASSING = 0.9
SCORED_MODES = ("binary", "numeric", "metricSavings")
ELEMENTS_SHOWN = 8  # per failing audit, under the table
# A metric names no element itself; these audits of the same run say what is behind it.
EVIDENCE = {"total-blocking-time": "long-tasks", "largest-contentful-paint": "lcp-breakdown-insight",
            "cumulative-layout-shift": "layout-shifts"}  # fmt: skip


@dataclass
class Failure:
    """One audit that failed in at least one run of a page."""

    category: str
    title: str
    runs: int = 0
    display: str = ""
    elements: list[str] = field(default_factory=list)  # from the last run it failed in


@dataclass
class PageResult:
    path: str
    performance: list[float] = field(default_factory=list)
    tbt_ms: list[float] = field(default_factory=list)
    lcp_s: list[float] = field(default_factory=list)
    answer_ms: list[float] = field(default_factory=list)  # the server's response time for the page itself
    accessibility: list[float] = field(default_factory=list)
    cpu_index: list[float] = field(default_factory=list)  # Lighthouse's benchmarkIndex: the CPU speed it saw
    failures: dict[str, Failure] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def runs(self) -> int:
        return len(self.performance)


def run_lighthouse(url: str, chrome: str, out: Path) -> dict:
    """One Lighthouse run on `url` in a fresh headless Chromium; its JSON report (raises on a failed run)."""
    command = [str(LIGHTHOUSE), url, "--preset=desktop", f"--only-categories={','.join(CATEGORIES)}",
               "--output=json", f"--output-path={out}", f"--chrome-flags={CHROME_FLAGS}", "--quiet"]  # fmt: skip
    done = subprocess.run(command, env={**os.environ, "CHROME_PATH": chrome}, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S, check=False)  # fmt: skip
    if done.returncode or not out.is_file():
        tail = " / ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise RuntimeError(f"lighthouse exited with code {done.returncode}: {tail[:300]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse: {report['runtimeError'].get('message', report['runtimeError'])}")
    return report


def failed_audits(report: dict) -> dict[str, tuple[str, dict]]:
    """Audit id → (category, audit) for every scored audit that failed: accessibility below 1, performance below
    Lighthouse's 0.9 (metrics, diagnostics and insights alike)."""
    failed = {}
    for category in CATEGORIES:
        bar = 1.0 if category == "accessibility" else PASSING
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if audit["scoreDisplayMode"] in SCORED_MODES and audit["score"] is not None and audit["score"] < bar:
                failed[ref["id"]] = (category, audit)
    return failed


def named_elements(details: object) -> list[str]:
    """The DOM nodes, source locations and resources an audit's details name, in its order."""
    found: list[str] = []
    if isinstance(details, dict):
        kind = details.get("type")
        if kind == "node":
            label = " ".join(str(details.get("nodeLabel", "")).split())[:80]
            found.append(f"`{details.get('selector', '?')}` {details.get('snippet', '')} ({label})")
            return found
        if kind == "source-location":
            return [f"{details.get('url', '?')} line {details.get('line', 0) + 1}, column {details.get('column', 0)}"]
        if kind in ("debugdata", "network-tree", "screenshot", "filmstrip", "treemap-data"):
            return found
        url = details.get("url")
        if isinstance(url, str) and url.startswith("http") and "node" not in details and "source" not in details:
            extra = ", ".join(f"{key} {details[key]:,.0f}" for key in ("wastedBytes", "wastedMs", "startTime",
                                                                        "duration", "total")
                              if isinstance(details.get(key), int | float))  # fmt: skip
            found.append(url + (f" ({extra})" if extra else ""))
        for key, value in details.items():
            if key not in ("headings", "debugData", "subItems"):
                found += named_elements(value)
    elif isinstance(details, list):
        for value in details:
            found += named_elements(value)
    return list(dict.fromkeys(found))


def record(result: PageResult, report: dict) -> None:
    audits = report["audits"]
    result.performance.append(report["categories"]["performance"]["score"] or 0.0)
    result.accessibility.append(report["categories"]["accessibility"]["score"] or 0.0)
    result.tbt_ms.append(audits["total-blocking-time"]["numericValue"])
    result.lcp_s.append(audits["largest-contentful-paint"]["numericValue"] / 1000)
    result.answer_ms.append(audits["server-response-time"]["numericValue"])
    result.cpu_index.append(report["environment"]["benchmarkIndex"])
    for audit_id, (category, audit) in failed_audits(report).items():
        failure = result.failures.setdefault(audit_id, Failure(category, audit["title"]))
        failure.runs += 1
        failure.display = audit.get("displayValue") or f"score {audit['score']:.2f}"
        evidence = audits.get(EVIDENCE.get(audit_id, audit_id), audit)
        failure.elements = named_elements(audit.get("details")) or named_elements(evidence.get("details"))


def measure(base: str, paths: list[str], runs: int, chrome: str, save: Path | None) -> list[PageResult]:
    results = {path: PageResult(path) for path in paths}
    with tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as tmp:
        for run in range(1, runs + 1):
            for path in paths:  # interleaved: a slow spell on the shared machine touches every page alike
                progress(f"{path}: Lighthouse run {run} of {runs}…")
                name = (path.strip("/").replace("/", "-") or "dashboard") + f"-{run}.json"
                out = (save or Path(tmp)) / name
                try:
                    record(results[path], run_lighthouse(base + path, chrome, out))
                except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError, KeyError) as exc:
                    results[path].errors.append(f"run {run}: {str(exc).splitlines()[0][:300]}")
    return list(results.values())


def median(values: list[float], form: str) -> str:
    return format(statistics.median(values), form) if values else "–"


def verdict(result: PageResult) -> str:
    """Whether the page meets its targets, on the medians."""
    if not result.runs:
        return "no run"
    missed = []
    if result.path in PERFORMANCE_PAGES:
        if statistics.median(result.performance) < TARGET_PERFORMANCE:
            missed.append("performance")
        if statistics.median(result.tbt_ms) >= TARGET_TBT_MS:
            missed.append("TBT")
    if result.path in ANSWER_TARGETS_MS and statistics.median(result.answer_ms) >= ANSWER_TARGETS_MS[result.path]:
        missed.append("server answer")
    if statistics.median(result.accessibility) < TARGET_ACCESSIBILITY:
        missed.append("accessibility")
    return "met" if not missed else "missed: " + ", ".join(missed)


def by_category(result: PageResult) -> list[tuple[str, Failure]]:
    return sorted(result.failures.items(), key=lambda item: (item[1].category, item[0]))


def failing_ids(result: PageResult) -> str:
    ids = [audit_id + ("" if f.runs == result.runs else f" ({f.runs}/{result.runs})")
           for audit_id, f in by_category(result)]  # fmt: skip
    return ", ".join(f"`{i}`" for i in ids) or "none"


def report(results: list[PageResult], runs: int) -> None:
    say()
    say("| page | performance | TBT, ms | LCP, s | server answer, ms | accessibility | targets | failing audits |")
    say("|---|---:|---:|---:|---:|---:|---|---|")
    for r in results:
        say(f"| `{r.path}` | {median(r.performance, '.2f')} | {median(r.tbt_ms, '.0f')} | {median(r.lcp_s, '.2f')} "
            f"| {median(r.answer_ms, '.0f')} | {median(r.accessibility, '.2f')} | {verdict(r)} "
            f"| {failing_ids(r)} |")  # fmt: skip
    say()
    say(f"- Scores, TBT and LCP: the median of {runs} run(s) per page, each in a fresh Chromium. Failing audits: "
        f"accessibility audits below 1, performance audits below {PASSING} (Lighthouse's orange and red); "
        f"(k/{runs}) when an audit failed in only k runs.")  # fmt: skip
    say(
        "- Server answer: Lighthouse's `server-response-time`, the time from its request for the page until the "
        "page's first byte, as observed (not simulated)."
    )
    answers = "; ".join(f"{path} answers in under {ms} ms" for path, ms in ANSWER_TARGETS_MS.items())
    say(
        f"- Targets: performance >= {TARGET_PERFORMANCE} and TBT < {TARGET_TBT_MS} ms on "
        f"{', '.join(PERFORMANCE_PAGES)}; accessibility {TARGET_ACCESSIBILITY:.1f} on every page; {answers}."
    )
    cpu_index = [i for r in results for i in r.cpu_index]
    say(f"- Lighthouse's CPU benchmark index (`environment.benchmarkIndex`, higher is faster; the desktop preset does "
        f"not slow the CPU, so TBT follows it): median {median(cpu_index, '.0f')}, "
        f"{min(cpu_index, default=0):.0f}–{max(cpu_index, default=0):.0f} over the runs.")  # fmt: skip
    say(f"- Load average at the end: {' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1 / 5 / 15 min).")
    for r in results:
        for error in r.errors:
            say(f"- `{r.path}` {error}")
    for r in results:
        if not r.failures:
            continue
        say()
        say(f"## `{r.path}`: what the failing audits name")
        for audit_id, f in by_category(r):
            say()
            source = f" (named by `{EVIDENCE[audit_id]}`)" if audit_id in EVIDENCE and f.elements else ""
            say(f"- `{audit_id}` ({f.category}, failed in {f.runs} of {r.runs} runs): {f.title}; {f.display}{source}")
            for element in f.elements[:ELEMENTS_SHOWN]:
                say(f"  - {element}")
            if len(f.elements) > ELEMENTS_SHOWN:
                say(f"  - … and {len(f.elements) - ELEMENTS_SHOWN} more")


def machine_facts(chrome: str, lighthouse: str, runs: int) -> None:
    from importlib.metadata import version

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")  # fmt: skip
    browser = subprocess.run([chrome, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    say("# Lighthouse: desktop performance and accessibility")
    say()
    say(f"- Machine: {os.cpu_count()} cores ({cpu}), {platform.platform()}; load average "
        f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1 / 5 / 15 min) at the start")  # fmt: skip
    say(
        f"- Lighthouse {lighthouse} (node {platform_node()}), `--preset=desktop`, categories "
        f"{' and '.join(CATEGORIES)}, {runs} run(s) per page; {browser or chrome} (`{chrome}`), `{CHROME_FLAGS}`"
    )
    say(f"- Served by `gunicorn -w {WORKERS} app:server` on the bundled dataset (Python {platform.python_version()}, "
        f"dash {version('dash')}, plotly {version('plotly')}); every page fetched once before the runs")  # fmt: skip


def platform_node() -> str:
    done = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (the median is shown)")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated paths (default: %(default)s)")
    parser.add_argument("--save", type=Path, help="keep every JSON report in this folder")
    args = parser.parse_args()
    paths = [p.strip() for p in args.pages.split(",") if p.strip()]
    if args.runs < 1 or not paths or not all(p.startswith("/") for p in paths):
        parser.error("--runs must be at least 1 and every page a path starting with /")
    manifest = INSTALLED / "node_modules" / "lighthouse" / "package.json"
    if not LIGHTHOUSE.is_file() or not manifest.is_file():
        sys.exit(f"Lighthouse is not installed in {INSTALLED}: run `bash tests/benchmarks/setup.sh` first")
    chrome = (os.environ.get("CHROME_PATH") or os.environ.get("TIMELINE_CHROMIUM") or shutil.which("chromium")
              or shutil.which("chromium-browser"))  # fmt: skip
    if not chrome:
        sys.exit("Needs Debian's Chromium: apt-get install -y chromium (or set CHROME_PATH)")
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)

    machine_facts(chrome, json.loads(manifest.read_text())["version"], args.runs)
    with gunicorn(WORKERS) as server:
        for path in paths * WORKERS:  # a worker's first answer of a page may fill caches; no run should pay for it
            with urllib.request.urlopen(server.url + path, timeout=120) as answer:
                answer.read()
        results = measure(server.url, paths, args.runs, chrome, args.save)
    report(results, args.runs)
    say()
    say(f"Command: `python tests/benchmarks/bench_lighthouse.py {shlex.join(sys.argv[1:])}`")


if __name__ == "__main__":
    main()
