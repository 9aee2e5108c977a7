"""Bounds on the heavy work: render slots across processes, the render cache, the time budget, rate limits, and
the answers the web routes give when a bound is reached."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import flask
import pytest

from timeline.data.frame import build_frame
from timeline.errors import TimelineError
from timeline.formats.loader import load_dataset
from timeline.render import limits
from timeline.render.images import render_image
from timeline.render.limits import RenderBusy, RenderCache, Rendered, RenderGate, RenderSettings, dataset_version
from timeline.render.pdf import html_to_pdf
from timeline.settings import SETTINGS
from timeline.web.app import create_app
from timeline.web.datasets import Datasets
from timeline.web.guard import DOWNLOAD_ENDPOINT, guard

from .conftest import FIXTURES, MINI

SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter, like a second gunicorn worker


def try_slot(folder: str, slots: int) -> str:
    """In another process: take a slot without waiting; say whether it was free."""
    try:
        with RenderGate(Path(folder), slots).hold(wait=0):
            return "held"
    except RenderBusy:
        return "busy"


def hold_slot_forever(folder: str, ready) -> None:
    """In another process: hold the only slot and wait to be killed (at most a minute)."""
    with RenderGate(Path(folder), 1).hold(wait=0):
        ready.set()
        ready_to_die = threading.Event()
        ready_to_die.wait(60)


def test_a_second_process_cannot_take_the_only_slot_until_it_is_released(tmp_path):
    gate = RenderGate(tmp_path, 1)
    with ProcessPoolExecutor(1, mp_context=SPAWN) as other:
        with gate.hold(wait=0):
            assert other.submit(try_slot, str(tmp_path), 1).result() == "busy"
        assert other.submit(try_slot, str(tmp_path), 1).result() == "held"


def test_each_slot_admits_one_holder(tmp_path):
    with ProcessPoolExecutor(1, mp_context=SPAWN) as other, RenderGate(tmp_path, 2).hold(wait=0):
        assert other.submit(try_slot, str(tmp_path), 2).result() == "held"  # the second slot
        with held_by_another_thread(tmp_path, 2):
            assert other.submit(try_slot, str(tmp_path), 2).result() == "busy"


@contextmanager
def held_by_another_thread(folder: Path, slots: int = 1) -> Iterator[None]:
    """A slot held by another thread (as by another request) for the duration of the block."""
    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        with RenderGate(folder, slots).hold(wait=0):
            held.set()
            done.wait(60)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(30), "the other thread found no free slot"
        yield
    finally:
        done.set()
        thread.join(30)


def test_a_killed_holder_frees_its_slot(tmp_path):
    ready = SPAWN.Event()
    holder = SPAWN.Process(target=hold_slot_forever, args=(str(tmp_path), ready))
    holder.start()
    try:
        assert ready.wait(60)
        with pytest.raises(RenderBusy), RenderGate(tmp_path, 1).hold(wait=0):
            pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(30)
        with RenderGate(tmp_path, 1).hold(wait=10):  # the kernel dropped the dead process's lock
            pass
    finally:
        holder.kill()
        holder.join(30)


def test_renders_inside_a_held_slot_take_no_second_slot(tmp_path, monkeypatch):
    monkeypatch.setenv("TIMELINE_RENDER_LOCKS", str(tmp_path))
    # Each inner hold would find the only slot busy if holds were not re-entrant.
    with RenderGate(tmp_path, 1).hold(wait=0), limits.render_slot(), RenderGate(tmp_path, 1).hold(wait=0):
        pass
    with limits.render_slot():  # outside, the renderers take a slot of the configured gate
        assert try_slot_in_another_thread(tmp_path) == "busy"
    assert try_slot_in_another_thread(tmp_path) == "held"


def try_slot_in_another_thread(folder: Path) -> str:
    result: list[str] = []
    thread = threading.Thread(target=lambda: result.append(try_slot(str(folder), 1)))
    thread.start()
    thread.join(30)
    return result[0]


def test_a_spent_time_budget_stops_renders_before_chromium_starts(tmp_path, mini_frame):
    from timeline.figures.chart import print_figure
    from timeline.query.filters import Filters, matching

    fig = print_figure(mini_frame, matching(mini_frame, Filters()))
    with RenderGate(tmp_path, 1).hold(wait=0, deadline=0.0):  # long past
        with pytest.raises(TimelineError, match="ran out of time"):
            html_to_pdf("<p>hello</p>")
        with pytest.raises(TimelineError, match="ran out of time"):
            render_image(fig, "png")
    with RenderGate(tmp_path, 1).hold(wait=0, deadline=None):
        assert limits.time_left(90) == 90


# The render cache ------------------------------------------------------------------------------------------------


def counted_server(cache_dir: Path, calls: list[str], frame, *, status: int = 200) -> flask.Flask:
    """A server of `frame` whose download route counts its renders, behind the real guard."""
    server = flask.Flask(__name__)

    def view(fmt: str) -> flask.Response:
        calls.append(fmt)
        response = flask.Response(f"drawing {len(calls)}".encode(), status=status, content_type="image/svg+xml")
        response.headers["Content-Disposition"] = 'attachment; filename="negotiation-timeline.svg"'
        return response

    server.add_url_rule("/download/<fmt>", DOWNLOAD_ENDPOINT, view)
    settings = RenderSettings(lock_dir=cache_dir / "locks", cache_dir=cache_dir)
    gate, cache = RenderGate(settings.lock_dir), RenderCache(cache_dir, 10**6)
    datasets = Datasets([("only", frame)])
    server.view_functions[DOWNLOAD_ENDPOINT] = guard(
        view, datasets, settings, gate=gate, cache=cache, code=limits.code_version()
    )
    return server


def test_the_same_view_is_rendered_once(tmp_path, mini_frame):
    calls: list[str] = []
    client = counted_server(tmp_path, calls, mini_frame).test_client()
    first = client.get("/download/svg?actors=alpha,beta")
    # The same view: the selected event and unknown values change nothing in the file.
    again = client.get("/download/svg?event=truce&actors=alpha,beta,nobody")
    assert calls == ["svg"]
    assert again.data == first.data == b"drawing 1"
    assert [again.headers[h] for h in ("Content-Type", "Content-Disposition")] == [
        first.headers[h] for h in ("Content-Type", "Content-Disposition")
    ]
    client.get("/download/svg?actors=alpha")
    client.get("/download/png?actors=alpha,beta")
    assert calls == ["svg", "svg", "png"]
    client.get("/download/csv?actors=alpha")
    client.get("/download/csv?actors=alpha")
    assert calls == ["svg", "svg", "png", "csv", "csv"]  # light formats are never cached


def test_a_new_dataset_version_renders_again(tmp_path, mini_frame):
    calls: list[str] = []
    counted_server(tmp_path, calls, mini_frame).test_client().get("/download/svg")
    counted_server(tmp_path, calls, mini_frame).test_client().get("/download/svg")  # another worker
    edited = build_frame(load_dataset([FIXTURES / "asof.yaml"]))  # the same view of other data
    counted_server(tmp_path, calls, edited).test_client().get("/download/svg")
    assert calls == ["svg", "svg"]


def test_dataset_version_follows_the_content(mini_frame, tmp_path):
    assert dataset_version(mini_frame) == dataset_version(build_frame(load_dataset([MINI])))
    changed = tmp_path / "mini.yaml"
    changed.write_text(MINI.read_text(encoding="utf-8").replace("title:", "title: Changed", 1), encoding="utf-8")
    assert dataset_version(build_frame(load_dataset([changed]))) != dataset_version(mini_frame)


def test_failed_renders_are_not_cached(tmp_path, mini_frame):
    calls: list[str] = []
    client = counted_server(tmp_path, calls, mini_frame, status=503).test_client()
    assert client.get("/download/svg").status_code == 503
    assert client.get("/download/svg").status_code == 503
    assert calls == ["svg", "svg"]


def test_a_cache_write_is_all_or_nothing(tmp_path, monkeypatch):
    cache = RenderCache(tmp_path, 10**6)
    key = cache.key("v1", {"format": "svg"})

    def crash(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(limits.os, "replace", crash)
    with pytest.raises(OSError):
        cache.put(key, Rendered(b"x" * 1000, (("Content-Type", "image/svg+xml"),)))
    assert cache.get(key) is None and list(tmp_path.iterdir()) == []  # no entry, no temporary file
    monkeypatch.undo()
    (tmp_path / f"{key}.entry").write_bytes(b"not a header line")  # e.g. written by something else
    assert cache.get(key) is None
    cache.put(key, Rendered(b"<svg/>", (("Content-Type", "image/svg+xml"),)))
    assert cache.get(key) == Rendered(b"<svg/>", (("Content-Type", "image/svg+xml"),))


def test_a_failed_cache_write_still_answers(tmp_path, mini_frame, monkeypatch):
    calls: list[str] = []
    client = counted_server(tmp_path, calls, mini_frame).test_client()
    monkeypatch.setattr(limits.os, "replace", lambda *_: (_ for _ in ()).throw(OSError(30, "Read-only file system")))
    assert client.get("/download/svg").data == b"drawing 1"


def test_the_cache_evicts_the_least_recently_used_beyond_its_cap(tmp_path):
    cache = RenderCache(tmp_path, 2500)
    keys = [cache.key("v1", {"n": n}) for n in range(4)]
    for age, key in enumerate(keys[:2]):
        cache.put(key, Rendered(b"x" * 1000, ()))
        os.utime(tmp_path / f"{key}.entry", (1000 + age, 1000 + age))  # 0 is the oldest, then 1
    assert cache.get(keys[0]) is not None  # reading 0 makes 1 the least recently used
    cache.put(keys[2], Rendered(b"x" * 1000, ()))
    assert [cache.get(k) is not None for k in keys[:3]] == [True, False, True]
    cache.put(keys[3], Rendered(b"x" * 5000, ()))  # larger than the whole cache: not stored
    assert cache.get(keys[3]) is None and cache.get(keys[2]) is not None


# The web routes --------------------------------------------------------------------------------------------------


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Settings for one test's app: its own locks and cache."""
    monkeypatch.setenv("TIMELINE_RENDER_LOCKS", str(tmp_path / "locks"))
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TIMELINE_RENDER_WAIT", "0")
    return monkeypatch


def test_too_many_renders_get_429_with_retry_after(isolated):
    isolated.setenv("TIMELINE_RATELIMIT", "2 per minute")
    client = create_app([MINI]).server.test_client()
    assert client.get("/download/html?actors=alpha").status_code == 200
    assert client.get("/download/html?actors=alpha").status_code == 200  # from the cache: not counted
    assert client.get("/download/html?actors=beta").status_code == 200
    refused = client.get("/download/html?actors=gamma")
    assert refused.status_code == 429 and refused.mimetype == "text/plain"
    assert "at most 2 per 1 minute" in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-Frame-Options"] == "DENY"  # security headers on the refusal too
    for light in ("/download/csv?actors=gamma", "/download/json", "/", "/embed/"):
        assert client.get(light).status_code == 200, light


def test_a_busy_render_slot_gets_503_with_retry_after(isolated, tmp_path):
    isolated.setenv("TIMELINE_RATELIMIT", "1 per minute")
    client = create_app([MINI]).server.test_client()
    with held_by_another_thread(tmp_path / "locks"):  # another request (or worker) drawing a chart
        for path in ("/download/png", "/download/pdf?actors=alpha", "/download/handout"):
            busy = client.get(path)
            assert busy.status_code == 503, path
            assert busy.headers["Retry-After"] == "10" and "render slot is busy" in busy.get_data(as_text=True)
            assert "default-src 'self'" in busy.headers["Content-Security-Policy"]
        # Busy answers cost no rate limit, and the light routes are not held up; the handout page needs no slot.
        assert client.get("/handout/").status_code == 200
        assert client.get("/download/csv").status_code == 200
        assert client.get("/download/html").status_code == 200


def test_a_handout_too_long_for_the_web_is_refused_with_advice(isolated):
    isolated.setenv("TIMELINE_HANDOUT_MAX_EVENTS", "2")
    client = create_app([MINI]).server.test_client()
    for path in ("/handout/", "/download/handout?paper=letter"):
        refused = client.get(path)
        assert refused.status_code == 400, path
        assert "holds at most 2" in refused.get_data(as_text=True) and "timeline export" in refused.get_data(True)


def test_downloads_name_their_charset_once(isolated):
    client = create_app([MINI]).server.test_client()
    assert client.get("/download/csv").headers["Content-Type"] == "text/csv; charset=utf-8"
    assert client.get("/download/html").headers["Content-Type"] == "text/html; charset=utf-8"
    assert client.get("/download/json").headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TIMELINE_RENDER_SLOTS", "0", "TIMELINE_RENDER_SLOTS: '0' is not a whole number from 1 to 64"),
        ("TIMELINE_RENDER_WAIT", "soon", "TIMELINE_RENDER_WAIT: 'soon' is not a number of seconds from 0 to 25"),
        ("TIMELINE_CACHE_MB", "nan", "TIMELINE_CACHE_MB: 'nan' is not a number of megabytes"),
        ("TIMELINE_RATELIMIT", "lots", "TIMELINE_RATELIMIT: 'lots' is not a rate such as '10 per minute', or 'off'"),
    ],
)
def test_bad_settings_name_the_variable_and_the_rule(variable, value, message):
    with pytest.raises(TimelineError) as caught:
        RenderSettings.from_env({variable: value})
    assert str(caught.value).startswith(message)


def test_settings_from_the_environment():
    settings = RenderSettings.from_env({"TIMELINE_RENDER_SLOTS": "2", "TIMELINE_RATELIMIT": "off", "X": "1"})
    assert (settings.slots, settings.rate_limit, settings.wait) == (2, "", RenderSettings().wait)
    assert RenderSettings.from_env({"TIMELINE_CACHE_MB": "1.5"}).cache_bytes == 1572864


def test_the_load_tests_recorded_callbacks_still_work(isolated):
    """tests/load/callbacks.json holds callback bodies recorded from a browser; the app must still answer them."""
    recorded = json.loads((Path(__file__).parent / "load" / "callbacks.json").read_text(encoding="utf-8"))
    client = create_app([MINI]).server.test_client()
    outputs = {d["output"] for d in client.get("/_dash-dependencies").get_json()}
    for name, body in recorded.items():
        assert body["output"] in outputs, f"{name}: re-run tests/load/capture_callbacks.py"
        answer = client.post("/_dash-update-component", json=body)
        assert answer.status_code == 200 and "response" in answer.get_json(), name


@pytest.mark.parametrize(("proxies", "second_client"), [("1", 200), ("0", 429)])
def test_behind_a_trusted_proxy_each_client_has_its_own_budget(isolated, proxies, second_client):
    isolated.setenv("TIMELINE_RATELIMIT", "1 per minute")
    isolated.setenv("TIMELINE_TRUSTED_PROXIES", proxies)
    client = create_app([MINI]).server.test_client()

    def via_proxy(client_address: str, view: str) -> int:
        return client.get(f"/download/html?{view}", headers={"X-Forwarded-For": client_address}).status_code

    assert via_proxy("203.0.113.1", "actors=alpha") == 200
    assert via_proxy("203.0.113.1", "actors=beta") == 429
    # Untrusted, X-Forwarded-For is ignored: every request seems to come from the proxy, and shares its budget.
    assert via_proxy("203.0.113.2", "actors=gamma") == second_client


def test_hsts_is_sent_when_the_proxy_says_https(isolated):
    client = create_app([MINI]).server.test_client()
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", headers={"X-Forwarded-Proto": "https"}).headers
    assert secure["Strict-Transport-Security"] == "max-age=31556926; includeSubDomains"  # a year, as documented


def test_the_docs_list_every_setting():
    docs = "".join((Path(__file__).parents[1] / "docs" / name).read_text(encoding="utf-8")
                   for name in ("operations.md", "input-limits.md"))  # fmt: skip
    for setting in SETTINGS.values():
        assert f"`{setting.variable}`" in docs, setting.variable


def test_code_version_follows_the_package_files(tmp_path):
    (tmp_path / "figures.py").write_text("WIDTH = 1600\n", encoding="utf-8")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "figures.pyc").write_bytes(b"compiled")
    before = limits.code_version(tmp_path)
    (tmp_path / "__pycache__" / "figures.pyc").write_bytes(b"compiled again")
    assert limits.code_version(tmp_path) == before
    (tmp_path / "figures.py").write_text("WIDTH = 1200\n", encoding="utf-8")
    assert limits.code_version(tmp_path) != before
    assert limits.code_version() == limits.code_version()  # the installed package
