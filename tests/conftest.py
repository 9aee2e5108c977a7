"""Shared fixtures: small datasets, frames, a live server and a headless Chromium."""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from timeline.data.frame import EventFrame, build_frame
from timeline.formats.loader import BUNDLED, load_dataset

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini.yaml"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def private_render_state(tmp_path_factory) -> Iterator[None]:
    """Renders of this test run use their own cache and render slots: never a cache entry drawn by other code, and
    never a wait for a slot that a server elsewhere on the machine holds. Uploads go to a store of its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIMELINE_CACHE_DIR", str(tmp_path_factory.mktemp("render-cache")))
        patch.setenv("TIMELINE_RENDER_LOCKS", str(tmp_path_factory.mktemp("render-locks")))
        patch.setenv("TIMELINE_UPLOAD_DIR", str(tmp_path_factory.mktemp("uploads")))
        yield


@pytest.fixture(scope="session")
def mini_frame() -> EventFrame:
    """The five-event test dataset, tabulated."""
    return build_frame(load_dataset([MINI]))


@pytest.fixture(scope="session")
def bundled_frame() -> EventFrame:
    """The curated Gaza dataset that ships in data/."""
    return build_frame(load_dataset([BUNDLED]))


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve a Dash app on a free loopback port; yields its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """Debian's headless Chromium driven by Playwright; never a downloaded browser."""
    from playwright.sync_api import sync_playwright

    path = os.environ.get("TIMELINE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Browser tests need Chromium: apt-get install -y chromium (or set TIMELINE_CHROMIUM)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser tab that records console errors and page errors in `page.errors`."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda m: m.type == "error" and tab.errors.append(m.text))
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    yield tab
    context.close()
