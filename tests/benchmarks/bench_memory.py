"""Benchmark one server process's memory at a large size: the app built on a Parquet file, then the dashboard's
requests that tests/benchmarks/bench_peers.py makes in a browser, sent through Flask's test client.

Run: python tests/benchmarks/bench_memory.py [--events 1000000] [--parquet FILE] [--rounds 2]

1. `load_frame` of the file, then `create_app` on its frame: the server as it starts.
2. Each round, the requests of the peers benchmark: the dashboard's first page (`/` and the layout it fetches),
   a 90-day zoom around the middle of the synthetic span, then one actor chosen (the window kept), both through
   Dash's callback endpoint; then the embed page, unfiltered and for that actor. Later rounds show whether
   anything kept per request grows.

Prints, after each step, the process's resident memory (VmRSS) and its peak so far (VmHWM), in a Markdown table,
then the peak on one line. The target of issue 7: under 1,500 MB. Runs in this process; not a pytest test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ACTOR_ID = "actor-01"  # the busiest synthetic actor, as in the peers benchmark
ZOOM_DAYS = 90
SEARCH_WORD = "ceasefire"  # in some synthetic events: a search that keeps part of them


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def memory_mb() -> tuple[float, float]:
    """This process's resident memory and its peak, from /proc."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Dashboard:
    """The dashboard's requests, as its page in a browser sends them."""

    def __init__(self, app) -> None:
        self.client = app.server.test_client()
        self.update = next(
            (key, spec) for key, spec in app.callback_map.items() if key.startswith("..timeline.figure...")
        )  # fmt: skip

    def first_page(self, query: str = "") -> None:
        self._ok(self.client.get("/" + query))
        self._ok(self.client.get("/_dash-layout", headers={"Referer": "http://localhost/" + query}))

    def callback(self, search: str, changed: str, **values) -> dict:
        """The update callback with `changed` (`id.property`) as its trigger; returns its outputs by id."""
        key, spec = self.update
        inputs = []
        for item in spec["inputs"]:
            name = f"{item['id']}.{item['property']}"
            value = search if name == "url.search" else values.get(name)
            inputs.append({**item, "value": value})
        outputs = [{"id": part.split(".")[0], "property": part.split(".")[1]} for part in key.strip(".").split("...")]
        body = {"output": key, "outputs": outputs, "inputs": inputs, "changedPropIds": [changed], "state": []}
        answer = self._ok(self.client.post("/_dash-update-component", json=body))
        return json.loads(answer.data)["response"]

    def embed(self, query: str = "") -> None:
        self._ok(self.client.get("/embed/" + query))

    @staticmethod
    def _ok(answer):
        if answer.status_code != 200:
            raise SystemExit(f"{answer.request.path}: HTTP {answer.status_code}")
        return answer


def zoom_range() -> list[str]:
    from timeline.data.synthetic import SPAN_DAYS, START

    middle = START + dt.timedelta(days=SPAN_DAYS // 2)
    half = dt.timedelta(days=ZOOM_DAYS // 2)
    return [(middle - half).isoformat(), (middle + half).isoformat()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--parquet", type=Path, help="serve this file instead of writing a synthetic one")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rows: list[tuple[str, float, float, float]] = []

    def step(name: str, started: float) -> None:
        rows.append((name, time.perf_counter() - started, *memory_mb()))

    parquet = args.parquet
    if parquet is None:
        from timeline.data.synthetic import synthetic_table
        from timeline.formats.parquet import write_parquet

        parquet = Path(tempfile.mkdtemp(prefix="bench-memory-")) / f"synthetic-{args.events}.parquet"
        head, table = synthetic_table(args.events, seed=0)
        write_parquet(parquet, table, head)
        del head, table
        say(f"(wrote {parquet.name}: its memory counts in the peak below; pass --parquet to leave it out)")

    from timeline.formats.loader import load_frame
    from timeline.web.app import create_app

    step("imports", time.perf_counter())
    started = time.perf_counter()
    frame = load_frame([parquet])
    step("`load_frame`", started)
    started = time.perf_counter()
    app = create_app(frame=frame)
    step("`create_app`", started)
    dashboard = Dashboard(app)
    for round_ in range(1, args.rounds + 1):
        started = time.perf_counter()
        dashboard.first_page()
        step(f"round {round_}: first page (`/`, its layout)", started)
        started = time.perf_counter()
        zoomed = dashboard.callback("", "timeline-zoom.data", **{"timeline-zoom.data": {"range": zoom_range()}})
        step(f"round {round_}: {ZOOM_DAYS}-day zoom (callback)", started)
        search = "?" + zoomed["url"]["search"].lstrip("?")
        started = time.perf_counter()
        dashboard.callback(search, "filter-actors.value", **{"filter-actors.value": [ACTOR_ID]})
        step(f"round {round_}: one actor chosen (callback)", started)
        started = time.perf_counter()  # the first search builds the search text (`EventFrame.search_text`)
        dashboard.callback(search, "filter-search.value", **{"filter-search.value": SEARCH_WORD})
        step(f"round {round_}: a word searched (callback)", started)
        started = time.perf_counter()
        dashboard.embed()
        dashboard.embed(f"?actors={ACTOR_ID}")
        step(f"round {round_}: embed page, all and one actor", started)

    say(f"# One server process's memory ({platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f})")  # fmt: skip
    say()
    say(f"{len(frame.events):,} events from {parquet.name} ({parquet.stat().st_size / 1e6:.1f} MB).")
    say()
    say("| step | time | RSS after | peak RSS so far |")
    say("|---|---:|---:|---:|")
    for name, seconds, rss, peak in rows:
        say(f"| {name} | {seconds:.2f} s | {rss:,.0f} MB | {peak:,.0f} MB |")
    say()
    built = next(peak for name, _, _, peak in rows if name == "`create_app`")
    say(f"Issue 7 at {len(frame.events):,} events: the app's peak RSS {built:,.0f} MB when built, "
        f"{rows[-1][3]:,.0f} MB while serving (target under 1,500 MB).")  # fmt: skip


if __name__ == "__main__":
    main()
