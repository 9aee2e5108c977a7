"""Load test: visitors of the dashboard, the embed and the CSV download, as Locust users.

Run against a local server (docs/operations.md has the figures and the worker-kill run):

    .venv/bin/pip install -e ".[load]"
    .venv/bin/gunicorn -w 2 -b 127.0.0.1:8000 app:server &
    .venv/bin/locust -f tests/load/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8000

Each user loads the dashboard as a browser does (`/`, then Dash's layout, which holds the first chart and list of
the view its `Referer` names, and dependencies; no callback runs before the first paint), moves through views
and types searches through the dashboard's one view callback (bodies recorded from a real browser by
`capture_callbacks.py` in `callbacks.json`: `render` for a new URL, `filter` for a control), opens the embed and
downloads a CSV. The embed is a static page: a user fetches the scripts it names once (their URLs carry their
version and are cached for a year) and revalidates a page seen before by its ETag, as a browser does. Only
loopback hosts are accepted. Uploads are not simulated.
"""

from __future__ import annotations

import copy
import json
import random
import re
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

CALLBACKS = json.loads(Path(__file__).with_name("callbacks.json").read_text(encoding="utf-8"))
CALLBACK = "/_dash-update-component"
# Views of the bundled dataset, as a visitor's address bar would hold them.
VIEWS = (
    "",
    "?actors=hamas,egypt",
    "?actors=israel",
    "?types=proposal,statement",
    "?from=2024-03-01&to=2024-03-31",
    "?q=hostages",
    "?issues=hostage-prisoner-exchange,permanent-ceasefire",
    "?actors=qatar&from=2024-01-01",
    "?page=2",
    "?window=2024-01-01..2024-01-31",
)
SCRIPT_SRC = re.compile(r'<script src="([^"]+)"')
SEARCHES = ("ceasefire", "hostage release", "Cairo", "proposal", "Rafah")


@events.test_start.add_listener
def check_target(environment, **_kwargs) -> None:
    """Refuse any host but this machine, and a fixture that no longer matches the dashboard's callbacks."""
    host = urlsplit(environment.host or "").hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"the load test runs against this machine only (--host http://127.0.0.1:PORT), not {host!r}")
    import urllib.request

    with urllib.request.urlopen(environment.host.rstrip("/") + "/_dash-dependencies", timeout=30) as response:
        outputs = {d["output"] for d in json.loads(response.read())}
    stale = [name for name, body in CALLBACKS.items() if body["output"] not in outputs]
    if stale:
        raise SystemExit(f"callbacks.json is stale ({', '.join(stale)}): run tests/load/capture_callbacks.py")


def with_value(body: dict, component: str, value: object) -> dict:
    """The recorded body with the input `component.value`/`search` set to `value`, as the browser would send it."""
    body = copy.deepcopy(body)
    for item in body["inputs"]:
        if item["id"] == component:
            item["value"] = value
    return body


class Visitor(HttpUser):
    """Someone reading the dashboard: loads it, changes views, searches, opens the embed, downloads a CSV."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.etags: dict[str, str] = {}  # the embed pages this reader's browser holds
        self.scripts: set[str] = set()  # and the scripts
        self.load_dashboard()

    @task(2)
    def load_dashboard(self) -> None:
        view = random.choice(VIEWS)
        self.client.get("/" + view, name="/ (page)")
        # The layout holds the first chart and list, of the view the browser names in `Referer`.
        self.client.get("/_dash-layout", name="/_dash-layout", headers={"Referer": f"{self.host}/{view}"})
        self.client.get("/_dash-dependencies", name="/_dash-dependencies")

    @task(6)
    def change_view(self) -> None:
        self.render(random.choice(VIEWS))

    @task(2)
    def search(self) -> None:
        body = with_value(CALLBACKS["filter"], "filter-search", random.choice(SEARCHES))
        self.post_callback(body, "callback: view (a control)")

    @task(2)
    def embed(self) -> None:
        view = random.choice(VIEWS)
        known = self.etags.get(view)
        name = "/embed/ (revalidated)" if known else "/embed/ (page)"
        headers = {"If-None-Match": known} if known else {}
        with self.client.get("/embed/" + view, headers=headers, name=name, catch_response=True) as response:
            if known and response.status_code != 304:
                response.failure(f"a page revalidated by its ETag answered {response.status_code}, not 304")
            if response.status_code != 200:
                return
            if "ETag" in response.headers:
                self.etags[view] = response.headers["ETag"]
            sources = SCRIPT_SRC.findall(response.text)
        for src in sources:
            if src not in self.scripts:
                self.fetch_script(src)

    def fetch_script(self, src: str) -> None:
        """A script the embed names, fetched once: its URL carries its version, so it is cached for a year."""
        with self.client.get(src, name=urlsplit(src).path, catch_response=True) as response:
            if response.status_code == 200 and "immutable" not in response.headers.get("Cache-Control", ""):
                response.failure("a versioned script without an immutable Cache-Control")
        self.scripts.add(src)

    @task(1)
    def download_csv(self) -> None:
        self.client.get("/download/csv" + random.choice(VIEWS[1:]), name="/download/csv")

    def render(self, view: str) -> None:
        self.post_callback(with_value(CALLBACKS["render"], "url", view), "callback: view (the URL)")

    def post_callback(self, body: dict, name: str) -> None:
        with self.client.post(CALLBACK, json=body, name=name, catch_response=True) as response:
            if response.status_code == 200 and "response" not in response.text[:200]:
                response.failure("a callback answer without a `response`")
