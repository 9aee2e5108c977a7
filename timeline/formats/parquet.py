"""Parquet datasets: the flat columns of `flat.COLUMNS` as rows, and the dataset's metadata (title, actors,
issues, phases, story…) as JSON in the file's key-value metadata, so that one file holds a whole dataset.

Every column holds text, as the cells of a CSV file do: dates as `YYYY-MM-DD`, multi-valued cells separated by
`;`. `start` and `end` may also be Parquet dates. A null is an empty cell. A Parquet file of events alone can be
loaded with a YAML file that holds the metadata, as a CSV file can.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from timeline.data.flat import COLUMNS, REPEATED, complete
from timeline.data.schema import Dataset

META_KEY = b"timeline.dataset"
MAX_META_BYTES = 10_000_000  # a curated dataset's metadata is a few kB; this bounds what a hostile file can hold
DATE_COLUMNS = ("start", "end")


class ParquetRefused(Exception):
    """A file that cannot be read as a dataset, and why."""


def metadata_json(head: Dataset) -> str:
    """The dataset's metadata (everything but its events) as the JSON the file carries."""
    return json.dumps(head.model_dump(mode="json", exclude={"events"}, exclude_none=True), ensure_ascii=False)


def write_parquet(path: str | Path, table: pa.Table, head: Dataset | None = None) -> None:
    """Write a flat events table, with the dataset's metadata unless `head` is None."""
    table = complete(table)
    if head is not None:
        table = table.replace_schema_metadata({META_KEY: metadata_json(head).encode("utf-8")})
    pq.write_table(table, path, compression="zstd")


def parquet_layout(path: Path) -> pq.ParquetFile:
    """The file opened for reading, or `ParquetRefused`."""
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise ParquetRefused(f"is not a Parquet file ({' '.join(str(exc).split())[:200]})") from None


def uncompressed_bytes(file: pq.ParquetFile) -> int:
    """What the file's rows take once read, as its own metadata states it."""
    meta = file.metadata
    return sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))


def read_parquet(path: Path, file: pq.ParquetFile) -> tuple[dict[str, Any], pa.Table]:
    """The metadata of `path` (an empty mapping when it holds none) and the rows of its columns that `flat.COLUMNS`
    names. `file` is `path` as `parquet_layout` opened it. Raises `ParquetRefused` for a file that cannot be read
    as a dataset."""
    schema = file.schema_arrow
    names = schema.names
    if len(set(names)) != len(names):
        raise ParquetRefused("holds two columns of the same name")
    for field in schema:
        if field.name in COLUMNS and not _readable(field):
            raise ParquetRefused(f"column {field.name} holds {field.type}; every column holds text"
                                 + (" (or a date)" if field.name in DATE_COLUMNS else ""))  # fmt: skip
    meta = _metadata(schema.metadata or {})
    known = [n for n in names if n in COLUMNS]
    text = [n for n in known if n in REPEATED and not pa.types.is_date(schema.field(n).type)]
    try:
        rows = pq.ParquetFile(path, metadata=file.metadata, read_dictionary=text)
        table = rows.read(columns=known)
    except (pa.ArrowException, OSError) as exc:
        raise ParquetRefused(f"cannot be read ({' '.join(str(exc).split())[:200]})") from None
    return meta, table


def _readable(field: pa.Field) -> bool:
    kind = field.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if field.name in DATE_COLUMNS and (pa.types.is_date(kind) or pa.types.is_null(kind)):
        return True
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind)


def _metadata(metadata: dict[bytes, bytes]) -> dict[str, Any]:
    raw = metadata.get(META_KEY)
    if raw is None:
        return {}
    if len(raw) > MAX_META_BYTES:
        raise ParquetRefused(f"its metadata is {len(raw):,} bytes, over the {MAX_META_BYTES:,} a dataset may hold")
    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_twice)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise ParquetRefused(f"its metadata ({META_KEY.decode()}) is not JSON: {detail}") from None
    if not isinstance(data, dict):
        raise ParquetRefused(f"its metadata ({META_KEY.decode()}) must be a JSON object with keys such as title, "
                             "actors and issues")  # fmt: skip
    return data


def _no_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    twice = next((k for k in keys if keys.count(k) > 1), None)
    if twice is not None:
        raise ValueError(f"the key {json.dumps(twice)[:80]} appears twice in the same object")
    return dict(pairs)
