"""Property-based fuzzing through the Flask test client: no request, however hostile, gets a 5xx or a traceback.

Random and hostile values go into every URL parameter (through the callbacks that read the URL, the pages and the
light downloads), random paths under every route prefix, and callback bodies built from the app's own callback map
with mutated values and structure. `TIMELINE_FUZZ_EXAMPLES` cases in all (default 450), shared by the three
property tests; the full run:

    TIMELINE_FUZZ_EXAMPLES=10000 .venv/bin/python -m pytest tests/test_fuzz.py

Downloads drawn by Chromium (png, svg, pdf, handout) are left out, so the test stays fast; `/download/csv` parses
the same URL parameters, and `test_hostile_parameters_reach_a_real_render` sends a few to a real render.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import quote, unquote, unquote_to_bytes, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline.data.frame import build_frame
from timeline.data.vocab import EVENT_TYPE_BY_ID
from timeline.formats.loader import load_dataset
from timeline.query.state import PARAMS, dataset_from_query
from timeline.web.app import create_app
from timeline.web.security import DEFAULT_MAX_REQUEST_BYTES

from .conftest import MINI
from .test_app import body_for

EXAMPLES = int(os.environ.get("TIMELINE_FUZZ_EXAMPLES", "450"))
FUZZ = settings(max_examples=-(-EXAMPLES // 3), deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
PAGES = ("/", "/present/")  # the Dash apps; `/embed/` is a static page, which every query also reaches
# The URL parameters of every page (README: the dashboard's, the embed's, the presentation's, the handout's).
URL_PARAMS = (*PARAMS, "window", "page", "theme", "title", "height", "aspect", "step", "mode", "paper")
SERVER_CALLBACKS = 3  # the dashboard's view and its hover card; the presentation
LIGHT_DOWNLOADS = ("csv", "json", "timelinejs")
RENDERS = re.compile(r"/+(handout(/.*)?|download/+(png|svg|pdf|html|handout))/*", re.IGNORECASE)

_frame = build_frame(load_dataset([MINI]))
KNOWN_IDS = (*_frame.actor_names, *_frame.issue_labels, *_frame.events["id"], *EVENT_TYPE_BY_ID)
HOSTILE = (
    "", " ", ",", ",,,", "²", "٣", "1²", "-1", "0", "00000", "199", "200", "3000", "3001", "999999999999999999999",
    "1e9", "NaN", "Infinity", "0x10", "16:9", "0:0", "99:99", "1/2", "dark", "light", "1", "story", "events",
    "letter", "a4", "2024-03-07", "2024-02-30", "2024-13-01", "0001-01-01", "9999-12-31", "2024-3-7",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "' OR 1=1 --",
    "../../../../etc/passwd", "%00", "%2e%2e%2f", "%", "%zz", "\x00", "\x1b[31m", "\u202etxt.exe", "\u2066",
    "\ud800", "\ufeff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "=cmd|' /C calc'!A0", "+1", "@SUM(1)", "a" * 300,
)  # fmt: skip

# Characters that have broken parsers before: lone surrogates, controls, bidi overrides, digits int() refuses.
ODD = ("\ud800", "\udfff", "\x00", "\x1b", "\n", "\r\n", "\u202e", "\u2066", "²", "٣", "½", "Ⅻ", "%", "%ff", "&", "=",
       "?", "#", ",", "+", '"', "<", "\\", " ")  # fmt: skip
texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(KNOWN_IDS),
    st.builds("".join, st.lists(st.sampled_from(KNOWN_IDS + ODD + ("1", "3", "16", "2024-03-07")), max_size=4)),
    st.text(max_size=40),
    st.text(st.characters(codec=None), max_size=20),  # lone surrogates too
    st.lists(st.sampled_from(KNOWN_IDS + HOSTILE), max_size=6).map(",".join),
    st.dates().map(str),
    st.integers(-(10**20), 10**20).map(str),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=4), st.integers(500, 20_000)),  # huge
)
odd_text = st.builds("".join, st.lists(st.sampled_from(KNOWN_IDS + ODD + ("1", "3", "16")), min_size=1, max_size=4))
integer = st.one_of(
    # Mostly digits that str.isdigit() accepts and int() refuses.
    st.sampled_from(("²", "1²", "³⁵", "⁰", "①", "٣", "𝟙", "½", "Ⅻ", "1_000", " 3", "3.5")),
    st.integers(-(10**20), 10**20).map(str),
    st.builds("".join, st.lists(st.sampled_from(("0", "1", "3", "9", "²", "٣", "½", "Ⅻ", "-", "+", " ", ".", "e")),
                                min_size=1, max_size=5)),
)  # fmt: skip
date = st.one_of(
    st.dates().map(str),
    st.builds("".join, st.lists(st.sampled_from(("2024", "-", "03", "13", "00", "31", "²", "٣", " ")), max_size=6)),
)
# A value for each parameter that looks like what it takes, or anything at all.
PARAM_VALUES = {
    "actors": st.lists(st.sampled_from(KNOWN_IDS + ODD + HOSTILE), max_size=6).map(",".join),
    "from": date, "to": date, "asof": date, "step": integer, "height": integer, "page": integer,
    "window": st.builds(lambda lo, sep, hi: f"{lo}{sep}{hi}", date, st.sampled_from(("..", ".", "...", "/", "")), date),
    "aspect": st.builds(lambda w, sep, h: f"{w}{sep}{h}", integer, st.sampled_from(":x/-"), integer),
}  # fmt: skip
pairs = st.fixed_dictionaries(
    {}, optional={name: st.one_of(PARAM_VALUES.get(name, odd_text), PARAM_VALUES.get(name, odd_text), texts)
                  for name in URL_PARAMS}
).flatmap(lambda known: st.lists(st.tuples(st.text(max_size=8), texts), max_size=2).map(lambda extra: [
    *known.items(), *extra]))  # fmt: skip
queries = pairs.flatmap(
    lambda pairs: st.sampled_from([
        "?" + urlencode(pairs, errors="surrogatepass"),  # as a browser writes it
        "?" + "&".join(f"{k}={v}" for k, v in pairs),  # unescaped, as a hostile client may send it
        "&".join(f"{k}={v}" for k, v in pairs),
    ])
)  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
chart_events = st.fixed_dictionaries({}, optional={
    "points": st.lists(st.fixed_dictionaries({}, optional={
        "customdata": st.integers(-2, 8) | json_values,
        "bbox": st.dictionaries(st.sampled_from(("x0", "x1", "y0", "y1", "z")), st.floats() | json_values),
        "curveNumber": json_values,
    }), max_size=2) | json_values,
})  # fmt: skip
values = st.one_of(json_values, chart_events, queries, st.lists(st.sampled_from(KNOWN_IDS + HOSTILE), max_size=5))


@pytest.fixture(scope="module")
def client():
    return create_app([MINI]).server.test_client()


@pytest.fixture(scope="module")
def callbacks(client) -> list[tuple[str, dict]]:
    """(page prefix, dependency) for every server-side callback, from each Dash app's `/_dash-dependencies`."""
    found = []
    for prefix in PAGES:
        deps = json.loads(client.get(prefix + "_dash-dependencies").data)
        found += [(prefix, d) for d in deps if not d.get("clientside_function")]
    assert len(found) == SERVER_CALLBACKS
    return found


def post(client, prefix: str, body: object, *, raw: bytes | None = None, content_type: str = "application/json"):
    data = raw if raw is not None else json.dumps(body)
    return client.post(prefix + "_dash-update-component", data=data, content_type=content_type)


def raw_query(query: str) -> dict[str, str]:
    """The query string exactly as a client may send it, invalid UTF-8 included (WSGI holds bytes as latin-1)."""
    return {"QUERY_STRING": query.lstrip("?").encode("utf-8", "surrogatepass").decode("latin-1")}


def check(response) -> None:
    body = response.get_data()
    assert response.status_code < 500, body[:500]
    assert b"Traceback" not in body


@FUZZ
@given(query=queries, target=st.integers(0, len(PAGES) + len(LIGHT_DOWNLOADS) - 1))
def test_url_parameters_never_break_a_page(client, callbacks, query, target):
    readers = [(p, d) for p, d in callbacks if any(i["id"].endswith("url") for i in d["inputs"])]
    assert len(readers) == 2  # the dashboard's view, the presentation
    # A dataset this server does not have: 404 for pages, no update from callbacks. (Which one a query names is
    # for the server to say: the callbacks read the page's search as the browser gives it, pages their URL.)
    elsewhere = "dataset" in query and dataset_from_query(query) != "mini"
    for prefix, dep in readers:  # every callback that reads the URL gets a well-formed body: it must answer
        response = post(client, prefix, body_for(dep, [query] + [None] * (len(dep["inputs"]) - 1)))
        check(response)
        assert response.status_code in ((200, 204) if elsewhere else (200,)), response.get_data()[:500]
        if response.status_code == 200:
            json.loads(response.get_data())
    # The embed reads the URL when its page is asked for: a page, or a short refusal of an oversized query.
    response = client.get("/embed/", environ_overrides=raw_query(query))
    check(response)
    assert response.status_code in (200, 400, *((404,) if elsewhere else ())), response.get_data()[:500]
    if target < len(PAGES):  # and one page or download reads it from the address
        check(client.get(PAGES[target], environ_overrides=raw_query(query)))
    else:
        response = client.get(f"/download/{LIGHT_DOWNLOADS[target - len(PAGES)]}", environ_overrides=raw_query(query))
        check(response)
        assert response.status_code in (200, 400, *((404,) if elsewhere else ())), response.get_data()[:500]


segments = st.one_of(
    st.sampled_from(("..", ".", "", "%2e%2e", "..%2f..%2f", "%2f", "%00", "%", "etc", "passwd", "__init__.py",
                     "deps", "dcc", "html", "dash", "plotly", "polyfill@7.12.1.min.js", "react@18.3.1.min.js",
                     "dash_renderer.min.js", "dash_renderer.v4_4_1m1700000000.min.js", "package_data",
                     "plotly.min.js", "dashboard.css", "_dash-layout", "<script>", "\u202e", "²")),
    st.text(max_size=12),
)  # fmt: skip
PATH_PREFIXES = (
    "/", "/_dash-component-suites/", "/_dash-component-suites/dash/", "/_dash-component-suites/dash/deps/",
    "/_dash-component-suites/plotly/", "/assets/", "/static/", "/_dash-layout", "/_dash-dependencies",
    "/_reload-hash", "/_favicon.ico", "/_dash-update-component", "/download/", "/embed/",
    "/embed/_dash-component-suites/dash/", "/embed/assets/", "/embed/_dash-", "/embed/plotly-basic.min.js",
    "/embed/embed.js",
    "/present/", "/present/_dash-component-suites/dash/", "/present/assets/", "/present/_dash-",
)  # fmt: skip


@FUZZ
@given(prefix=st.sampled_from(PATH_PREFIXES), parts=st.lists(segments, max_size=5), escape=st.booleans(),
       method=st.sampled_from(("GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")),
       query=st.one_of(st.just(""), queries))  # fmt: skip
def test_any_path_gets_an_answer_short_of_a_server_error(client, prefix, parts, escape, method, query):
    path = (prefix + "/".join(quote(p, safe="%/@") if escape else p for p in parts)).split("#")[0].split("?")[0]
    if RENDERS.fullmatch(unquote(path)):
        return  # drawn by Chromium: see test_hostile_parameters_reach_a_real_render
    # Straight into the WSGI environ, decoded as a server decodes it: the test client would read "//x" as a host.
    environ = {**raw_query(query), "PATH_INFO": unquote_to_bytes(path).decode("latin-1")}
    check(client.open("/", method=method, environ_overrides=environ))


MUTATIONS = ("none", "drop key", "replace key", "output", "inputs", "item", "changed", "shape", "raw")


@FUZZ
@given(data=st.data(), which=st.integers(0, SERVER_CALLBACKS - 1), mutation=st.sampled_from(MUTATIONS))
def test_callback_bodies_never_cause_a_server_error(client, callbacks, data, which, mutation):
    prefix, dep = callbacks[which]
    draw = data.draw
    body = body_for(dep, [draw(values) for _ in dep["inputs"]], [draw(values) for _ in dep["state"]],
                    draw(st.lists(st.sampled_from([f"{i['id']}.{i['property']}" for i in dep["inputs"]]),
                                  max_size=2)))  # fmt: skip
    raw, content_type = None, "application/json"
    keys = ("output", "outputs", "inputs", "state", "changedPropIds")
    if mutation == "drop key":
        del body[draw(st.sampled_from(keys))]
    elif mutation == "replace key":
        body[draw(st.sampled_from(keys))] = draw(json_values)
    elif mutation == "output":  # a clientside callback's output, another page's, or made up
        others = [d["output"] for _, d in callbacks] + ["event-detail.className", "nope.children", "..a.b...c.d.."]
        body["output"] = draw(st.sampled_from(others) | st.text(max_size=30))
    elif mutation == "inputs":  # too few, too many or reordered
        body["inputs"] = draw(st.permutations(body["inputs"]) | st.lists(st.sampled_from(body["inputs"]), max_size=9))
    elif mutation == "item":
        item = draw(st.sampled_from(body["inputs"]))
        item[draw(st.sampled_from(("id", "property")))] = draw(json_values)
    elif mutation == "changed":
        body["changedPropIds"] = draw(st.lists(texts | st.sampled_from(["url.search", "{bad.value", "."]),
                                               max_size=3) | json_values)  # fmt: skip
    elif mutation == "shape":
        depth = draw(st.integers(1, 6000))
        nested = draw(st.sampled_from(["[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth]))
        if draw(st.booleans()):  # the nesting inside a value
            body["inputs"][0]["value"] = "NESTED"
            raw = json.dumps(body).replace('"NESTED"', nested, 1).encode()
        else:
            raw = draw(st.sampled_from([nested, json.dumps(body)[: draw(st.integers(0, 200))]])).encode()
    elif mutation == "raw":
        raw = draw(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
        content_type = draw(st.sampled_from(("application/json", "text/plain", "application/x-www-form-urlencoded",
                                             "multipart/form-data", "")))  # fmt: skip
    response = post(client, prefix, body, raw=raw, content_type=content_type)
    check(response)
    if mutation == "none":  # a well-formed body with wrongly typed values: the callback answers, never the guard
        too_big = len(json.dumps(body)) > DEFAULT_MAX_REQUEST_BYTES
        assert response.status_code in ((413,) if too_big else (200, 204)), response.get_data()[:500]


@pytest.mark.browser
def test_hostile_parameters_reach_a_real_render(client):
    """A few hostile URLs against the downloads and the handout that Chromium draws."""
    for path in ("/download/png?height=²&step=²&actors=alpha,<script>&from=2024-13-01",
                 "/download/svg?aspect=99:0&theme=%E2%80%AE&actors=alpha," + "%3Cx%3E," * 2000,
                 "/handout/?paper=²&to=9999-12-31&event=%22%3E%3Cimg"):  # fmt: skip
        response = client.get(path)
        check(response)
        assert response.status_code == 200, response.get_data()[:500]
