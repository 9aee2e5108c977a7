"""The served app over HTTP: headers, local assets, callbacks, and the same answers from every worker."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

from timeline.errors import DatasetError
from timeline.query.filters import Filters
from timeline.web.app import create_app

from .conftest import MINI
from .test_cli import ROOT, free_port, wait_for


@pytest.fixture(scope="module")
def client():
    return create_app([MINI]).server.test_client()


NO_CONTROLS = [[], [], [], None, None, "", None]  # the filter controls' values, as the browser holds them unset


def view_inputs(search: object, zoom: object = None, click: object = None, controls: list | None = None,
                width: object = None) -> list:  # fmt: skip
    """The inputs of the dashboard's one view callback: URL, zoom, chart click, the filter controls and the chart's
    width (None: not sent)."""
    return [search, zoom, click, *(NO_CONTROLS if controls is None else controls), width]


def render_request(client_or_url, search: str, zoom: object = None) -> dict:
    """Call the view callback for a new URL (or a zoom) as the browser does, and return its JSON response."""
    dep = dependency(client_or_url, "/", "timeline.figure")
    changed = ["timeline-zoom.data"] if zoom is not None else None
    body = body_for(dep, view_inputs(search, zoom), changed=changed)
    return json.loads(_post(client_or_url, "/_dash-update-component", body))


def dependency(client_or_url, prefix: str, output: str, trigger: str | None = None) -> dict:
    """The server-side callback of the page at `prefix` whose output names `output` (and whose first input is
    `trigger`, as `id.property`)."""
    deps = json.loads(_get(client_or_url, prefix + "_dash-dependencies"))
    return next(
        d
        for d in deps
        if output in d["output"]
        and not d.get("clientside_function")
        and (trigger is None or f"{d['inputs'][0]['id']}.{d['inputs'][0]['property']}" == trigger)
    )


def body_for(dep: dict, inputs: list, state: list | None = None, changed: list[str] | None = None) -> dict:
    """A `_dash-update-component` body for `dep` as dash-renderer builds it, with these input and state values."""
    output = dep["output"]
    specs = output[2:-2].split("...") if output.startswith("..") else [output]
    # As the renderer sends them: an output declared with allow_duplicate keeps its "@<hash>" suffix.
    outputs = [{"id": _id(s.rsplit(".", 1)[0]), "property": s.rsplit(".", 1)[1]} for s in specs]
    declared = dep["inputs"]
    return {
        "output": output,
        "outputs": outputs if output.startswith("..") else outputs[0],
        "inputs": [{**d, "value": v} for d, v in zip(declared, inputs, strict=True)],
        "state": [{**d, "value": v} for d, v in zip(dep["state"], state or [None] * len(dep["state"]), strict=True)],
        "changedPropIds": changed if changed is not None else [f"{declared[0]['id']}.{declared[0]['property']}"],
    }


def _id(text: str) -> str | dict:
    return json.loads(text) if text.startswith("{") else text


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
    assert response["filter-values"]["data"][0] == ["beta"] and "url" not in response  # the URL sets the controls
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

    from timeline.web.callbacks import hover, select_from_chart

    for data in (None, {}, {"points": []}, {"points": [{"customdata": "x"}]}, {"points": [{"customdata": 99}]},
                 {"points": [{"customdata": -1}]}):  # fmt: skip
        assert select_from_chart(mini_frame, data, "") is no_update
        assert hover(mini_frame, data)[0] is False
    point = {"points": [{"customdata": mini_frame.position("truce"), "bbox": {"x0": 1}}]}
    assert select_from_chart(mini_frame, point, "?actors=beta") == "?actors=beta&event=truce"


def test_glossary_lists_every_actor_with_its_colour(client):
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert '"id":"actor-gamma"' in layout.replace(" ", "") and "#0072B2" in layout


def _call(client, prefix: str, output: str, inputs: list, state: list | None = None,
          changed: list[str] | None = None, trigger: str | None = None):  # fmt: skip
    body = body_for(dependency(client, prefix, output, trigger), inputs, state, changed)
    return client.post(prefix + "_dash-update-component", data=json.dumps(body), content_type="application/json")


DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    ("method", "path", "data", "status", "message"),
    [
        ("POST", "/_dash-update-component", "[]", 400, "the body must be a JSON object"),
        ("POST", "/_dash-update-component", "null", 400, "the body must be a JSON object"),
        ("POST", "/_dash-update-component", "5", 400, "the body must be a JSON object"),
        ("POST", "/_dash-update-component", "{", 400, "the body is not JSON"),
        ("POST", "/_dash-update-component", DEEP, 400, "nests deeper than 32 levels"),
        ("POST", "/present/_dash-update-component", '{"output": "nope.children"}', 400, "no such callback"),
        ("POST", "/_dash-update-component", '{"output": "event-detail.className"}', 400, "no such callback"),
        ("GET", "/_dash-component-suites/dash/../../../../etc/passwd", None, 404, "no such file"),
        ("GET", "/_dash-component-suites/dash/deps/..%2f..%2f..%2f__init__.py", None, 404, "no such file"),
        ("GET", "/present/_dash-component-suites/os/path.py", None, 404, "no such file"),
    ],
)  # fmt: skip
def test_hostile_requests_to_dash_routes_get_a_short_4xx(client, method, path, data, status, message):
    response = client.open(path, method=method, data=data, content_type="application/json")
    assert response.status_code == status
    assert response.mimetype == "text/plain" and message in response.get_data(as_text=True)
    assert len(response.get_data()) < 200


@pytest.mark.parametrize(
    ("query", "message"),
    [("q=\xff\xfe", "the query string is not UTF-8"), ("a=\n", "control characters")],  # raw bytes, as WSGI holds them
)
def test_malformed_query_strings_get_a_400_on_every_route(client, query, message):
    # `/embed` redirects to `/embed/` and would echo the line break into its Location header.
    for path in ("/", "/embed", "/download/csv", "/handout/", "/assets/dashboard.css"):
        response = client.get(path, environ_overrides={"QUERY_STRING": query})
        assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_callback_bodies_must_match_the_callback(client):
    dep = dependency(client, "/", "timeline.figure")
    good = body_for(dep, view_inputs("?actors=beta"))
    mutations = {
        "outputs": [{"id": "timeline", "property": "figure"}],
        "inputs": [{"id": "url", "property": "pathname", "value": ""}],
        "state": [{"id": "url", "property": "search", "value": ""}],
        "changedPropIds": ["timeline.hoverData"],
    }
    for key, wrong in mutations.items():
        response = client.post("/_dash-update-component", json={**good, key: wrong})
        assert response.status_code == 400, key
        assert f"bad callback request: {key}" in response.get_data(as_text=True)
    assert client.post("/_dash-update-component", data=json.dumps(good), content_type="text/plain").status_code == 415
    assert client.post("/_dash-update-component", json=good).status_code == 200


def test_wrongly_typed_callback_inputs_count_as_no_value(client):
    everything = "5 of 5 events shown"
    for search in (5, ["?actors=beta"], True, None, {"search": "?actors=beta"}, 1e308):
        response = _call(client, "/", "timeline.figure", view_inputs(search))
        assert response.status_code == 200
        assert response.json["response"]["event-count"]["children"] == everything
        present = _call(client, "/present/", "present-graph.figure", [search, search if search else "wide"])
        assert present.status_code == 200
        if not isinstance(search, int | float) or isinstance(search, bool):  # made for 700 px, as with no width
            assert present.json["response"]["present-graph"]["figure"]["layout"]["meta"] == {"width": 700}
    # The URL/controls sync with a control changed: lists of non-strings, numbers for dates, a list for the text.
    controls = [[1, None, {"id": "alpha"}, "beta"], "talks_start", False, 20240301, ["2024-03-01"], ["x"], 20240301]
    response = _call(
        client, "/", "timeline.figure", view_inputs("", controls=controls), changed=["filter-actors.value"]
    )
    assert response.status_code == 200 and response.json["response"]["url"]["search"] == "?actors=beta"
    nowhere = ({"points": "all"}, [], "x", {"points": [{"customdata": 1e308}]}, {"points": [{"customdata": "0"}]})
    for data in ({"points": [{"customdata": 0}]}, {"points": [{"customdata": 0, "bbox": {"x0": "left"}}]}, *nowhere):
        hovered = _call(client, "/", "timeline-tooltip.show", [data])
        assert hovered.status_code == 200 and hovered.json["response"]["timeline-tooltip"] == {"show": False}
    for data in nowhere:
        selected = _call(client, "/", "timeline.figure", view_inputs("?actors=beta", click=data),
                         changed=["timeline.clickData"])  # fmt: skip
        assert selected.json["response"] == {}  # no update
    point = {"points": [{"customdata": 4, "bbox": {"x0": 1}}]}
    selected = _call(client, "/", "timeline.figure", view_inputs("?actors=beta", click=point),
                     changed=["timeline.clickData"]).json["response"]  # fmt: skip
    assert selected["url"]["search"].startswith("?actors=beta&event=") and selected["event-detail"]["hidden"] is False


def test_lone_surrogates_in_callback_text_are_dropped(client):
    # JSON can carry "\ud800", which no encoder accepts: it is removed like a control character.
    response = _call(client, "/", "timeline.figure", view_inputs("", controls=[[], [], [], None, None, "truce\ud800",
                                                                                None]),
                     changed=["filter-search.value"])  # fmt: skip
    assert response.status_code == 200 and response.json["response"]["url"]["search"] == "?q=truce"
    response = _call(client, "/", "timeline.figure", view_inputs("?q=tru\ud800ce"))
    assert response.status_code == 200 and response.json["response"]["event-count"]["children"] == "1 of 5 events shown"


def test_digits_python_accepts_but_int_does_not_fall_back_to_the_default(client, mini_frame):
    from timeline.query.state import view_from_query

    # "²".isdigit() is True, int("²") fails: the parameter is ignored, as the README promises for unknown values.
    steps = _call(client, "/present/", "present-graph.figure", ["?mode=events&step=²", None]).json["response"]
    assert steps["present-progress"]["children"].endswith("Step 1 of 5")
    assert _call(client, "/present/", "present-graph.figure", ["?mode=events&step=3", None]).json["response"][
        "present-progress"]["children"].endswith("Step 3 of 5")  # fmt: skip
    from timeline.web.embed import look_from_query

    heights = {value: look_from_query(f"?height={value}").height for value in ("²", "٣٠٠", "300", "")}
    assert heights["300"] == 300 and heights["²"] == heights["٣٠٠"] == heights[""] is None
    pages = {value: view_from_query(f"?page={value}", mini_frame).page for value in ("²", "٣", "3", "")}
    assert pages["3"] == 3 and pages["²"] is pages["٣"] is pages[""] is None


def test_callback_input_helpers():
    from timeline.web.inputs import first_point, text, texts

    assert text("a\x1bb\u202ec\ud800") == "abc" and text(5) == text(None) == text(["a"]) == ""
    assert texts(["alpha", 1, None, "be\x00ta", ["x"]]) == ["alpha", "beta"] and texts("alpha") == []
    assert first_point({"points": [{"customdata": 1}]}) == {"customdata": 1}
    assert first_point({"points": []}) == first_point({"points": ["x"]}) == first_point([{"points": 1}]) == {}


def test_hover_needs_a_whole_bbox(mini_frame):
    from timeline.web.callbacks import hover

    bbox = {"x0": 1, "x1": 2.5, "y0": 3, "y1": 4}
    shown, where, _ = hover(mini_frame, {"points": [{"customdata": 0, "bbox": {**bbox, "z0": "x"}}]})
    assert shown is True and where == bbox  # only the four numbers plotly sends reach the page
    for bad in ({"x0": 1}, {**bbox, "y1": "4"}, {**bbox, "x1": float("nan")}, {**bbox, "y0": True}, [1, 2, 3, 4]):
        assert hover(mini_frame, {"points": [{"customdata": 0, "bbox": bad}]})[0] is False


def test_unexpected_errors_answer_a_plain_500_and_are_logged(caplog):
    app = create_app([MINI])
    app.server.add_url_rule("/boom", "boom", lambda: 1 / 0)
    response = app.server.test_client().get("/boom")
    assert response.status_code == 500 and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert "Internal server error" in body and "Traceback" not in body and "ZeroDivisionError" not in body
    logged = [r for r in caplog.records if "Unhandled error on GET '/boom'" in r.getMessage()]
    assert logged and logged[0].exc_info[0] is ZeroDivisionError


def test_request_bodies_are_capped(client, monkeypatch):
    from timeline.web.security import DEFAULT_MAX_REQUEST_BYTES

    big = b"[" + b" " * DEFAULT_MAX_REQUEST_BYTES + b"]"
    assert client.post("/_dash-update-component", data=big, content_type="application/json").status_code == 413
    monkeypatch.setenv("TIMELINE_MAX_REQUEST_BYTES", "4096")
    small = create_app([MINI]).server.test_client()
    body = json.dumps({**body_for(dependency(small, "/", "timeline.figure"), view_inputs("?q=" + "x" * 5000))})
    assert small.post("/_dash-update-component", data=body, content_type="application/json").status_code == 413
    assert client.post("/_dash-update-component", data=body, content_type="application/json").status_code == 200


def test_request_size_setting():
    from timeline.errors import TimelineError
    from timeline.web.security import max_request_bytes

    assert max_request_bytes({}) == max_request_bytes({"TIMELINE_MAX_REQUEST_BYTES": " "}) == 2 * 1024 * 1024
    assert max_request_bytes({"TIMELINE_MAX_REQUEST_BYTES": "50000000"}) == 50_000_000
    for bad in ("2MB", "-1", "10", "²", "1e9"):
        with pytest.raises(TimelineError, match=r"TIMELINE_MAX_REQUEST_BYTES: .* is not a number of bytes"):
            max_request_bytes({"TIMELINE_MAX_REQUEST_BYTES": bad})


def test_pages_do_not_reveal_the_python_version(client):
    assert sys.version not in client.get("/embed/").get_data(as_text=True)  # a static page: no Dash config
    for page in ("/", "/present/"):
        html = client.get(page).get_data(as_text=True)
        config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html)[1])
        assert config["dash_version"] and "python_version" not in config
        assert sys.version not in html


def test_pattern_matching_callbacks_pass_the_check():
    # The dashboard has none today; the check must not refuse one added later.
    from dash import ALL, Dash, Input, Output, html

    from timeline.web.security import harden

    app = Dash(__name__)
    app.layout = html.Div([html.Div(id="out"), *(html.Div(id={"type": "box", "index": i}) for i in range(2))])
    app.callback(Output("out", "children"), Input({"type": "box", "index": ALL}, "title"))(lambda titles: len(titles))
    harden(app.server, [app])
    boxes = [{"id": {"index": i, "type": "box"}, "property": "title", "value": "t"} for i in range(2)]
    body = {"output": "out.children", "outputs": {"id": "out", "property": "children"}, "inputs": [boxes],
            "state": [], "changedPropIds": ['{"index":1,"type":"box"}.title']}  # fmt: skip
    client = app.server.test_client()
    assert client.post("/_dash-update-component", json=body).json["response"]["out"]["children"] == 2
    boxes[1]["id"]["type"] = "other"
    assert client.post("/_dash-update-component", json=body).status_code == 400


def test_versioned_files_are_cached_for_a_year_and_pages_are_not(client):
    page = client.get("/").get_data(as_text=True)
    suites = re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+\?m=[^"]+)"', page)
    assert suites and assets
    for url in (*suites, *assets):
        assert client.get(url).headers["Cache-Control"] == "public, max-age=31536000, immutable", url
    assert "immutable" not in client.get("/").headers.get("Cache-Control", "")
    assert "immutable" not in client.get("/assets/dashboard.css").headers.get("Cache-Control", "")  # unversioned
    unversioned = re.sub(r"\.v[\w-]+m[0-9a-fA-F.]+(?=\.)", "", suites[0])  # Dash serves it too, with an ETag
    assert "immutable" not in client.get(unversioned).headers.get("Cache-Control", "")


def test_pages_link_only_the_bundles_they_use(client):
    for prefix in ("/", "/present/"):
        scripts = re.findall(r'<script src="([^"]+)"', client.get(prefix).get_data(as_text=True))
        assert any("dash_core_components" in s for s in scripts), prefix
        assert not any("dash_table" in s for s in scripts), prefix


def _layout(client, referrer: str | None = None) -> dict:
    """The dashboard's `_dash-layout`, fetched as the renderer does from a page whose URL is `referrer`."""
    response = client.get("/_dash-layout", headers={"Referer": referrer} if referrer is not None else {})
    assert response.status_code == 200
    return response.json


def _component(layout: object, component_id: str) -> dict | None:
    """The props of the component with this id, anywhere in a layout."""
    stack = [layout]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("props", {}).get("id") == component_id:
                return item["props"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def test_the_first_layout_holds_the_chart_list_and_detail_of_the_pages_url(client):
    layout = _layout(client, "http://localhost/?actors=beta&event=truce")
    assert _component(layout, "url")["search"] == "?actors=beta&event=truce"
    figure = _component(layout, "timeline")["figure"]
    assert figure["layout"]["yaxis"]["ticktext"] == ["Beta Movement"]
    assert _component(layout, "event-count")["children"] == "3 of 5 events shown"
    assert _component(layout, "event-detail")["hidden"] is False
    assert "Truce holds" in json.dumps(_component(layout, "event-detail")["children"])
    assert _component(layout, "filter-actors")["value"] == ["beta"]
    assert _component(layout, "present-link")["href"] == "/present/?actors=beta"
    # ...the same as the render callback draws for that URL.
    drawn = render_request(client, "?actors=beta&event=truce")["response"]
    assert drawn["timeline"]["figure"]["data"] == figure["data"]
    assert drawn["event-list"]["data-list"] == _component(layout, "event-list")["data-list"]


HOSTILE_PAGE = "http://localhost/?actors=<script>&window=9999-01-01..0001-01-01&page=-1"


@pytest.mark.parametrize("referrer", [None, "", "http://localhost/", "http://localhost/present/?actors=beta",
                                      "https://elsewhere.example/", "not a url ?actors=beta", "http://[::1/?x",
                                      HOSTILE_PAGE])  # fmt: skip
def test_without_a_usable_referrer_the_first_layout_is_the_unfiltered_view(client, referrer):
    layout = _layout(client, referrer)
    assert _component(layout, "event-count")["children"] == "5 of 5 events shown"
    assert _component(layout, "timeline")["figure"]["data"]
    search = _component(layout, "url").get("search")
    assert search in ("", HOSTILE_PAGE.removeprefix("http://localhost/"))  # the page puts it right


def test_pages_do_not_carry_a_copy_of_the_layout(client):
    html = client.get("/").get_data(as_text=True)
    assert "validation_layout" not in html and "timeline-caption" not in html and len(html) < 10_000


def test_the_dashboard_draws_with_plotlys_basic_bundle_and_no_eval(client):
    response = client.get("/")
    scripts = re.findall(r'<script src="([^"]+)"', response.get_data(as_text=True))
    assert any("plotly-basic" in s for s in scripts) and not any("plotly.min.js" in s for s in scripts)
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


def test_no_callback_waits_for_the_first_paint(client):
    deps = json.loads(client.get("/_dash-dependencies").get_data(as_text=True))
    server = [d for d in deps if not d.get("clientside_function")]
    assert server and all(d["prevent_initial_call"] for d in server)


@pytest.mark.parametrize(
    ("zoom", "search", "days"),
    [
        ({"range": ["2024-03-04 06:12:33.5", "2024-03-07 18:00"]}, "?actors=beta&window=2024-03-04..2024-03-07", 4),
        ({"range": [1709251200000, 1709856000000]}, "?actors=beta&window=2024-03-01..2024-03-07", 7),
        ({"range": ["2024-03-01", "2024-03-11"]}, "?actors=beta&window=2024-03-01..2024-03-10", 10),
    ],
)
def test_a_zoom_redraws_the_chart_for_its_window_and_puts_it_in_the_url(client, zoom, search, days):
    response = render_request(client, "?actors=beta", zoom)["response"]
    assert response["url"]["search"] == search
    window = response["timeline"]["figure"]["layout"]["xaxis"]["range"]
    drawn = render_request(client, search)["response"]
    assert set(response) == {"timeline", "timeline-caption", "url"}  # the window filters nothing: the list stays
    assert response["timeline"] == drawn["timeline"] and response["timeline-caption"] == drawn["timeline-caption"]
    assert window[1] - window[0] == days * 86_400_000  # whole days
    assert "double-click the chart to see all of it" in response["timeline-caption"]["children"]


def test_a_reset_zoom_drops_the_window(client):
    response = render_request(client, "?actors=beta&window=2024-03-01..2024-03-07", {"reset": True})["response"]
    assert response["url"]["search"] == "?actors=beta"
    assert render_request(client, "?window=2024-03-01..2024-03-07", {"range": ["2024-03-01", "2024-03-08"]}) == {
        "multi": True, "response": {}}  # the same window: nothing to redraw  # fmt: skip


@pytest.mark.parametrize("zoom", [{}, {"range": "2024"}, {"range": [1, 2, 3]}, {"range": ["2024-03-31", "2024-03-01"]},
                                  {"range": ["0001-01-01", "9999-12-31"]}, {"range": ["2024-02-30", "2024-03-01"]},
                                  {"range": [None, 5]}, {"range": [True, False]}, {"range": [1e300, 1e301]},
                                  {"reset": "yes"}, {"autosize": True}, ["range"], "reset", 7])  # fmt: skip
def test_hostile_zooms_change_nothing(client, zoom):
    response = _call(client, "/", "timeline.figure", view_inputs("?actors=beta", zoom), changed=["timeline-zoom.data"])
    assert response.status_code == 200 and response.json["response"] == {}


def test_a_new_chart_width_redraws_the_chart_for_it(client):
    """The page sends its chart's width when it is far from the one the figure was made for (assets/fitwidth.js):
    the chart is made again for it, and so is every view after; the list and the URL stay."""
    width = ["timeline-width.data"]
    narrow = _call(client, "/", "timeline.figure", view_inputs("?actors=beta", width=341), changed=width).json
    assert set(narrow["response"]) == {"timeline", "timeline-caption"}
    assert narrow["response"]["timeline"]["figure"]["layout"]["meta"] == {"width": 341}
    zoom = {"range": ["2024-03-01", "2024-03-11"]}
    zoomed = _call(client, "/", "timeline.figure", view_inputs("", zoom, width=341), changed=["timeline-zoom.data"])
    assert zoomed.json["response"]["timeline"]["figure"]["layout"]["meta"] == {"width": 341}
    # A control changed in the same request: its view, at the new width.
    both = _call(client, "/", "timeline.figure", view_inputs("", controls=[["beta"], *NO_CONTROLS[1:]], width=341),
                 changed=["filter-actors.value", *width]).json["response"]  # fmt: skip
    assert both["url"]["search"] == "?actors=beta" and both["timeline"]["figure"]["layout"]["meta"] == {"width": 341}
    for hostile, made in ((None, 900), ("341", 900), (True, 900), (float("nan"), 900), (10, 240), (10**9, 3840)):
        body = view_inputs("", width=hostile)
        answer = _call(client, "/", "timeline.figure", body, changed=width)
        assert answer.status_code == 200 and answer.json["response"]["timeline"]["figure"]["layout"]["meta"] == {
            "width": made}, hostile  # fmt: skip


def test_the_list_is_paged_and_every_event_is_on_a_page(bundled_frame):
    from timeline.query.filters import matching
    from timeline.query.state import View
    from timeline.web.views import PAGE_SIZE, event_list

    positions = matching(bundled_frame, Filters())
    pages = -(-len(positions) // PAGE_SIZE)
    assert pages > 1
    titles = []
    for page in range(1, pages + 1):
        listed = json.loads(event_list(bundled_frame, positions, View(page=page)))
        first = (page - 1) * PAGE_SIZE + 1
        assert listed["status"] == (f"Events {first}–{min(first + PAGE_SIZE - 1, len(positions))} of "
                                    f"{len(positions)}, page {page} of {pages}")  # fmt: skip
        assert listed["start"] == first and len(listed["rows"]) <= PAGE_SIZE
        titles += [row["title"] for row in listed["rows"]]
        links = {label: href for label, href in listed["pages"] if href}
        assert ("Next ›" in links) == (page < pages) and ("‹ Previous" in links) == (page > 1)
        assert [label for label, _ in listed["pages"]] == ["« First", "‹ Previous", "Next ›", "Last »"]
        assert all(href == "/" or href.startswith("/?page=") for href in links.values())
    assert titles == list(bundled_frame.events.iloc[positions]["title"])
    beyond = json.loads(event_list(bundled_frame, positions, View(page=pages + 40)))
    assert beyond["status"].startswith(f"Events {(pages - 1) * PAGE_SIZE + 1}")


def test_a_list_of_one_page_has_no_page_links_and_an_empty_one_says_so(bundled_frame):
    from timeline.query.state import View
    from timeline.web.views import event_list

    one = json.loads(event_list(bundled_frame, np.arange(3, dtype="int64"), View()))
    assert one["status"] == "Events 1–3 of 3" and one["pages"] == [] and len(one["rows"]) == 3
    none = json.loads(event_list(bundled_frame, np.arange(0, dtype="int64"), View()))
    assert none == {"status": "No events match these filters.", "start": 1, "rows": [], "pages": []}


def test_the_list_opens_on_the_page_of_the_selected_event(bundled_frame):
    from timeline.query.filters import matching
    from timeline.query.state import View
    from timeline.web.views import PAGE_SIZE, event_list

    positions = matching(bundled_frame, Filters())
    last = bundled_frame.events.iloc[positions[-1]]["id"]
    listed = json.loads(event_list(bundled_frame, positions, View(Filters(event=last))))
    assert listed["start"] == (len(positions) - 1) // PAGE_SIZE * PAGE_SIZE + 1
    selected = [row["title"] for row in listed["rows"] if row["selected"]]
    assert selected == [bundled_frame.events.iloc[positions[-1]]["title"]]


@pytest.mark.parametrize("query", ['q="' + '"' * 1500, "q=" + "é" * 300, "actors=beta&q=ceasefire,deal"],
                         ids=["quotes", "accents", "plain"])  # fmt: skip
def test_the_page_remembers_its_query_in_a_cookie_browsers_keep(query):
    from timeline.web.app import VIEW_COOKIE, _remembered_search

    app = create_app([MINI])
    raw = query.encode().decode("latin-1")  # as WSGI holds it
    response = app.server.test_client().get("/", environ_overrides={"QUERY_STRING": raw})
    assert response.status_code == 200
    (cookie,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{VIEW_COOKIE}=")] or [None]
    if cookie is None:  # too long to remember: the page still answers, without the cookie
        assert query.startswith('q="')
        return
    assert len(cookie) <= 4093  # what browsers keep
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    with app.server.test_request_context("/_dash-layout", headers={"Cookie": f"{VIEW_COOKIE}={value}"}):
        assert _remembered_search() == "?" + raw
