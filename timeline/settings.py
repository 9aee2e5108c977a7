"""Every runtime setting, declared once: its environment variable, default, rule and meaning.

Settings are read from the environment when they are needed (`read`), never kept in module state, so every
gunicorn worker and every command sees the same values. A bad value raises `TimelineError` naming the variable
and the rule, e.g. `TIMELINE_RENDER_SLOTS: '0' is not a whole number from 1 to 64`. docs/operations.md and
docs/input-limits.md describe them for operators; a test keeps those pages in step with this table.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from limits import parse_many

from timeline.errors import TimelineError


@dataclass(frozen=True)
class Setting:
    """One setting: `parse` turns the variable's text into a value, or raises ValueError (`rule` says why)."""

    variable: str
    default: Any
    parse: Callable[[str], Any]
    rule: str
    meaning: str


def _number(kind: type, low: float, high: float) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        if not text.isascii():  # int() reads "²" and other non-ASCII digits; a setting is plain digits
            raise ValueError(text)
        value = kind(text)
        if not low <= value <= high:  # NaN fails this too
            raise ValueError(text)
        return value

    return parse


def _rate(text: str) -> str:
    if text.lower() == "off":
        return ""
    parse_many(text)  # raises ValueError for anything flask-limiter cannot read
    return text


def _text(text: str) -> str:
    return text


def _paths(text: str) -> list[str]:
    return [path for path in text.split(os.pathsep) if path]


_TEMP = Path(tempfile.gettempdir())

SETTINGS: dict[str, Setting] = {
    # The data and the site
    "data": Setting("TIMELINE_DATA", [], _paths, "file paths separated by ':'",
                    "Dataset files and folders `app.py` serves (the bundled dataset when unset)."),
    "secret_key": Setting("TIMELINE_SECRET_KEY", "", _text, "text",
                          "Secret shared by the workers (a random one per process when unset)."),
    "frame_ancestors": Setting("TIMELINE_FRAME_ANCESTORS", "*", _text, "sites separated by spaces",
                               "Sites that may frame `/embed/` (any site by default)."),
    # Input
    "max_request_bytes": Setting("TIMELINE_MAX_REQUEST_BYTES", 2 * 1024 * 1024, _number(int, 1024, 2**40),
                                 "a number of bytes from 1024 to 2**40", "Largest request body accepted."),
    "max_yaml_mb": Setting("TIMELINE_MAX_YAML_MB", 75.0, _number(float, 1e-9, math.inf), "a positive number of MB",
                           "Largest YAML dataset file loaded."),
    "max_csv_mb": Setting("TIMELINE_MAX_CSV_MB", 50.0, _number(float, 1e-9, math.inf), "a positive number of MB",
                          "Largest CSV dataset file loaded."),
    "max_parquet_mb": Setting("TIMELINE_MAX_PARQUET_MB", 1000.0, _number(float, 1e-9, math.inf),
                              "a positive number of MB", "Largest Parquet dataset file, and its rows as read, loaded."),
    # Uploads: datasets people open in the browser
    "upload_dir": Setting("TIMELINE_UPLOAD_DIR", _TEMP / "negotiation-timeline-uploads", Path, "a folder",
                          "Folder of the upload store, shared by the workers, on a disk that survives restarts."),
    "max_upload_mb": Setting("TIMELINE_MAX_UPLOAD_MB", 50.0, _number(float, 0, 2**20),
                             "a number of MB (0 turns uploads off)", "Largest file a person may upload."),
    "upload_hours": Setting("TIMELINE_UPLOAD_HOURS", 168.0, _number(float, 0.001, 24 * 3660),
                            "a number of hours from 0.001 to 87840", "How long an upload and its link are kept."),
    "upload_store_mb": Setting("TIMELINE_UPLOAD_STORE_MB", 2000.0, _number(float, 0, 2**30),
                               "a number of MB", "Size cap of the upload store (its Parquet files)."),
    # Heavy work: Chromium renders, their cache and the rate limit
    "slots": Setting("TIMELINE_RENDER_SLOTS", 1, _number(int, 1, 64), "a whole number from 1 to 64",
                     "Chromium renders at once on the machine, across workers."),
    "wait": Setting("TIMELINE_RENDER_WAIT", 0.0, _number(float, 0, 25), "a number of seconds from 0 to 25",
                    "Seconds a web request waits for a free render slot before its 503."),
    "timeout": Setting("TIMELINE_RENDER_TIMEOUT", 20.0, _number(float, 1, 3600),
                       "a number of seconds from 1 to 3600", "Seconds a web render may take in all."),
    "retry_after": Setting("TIMELINE_RENDER_RETRY_AFTER", 10, _number(int, 1, 3600),
                           "a whole number of seconds, 1 to 3600", "The Retry-After of a 503 when every slot is busy."),
    "lock_dir": Setting("TIMELINE_RENDER_LOCKS", _TEMP / "negotiation-timeline-locks", Path, "a folder",
                        "Folder of the render slots' lock files, shared by every process on the machine."),
    "cache_dir": Setting("TIMELINE_CACHE_DIR", _TEMP / "negotiation-timeline-cache", Path, "a folder",
                         "Folder of the render cache, shared by the workers."),
    "cache_mb": Setting("TIMELINE_CACHE_MB", 200.0, _number(float, 0, 2**20),
                        "a number of megabytes (0 turns the cache off)", "Size cap of the render cache."),
    "rate_limit": Setting("TIMELINE_RATELIMIT", "10 per minute", _rate, "a rate such as '10 per minute', or 'off'",
                          "Renders per client address."),
    "rate_limit_storage": Setting("TIMELINE_RATELIMIT_STORAGE", "memory://", _text, "a storage URI",
                                  "Where the rate limit's counts live (per worker in memory)."),
    "handout_max_events": Setting("TIMELINE_HANDOUT_MAX_EVENTS", 1000, _number(int, 1, 10**7),
                                  "a whole number from 1 to 10**7", "The longest handout the web serves."),
    "trusted_proxies": Setting("TIMELINE_TRUSTED_PROXIES", 0, _number(int, 0, 10), "a whole number from 0 to 10",
                               "Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed."),
}  # fmt: skip


def read(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The value of setting `name` from `environ` (the process environment by default); unset or blank keeps
    the default."""
    setting = SETTINGS[name]
    text = (os.environ if environ is None else environ).get(setting.variable, "").strip()
    if not text:
        return setting.default
    try:
        return setting.parse(text)
    except (ValueError, OverflowError):
        raise TimelineError(f"{setting.variable}: {text!r} is not {setting.rule}") from None
