"""Run the load test end to end and print its figures: gunicorn on a loopback port, Locust headless against it,
and optionally one worker killed with SIGKILL in the middle. A benchmark, not a test.

Run: .venv/bin/python tests/load/run_locust.py [--users 50] [--seconds 60] [--workers 2] [--kill-after 30]

Prints, per request name, the count, failures and response-time percentiles, every failure with its cause, and
the peak memory of the gunicorn process tree. With `--kill-after S`, one worker is killed S seconds into the run;
gunicorn starts a new one, and the failures show what the kill cost.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import ROOT, gunicorn, memory, workers  # noqa: E402

LOCUST = Path(sys.executable).with_name("locust")
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-after", type=float, default=None, metavar="S", help="SIGKILL one worker after S s")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="timeline-locust-") as scratch:
        run(args, Path(scratch))


def run(args: argparse.Namespace, scratch: Path) -> None:
    with gunicorn(args.workers) as server:
        peak = [0, 0, 0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.5):
                current = memory(server.pid)
                if current[2] > peak[2]:
                    peak[:] = current

        sampler = threading.Thread(target=sample)
        sampler.start()
        command = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "-u", str(args.users), "-r",
                   str(args.spawn_rate), "-t", f"{args.seconds}s", "--host", server.url, "--csv", f"{scratch}/run",
                   "--only-summary", "--loglevel", "WARNING"]  # fmt: skip
        started = time.monotonic()
        locust = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        killed = None
        if args.kill_after is not None:
            time.sleep(args.kill_after)
            victim = workers(server.pid)[0]
            os.kill(victim, signal.SIGKILL)
            killed = (victim, time.monotonic() - started)
        _, errors = locust.communicate(timeout=args.seconds + 120)
        done.set()
        sampler.join()
        survivors = workers(server.pid)
    say(f"{args.users} users (spawn rate {args.spawn_rate}/s) for {args.seconds} s against gunicorn -w {args.workers}")
    if killed:
        say(f"Worker {killed[0]} killed with SIGKILL at {killed[1]:.0f} s; workers at the end: {len(survivors)}")
    if locust.returncode not in (0, 1):  # 1: some requests failed
        say(f"locust exited with {locust.returncode}:\n{errors}")
    report(scratch, peak)


def report(folder: Path, peak: list[int]) -> None:
    rows = list(csv.DictReader((folder / "run_stats.csv").open(encoding="utf-8")))
    say()
    say("| request | count | failures | median ms | p95 ms | p99 ms | max ms |")
    say("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        name = "**all**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        say(f"| {name} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | {row['95%']} | "
            f"{row['99%']} | {float(row['Max Response Time']):.0f} |")  # fmt: skip
    total = next(r for r in rows if r["Name"] == "Aggregated")
    say(f"\nThroughput: {float(total['Requests/s']):.1f} requests/s")
    failures = list(csv.DictReader((folder / "run_failures.csv").open(encoding="utf-8")))
    say(f"Failures: {sum(int(f['Occurrences']) for f in failures)}")
    for failure in failures:
        say(f"  {failure['Occurrences']} × {failure['Method']} {failure['Name']}: {failure['Error']}")
    mb = 2**20
    say(f"Peak memory of the gunicorn tree: {peak[0]} processes, RSS {peak[1] / mb:.0f} MB, PSS {peak[2] / mb:.0f} MB")


if __name__ == "__main__":
    main()
