"""The dataset provider: which datasets the server serves, and the frame a request's `dataset=` names.

The served datasets are loaded and validated when the app is built, so a server never starts on partial data.
Uploads live in the upload store on disk (timeline/formats/uploads.py) and are loaded when first asked for; each
worker keeps the few it read last, and asks the store on every request whether the upload still exists, so an
expired upload is gone from every worker at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dash.exceptions import PreventUpdate

from timeline.data.frame import EventFrame
from timeline.errors import TimelineError
from timeline.formats.loader import load_frame
from timeline.formats.uploads import UploadInfo, UploadStore
from timeline.query.state import DATASET_ID, dataset_from_query

DATASET_SUFFIXES = (".yaml", ".yml", ".csv", ".parquet", ".json", ".tsv", ".txt", ".xlsx")
META_SUFFIX = ".meta.yaml"  # a flat CSV's metadata beside it: events.meta.yaml holds events.csv's
UPLOADS_KEPT = 2  # uploads each worker keeps loaded: each may be a few hundred MB of columns


class UnknownDataset(TimelineError):
    """A URL names a dataset this server does not have, or an upload that has expired."""


@dataclass(frozen=True)
class Served:
    """One dataset from the server's files: its id in URLs, and the files it is read from."""

    id: str
    paths: tuple[Path, ...]


def catalog(paths: Sequence[str | Path]) -> list[Served]:
    """The datasets that `paths` hold: each file is one, and a folder holds one per dataset file in it. A flat
    CSV and its `NAME.meta.yaml` form one dataset. Ids come from file names, made unique in order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in DATASET_SUFFIXES)
        else:
            files.append(path)
    by_stem: dict[tuple[Path, str], list[Path]] = {}
    for file in files:
        name = file.name[: -len(META_SUFFIX)] if file.name.lower().endswith(META_SUFFIX) else file.stem
        by_stem.setdefault((file.parent, name), []).append(file)
    served: list[Served] = []
    for (_, name), group in by_stem.items():
        group.sort(key=lambda p: not p.name.lower().endswith(META_SUFFIX))  # the metadata first
        served.append(Served(_unique_id(name, {s.id for s in served}), tuple(group)))
    return served


def _unique_id(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-_")[:60] or "dataset"
    base = base if DATASET_ID.fullmatch(base) else f"d-{base}"
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


class Datasets:
    """The served datasets, loaded once, and the uploads in `store` (None: this server takes no uploads)."""

    def __init__(self, served: Iterable[tuple[str, EventFrame]], store: UploadStore | None = None) -> None:
        self.served: dict[str, EventFrame] = dict(served)
        if not self.served:
            raise ValueError("a server needs at least one dataset")
        self.default_id = next(iter(self.served))
        self.store = store
        self._load_upload = functools.lru_cache(maxsize=UPLOADS_KEPT)(self._read_upload)

    @classmethod
    def from_paths(cls, paths: Sequence[str | Path] | None, store: UploadStore | None = None) -> Datasets:
        """Every dataset in `paths` (the bundled one when None), each validated; raises `DatasetError` for the
        first invalid one."""
        if not paths:
            return cls([("bundled", load_frame(None))], store)
        return cls([(s.id, load_frame(list(s.paths))) for s in catalog(paths)], store)

    @property
    def default(self) -> EventFrame:
        return self.served[self.default_id]

    def frame(self, dataset_id: str) -> EventFrame:
        """The frame of `dataset_id` ("" for the default dataset); raises `UnknownDataset`."""
        if not dataset_id:
            return self.default
        if dataset_id in self.served:
            return self.served[dataset_id]
        path = self.store.dataset_path(dataset_id) if self.store else None
        if path is None:
            raise UnknownDataset(f"no dataset {dataset_id!r} here: the link may be mistyped, or the upload expired")
        return self._load_upload(dataset_id, path)

    def for_query(self, query: str) -> EventFrame:
        """The frame of the dataset a URL query string names; raises `UnknownDataset`."""
        return self.frame(dataset_from_query(query))

    def for_callback(self, search: str) -> EventFrame:
        """The frame of the dataset a page's URL names, for a callback of that page. When the dataset is gone (an
        upload that expired while the page was open; its page answers 404, app.py), the callback changes nothing."""
        try:
            return self.for_query(search)
        except UnknownDataset:
            raise PreventUpdate from None

    def upload(self, dataset_id: str) -> UploadInfo | None:
        """The upload's record when `dataset_id` names a live upload."""
        return self.store.info(dataset_id) if self.store and dataset_id not in self.served else None

    def choices(self) -> list[tuple[str, str]]:
        """(id, title) of each served dataset, for the picker."""
        return [(dataset_id, frame.dataset.title) for dataset_id, frame in self.served.items()]

    def id_in_urls(self, dataset_id: str) -> str:
        """What `dataset=` holds for `dataset_id`: nothing for the default dataset."""
        return "" if dataset_id == self.default_id else dataset_id

    @staticmethod
    def _read_upload(dataset_id: str, path: Path) -> EventFrame:
        return load_frame([path])
