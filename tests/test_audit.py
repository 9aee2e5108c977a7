"""`timeline audit`: each curation rule fires on a bad case and stays silent on a good one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from timeline.data.schema import Claim, Dataset, Event
from timeline.formats.flatcsv import write_events
from timeline.formats.loader import load_dataset
from timeline.query.audit import ERROR, WARNING, audit, audit_paths, publisher_origin, report, similarity

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
ASOF = FIXTURES / "asof.yaml"


def source(name: str = "Example News", date: str | None = "2024-03-03", url: str = "https://example.org/a") -> dict:
    return {"publisher": name, "title": "A headline", "url": url, **({"date": date} if date else {})}


def event(**fields: Any) -> dict:
    base = {"id": "e1", "title": "Talks open in Gamma City", "summary": "Delegations of Alpha and Beta meet.",
            "type": "talks_start", "start": "2024-03-03", "actors": [{"actor": "alpha", "role": "party"}],
            "sources": [source()]}  # fmt: skip
    return {**base, **fields}


def dataset(*events: dict, story: list | None = None) -> Dataset:
    return Dataset.model_validate({
        "title": "T", "description": "D", "curator": "C", "licence": "CC BY 4.0", "last_updated": "2024-04-01",
        "actors": [{"id": a, "name": a.title(), "kind": "state", "description": "Actor."} for a in ("alpha", "beta")],
        "events": list(events), "story": story or [],
    })  # fmt: skip


def with_claim(source_url: str | None) -> Dataset:
    """A claim citing `source_url`, which validation would refuse; built as the audit might receive it from code."""
    data = dataset(event(verification="disputed"))
    claim = Claim.model_construct(claimant="Beta", actor="beta", text="Beta said so.", source=source_url)
    bad: Event = data.events[0].model_copy(update={"claims": [claim]})
    return data.model_copy(update={"events": [bad]})


TWO = [source("Example News"), source("Other Wire", url="https://example.net/b")]
DUP_A = event(id="a", title="Beta delegation leaves Cairo to consult its leadership")
DUP_B = event(
    id="b", title="Beta delegation leaves Cairo talks to consult leadership", sources=[source(url="https://x.org/")]
)

CASES = [
    # (rule, dataset, fires)
    ("confirmed-sources", dataset(event(verification="confirmed")), True),
    ("confirmed-sources", dataset(event(verification="confirmed", sources=[
        source("Example News"), source("Example Daily (copy of Example News)", url="https://example.net/b")])), True),
    ("confirmed-sources", dataset(event(verification="confirmed", sources=[
        source("Site A (copy of Reuters)"), source("Reuters", url="https://example.net/b"),
        source("Site B (via Reuters)", url="https://example.com/c")])), True),
    ("confirmed-sources", dataset(event(verification="confirmed", sources=TWO)), False),
    ("confirmed-sources", dataset(event(verification="reported")), False),
    ("claim-source", with_claim("https://elsewhere.example/"), True),
    ("claim-source", with_claim(None), True),
    ("claim-source", with_claim("https://example.org/a"), False),
    ("unmarked-quote", dataset(event(summary='Beta said it would "never accept such a deal" again.')), True),
    ("unmarked-quote", dataset(event(title="Beta: “we will not go back”")), True),
    ("unmarked-quote", dataset(event(summary='Beta said it would "never accept such a deal" again.',
                                     quote={"text": "We will never accept such a deal.", "speaker": "Beta"})), False),
    ("unmarked-quote", dataset(event(summary='Beta said "we won\'t go back now".',
                                     quote={"text": "We won’t go back now.", "speaker": "Beta"})), False),
    ("unmarked-quote", dataset(event(summary='Biden said a deal was "looking very tough".')), False),
    ("unmarked-quote", dataset(event(verification="disputed", claims=[
        {"claimant": "Beta", "text": 'Beta said Alpha "blocked every single deal".', "source": "https://example.org/a"}
    ])), False),
    ("day-undated", dataset(event(sources=[source(date=None)])), True),
    ("day-undated", dataset(event(sources=[source(date=None), source(url="https://example.net/b")])), False),
    ("day-undated", dataset(event(precision="week", sources=[source(date=None)])), False),
    ("day-undated", dataset(event(unsourced=True, sources=[])), False),
    ("near-duplicate", dataset(DUP_A, DUP_B), True),
    ("near-duplicate", dataset(DUP_A, {**DUP_B, "start": "2024-03-04"}), False),
    ("near-duplicate", dataset(DUP_A, {**DUP_B, "actors": [{"actor": "beta", "role": "party"}]}), False),
    ("near-duplicate", dataset(DUP_A, {**DUP_B, "title": "Alpha names a new negotiator"}), False),
    ("undated-source", dataset(event(sources=[source(), source(date=None, url="https://example.net/b")])), True),
    ("undated-source", dataset(event(sources=TWO)), False),
    ("story-asof", dataset(event(), story=[{"title": "Before", "events": ["e1"], "asof": "2024-03-02"}]), True),
    ("story-asof", dataset(event(), story=[{"title": "On the day", "events": ["e1"], "asof": "2024-03-03"}]), False),
]  # fmt: skip
SEVERITY = {"undated-source": WARNING, "story-asof": WARNING}


@pytest.mark.parametrize(("rule", "data", "fires"), CASES, ids=[f"{r}-{'bad' if f else 'good'}" for r, _, f in CASES])
def test_rule(rule, data, fires):
    found = [f for f in audit(data) if f.rule == rule]
    assert bool(found) == fires, found
    for finding in found:
        assert finding.severity == SEVERITY.get(rule, ERROR)
        assert finding.message and finding.hint and finding.loc[0] in ("events", "story")


def test_a_clean_dataset_has_no_findings():
    assert audit(dataset(event(verification="confirmed", sources=TWO), DUP_A | {"start": "2024-03-05"})) == []


def test_findings_name_the_event_and_field():
    data = dataset(
        event(), event(id="e2", title="Alpha replies", verification="confirmed", sources=[source(date=None)])
    )
    rules = {(f.rule, f.event, f.loc) for f in audit(data)}
    assert rules == {
        ("confirmed-sources", "e2", ("events", 1, "verification")),
        ("day-undated", "e2", ("events", 1, "precision")),
        ("undated-source", "e2", ("events", 1, "sources", 0)),
    }
    assert [f.severity for f in audit(data)] == [ERROR, ERROR, WARNING]  # errors first


def test_an_undated_source_cited_twice_is_one_warning_naming_both_events():
    undated = source(date=None, url="https://example.net/u")
    data = dataset(event(sources=[source(), undated]), event(id="e2", start="2024-03-09", sources=[source(), undated]))
    [finding] = [f for f in audit(data) if f.rule == "undated-source"]
    assert "cited by e1, e2" in finding.message and finding.loc == ("events", 0, "sources", 1)


@pytest.mark.parametrize(
    ("publisher", "origin"),
    [
        ("Devdiscourse (copy of Reuters)", "reuters"),
        ("Basem Naim, Hamas (via Reuters)", "reuters"),
        ("JFJFP (reprint of Times of Israel text)", "times of israel"),
        ("Daily Pakistan (Reuters-based)", "reuters"),
        ("Daily Mail (AFP wire)", "afp"),
        ("MarketScreener (Reuters video transcript)", "reuters"),
        ("The New Paper / Straits Times (copy of AFP)", "afp"),
        ("DW (live blog)", "dw"),
        ("The Hill", "hill"),
        ("UPI", "upi"),
    ],
)
def test_publisher_origin(publisher, origin):
    assert publisher_origin(publisher) == origin


def test_title_similarity_threshold_separates_duplicates_from_the_bundled_same_day_events():
    assert similarity(DUP_A["title"], DUP_B["title"]) >= 0.5
    events = load_dataset().events
    same_day = [(a, b) for i, a in enumerate(events) for b in events[i + 1 :] if a.start == b.start]
    assert len(same_day) > 20 and max(similarity(a.title, b.title) for a, b in same_day) < 0.5


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "timeline", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_cli_reports_errors_with_file_and_line_and_exits_1(tmp_path):
    raw = yaml.safe_load(ASOF.read_text())
    raw["events"][0]["verification"] = "confirmed"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    lines = path.read_text().splitlines()
    result = run("audit", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    out = result.stdout
    verification = next(i for i, line in enumerate(lines, 1) if line.strip() == "verification: confirmed")
    assert f"{path}:{verification}: events[0].verification (talks-open): [confirmed-sources]" in out
    assert "(undated-meeting): [day-undated]" in out and "fix: add the publication date" in out
    assert out.index("Errors (2):") < out.index("Warnings (2):")
    assert out.rstrip().endswith(
        "audit FAILED: 2 errors (1 confirmed-sources, 1 day-undated); 2 warnings (2 undated-source) in 8 events"
    )


def test_cli_passes_with_warnings_only(tmp_path):
    raw = yaml.safe_load(ASOF.read_text())
    raw["events"][1]["precision"] = "week"  # the undated meeting no longer claims an exact day
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    result = run("audit", str(path))
    assert result.returncode == 0, result.stdout
    assert "Errors" not in result.stdout and "Warnings (2):" in result.stdout
    assert result.stdout.rstrip().endswith("audit OK: 0 errors; 2 warnings (2 undated-source) in 8 events")


def test_cli_reports_an_uncited_claim_the_loader_refuses(tmp_path):
    raw = yaml.safe_load(ASOF.read_text())
    del raw["events"][3]["claims"][0]["source"]
    path = tmp_path / "uncited.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    result = run("audit", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "events[3].claims[0].source: [claim-source] is required" in result.stdout
    assert "(the dataset could not be loaded)" in result.stdout


def test_findings_in_a_csv_point_at_its_row(tmp_path):
    raw = yaml.safe_load(ASOF.read_text())
    events = load_dataset([ASOF]).events
    raw.pop("events")
    (tmp_path / "meta.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    (tmp_path / "events.csv").write_text(write_events(events), encoding="utf-8")
    findings, _ = audit_paths([tmp_path / "meta.yaml", tmp_path / "events.csv"])
    [day] = [f for f in findings if f.rule == "day-undated"]
    assert (day.file, day.line, day.event) == (str(tmp_path / "events.csv"), 3, "undated-meeting")


def test_report_groups_by_severity():
    data = dataset(event(sources=[source(date=None)]))
    text = report(audit(data), data)
    assert text.splitlines()[0] == "Errors (1):" and "Warnings (1):" in text
    assert text.endswith("audit FAILED: 1 error (1 day-undated); 1 warning (1 undated-source) in 1 events")


def test_bundled_dataset_passes_the_audit():
    result = run("audit", "data/gaza-ceasefire.yaml")
    assert result.returncode == 0, result.stdout
