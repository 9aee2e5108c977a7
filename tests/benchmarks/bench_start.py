"""Benchmark server start on large datasets: the columnar data path against pyarrow's own read of the same file.

Run: python tests/benchmarks/bench_start.py [--events 1000000] [--csv-events 100000] [--repeat 3] [--parquet FILE]

1. `timeline synthetic N -o x.parquet`: how long writing N synthetic events takes.
2. Parquet: `pyarrow.parquet.read_table` of that file alone, then `load_frame` (read, validated and tabulated:
   the frame the server starts on), then the whole app built on that frame. Each run is a fresh child process,
   the two interleaved, with the file in the page cache; the figure is the median. Times leave out the imports,
   which are the same for every size. Target: frame <= 3 x read. With `--parquet FILE`, that file is measured
   instead of a new one (step 1 is skipped).
3. CSV: the same events' first `--csv-events` rows as flat CSV with a metadata YAML: `load_frame`, then the app.
   Target: under 15 s.

4. The text search: CPU time of `filters.matching` for one word on the frame built from the Parquet file, median
   of several runs in one process, for words that match no, some and every event. Target: about 100 ms. The first
   search, which builds the search text, is timed on its own, with the process's peak memory after it.

Memory is each child's peak resident set (VmHWM). Prints Markdown tables, then the figures of issue 7 on one line.
Not a pytest test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def peak_rss_mb() -> float:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmHWM"].split()[0]) / 1024


def worker(task: str, paths: list[str]) -> None:
    """One measurement, in this (fresh) process, after its imports; prints a JSON line."""
    import pyarrow.parquet as pq

    from timeline.formats.loader import load_frame

    if task == "app":
        from timeline.web.app import create_app
    if task == "search":
        search(load_frame(paths))
        return
    started, cpu_started = time.perf_counter(), time.process_time()
    if task == "read":
        rows = pq.read_table(paths[0]).num_rows
    elif task == "again":  # a second load in the same process: Arrow's allocator and the caches are warm
        load_frame(paths)
        started, cpu_started = time.perf_counter(), time.process_time()
        rows = len(load_frame(paths).events)
    else:
        frame = load_frame(paths)
        rows = len(frame.events)
        if task == "app":
            create_app(frame=frame)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sys.stdout.write(json.dumps({"seconds": seconds, "cpu": cpu, "rows": rows, "rss_mb": peak_rss_mb()}) + "\n")


SEARCH_WORDS = ("ceasefire", "statement", "Synthetic", "actor 01", "zzz")


def search(frame, runs: int = 7) -> None:
    """CPU milliseconds of the text filter for each of `SEARCH_WORDS` (median of `runs`); prints a JSON line."""
    from timeline.query.filters import Filters, matching

    started, cpu_started = time.perf_counter(), time.process_time()
    matching(frame, Filters(q=SEARCH_WORDS[0]))  # the first search also builds the search text (`frame.search_text`)
    first = {"s": time.perf_counter() - started, "cpu_s": time.process_time() - cpu_started}
    found = {}
    for words in SEARCH_WORDS:
        filters = Filters(q=words)
        times = []
        for _ in range(runs):
            started = time.process_time()
            count = len(matching(frame, filters))
            times.append((time.process_time() - started) * 1000)
        found[words] = {"ms": statistics.median(times), "events": count}
    sys.stdout.write(json.dumps({"search": found, "first": first, "rss_mb": peak_rss_mb()}) + "\n")


def measure(task: str, paths: list[Path]) -> dict:
    """A measurement in a child process; for a child that fails, its error's last line instead."""
    command = [sys.executable, __file__, "--worker", task, *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(step: str, runs: list[dict]) -> str:
    """A table row: the median time (wall clock, and CPU in all threads) and peak RSS of `runs`, or why they
    failed."""
    failed = [r["error"] for r in runs if "error" in r]
    if failed:
        return f"| {step} | failed: {failed[0][:150]} | | |"
    return (f"| {step} | {median_of(runs, 'seconds'):.2f} s | {median_of(runs, 'cpu'):.2f} s "
            f"| {median_of(runs, 'rss_mb'):.0f} MB |")  # fmt: skip


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--csv-events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--parquet", type=Path, help="measure this file instead of writing a synthetic one")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.worker:
        worker(args.worker, rest)
        return

    import pyarrow.parquet as pq
    import yaml

    from timeline.formats.flatcsv import neutralise
    from timeline.formats.parquet import META_KEY

    folder = Path(tempfile.mkdtemp(prefix="bench-start-"))
    say(f"# Server start on large datasets ({platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f})")  # fmt: skip
    say()
    if args.parquet:
        parquet = args.parquet.resolve()
        args.events = pq.read_metadata(parquet).num_rows
        say(f"The file: {parquet.name}, {args.events:,} events, {parquet.stat().st_size / 1e6:.1f} MB.")
    else:
        parquet = folder / f"synthetic-{args.events}.parquet"
        started = time.perf_counter()
        made = subprocess.run([sys.executable, "-m", "timeline", "synthetic", str(args.events), "--seed",
                               str(args.seed), "-o", str(parquet)], cwd=ROOT, capture_output=True, text=True,
                              check=True)  # fmt: skip
        synthetic_s = time.perf_counter() - started
        say(f"`timeline synthetic {args.events:,} -o x.parquet`: {synthetic_s:.1f} s in all (the command says: "
            f"{made.stderr.strip()}); the file is {parquet.stat().st_size / 1e6:.1f} MB.")  # fmt: skip
    say()
    reads, frames, apps = [], [], []
    for _ in range(args.repeat):
        reads.append(measure("read", [parquet]))
        frames.append(measure("frame", [parquet]))
    apps.append(measure("app", [parquet]))
    again = [measure("again", [parquet])]
    if any("error" in r for r in reads + frames):
        raise SystemExit(f"a measurement failed: {row('Parquet', reads + frames)}")
    read_s, frame_s = median_of(reads, "seconds"), median_of(frames, "seconds")
    read_cpu, frame_cpu = median_of(reads, "cpu"), median_of(frames, "cpu")
    say(f"## Parquet, {args.events:,} events (median of {args.repeat} fresh processes)")
    say()
    say("| step | time | CPU time | peak RSS |")
    say("|---|---:|---:|---:|")
    say(row("`pyarrow.parquet.read_table` alone", reads))
    say(row("`load_frame` (read, validated, tabulated)", frames))
    say(row("the whole app (`load_frame`, then `create_app` on its frame)", apps))
    say(row("`load_frame` again in the same process (for comparison: memory already mapped)", again))
    say()
    say(f"Frame ready in **{frame_s / read_s:.2f} x** the time pyarrow alone takes to read the file (target: 3 x); "
        f"in CPU time, {frame_cpu / read_cpu:.2f} x.")  # fmt: skip
    say()
    searched = measure("search", [parquet])
    if "error" in searched:
        raise SystemExit(f"the search measurement failed: {searched['error']}")
    say(f"## Text search, {args.events:,} events (CPU time of `filters.matching`, median of 7 runs)")
    say()
    say("| words | events found | CPU time |")
    say("|---|---:|---:|")
    for words, found in searched["search"].items():
        say(f"| {words} | {found['events']:,} | {found['ms']:.0f} ms |")
    say()
    first = searched["first"]
    say(f"The first search after a start also builds the search text: {first['s']:.2f} s ({first['cpu_s']:.2f} s CPU); "
        f"the process then peaks at {searched['rss_mb']:.0f} MB.")  # fmt: skip
    say()
    app_rss = "failed" if "error" in apps[0] else f"{apps[0]['rss_mb']:.0f} MB"
    slowest = max(found["ms"] for found in searched["search"].values())
    say(f"Issue 7 at {args.events:,} events: frame ready {frame_s:.2f} s, pyarrow read {read_s:.2f} s, ratio "
        f"{frame_s / read_s:.2f} x (target 3 x; in CPU time {frame_cpu / read_cpu:.2f} x); the whole app's peak RSS "
        f"{app_rss}, {searched['rss_mb']:.0f} MB once searched (target under 1,500 MB); text search at most "
        f"{slowest:.0f} ms CPU (target about 100 ms)."
    )  # fmt: skip
    say()

    if args.csv_events:
        head = json.loads(pq.read_schema(parquet).metadata[META_KEY])
        meta, sheet = folder / "meta.yaml", folder / f"synthetic-{args.csv_events}.csv"
        meta.write_text(yaml.safe_dump(head, sort_keys=False, allow_unicode=True), encoding="utf-8")
        rows = pq.read_table(parquet).slice(0, args.csv_events)
        _write_csv(rows, sheet, neutralise)
        csv_frames = [measure("frame", [meta, sheet]) for _ in range(args.repeat)]
        csv_app = measure("app", [meta, sheet])
        say(f"## Flat CSV, {args.csv_events:,} events ({sheet.stat().st_size / 1e6:.1f} MB, with a metadata YAML)")
        say()
        say("| step | time | CPU time | peak RSS |")
        say("|---|---:|---:|---:|")
        say(row("`load_frame`", csv_frames))
        say(row("the whole app", [csv_app]))
        say()
        say("Target: under 15 s.")


def _write_csv(table, path: Path, neutralise) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.column_names)
        for batch in table.to_batches(50_000):
            columns = [column.to_pylist() for column in batch.columns]
            writer.writerows([neutralise(cell) for cell in row] for row in zip(*columns, strict=True))


if __name__ == "__main__":
    main()
