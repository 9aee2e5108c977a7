"""The upload store: datasets people open in the browser, kept on disk under unguessable ids until they expire.

Each upload is a folder `<root>/<id>/` holding the validated dataset as Parquet (`dataset.parquet`, with its
metadata) and `upload.json` (when it was stored, when it expires, the file's name and its size). A folder is
written under a temporary name and renamed into place, so a reader in another worker or process sees a whole
upload or none. Nothing is kept in memory: every gunicorn worker, and the server after a restart, sees the same
uploads. An id is 128 random bits (`secrets`): it is the only way to reach an upload, so it is never listed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from timeline.data.frame import EventFrame
from timeline.errors import TimelineError
from timeline.formats.parquet import write_parquet

DATASET_FILE = "dataset.parquet"
INFO_FILE = "upload.json"
PREFIX = "u"  # upload ids start with it, so they never look like a served file's name
UPLOAD_ID = re.compile(rf"{PREFIX}[0-9a-f]{{32}}")
PENDING = ".pending-"


class StoreFull(TimelineError):
    """The store holds as much as it may; nothing new is stored until uploads expire."""


@dataclass(frozen=True)
class UploadInfo:
    """What the store knows of one upload."""

    id: str
    name: str  # the uploaded file's name, as the person's computer gave it
    size: int  # its bytes
    stored: float  # epoch seconds
    expires: float

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expires


class UploadStore:
    """Uploads in `root`, each kept `ttl_seconds`; the store holds at most `max_bytes` of Parquet in all."""

    def __init__(self, root: Path, *, ttl_seconds: float, max_bytes: int) -> None:
        self.root, self.ttl_seconds, self.max_bytes = Path(root), ttl_seconds, max_bytes

    def put(self, frame: EventFrame, *, name: str, size: int) -> UploadInfo:
        """Store a validated dataset; its new id is in the result. Raises `StoreFull` when there is no room."""
        self.sweep()
        self._make_root()
        upload_id = PREFIX + secrets.token_hex(16)
        pending = self.root / f"{PENDING}{upload_id}"
        pending.mkdir()
        try:
            write_parquet(pending / DATASET_FILE, frame.table, frame.dataset)
            if self.used_bytes() + (pending / DATASET_FILE).stat().st_size > self.max_bytes:
                raise StoreFull("the upload store is full: try again later, or ask the site's operator for room")
            now = time.time()
            info = UploadInfo(upload_id, name, size, now, now + self.ttl_seconds)
            (pending / INFO_FILE).write_text(json.dumps(asdict(info)), encoding="utf-8")
            os.replace(pending, self.root / upload_id)
        finally:
            shutil.rmtree(pending, ignore_errors=True)
        return info

    def info(self, upload_id: str) -> UploadInfo | None:
        """The upload's record, or None when there is no such upload or it has expired."""
        if not UPLOAD_ID.fullmatch(upload_id):
            return None
        try:
            info = UploadInfo(**json.loads((self.root / upload_id / INFO_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None
        return None if info.expired() else info

    def dataset_path(self, upload_id: str) -> Path | None:
        """The upload's Parquet file, or None when there is no such upload or it has expired."""
        return self.root / upload_id / DATASET_FILE if self.info(upload_id) else None

    def used_bytes(self) -> int:
        """The bytes of every stored upload's Parquet file."""
        total = 0
        for path in self._stored():
            with contextlib.suppress(FileNotFoundError):  # another worker may be deleting it
                total += path.stat().st_size
        return total

    def sweep(self, now: float | None = None) -> int:
        """Delete expired uploads and leftovers of interrupted ones; returns how many uploads were deleted."""
        now = time.time() if now is None else now
        deleted = 0
        if not self.root.is_dir():
            return 0
        for folder in self.root.iterdir():
            try:  # another worker may rename or delete any of these while this one looks
                if folder.name.startswith(PENDING):
                    if now - folder.stat().st_mtime > 3600:  # another worker may be writing it right now
                        shutil.rmtree(folder, ignore_errors=True)
                    continue
                if not UPLOAD_ID.fullmatch(folder.name):
                    continue
                try:
                    expires = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))["expires"]
                except (OSError, ValueError, KeyError, TypeError):
                    expires = folder.stat().st_mtime + self.ttl_seconds  # an unreadable record: keep it its term
            except FileNotFoundError:
                continue
            if now >= expires:
                shutil.rmtree(folder, ignore_errors=True)
                deleted += 1
        return deleted

    def _make_root(self) -> None:
        """The store's folder, readable by this user alone: uploads are private, and `/tmp` is shared."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.root.stat().st_uid == os.getuid():
            self.root.chmod(0o700)

    def _stored(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [folder / DATASET_FILE for folder in self.root.iterdir() if UPLOAD_ID.fullmatch(folder.name)]
