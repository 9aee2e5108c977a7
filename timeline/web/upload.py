"""Open your data: `POST /upload` takes one file in any format the loader reads, checks it as `timeline validate`
does, and stores it in the upload store under a new unguessable id; the answer is the dashboard's link to it.

The dashboard's form (`upload_panel`) posts the file with a progress bar and shows every problem in the page
(assets/dashboard.js asks for JSON); without the script, the browser gets the same answer as a page of its own.
A file over `TIMELINE_MAX_UPLOAD_MB` is refused before it is read, and one that is malformed, or an XLSX zip bomb,
gets the loader's messages, each naming its row and field, with the file called by the name it was sent under.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

import flask
from dash import html
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from timeline import settings
from timeline.data.frame import EventFrame
from timeline.errors import DatasetError, TimelineError
from timeline.formats import readers
from timeline.formats.importing import options_from
from timeline.formats.loader import load_frame, load_imported_frame
from timeline.formats.parquet import ParquetRefused, parquet_layout, uncompressed_bytes
from timeline.formats.uploads import StoreFull, UploadInfo
from timeline.text.eventhtml import render
from timeline.web import ids
from timeline.web.datasets import DATASET_SUFFIXES, Datasets

ROUTE = "/upload"
ENDPOINT = "timeline_upload"
FIELD = "file"
MAPPING_FIELD = "mapping"  # optional: a spreadsheet's column mapping, as `timeline import --map` reads it
MAPPING_SUFFIXES = (".yaml", ".yml")
MAX_MAPPING_BYTES = 64 * 1024
PARQUET_EXPANSION = 8  # an uploaded Parquet file's rows may take this many times the upload limit once read
ACCEPT = ",".join(DATASET_SUFFIXES)
MAX_PROBLEMS_SHOWN = 200  # a file with more gets a count of the rest: the first ones say what is wrong
FORMATS_TEXT = ("Our YAML, flat CSV or Parquet; a TimelineJS JSON file or Google Sheet CSV; an ACLED CSV export; "
                "a GDELT 2.0 event export; or a spreadsheet (CSV or XLSX) with a date and a title column.")  # fmt: skip


def max_upload_bytes() -> int:
    return int(settings.read("max_upload_mb") * 1024 * 1024)


def _megabytes(size: int) -> str:
    megabytes = size / 1024 / 1024
    return f"{megabytes:,.0f} MB" if megabytes >= 10 else f"{megabytes:.2g} MB"


def kept_until(info: UploadInfo) -> str:
    return f"{dt.datetime.fromtimestamp(info.expires, dt.UTC):%-d %B %Y, %H:%M} UTC"


def upload_panel() -> html.Details:
    """The dashboard's "Open your data" control: a file picker that also takes a drop. The file input itself is
    added by assets/dashboard.js (`timeline.uploadForm`), since Dash has no file input component; the form posts
    to `ROUTE` either way."""
    limit = _megabytes(max_upload_bytes())
    return html.Details([
        html.Summary("Open your data", className="data-summary"),
        html.Form([
            html.P(FORMATS_TEXT, className="hint"),
            html.Label("File (or drop it here)", htmlFor=ids.UPLOAD_FILE, id=f"{ids.UPLOAD_FILE}-label"),
            html.Div(id=ids.UPLOAD_DROP, className="upload-drop upload-input", **{
                "data-accept": ACCEPT, "data-field": FIELD, "data-input": ids.UPLOAD_FILE, "data-required": "1"}),
            html.Label("Column mapping, for a spreadsheet with columns of its own (optional, YAML)",
                       htmlFor=ids.UPLOAD_MAPPING, id=f"{ids.UPLOAD_MAPPING}-label"),
            html.Div(className="upload-input", **{"data-accept": ",".join(MAPPING_SUFFIXES),
                                                  "data-field": MAPPING_FIELD, "data-input": ids.UPLOAD_MAPPING}),
            html.P(["The mapping names your columns: ", html.Code("columns: {start: Date, title: Headline}"),
                    " (docs/importing.md)."], className="hint"),
            html.P(f"Up to {limit}. Your file stays on this server, private: only people you give its link can "
                   f"open it, and it is deleted after {_hours(settings.read('upload_hours'))}.", className="hint"),
            html.Button("Open", type="submit", className="upload-button"),
            html.Progress(id=ids.UPLOAD_PROGRESS, max="100", hidden=True, className="upload-progress",
                          **{"aria-label": "Upload progress"}),
            html.P(id=ids.UPLOAD_STATUS, role="status", className="upload-status", **{"aria-live": "polite"}),
            html.Ul(id=ids.UPLOAD_PROBLEMS, className="upload-problems", hidden=True, tabIndex="0",
                    **{"aria-label": "Problems in the file"}),  # it scrolls when long: keyboard users reach it
        ], id=ids.UPLOAD_FORM, action=ROUTE, method="post", encType="multipart/form-data", className="upload-form",
           **{"aria-label": "Open your data"}),
    ], className="data-picker")  # fmt: skip


def _hours(hours: float) -> str:
    if hours >= 48 and hours % 24 == 0:
        return f"{int(hours // 24)} days"
    return f"{hours:g} hours" if hours != 1 else "1 hour"


def dataset_panel(datasets: Datasets, current: str) -> html.Div:
    """What the dashboard says of its data: the picker when the server serves several datasets, an uploaded
    dataset's privacy and expiry, and the upload control."""
    parts: list = []
    choices = datasets.choices()
    if len(choices) > 1:
        chosen = current or datasets.default_id
        names = dict(choices)
        links = [html.Li(html.A(title, href="/" + (f"?dataset={name}" if datasets.id_in_urls(name) else ""),
                                **({"aria-current": "page"} if name == chosen else {})))
                 for name, title in choices]  # fmt: skip
        summary = f"Dataset: {names.get(chosen, 'your upload')}"
        parts.append(html.Details([html.Summary(summary, className="data-summary"),
                                   html.Ul(links, className="dataset-links")], className="data-picker"))  # fmt: skip
    upload = datasets.upload(current) if current else None
    if upload is not None:
        parts.append(html.P([html.Strong("Uploaded data, not published by this site: "), f"{upload.name} · private: "
                             f"only people with this link can open it · kept until {kept_until(upload)}."],
                            className="upload-note"))  # fmt: skip
    if datasets.store is not None:
        parts.append(upload_panel())
    return html.Div(parts, className="data-bar")


def register(server: flask.Flask, datasets: Datasets) -> None:
    """`POST /upload`, when the server takes uploads."""
    if datasets.store is None:
        return

    def upload() -> flask.Response:
        wants_json = flask.request.accept_mimetypes.best == "application/json"
        status, answer = _receive(datasets)
        if wants_json:  # the page's script goes to the new dataset itself: 201, not a redirect to follow
            response = flask.make_response(flask.jsonify(answer), 201 if status == 303 else status)
            if status == 303:
                response.headers["Location"] = answer["url"]
            return response
        if status == 303:
            return flask.redirect(answer["url"], 303)
        page = render(
            "notice.html",
            heading="Your data could not be opened",
            summary=answer["summary"],
            problems=answer["problems"],
        )
        return flask.Response(page, status=status, mimetype="text/html")

    server.add_url_rule(ROUTE, ENDPOINT, upload, methods=["POST"])


def _receive(datasets: Datasets) -> tuple[int, dict]:
    """(status, answer): 303 and the dataset's `url`, or a 4xx/5xx with a `summary` and the `problems`."""
    request = flask.request
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return _refused(403, "uploads are taken only from this site's own pages")
    cap = max_upload_bytes()
    if request.content_length is not None and request.content_length > cap + 64 * 1024:  # the form's own bytes
        return _refused(413, f"the file is {_megabytes(request.content_length)}; the limit is {_megabytes(cap)}")
    request.max_content_length = cap + 64 * 1024
    try:
        sent = request.files.get(FIELD)
    except RequestEntityTooLarge:
        return _refused(413, f"the file is larger than the limit of {_megabytes(cap)}")
    if sent is None or not sent.filename:
        return _refused(400, "choose a file to open")
    name = secure_filename(sent.filename) or "upload"
    if Path(name).suffix.lower() not in DATASET_SUFFIXES:
        return _refused(400, f"unsupported file type ({name}): use one of {', '.join(DATASET_SUFFIXES)}")
    flask.g.timeline_rendered = True  # reading a file is heavy work: it counts against the rate limit
    with tempfile.TemporaryDirectory(prefix="timeline-upload-") as folder:
        path = Path(folder) / name
        sent.save(path)
        size = path.stat().st_size
        if size > cap:
            return _refused(413, f"the file is {_megabytes(size)}; the limit is {_megabytes(cap)}")
        expanded = _parquet_rows_bytes(path)
        if expanded > PARQUET_EXPANSION * cap:  # a compressed file may hold far more than its size says
            return _refused(413, f"{name}: its rows take {_megabytes(expanded)} once read; an upload's may take at "
                                 f"most {_megabytes(PARQUET_EXPANSION * cap)}")  # fmt: skip
        try:
            frame = _load(path, request.files.get(MAPPING_FIELD), Path(folder))
        except DatasetError as exc:
            problems = [str(dataclasses.replace(p, file=_sent_name(p.file, path, name))) for p in exc.problems]
            return _refused(422, f"could not open {name}: {_count(len(problems))}", problems)
        except TimelineError as exc:
            message = str(exc).replace(str(path), name).replace(str(Path(folder) / "mapping") + "/", "")
            return _refused(422, f"could not open {name}: {message}")
        try:
            info = datasets.store.put(frame, name=name, size=size)  # type: ignore[union-attr]
        except StoreFull as exc:
            return _refused(507, str(exc))
    return 303, {"url": f"/?dataset={info.id}", "events": len(frame.events), "expires": kept_until(info)}


def _load(path: Path, mapping: FileStorage | None, folder: Path) -> EventFrame:
    """The frame of the uploaded file, read with the mapping file when one came with it."""
    if mapping is None or not mapping.filename:
        return load_frame([path])
    mapping_name = secure_filename(mapping.filename) or "mapping.yaml"
    if Path(mapping_name).suffix.lower() not in MAPPING_SUFFIXES:
        raise TimelineError(f"the column mapping ({mapping_name}) must be a YAML file")
    mapping_path = folder / "mapping" / mapping_name
    mapping_path.parent.mkdir()
    mapping.save(mapping_path)
    if mapping_path.stat().st_size > MAX_MAPPING_BYTES:
        raise TimelineError(f"the column mapping is over {MAX_MAPPING_BYTES // 1024} KB; a mapping is a few lines")
    options = options_from((str(mapping_path),), None, None, None)
    return load_imported_frame(readers.read(path, None, options), path)


def _parquet_rows_bytes(path: Path) -> int:
    """What a Parquet file's rows take once read, as its metadata states it; 0 for any other file (the loader
    says what is wrong with a broken one)."""
    if path.suffix.lower() != ".parquet":
        return 0
    try:
        return uncompressed_bytes(parquet_layout(path))
    except ParquetRefused:
        return 0


def _sent_name(file: str, path: Path, name: str) -> str:
    return file.replace(str(path), name)


def _count(n: int) -> str:
    return f"{n} problem" + ("s" if n != 1 else "")


def _refused(status: int, summary: str, problems: list[str] | None = None) -> tuple[int, dict]:
    problems = problems or []
    shown = problems[:MAX_PROBLEMS_SHOWN]
    if len(problems) > len(shown):
        shown.append(f"… and {len(problems) - len(shown)} more")
    return status, {"summary": summary[:1].upper() + summary[1:], "problems": shown}
