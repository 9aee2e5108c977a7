"""`timeline import`: read another tool's file, validate it as a dataset, and write it in our own formats."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import click
import yaml

from timeline.data.schema import Dataset
from timeline.errors import TimelineError
from timeline.formats import flatcsv, sheet
from timeline.formats.gdelt import NEGOTIATION_ROOTS
from timeline.formats.loader import load_imported, load_imported_frame
from timeline.formats.readers import READERS, Imported, ReadOptions, host, read

OUTPUTS = (".yaml", ".yml", ".csv")
YAML_SUFFIXES = (".yaml", ".yml")


def meta_path(output: Path) -> Path:
    """Where the metadata of a flat CSV output goes: `events.csv` -> `events.meta.yaml`."""
    return output.with_name(output.stem + ".meta.yaml")


def options_from(maps: tuple[str, ...], source_url: str | None, source_publisher: str | None,
                 cameo_root: str | None) -> ReadOptions:  # fmt: skip
    """The readers' options from the command line's, or a `TimelineError` naming the wrong one."""
    columns, types = sheet.mapping(maps) if maps else ({}, {})
    if source_url is not None and not source_url.lower().startswith(("http://", "https://")):
        raise TimelineError(f"--source-url must be an http(s) URL, not {source_url!r}")
    if source_publisher is not None and source_url is None:
        raise TimelineError("--source-publisher names who published --source-url: give both")
    roots = None
    if cameo_root:
        roots = frozenset(NEGOTIATION_ROOTS if cameo_root.strip() == "negotiation" else
                          (c.strip().zfill(2) for c in cameo_root.split(",") if c.strip()))  # fmt: skip
        wrong = sorted(r for r in roots if not (r.isdigit() and 1 <= int(r) <= 20))
        if wrong or not roots:
            raise TimelineError(f"--cameo-root: {', '.join(wrong) or 'nothing'} is not a CAMEO root code (01 to 20); "
                                "give a comma-separated list such as 03,04,05 or `negotiation`")  # fmt: skip
    return ReadOptions(source_url=source_url, source_publisher=source_publisher, columns=columns, types=types,
                       cameo_roots=roots)  # fmt: skip


def import_file(source: Path, output: Path, fmt: str | None, options: ReadOptions,
                meta: dict[str, str] | None = None) -> tuple[Imported, Dataset, list[Path]]:  # fmt: skip
    """Read `source`, validate it and write it to `output` (YAML, or flat CSV and its metadata YAML); returns what
    was read, the dataset and the files written. Raises `TimelineError` (a `DatasetError` for the data)."""
    suffix = output.suffix.lower()
    writer = _writers().get(suffix)
    if writer is None:
        raise TimelineError(f"{output}: write a {', '.join(_writers())} file")
    imported = read(source, fmt, options)
    imported.meta.update({k: v for k, v in (meta or {}).items() if v})
    # Only the YAML writer needs every event as a model; the others write the checked rows and the metadata.
    if suffix in YAML_SUFFIXES:
        dataset = load_imported(imported, source)
    else:
        dataset = load_imported_frame(imported, source).dataset
    return imported, dataset, writer(imported, dataset, output, source)


def _writers() -> dict[str, Callable[[Imported, Dataset, Path, Path], list[Path]]]:
    writers: dict[str, Callable[[Imported, Dataset, Path, Path], list[Path]]] = {
        ".yaml": _write_yaml, ".yml": _write_yaml, ".csv": _write_csv,
    }  # fmt: skip
    if importlib.util.find_spec("timeline.formats.parquet") is not None:
        parquet = importlib.import_module("timeline.formats.parquet")
        if hasattr(parquet, "write_parquet"):
            writers[".parquet"] = _write_parquet
    return writers


def _banner(source: Path, dataset: Dataset) -> str:
    return (f"# Imported from {source.name} by `timeline import` on {dt.date.today()}: {len(dataset.events)} events.\n"
            "# Check titles, types, actors and dates against the sources before publishing.\n")  # fmt: skip


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)


def _head(dataset: Dataset) -> dict:
    return dataset.model_dump(mode="json", exclude_defaults=True, exclude={"events", "story"})


def _write_yaml(imported: Imported, dataset: Dataset, output: Path, source: Path) -> list[Path]:
    body = _dump({**_head(dataset), "events": [e.model_dump(mode="json", exclude_defaults=True)
                                               for e in dataset.events]})  # fmt: skip
    _write(output, _banner(source, dataset) + body)
    return [output]


def _write_csv(imported: Imported, dataset: Dataset, output: Path, source: Path) -> list[Path]:
    events = imported.events.astype(str).copy()
    for column in events.columns:  # neutralise only cells that start like a formula (decided per first character)
        first = events[column].str.slice(0, 1)
        risky = first.map({c: flatcsv.neutralise(c) != c for c in first.unique()}).astype(bool)
        if risky.any():
            events.loc[risky, column] = events.loc[risky, column].map(flatcsv.neutralise)
    _write(output, events.to_csv(index=False, columns=list(flatcsv.COLUMNS), lineterminator="\n"))
    _write(meta_path(output), _banner(source, dataset) + _dump(_head(dataset)))
    return [output, meta_path(output)]


def _write_parquet(imported: Imported, dataset: Dataset, output: Path, source: Path) -> list[Path]:
    import pyarrow as pa

    parquet = importlib.import_module("timeline.formats.parquet")
    events = imported.events.reset_index(drop=True)[list(flatcsv.COLUMNS)].astype(str)
    table = pa.Table.from_pandas(events, preserve_index=False)
    parquet.write_parquet(output, table, dataset.model_copy(update={"events": []}))
    return [output]


def _write(path: Path, text: str) -> None:
    """Write whole or not at all: a failed import never leaves half a file."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


_FORMAT_HELP = "; ".join(f"{r.name}: {r.help}" for r in READERS)


@click.command("import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice([r.name for r in READERS]),
    help=f"The source's format, if not recognised from its content. {_FORMAT_HELP}.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The dataset to write: .yaml (one editable file) or .csv (the flat CSV, plus its metadata in "
    "NAME.meta.yaml beside it).",
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="FILE|FIELD=COLUMN",
    help="Spreadsheets: a YAML mapping file (columns: {FIELD: COLUMN}, types: {THEIRS: OURS}), or which column "
    "holds which field (repeat it). Fields: " + ", ".join(sheet.FIELDS) + ".",
)
@click.option(
    "--source-url",
    metavar="URL",
    help="Cite this http(s) page (e.g. the original timeline) for events with no source link of their "
    "own; ACLED: the page to cite instead of ACLED's home page.",
)
@click.option("--source-publisher", metavar="NAME", help="Who published --source-url (default: its host name).")
@click.option(
    "--cameo-root",
    metavar="CODES",
    help="GDELT: keep only these CAMEO root codes, e.g. 03,04,05,06,08, or `negotiation` for those.",
)
@click.option("--title", help="The dataset's title (default: the source's, or the file name).")
@click.option("--curator", help="Who curates the dataset, shown in the attribution line.")
@click.option("--licence", help="The licence of the imported data.")
def import_command(source: Path, fmt: str | None, output: Path, force: bool, maps: tuple[str, ...],
                   source_url: str | None, source_publisher: str | None, cameo_root: str | None, title: str | None,
                   curator: str | None, licence: str | None) -> None:  # fmt: skip
    """Import SOURCE (TimelineJS, ACLED, GDELT or a spreadsheet, CSV or XLSX) as a validated dataset in OUTPUT.

    Every problem is listed at once, with its row and field, and nothing is written unless the whole file
    imports. What the import changed or could not map is printed as notes, then a summary: events, actors,
    unsourced events and sanitised fields.
    """
    try:
        targets = [output, meta_path(output)] if output.suffix.lower() == ".csv" else [output]
        existing = [str(p) for p in targets if p.exists()]
        if existing and not force:
            raise TimelineError(f"{', '.join(existing)} already exists; pass --force to overwrite")
        options = options_from(maps, source_url, source_publisher, cameo_root)
        meta = {"title": title or "", "curator": curator or "", "licence": licence or ""}
        imported, dataset, written = import_file(source, output, fmt, options, meta)
    except TimelineError as exc:
        raise click.ClickException(str(exc)) from None
    for line in imported.report:
        click.echo(f"note: {line}", err=True)
    click.echo(summary(imported, dataset, source, written, source_url))


def summary(imported: Imported, dataset: Dataset, source: Path, written: list[Path], source_url: str | None) -> str:
    """What the import made, in a few lines: events, actors, unsourced events and sanitised fields."""
    cited = f" (events without a link of their own cite {host(source_url)})" if source_url else ""
    return "\n".join([
        f"Imported {source} into {' and '.join(str(p) for p in written)}{cited}",
        f"  events: {len(imported.events):,}",
        f"  actors: {len(dataset.actors):,}",
        f"  phases: {len(dataset.phases):,}",
        f"  unsourced events: {imported.unsourced:,}",
        f"  sanitised fields: {imported.sanitised:,}",
    ])  # fmt: skip
