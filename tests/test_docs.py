"""The documentation cannot drift from the code or the data."""

import collections
import re
from pathlib import Path

from timeline.data.vocab import EVENT_TYPES
from timeline.formats.reference import embed

ROOT = Path(__file__).resolve().parent.parent
DATA_README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")


def test_schema_reference_in_data_readme_is_current():
    assert embed(DATA_README) == DATA_README, "run: python -m timeline schema --write data/README.md"


def test_every_event_type_and_its_cameo_code_is_documented():
    for term in EVENT_TYPES:
        assert f"| `{term.id}` | {term.label} |" in DATA_README and term.cameo in DATA_README


def test_data_readme_counts_match_the_bundled_dataset(bundled_frame):
    data = bundled_frame.dataset
    assert re.search(rf"\| Events \| {len(data.events)} \(", DATA_README)
    assert f"| Actors | {len(data.actors)} |" in DATA_README
    assert f"| Issues | {len(data.issues)} |" in DATA_README
    assert f"| Phases | {len(data.phases)} |" in DATA_README
    levels = collections.Counter(e.verification for e in data.events)
    assert (f"{levels['confirmed']} events confirmed, {levels['reported']} reported, {levels['claimed']} claimed, "
            f"{levels['disputed']} disputed") in DATA_README  # fmt: skip


def test_readme_gives_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/python app.py" in readme
    assert "bash tests/run.sh" in readme
    assert "tests/run.sh" in (ROOT / ".ci" / "run").read_text()
