"""Record the dashboard's callback requests in a real browser, as fixtures for the load test.

Run: .venv/bin/python tests/load/capture_callbacks.py

Serves the app (bundled dataset) on a loopback port, opens `/?actors=hamas,egypt` in Debian's headless Chromium
through Playwright (the page comes with its chart: no callback runs), turns the event list to its next page, then
types a search, and records the body of every `POST /_dash-update-component`. Writes
`tests/load/callbacks.json`: the two ways a visitor drives the dashboard's view callback, keyed by what they do:
`filter` (a control changed: new URL, chart, list and count) and `render` (the URL changed: chart, list, count
and controls). Re-run it when the dashboard's callbacks change; the locustfile refuses a stale fixture.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from timeline.web import ids  # noqa: E402
from timeline.web.app import create_app  # noqa: E402

OUT = Path(__file__).with_name("callbacks.json")
START = "/?actors=hamas,egypt"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


def kind(body: dict) -> str | None:
    """Which of the recorded calls this body is: `render` (the URL changed) or `filter` (the search box did)."""
    outputs = body["outputs"] if isinstance(body["outputs"], list) else [body["outputs"]]
    if (ids.GRAPH, "figure") not in {(o["id"], o["property"]) for o in outputs}:
        return None
    changed = body.get("changedPropIds", [])
    return "render" if f"{ids.URL}.search" in changed else "filter" if f"{ids.SEARCH}.value" in changed else None


def main() -> None:
    from playwright.sync_api import sync_playwright

    browser_path = os.environ.get("TIMELINE_CHROMIUM") or shutil.which("chromium")
    if not browser_path:
        sys.exit("needs Chromium: apt-get install -y chromium (or set TIMELINE_CHROMIUM)")
    app = create_app()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    bodies: list[dict] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_path, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # The renderer adds a query string (`?endId=…`, used only by background callbacks).
            callback = "/_dash-update-component"
            page.on("request", lambda r: urlsplit(r.url).path == callback and bodies.append(r.post_data_json))
            page.goto(f"http://127.0.0.1:{server.server_port}{START}")
            page.wait_for_selector("#timeline .js-plotly-plot", timeout=60_000)
            page.wait_for_load_state("networkidle")
            before = len(bodies)
            chart = f'"output":"..{ids.GRAPH}.figure'
            for act in (lambda: page.get_by_role("link", name="Next ›").click(),
                        lambda: page.fill(f"#{ids.SEARCH}", "ceasefire")):  # fmt: skip
                with page.expect_request(lambda r: chart in (r.post_data or "").replace(" ", ""), timeout=30_000):
                    act()
            page.wait_for_load_state("networkidle")
            browser.close()
    finally:
        server.shutdown()
        thread.join(10)
    if before:
        sys.exit(f"the page ran {before} callback(s) before the reader did anything: its layout should hold them")
    found: dict[str, dict] = {}
    for body in bodies:
        name = kind(body)
        if name is not None and name not in found:
            found[name] = body
    missing = {"render", "filter"} - found.keys()
    if missing:
        sys.exit(f"did not see the {', '.join(sorted(missing))} callback among {len(bodies)} requests")
    OUT.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    sys.stdout.write(f"Wrote {OUT.relative_to(ROOT)}: {', '.join(sorted(found))} (of {len(bodies)} requests)\n")


if __name__ == "__main__":
    main()
