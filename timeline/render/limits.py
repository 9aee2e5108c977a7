"""Bounds on the heavy work, without Flask: render slots shared by every process, a time budget, a render cache on
disk, and the settings for them and for the rate limit (`guard` applies them to the web routes).

Every PNG, SVG, PDF and handout is drawn by a Chromium that takes seconds of CPU and hundreds of MB. So:

- **Render slots.** At most `TIMELINE_RENDER_SLOTS` Chromium renders run at once on the machine, whatever the
  number of gunicorn workers: a slot is an exclusive `flock` on `slot-<n>.lock` in `TIMELINE_RENDER_LOCKS`. The
  kernel releases it when its holder exits, even by SIGKILL. A web request that finds no free slot within
  `TIMELINE_RENDER_WAIT` seconds gets `503` with `Retry-After`; the command line waits its turn.
- **A time budget.** A web render gives up after `TIMELINE_RENDER_TIMEOUT` seconds (below gunicorn's 30 s worker
  timeout), and a handout holds at most `TIMELINE_HANDOUT_MAX_EVENTS` events on the web.
- **A render cache** in `TIMELINE_CACHE_DIR`, keyed by the dataset's content, the code and the view, at most
  `TIMELINE_CACHE_MB` megabytes (least recently used entries go first), shared by the workers.
- **A rate limit** per client address on the rendering routes (`TIMELINE_RATELIMIT`, stored in
  `TIMELINE_RATELIMIT_STORAGE`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.metadata
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from timeline.data.frame import EventFrame
from timeline.errors import TimelineError
from timeline.settings import SETTINGS, read

POLL_SECONDS = 0.05  # how often a waiting request looks for a free slot
PACKAGE = Path(__file__).resolve().parents[1]
STALE_SECONDS = 600  # a cache temporary file this old was left by a killed writer


class RenderBusy(TimelineError):
    """Every render slot stayed busy for as long as the caller was willing to wait."""


@dataclass(frozen=True)
class RenderSettings:
    """The bounds, each a setting declared in `settings`; `from_env` reads them all."""

    slots: int = SETTINGS["slots"].default
    wait: float = SETTINGS["wait"].default
    timeout: float = SETTINGS["timeout"].default
    retry_after: int = SETTINGS["retry_after"].default
    lock_dir: Path = SETTINGS["lock_dir"].default
    cache_dir: Path = SETTINGS["cache_dir"].default
    cache_mb: float = SETTINGS["cache_mb"].default
    rate_limit: str = SETTINGS["rate_limit"].default
    rate_limit_storage: str = SETTINGS["rate_limit_storage"].default
    handout_max_events: int = SETTINGS["handout_max_events"].default
    trusted_proxies: int = SETTINGS["trusted_proxies"].default

    @property
    def cache_bytes(self) -> int:
        return int(self.cache_mb * 2**20)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RenderSettings:
        """Settings from the environment; a missing or empty variable keeps the default. A bad value raises
        `TimelineError` naming the variable and the rule."""
        return cls(**{field.name: read(field.name, environ) for field in dataclasses.fields(cls)})


# The deadline of the render this context holds a slot for (monotonic seconds; inf without one). A context
# variable, not shared state: each request, thread and process sees only its own, so renderers called inside a
# guarded request know that they already hold a slot and how long they may take.
_HOLDING: ContextVar[float | None] = ContextVar("timeline_render_deadline", default=None)


@dataclass(frozen=True)
class RenderGate:
    """`slots` render slots shared by every process that uses the same `folder`."""

    folder: Path
    slots: int = 1

    @contextlib.contextmanager
    def hold(self, *, wait: float | None, deadline: float | None = None) -> Iterator[None]:
        """Hold a slot for the block; wait at most `wait` seconds for one (None: as long as it takes), else
        raise `RenderBusy`. Renderers inside the block may run until `deadline` (`time.monotonic()`).
        Re-entrant: inside a block that already holds a slot, this holds nothing more."""
        if _HOLDING.get() is not None:
            yield
            return
        lock = self._acquire(wait)
        token = _HOLDING.set(deadline if deadline is not None else float("inf"))
        try:
            yield
        finally:
            _HOLDING.reset(token)
            lock.release()

    def _acquire(self, wait: float | None) -> FileLock:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TimelineError(f"cannot create the render lock folder {self.folder}: {exc.strerror}") from None
        give_up = None if wait is None else time.monotonic() + wait
        while True:
            for slot in range(self.slots):
                lock = FileLock(self.folder / f"slot-{slot}.lock")
                try:
                    lock.acquire(timeout=0)
                    return lock
                except Timeout:
                    continue
            if give_up is not None and time.monotonic() >= give_up:
                raise RenderBusy(
                    "the render slot is busy" if self.slots == 1 else f"all {self.slots} render slots are busy"
                )
            time.sleep(POLL_SECONDS)


def render_slot() -> contextlib.AbstractContextManager[None]:
    """The slot for one Chromium render: nothing more inside a guarded web request (which holds one already),
    else a slot of the gate the environment configures, waited for as long as it takes (the command line)."""
    if _HOLDING.get() is not None:
        return contextlib.nullcontext()
    settings = RenderSettings.from_env()
    return RenderGate(settings.lock_dir, settings.slots).hold(wait=None)


def time_left(default: float) -> float:
    """Seconds the current render may still take: what is left of a web request's budget, else `default`.
    Raises `TimelineError` when the budget is spent."""
    deadline = _HOLDING.get()
    if deadline is None or deadline == float("inf"):
        return default
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimelineError("the render ran out of time; narrow the filters, or export it with the command line")
    return min(left, default)


@dataclass(frozen=True)
class Rendered:
    """A rendered file and the headers that describe it."""

    body: bytes
    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RenderCache:
    """Rendered files on disk, shared by every process that uses `folder`, at most `max_bytes` in all.

    An entry is one file: a JSON line of headers, then the body. It is written to a temporary file and renamed,
    so a reader sees a whole entry or none. Reading an entry marks it as recently used."""

    folder: Path
    max_bytes: int

    @staticmethod
    def key(version: str, view: Mapping[str, object]) -> str:
        """The entry name for a dataset version and a normalised view."""
        text = json.dumps({"version": version, "view": view}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str) -> Rendered | None:
        path = self.folder / f"{key}.entry"
        try:
            with path.open("rb") as file:
                headers = json.loads(file.readline())
                body = file.read()
            os.utime(path)
        except (OSError, ValueError):  # missing, evicted meanwhile, or not an entry: render again
            return None
        if not isinstance(headers, list) or not all(isinstance(h, list) and len(h) == 2 for h in headers):
            return None
        return Rendered(body, tuple((str(k), str(v)) for k, v in headers))

    def put(self, key: str, rendered: Rendered) -> None:
        """Store `rendered` (unless it alone exceeds the cap), then evict the oldest entries beyond the cap."""
        size = len(rendered.body)
        if size > self.max_bytes:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{key[:16]}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(json.dumps([list(h) for h in rendered.headers]).encode() + b"\n")
                file.write(rendered.body)
            os.replace(temporary, self.folder / f"{key}.entry")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        self.evict()

    def evict(self) -> None:
        """Delete the least recently used entries until the rest fit in `max_bytes`, and what writers killed
        mid-write left behind."""
        entries = []
        for path in self.folder.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < time.time() - STALE_SECONDS:
                    path.unlink()
        for path in self.folder.glob("*.entry"):
            with contextlib.suppress(OSError):  # another worker may evict at the same moment
                stat = path.stat()
                entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries, key=lambda e: e[0]):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
            total -= size


def dataset_version(frame: EventFrame) -> str:
    """A digest of the validated dataset: any change to its content gives a new version, and new cache keys."""
    return frame.version


def code_version(package: Path = PACKAGE) -> str:
    """A digest of this package's files (code, templates, vendored plotly.js) and of the versions of the libraries
    that draw, so that a new release never serves a file drawn by the old one from the cache."""
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for library in ("plotly", "kaleido", "dash"):
        digest.update(f"{library}=={importlib.metadata.version(library)}".encode())
    return digest.hexdigest()
