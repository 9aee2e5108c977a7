"""The served app over HTTP: headers, local assets, callbacks, and the same answers from every worker."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from timeline.app import create_app
from timeline.errors import DatasetError

from .conftest import MINI
from .test_cli import ROOT, free_port, wait_for


@pytest.fixture(scope="module")
def client():
    return create_app([MINI]).server.test_client()


def render_request(client_or_url, search: str) -> dict:
    """Call the URL -> chart/list/panel callback as the browser does, and return its JSON response."""
    deps = _get(client_or_url, "/_dash-dependencies")
    dep = next(d for d in json.loads(deps) if "timeline.figure" in d["output"])
    body = {
        "output": dep["output"],
        "outputs": [
            {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in dep["output"].strip(".").split("...")
        ],  # fmt: skip
        "inputs": [{"id": "url", "property": "search", "value": search}],
        "changedPropIds": ["url.search"],
        "state": [],
    }
    return json.loads(_post(client_or_url, "/_dash-update-component", body))


def _get(target, path: str) -> str:
    if isinstance(target, str):
        with urllib.request.urlopen(target + path, timeout=30) as r:
            return r.read().decode()
    return target.get(path).get_data(as_text=True)


def _post(target, path: str, body: dict) -> str:
    data = json.dumps(body).encode()
    if isinstance(target, str):
        request = urllib.request.Request(target + path, data=data, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.read().decode()
    return target.post(path, data=data, content_type="application/json").get_data(as_text=True)


def test_security_headers_on_every_route(client):
    for path in ("/", "/_dash-layout", "/_dash-dependencies", "/assets/dashboard.css"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_page_is_self_contained(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "no CDN or third-party assets"
    scripts = re.findall(r'src="([^"]+)"', html)
    assert scripts and all(client.get(s).status_code == 200 for s in scripts)
    plotly_js = client.get("/_dash-component-suites/plotly/package_data/plotly.min.js")
    assert plotly_js.status_code == 200


def test_render_callback_answers_from_the_url(client):
    response = render_request(client, "?actors=beta&event=truce")["response"]
    assert response["event-count"]["children"] == "3 of 5 events shown"
    assert response["event-detail"]["hidden"] is False
    figure = response["timeline"]["figure"]
    assert figure["layout"]["yaxis"]["ticktext"] == ["Beta Movement"]
    assert "Truce holds" in json.dumps(response["event-detail"]["children"])


def test_hostile_query_values_are_ignored(client):
    response = render_request(client, "?actors=<script>&from=2024-99-99&event=%22%3E%3Cimg")["response"]
    assert response["event-count"]["children"] == "5 of 5 events shown"
    assert response["event-detail"]["hidden"] is True


def test_invalid_dataset_refuses_to_build_an_app(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI.read_text().replace("type: ceasefire_start", "type: truce"))
    with pytest.raises(DatasetError, match=r'events\[4\].type: "truce" is not one of'):
        create_app([bad])


def test_gunicorn_workers_give_identical_answers():
    port = free_port()
    env = {**os.environ, "TIMELINE_DATA": str(MINI)}
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "app:server"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/")
        answers = set()
        for _ in range(12):  # enough requests that both workers answer some
            answers.add(json.dumps(render_request(base, "?issues=exchange&q=truce"), sort_keys=True))
            time.sleep(0.05)
        assert len(answers) == 1
        assert '"1 of 5 events shown"' in answers.pop()
    finally:
        proc.terminate()
        proc.wait(10)


def test_forged_chart_events_are_ignored(mini_frame):
    from dash import no_update

    from timeline.callbacks import hover, select_from_chart

    for data in (None, {}, {"points": []}, {"points": [{"customdata": "x"}]}, {"points": [{"customdata": 99}]},
                 {"points": [{"customdata": -1}]}):  # fmt: skip
        assert select_from_chart(mini_frame, data, "") is no_update
        assert hover(mini_frame, data)[0] is False
    point = {"points": [{"customdata": mini_frame.position("truce"), "bbox": {"x0": 1}}]}
    assert select_from_chart(mini_frame, point, "?actors=beta") == "?actors=beta&event=truce"


def test_glossary_lists_every_actor_with_its_colour(client):
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert '"id":"actor-gamma"' in layout.replace(" ", "") and "#0072B2" in layout
