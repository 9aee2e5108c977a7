"""Benchmark `timeline import` of a large ACLED export: read, validate and write, in CPU and wall seconds.

Run: python tests/benchmarks/bench_import.py [--rows 100000] [--keep FILE.csv]

The rows are ACLED-shaped: the sample export in tests/fixtures/readers/acled.csv repeated with a new event id, a
new day (over eight years), its notes varied and its actors drawn from a pool of 60, so that the import sees about
as many distinct dates, actors and texts as a real country export has. Then, in this process:

1. read: the ACLED reader turns the CSV into flat rows (`readers.read`);
2. validate: the loader's checks, then the frame (`load_imported_frame`), as an upload does, or the models
   (`load_imported`), as `timeline import` does;
3. write: the flat CSV and its metadata (`timeline import … -o out.csv`, the whole command, in a child process).

Prints one Markdown table. Not a pytest test.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "tests" / "fixtures" / "readers" / "acled.csv"


def acled_rows(path: Path, rows: int, seed: int = 0) -> None:
    """Write `rows` ACLED-shaped rows to `path`."""
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, sample = reader.fieldnames, list(reader)
    pick = random.Random(seed)
    actors = [f"Armed Group {n:02d}" for n in range(60)]
    first = dt.date(2017, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for n in range(rows):
            row = dict(sample[n % len(sample)])
            day = first + dt.timedelta(days=pick.randrange(8 * 365))
            row.update({
                "event_id_cnty": f"XPL{n + 1:07d}", "event_date": day.isoformat(), "year": str(day.year),
                "actor1": pick.choice(actors), "actor2": pick.choice(actors) if pick.random() < 0.7 else "",
                "notes": f"On {day:%-d %B %Y}, {row['notes']} (report {n})", "timestamp": "1709856000",
            })  # fmt: skip
            writer.writerow(row)


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def timed(work):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the ACLED file here and keep it")
    args = parser.parse_args()
    from timeline.formats import readers
    from timeline.formats.loader import load_imported, load_imported_frame

    with tempfile.TemporaryDirectory() as folder:
        source = args.keep or Path(folder) / "acled.csv"
        _, wall, cpu = timed(lambda: acled_rows(source, args.rows))
        size = source.stat().st_size / 1e6
        imported, read_wall, read_cpu = timed(lambda: readers.read(source))
        frame, check_wall, check_cpu = timed(lambda: load_imported_frame(imported, source))
        _, model_wall, model_cpu = timed(lambda: load_imported(imported, source))
        out = Path(folder) / "out.csv"
        command = [sys.executable, "-m", "timeline", "import", str(source), "-o", str(out)]
        result, all_wall, _ = timed(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, text=True))
        if result.returncode:
            sys.exit(result.stderr)
        say(f"| {args.rows:,} ACLED-shaped rows, {size:.0f} MB | CPU s | wall s |")
        say("|---|---:|---:|")
        say(f"| read (ACLED reader) | {read_cpu:.1f} | {read_wall:.1f} |")
        say(f"| validate and tabulate (an upload, `load_imported_frame`) | {check_cpu:.1f} | {check_wall:.1f} |")
        say(f"| validate as models (`timeline import`, `load_imported`) | {model_cpu:.1f} | {model_wall:.1f} |")
        say(f"| `timeline import -o out.csv`, the whole command | — | {all_wall:.1f} |")
        say(f"\n{len(frame.events):,} events imported; {int(frame.events['unsourced'].sum()):,} unsourced.")
        say(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "")


if __name__ == "__main__":
    main()
