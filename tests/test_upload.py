"""Several datasets and uploads: the catalog a server is started with, the upload store on disk, and `POST /upload`
with every view of an uploaded dataset."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from pathlib import Path

import pytest

from timeline.formats.loader import load_frame
from timeline.formats.uploads import INFO_FILE, UPLOAD_ID, StoreFull, UploadStore
from timeline.web.app import VIEW_COOKIE, create_app
from timeline.web.datasets import Datasets, UnknownDataset, catalog

from .conftest import FIXTURES, MINI

READERS = FIXTURES / "readers"
JSON = {"Accept": "application/json"}


def layout_of(client, url: str) -> tuple[str, list[str]]:
    """The dashboard layout the browser gets for `url`: its text, and every link in it."""
    layout = client.get("/_dash-layout", headers={"Referer": f"http://localhost{url}"}).get_json()
    texts, hrefs = [], []

    def walk(node):
        if isinstance(node, dict):
            hrefs.extend([node["href"]] if isinstance(node.get("href"), str) else [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            texts.append(node)

    walk(layout)
    return " ".join(texts), hrefs


def send(client, name: str, body: bytes, **headers: str):
    return client.post("/upload", data={"file": (io.BytesIO(body), name)}, headers={**JSON, **headers})


@pytest.fixture
def store_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setenv("TIMELINE_UPLOAD_DIR", str(folder))
    return folder


@pytest.fixture
def client(store_dir):
    return create_app([MINI]).server.test_client()


# The store


def test_an_upload_is_kept_under_an_unguessable_id_and_every_store_on_the_folder_sees_it(tmp_path):
    frame = load_frame([MINI])
    first = UploadStore(tmp_path, ttl_seconds=3600, max_bytes=10**8)
    info = first.put(frame, name="mini.yaml", size=123)
    assert UPLOAD_ID.fullmatch(info.id) and info.expires - info.stored == pytest.approx(3600)
    assert first.put(frame, name="mini.yaml", size=123).id != info.id
    other = UploadStore(tmp_path, ttl_seconds=3600, max_bytes=10**8)  # another worker, or after a restart
    assert other.info(info.id) == info
    assert load_frame([other.dataset_path(info.id)]).events["id"].tolist() == frame.events["id"].tolist()
    assert other.info("u" + "0" * 32) is None and other.info("../etc") is None


def test_an_expired_upload_is_gone_and_swept(tmp_path):
    store = UploadStore(tmp_path, ttl_seconds=60, max_bytes=10**8)
    info = store.put(load_frame([MINI]), name="mini.yaml", size=1)
    assert store.sweep(now=info.stored + 30) == 0 and store.info(info.id)
    record = tmp_path / info.id / INFO_FILE
    record.write_text(json.dumps({**json.loads(record.read_text()), "expires": time.time() - 1}))
    assert store.info(info.id) is None and store.dataset_path(info.id) is None
    assert store.sweep() == 1 and not (tmp_path / info.id).exists()


def test_a_full_store_refuses_new_uploads_and_keeps_nothing_of_them(tmp_path):
    store = UploadStore(tmp_path, ttl_seconds=60, max_bytes=10)
    with pytest.raises(StoreFull):
        store.put(load_frame([MINI]), name="mini.yaml", size=1)
    assert list(tmp_path.iterdir()) == []


# The catalog a server is started with


def test_a_folder_serves_each_dataset_in_it_and_a_csv_with_its_metadata_as_one(tmp_path):
    shutil.copy(MINI, tmp_path / "alpha.yaml")
    shutil.copy(FIXTURES / "asof.yaml", tmp_path / "beta.yaml")
    (tmp_path / "notes.md").write_text("not data")
    (tmp_path / "gamma.csv").write_text("x")
    (tmp_path / "gamma.meta.yaml").write_text("x")
    served = catalog([tmp_path])
    assert [s.id for s in served] == ["alpha", "beta", "gamma"]
    assert [p.name for p in served[2].paths] == ["gamma.meta.yaml", "gamma.csv"]
    assert [s.id for s in catalog([MINI, tmp_path / "sub" / "mini.yaml"])] == ["mini", "mini-2"]


def test_the_provider_answers_the_dataset_a_url_names(tmp_path):
    shutil.copy(MINI, tmp_path / "alpha.yaml")
    shutil.copy(FIXTURES / "asof.yaml", tmp_path / "beta.yaml")
    datasets = Datasets.from_paths([tmp_path])
    assert datasets.for_query("") is datasets.default is datasets.frame("alpha")
    assert datasets.for_query("?actors=x&dataset=beta") is datasets.served["beta"]
    with pytest.raises(UnknownDataset, match="no dataset 'nope'"):
        datasets.for_query("?dataset=nope")


def test_a_server_with_several_datasets_shows_a_picker_and_keeps_the_dataset_in_every_link(tmp_path, store_dir):
    shutil.copy(MINI, tmp_path / "alpha.yaml")
    shutil.copy(FIXTURES / "asof.yaml", tmp_path / "beta.yaml")
    client = create_app([tmp_path]).server.test_client()
    beta = load_frame([FIXTURES / "asof.yaml"]).dataset.title
    page = client.get("/?dataset=beta").get_data(as_text=True)
    assert f"<title>{beta}</title>" in page
    text, hrefs = layout_of(client, "/?dataset=beta")
    assert f"Dataset: {beta}" in text and {
        "/",
        "/?dataset=beta",
        "/present/?dataset=beta",
        "/handout/?dataset=beta",
    } <= set(hrefs)
    # Every link into a view of the data keeps the dataset; "/" is the picker's link to the default one.
    inside = [h for h in hrefs if h.startswith("/") and h != "/"]
    assert inside and all(h.split("?")[1].startswith("dataset=beta") for h in inside), inside
    assert client.get("/?dataset=gone").status_code == 404
    assert "This dataset is not here" in client.get("/present/?dataset=gone").get_data(as_text=True)
    assert client.get("/download/csv?dataset=gone").status_code == 404


# Uploads


def test_an_uploaded_timelinejs_file_opens_in_every_view(client, store_dir):
    answer = send(client, "timeline.json", (READERS / "timelinejs.json").read_bytes())
    assert answer.status_code == 201 and answer.headers["Location"] == answer.get_json()["url"]
    url = answer.get_json()["url"]
    upload_id = url.removeprefix("/?dataset=")
    assert UPLOAD_ID.fullmatch(upload_id) and (store_dir / upload_id).is_dir()
    text, _ = layout_of(client, url)
    assert (
        "Uploaded data, not published by this site: " in text
        and "timeline.json" in text
        and "only people with this link" in text
    )
    query = url.removeprefix("/")
    for route in ("/embed/", "/present/", "/handout/", "/download/csv", "/download/json", "/download/timelinejs"):
        assert client.get(route + query).status_code == 200, route
    rows = list(csv.DictReader(io.StringIO(client.get("/download/csv" + query).get_data(as_text=True))))
    assert [r["id"] for r in rows] == load_frame([READERS / "timelinejs.json"]).events["id"].tolist()
    # Another worker (a second app on the same store) serves it too.
    assert create_app([MINI]).server.test_client().get("/embed/" + query).status_code == 200


def test_an_upload_without_the_script_redirects_to_its_dashboard(client):
    answer = client.post("/upload", data={"file": (io.BytesIO((READERS / "acled.csv").read_bytes()), "acled.csv")})
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/?dataset=u")


def test_a_malformed_upload_names_each_row_and_field_and_stores_nothing(client, store_dir):
    bad = (READERS / "timelinejs.json").read_text().replace('"year": "2024"', '"year": "twenty"', 1)
    assert bad != (READERS / "timelinejs.json").read_text()
    answer = send(client, "bad.json", bad.encode())
    body = answer.get_json()
    assert answer.status_code == 422 and body["summary"].startswith("Could not open bad.json: ")
    assert any(p.startswith("bad.json:") and "year" in p for p in body["problems"]), body["problems"]
    assert not any(store_dir.glob("u*"))
    page = client.post("/upload", data={"file": (io.BytesIO(b"<b>x</b>"), "x.yaml")}).get_data(as_text=True)
    assert "Your data could not be opened" in page and "<b>x</b>" not in page


def test_uploads_over_the_cap_of_the_wrong_type_or_from_another_site_are_refused(client, monkeypatch):
    monkeypatch.setenv("TIMELINE_MAX_UPLOAD_MB", "0.01")
    big = send(client, "big.csv", b"x" * 200_000)
    assert big.status_code == 413 and "the limit is 0.01 MB" in big.get_json()["summary"]
    monkeypatch.delenv("TIMELINE_MAX_UPLOAD_MB")
    assert send(client, "run.exe", b"MZ").status_code == 400
    assert send(client, "empty.csv", b"").status_code == 422
    assert send(client, "t.json", b"{}", **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post("/upload", data={}, headers=JSON).get_json()["summary"] == "Choose a file to open"


def test_an_expired_upload_is_not_served(client, store_dir):
    url = send(client, "t.json", (READERS / "timelinejs.json").read_bytes()).get_json()["url"]
    record = store_dir / url.removeprefix("/?dataset=") / INFO_FILE
    record.write_text(json.dumps({**json.loads(record.read_text()), "expires": time.time() - 1}))
    assert client.get(url).status_code == 404
    assert client.get("/embed/" + url.removeprefix("/")).status_code == 404


def test_uploads_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("TIMELINE_MAX_UPLOAD_MB", "0")
    client = create_app([MINI]).server.test_client()
    assert client.post("/upload", data={}).status_code in (404, 405)
    assert "Open your data" not in layout_of(client, "/")[0]


def test_a_spreadsheet_with_its_own_columns_opens_with_its_mapping(client):
    sheet = (READERS / "sheet.csv").read_bytes()
    without = send(client, "sheet.csv", sheet)
    assert without.status_code == 422 and any("missing column(s)" in p for p in without.get_json()["problems"])
    files = {"file": (io.BytesIO(sheet), "sheet.csv"),
             "mapping": (io.BytesIO((READERS / "sheet-mapping.yaml").read_bytes()), "sheet-mapping.yaml")}  # fmt: skip
    mapped = client.post("/upload", data=files, headers=JSON)
    assert mapped.status_code == 201, mapped.get_json()
    query = mapped.get_json()["url"].removeprefix("/")
    assert client.get("/download/json" + query).get_json()["events"]
    wrong = {"file": (io.BytesIO(sheet), "sheet.csv"), "mapping": (io.BytesIO(b"columns: {start: Nope}"), "m.yaml")}
    refused = client.post("/upload", data=wrong, headers=JSON)
    assert refused.status_code == 422 and "names no column for: title" in refused.get_json()["summary"]


def test_an_xlsx_zip_bomb_upload_is_refused_with_its_reason_before_it_is_expanded(client, store_dir, monkeypatch):
    import zipfile

    import openpyxl

    from timeline.formats import readers

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("the workbook was opened"))
    monkeypatch.setattr(readers, "XLSX_MAX_BYTES", 1_000_000)
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w", zipfile.ZIP_DEFLATED) as archive:  # 2 MB of zeros in 2 kB
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 2_000_000)
    answer = send(client, "bomb.xlsx", body.getvalue())
    problems = answer.get_json()["problems"]
    assert answer.status_code == 422 and len(problems) == 1, answer.get_json()
    assert problems[0].startswith("bomb.xlsx: would expand to 2,000,008 bytes") and "zip bomb" in problems[0]
    assert not any(store_dir.glob("u*"))


def test_an_uploaded_parquet_file_whose_rows_expand_past_the_bound_is_refused_unread(client, tmp_path, monkeypatch):
    from timeline.formats.parquet import write_parquet
    from timeline.web import upload

    small = tmp_path / "small.parquet"
    frame = load_frame([MINI])
    write_parquet(small, frame.table, frame.dataset)
    assert send(client, "small.parquet", small.read_bytes()).status_code == 201
    monkeypatch.setattr(upload, "PARQUET_EXPANSION", 1e-6)  # as if its rows took far more than the limit allows
    refused = send(client, "small.parquet", small.read_bytes())
    assert refused.status_code == 413 and "once read" in refused.get_json()["summary"]


def test_the_store_is_private_to_the_server_user(tmp_path):
    store = UploadStore(tmp_path / "store", ttl_seconds=60, max_bytes=10**8)
    store.put(load_frame([MINI]), name="mini.yaml", size=1)
    assert (tmp_path / "store").stat().st_mode & 0o777 == 0o700


def test_an_uploads_page_draws_its_own_data_when_the_browser_sends_no_referrer(client):
    url = send(client, "t.json", (READERS / "timelinejs.json").read_bytes()).get_json()["url"]
    assert client.get(url).status_code == 200  # the page: it leaves its query for its own layout request
    layout = client.get("/_dash-layout").get_json()  # no Referer
    text = json.dumps(layout)
    assert "Harbour talks 2024" in text and "Uploaded data, not published by this site" in text
    client.delete_cookie(VIEW_COOKIE, path="/_dash-layout")  # without it (and no Referer): the default dataset
    assert "Harbour talks 2024" not in json.dumps(client.get("/_dash-layout").get_json())
