"""The command line: `timeline validate | audit | serve | export`, also as `python -m timeline`."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

import click
import pyarrow.compute as pc

from timeline.errors import DatasetError, TimelineError
from timeline.formats.importing import import_command
from timeline.formats.loader import load_frame
from timeline.query.filters import shown
from timeline.query.state import filters_from_params
from timeline.render.export import FORMATS, ImageOptions, export_events


def app_or_exit(paths: Sequence[str] | None, *, exit_code: int = 1):
    """The Dash app for `paths`, or exit with `exit_code` and the dataset's (or a setting's) problems, no
    traceback."""
    from timeline.web.app import create_app

    try:
        return create_app(paths)
    except TimelineError as exc:
        click.echo(str(exc), err=True)
        sys.exit(exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="negotiation-timeline")
def main() -> None:
    """Turn curated, cited records of a negotiation into an interactive timeline."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check dataset files (YAML, flat CSV or Parquet) and print a one-line summary, or every problem."""
    try:
        frame = load_frame(paths)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    data, table = frame.dataset, frame.table
    if table.num_rows:
        last = pc.if_else(pc.equal(table["end"].cast("string"), ""), table["start"].cast("string"), table["end"])
        span = f"{pc.min(table['start'].cast('string')).as_py()} to {pc.max(last.cast('string')).as_py()}"
    else:
        span = "no dates"
    click.echo(f"OK: {table.num_rows} events, {len(data.actors)} actors, {len(data.issues)} issues, "
               f"{len(data.phases)} phases, {span}")  # fmt: skip


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def audit(paths: tuple[Path, ...]) -> None:
    """Check PATHS against the curation rules; exit 1 if any is broken (warnings alone exit 0)."""
    from timeline.query.audit import ERROR, audit_paths, report

    findings, data = audit_paths(paths)
    click.echo(report(findings, data))
    if any(f.severity == ERROR for f in findings):
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8050, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
def serve(paths: tuple[Path, ...], host: str, port: int) -> None:
    """Serve the dashboard for PATHS (the bundled dataset if none)."""
    app = app_or_exit([str(p) for p in paths] or None)
    click.echo(f"Serving {app.title} at http://{host}:{port}/", err=True)
    app.run(host=host, port=port, debug=False)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Output format.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write ('-' for standard output).",
)
@click.option("--actors", default="", help="Comma-separated actor ids: events involving any of them.")
@click.option("--types", default="", help="Comma-separated event type ids.")
@click.option("--issues", default="", help="Comma-separated issue ids.")
@click.option("--from", "date_from", default="", help="Events on or after this date (YYYY-MM-DD).")
@click.option("--to", "date_to", default="", help="Events on or before this date (YYYY-MM-DD).")
@click.option("--q", default="", help="Words that must all appear in the title, summary or quote.")
@click.option("--asof", default="", help="As known on this date (YYYY-MM-DD): only what the sources had published.")
@click.option(
    "--width",
    default=1600,
    show_default=True,
    type=click.IntRange(320, 10000),
    help="png/svg/pdf: width in CSS pixels.",
)
@click.option(
    "--scale",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0.5, 8),
    help="png: device pixels per CSS pixel (2 gives 3200 px across at the default width).",
)
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True, help="handout: paper.")
@click.option(
    "--plotlyjs-url",
    default=None,
    metavar="URL",
    help="html: load plotly.js from this http(s) URL instead of inlining it (a much smaller file).",
)
def export(paths: tuple[Path, ...], fmt: str, output: Path, width: int, scale: float, paper: str,
           plotlyjs_url: str | None, **params: str) -> None:  # fmt: skip
    """Write the events of PATHS that pass the filters (the URL parameters' names and meaning).

    Formats: csv and json (the events), html (a standalone page that works offline), png, svg and pdf (the
    chart, drawn by Chromium), timelinejs (TimelineJS3 JSON), handout (a printable PDF with sources and glossary).
    """
    if plotlyjs_url and (fmt != "html" or not plotlyjs_url.startswith(("https://", "http://"))):
        raise click.BadParameter("needs --format html and an http(s) URL", param_hint="--plotlyjs-url")
    try:
        frame = load_frame(paths)
        params["from"], params["to"] = params.pop("date_from"), params.pop("date_to")
        filters = filters_from_params(params, frame, strict=True)
        view = shown(frame, filters)
        frame, positions = view.frame, view.positions
        if view.date:
            click.echo(view.banner(), err=True)
        if not len(positions):
            raise TimelineError("no events match these filters; nothing was written")
        if fmt in ("png", "svg", "pdf", "handout"):
            click.echo(f"Drawing {len(positions)} events as {fmt.upper()} in Chromium…", err=True)
        body = export_events(frame, positions, fmt, filters=filters, image=ImageOptions(width, scale, paper),
                             plotlyjs_url=plotlyjs_url, note=view.banner())  # fmt: skip
    except TimelineError as exc:
        raise click.ClickException(str(exc)) from None
    if str(output) == "-":
        click.get_binary_stream("stdout").write(body)
    else:
        output.write_bytes(body)
        click.echo(f"Wrote {len(positions)} events to {output} ({len(body):,} bytes)", err=True)


@main.command()
@click.option(
    "--write",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Update the reference inside this Markdown file (between its schema markers).",
)
def schema(write: Path | None) -> None:
    """Print the schema reference in Markdown, generated from the code."""
    from timeline.formats.reference import BEGIN, embed, schema_markdown

    if write is None:
        click.echo(schema_markdown())
        return
    text = write.read_text(encoding="utf-8")
    if BEGIN not in text:
        raise click.ClickException(f"{write}: no schema markers found")
    write.write_text(embed(text), encoding="utf-8")
    click.echo(f"Updated the schema reference in {write}", err=True)


@main.command()
@click.argument("events", type=click.IntRange(1, 2_000_000))
@click.option("--seed", default=0, show_default=True, help="Random seed; the same seed gives the same dataset.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write: .parquet for Parquet, else YAML ('-' for standard output).")  # fmt: skip
def synthetic(events: int, seed: int, output: Path) -> None:
    """Write a synthetic dataset of EVENTS events, for trying the tool at scale."""
    started = time.perf_counter()
    if output.suffix.lower() == ".parquet":
        from timeline.data.synthetic import synthetic_table
        from timeline.formats.parquet import write_parquet

        head, table = synthetic_table(events, seed=seed)
        write_parquet(output, table, head)
    else:
        from timeline.data.synthetic import synthetic_yaml

        text = synthetic_yaml(events, seed=seed)
        if str(output) == "-":
            click.echo(text, nl=False)
            return
        output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {events:,} synthetic events to {output} in {time.perf_counter() - started:.1f} s", err=True)


main.add_command(import_command)
