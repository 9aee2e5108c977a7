"""Helpers for the load scripts: run `gunicorn app:server` on a loopback port, and measure its process tree."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    pid: int  # gunicorn's master


@contextlib.contextmanager
def gunicorn(workers: int = 2, env: Mapping[str, str] | None = None, *, port: int | None = None,
             extra: tuple[str, ...] = ()) -> Iterator[Server]:  # fmt: skip
    """`gunicorn -w <workers> app:server` on 127.0.0.1, with its own render locks and cache unless `env` names
    them; stopped (and its process group killed) on exit."""
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="timeline-load-") as scratch:
        settings = {
            "TIMELINE_RENDER_LOCKS": f"{scratch}/locks",
            "TIMELINE_CACHE_DIR": f"{scratch}/cache",
            "TIMELINE_SECRET_KEY": "load-test-only",
            **(env or {}),
        }
        command = [str(GUNICORN), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                   *extra, "app:server"]  # fmt: skip
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **settings}, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for(url + "/", process)
            yield Server(url, process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
            with contextlib.suppress(ProcessLookupError):  # Chromium left behind by a killed worker
                os.killpg(process.pid, signal.SIGKILL)


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as response:
            response.read()
            return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def workers(master: int) -> list[int]:
    """The gunicorn workers: the master's direct children."""
    return [pid for pid in tree(master) if _parent(pid) == master]


def tree(root: int) -> list[int]:
    """`root` and every process descended from it (workers, and the Chromium they start)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _parent(int(entry))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def memory(root: int) -> tuple[int, int, int]:
    """(processes, summed RSS, summed PSS) of the tree in bytes. RSS counts shared pages in every process that
    maps them, so the sum overstates; PSS divides shared pages among their users, so its sum is the tree's share
    of physical memory."""
    rss = pss = count = 0
    for pid in tree(root):
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
            count += 1
    return count, rss, pss
