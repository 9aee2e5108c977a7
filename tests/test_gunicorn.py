"""`gunicorn -w 2 app:server`, run as the README says: an invalid dataset stops it at once; a valid one is served."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .conftest import MINI
from .test_cli import ROOT, free_port, wait_for

GUNICORN = Path(sys.executable).parent / "gunicorn"
COMMAND = [str(GUNICORN), "-w", "2", "app:server"]  # exactly the README's command


def _env(data: Path, port: int) -> dict[str, str]:
    # The port through gunicorn's environment variable, so that the command line stays the README's.
    return {**os.environ, "TIMELINE_DATA": str(data), "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}"}


def _bad_dataset(tmp_path: Path) -> Path:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI.read_text().replace("type: ceasefire_start", "type: truce"))
    return bad


def test_an_invalid_dataset_stops_gunicorn_with_its_problems_printed_once(tmp_path):
    started = time.monotonic()
    result = subprocess.run(COMMAND, cwd=ROOT, env=_env(_bad_dataset(tmp_path), free_port()), capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    elapsed = time.monotonic() - started
    assert result.returncode != 0
    assert elapsed < 10, f"gunicorn took {elapsed:.1f} s to give up"
    assert result.stderr.count('events[4].type: "truce" is not one of') == 1, result.stderr
    assert result.stderr.count("dataset refused") == 1
    assert "Traceback" not in result.stderr and "Booting worker" not in result.stderr, "refused before any fork"


def test_without_preloading_a_worker_that_cannot_boot_still_stops_gunicorn(tmp_path):
    # Another configuration file (here an empty one) turns preloading off: each worker loads the data itself. A
    # worker that fails exits with gunicorn's boot-error status, which stops the master instead of respawning.
    empty = tmp_path / "gunicorn.conf.py"
    empty.write_text("")
    command = [str(GUNICORN), "-c", str(empty), "-w", "1", "app:server"]
    result = subprocess.run(command, cwd=ROOT, env=_env(_bad_dataset(tmp_path), free_port()), capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "dataset refused" in result.stderr and result.stderr.count("Booting worker") == 1


def test_a_valid_dataset_is_served_by_two_workers():
    port = free_port()
    proc = subprocess.Popen(COMMAND, cwd=ROOT, env=_env(MINI, port), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        body = wait_for(f"http://127.0.0.1:{port}/")
        assert "<title>Mini talks</title>" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=30) as response:
            assert response.status == 200
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
    assert stderr.count("Booting worker") == 2, stderr


def _upload(port: int, path: Path) -> str:
    """POST `path` to /upload as the dashboard's form does; the dataset's link."""
    boundary = "----timeline-test"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n")  # fmt: skip
    body = head.encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/upload", data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["url"]


def _serve(port: int, uploads: Path) -> subprocess.Popen:
    env = {**_env(MINI, port), "TIMELINE_UPLOAD_DIR": str(uploads)}
    proc = subprocess.Popen(COMMAND, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(f"http://127.0.0.1:{port}/")
    return proc


def test_an_upload_is_served_by_every_worker_and_after_a_restart(tmp_path):
    uploads, port = tmp_path / "uploads", free_port()
    proc = _serve(port, uploads)
    try:
        url = _upload(port, ROOT / "tests" / "fixtures" / "readers" / "timelinejs.json")
        # Many requests, so both workers answer some: each must find the upload on disk.
        for _ in range(12):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/embed/{url[1:]}", timeout=30) as response:
                assert response.status == 200 and "Harbour talks 2024" in response.read().decode()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    proc = _serve(port, uploads)  # a restart: nothing of the upload lived in a process
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/handout/{url[1:]}", timeout=30) as response:
            assert response.status == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
