"""A render storm: does `/` stay fast while many clients ask for PNGs at once? A benchmark, not a test.

Run: .venv/bin/python tests/load/render_storm.py [--requests 30] [--workers 2] [--threads 1] [--env NAME=VALUE ...]

Starts `gunicorn -w 2 app:server` on 127.0.0.1 (the bundled dataset, its own render locks and cache), measures
`GET /` alone, then fires N concurrent `GET /download/png` for N different views (so the cache hides nothing)
while `GET /` is timed every 100 ms. Prints `/`'s p50/p95/max alone and under the storm, the PNG requests' status
counts and times, and the peak memory of the gunicorn process tree (workers and the Chromium they start) sampled
from /proc every 100 ms. `--env` passes settings such as `TIMELINE_RENDER_SLOTS=2` or `TIMELINE_RATELIMIT=off`.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import gunicorn, memory  # noqa: E402

PROBE_EVERY = 0.1  # seconds between `GET /` probes and memory samples
MAX_SECONDS = 300  # the storm is abandoned after this long


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def get(url: str) -> tuple[int, float]:
    """(status, seconds) of one GET; a refused or failed connection is status 0."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    except OSError:
        status = 0
    return status, time.perf_counter() - start


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms ({len(ms)} requests)"


def views(count: int) -> list[str]:
    """`count` different views of the bundled dataset, each with events: a sliding start date."""
    return [f"/download/png?from=2023-{10 + i // 28:02d}-{1 + i % 28:02d}" for i in range(count)]


def storm(url: str, master: int, count: int) -> dict:
    finished = threading.Event()
    probes: list[float] = []
    peak = [0, 0, 0]

    def probe() -> None:
        give_up = time.monotonic() + MAX_SECONDS
        while not finished.is_set() and time.monotonic() < give_up:
            probes.append(get(url + "/")[1])
            sample = memory(master)
            if sample[2] > peak[2]:
                peak[:] = sample
            finished.wait(PROBE_EVERY)

    results: list[tuple[str, int, float]] = []
    start = threading.Barrier(count)

    def fire(path: str) -> None:
        start.wait()
        results.append((path, *get(url + path)))

    prober = threading.Thread(target=probe)
    prober.start()
    clients = [threading.Thread(target=fire, args=(path,)) for path in views(count)]
    began = time.perf_counter()
    for client in clients:
        client.start()
    for client in clients:
        client.join(MAX_SECONDS)
    took = time.perf_counter() - began
    finished.set()
    prober.join()
    return {"probes": probes, "results": results, "peak": peak, "took": took}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads (more than 1: gthread workers)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    with gunicorn(args.workers, env, extra=("--threads", str(args.threads))) as server:
        for _ in range(10):  # let both workers build their first page
            get(server.url + "/")
        idle = [get(server.url + "/")[1] for _ in range(30)]
        idle_memory = memory(server.pid)
        result = storm(server.url, server.pid, args.requests)
        cached_view = next((path for path, status, _ in result["results"] if status == 200), None)
        again = get(server.url + cached_view) if cached_view else None
    statuses = collections.Counter(status for _, status, _ in result["results"])
    by_status = collections.defaultdict(list)
    for _, status, seconds in result["results"]:
        by_status[status].append(seconds)
    settings = " ".join(args.env) or "defaults"
    threads = f" --threads {args.threads}" if args.threads > 1 else ""
    say(f"gunicorn -w {args.workers}{threads}, settings: {settings}; {args.requests} concurrent PNG requests")
    say(f"GET / alone:        {percentiles(idle)}")
    say(f"GET / under storm:  {percentiles(result['probes'])}")
    say(f"PNG statuses:       {dict(sorted(statuses.items()))}, storm over in {result['took']:.1f} s")
    for status, times in sorted(by_status.items()):
        say(f"  {status}: {percentiles(times)}")
    if again:
        say(f"A rendered view again (cache): status {again[0]} in {again[1] * 1000:.0f} ms")
    mb = 2**20
    say(f"Memory idle:        {idle_memory[0]} processes, RSS {idle_memory[1] / mb:.0f} MB, "
          f"PSS {idle_memory[2] / mb:.0f} MB")  # fmt: skip
    count, rss, pss = result["peak"]
    say(f"Memory peak (PSS):  {count} processes, RSS {rss / mb:.0f} MB, PSS {pss / mb:.0f} MB")


if __name__ == "__main__":
    main()
