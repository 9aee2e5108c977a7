"""The command line, run as a user would: in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import FIXTURES, MINI

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "timeline", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_validate_prints_a_one_line_summary():
    result = run("validate", "data/gaza-ceasefire.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: ") and result.stdout.count("\n") == 1
    assert "events, 10 actors, 8 issues, 6 phases, 2023-10-20 to 2025-03-18" in result.stdout


def test_validate_lists_every_problem_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI.read_text().replace("start: 2024-03-03", "start: 2024-13-03").replace(
        "actor: gamma, role: mediator}\n    sources", "actor: delta, role: mediator}\n    sources"))  # fmt: skip
    result = run("validate", str(bad))
    assert result.returncode == 1
    assert f'{bad}:37: events[0].start: "2024-13-03" is not a date (use YYYY-MM-DD)' in result.stderr
    assert f'{bad}:70: events[2].actors[0].actor: unknown actor "delta"' in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("args", [("validate", "no/such.yaml"), ("validate",), ("export", "x.yaml"),
                                  ("export", str(MINI), "--format", "xml", "-o", "-")])  # fmt: skip
def test_usage_errors_are_clear(args):
    result = run(*args)
    assert result.returncode != 0 and "Traceback" not in result.stderr and "Error" in result.stderr


def test_export_csv_applies_the_url_filters(tmp_path):
    out = tmp_path / "out.csv"
    result = run("export", str(MINI), "--format", "csv", "--actors", "gamma", "--from", "2024-03-05", "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["id"] for r in rows] == ["resume-expected"]
    assert "Wrote 1 events" in result.stderr


def test_export_json_has_attribution_and_events():
    result = run("export", str(MINI), "--format", "json", "--q", "truce", "-o", "-")
    data = json.loads(result.stdout)
    assert data["curator"] == "Test curator" and [e["id"] for e in data["events"]] == ["truce"]


def test_export_neutralises_spreadsheet_formulas(tmp_path):
    hostile = tmp_path / "formula.yaml"
    text = MINI.read_text().replace("title: Talks open in Gamma City", 'title: "=HYPERLINK(\\"http://x\\",\\"y\\")"')
    text = text.replace("summary: A truce held for a week.", "summary: '@SUM(1+1)'")
    text = text.replace("title: Truce holds", "title: '-2+3'").replace("title: Holiday begins", "title: '+1'")
    hostile.write_text(text)
    result = run("export", str(hostile), "--format", "csv", "-o", "-")
    assert result.returncode == 0, result.stderr
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["talks-open"]["title"] == '\'=HYPERLINK("http://x","y")'
    assert rows["truce"]["summary"] == "'@SUM(1+1)" and rows["truce"]["title"] == "'-2+3"
    assert rows["holiday-deadline"]["title"] == "'+1"
    for row in rows.values():
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values())


def test_export_refuses_an_empty_selection_and_bad_filters(tmp_path):
    out = tmp_path / "out.csv"
    empty = run("export", str(MINI), "--format", "csv", "--q", "zzz", "-o", str(out))
    assert empty.returncode == 1 and "no events match these filters" in empty.stderr and not out.exists()
    bad = run("export", str(MINI), "--format", "csv", "--actors", "zed", "-o", str(out))
    assert bad.returncode == 1 and "actors: unknown id 'zed'" in bad.stderr and not out.exists()


def test_serve_refuses_an_invalid_dataset(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI.read_text().replace("https://example.org/a", "javascript:alert(1)"))
    result = run("serve", str(bad), "--port", str(free_port()))
    assert result.returncode == 1
    assert "is not an http(s) URL" in result.stderr and "Traceback" not in result.stderr


def test_serve_serves_the_dashboard():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "timeline", "serve", str(MINI), "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        body = wait_for(f"http://127.0.0.1:{port}/")
        assert '<html lang="en">' in body and "<title>Mini talks</title>" in body
    finally:
        proc.terminate()
        proc.wait(10)


def test_console_script_is_installed():
    # Where a user who followed the README finds it: beside the venv's Python (.venv/bin/timeline), whether or
    # not that folder is on their PATH.
    script = Path(sys.executable).parent / "timeline"
    assert script.is_file(), "pip install -e . puts a `timeline` command in the environment's bin folder"
    result = subprocess.run([script, "validate", str(FIXTURES / "mini.yaml")], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("OK: 5 events")


def wait_for(url: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_synthetic_writes_a_valid_dataset(tmp_path):
    out = tmp_path / "synthetic.yaml"
    assert run("synthetic", "300", "--seed", "2", "-o", str(out)).returncode == 0
    result = run("validate", str(out))
    assert result.returncode == 0 and result.stdout.startswith("OK: 300 events, 12 actors")


def _address_space(limit: int):
    """A `preexec_fn` capping the child's memory, so a regression fails with MemoryError instead of filling the
    machine."""

    def cap() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return cap


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        # Nine levels of nine aliases: 387 million items once expanded.
        ("title: T\na0: &a0 [lol]\n" + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n"
                                               for i in range(1, 10)), 2,
         "YAML anchors and aliases (&name, *name) are not allowed in a dataset: write every value out in full"),
        ("title: T\nactors: " + "[" * 500 + "]" * 500 + "\n", 2,
         "nested more than 50 levels deep; a dataset needs no more than 5"),
    ],
)  # fmt: skip
def test_validate_refuses_hostile_yaml_in_one_line_within_bounded_memory(tmp_path, text, line, message):
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text)
    # One BLAS thread: on a many-core machine each extra thread reserves address space of its own.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-m", "timeline", "validate", str(hostile)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120,
                            preexec_fn=_address_space(1 << 30))  # fmt: skip
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"Error: dataset refused (1 problem):\n  {hostile}:{line}: {message}\n"
