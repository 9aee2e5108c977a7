"""The synthetic generator makes valid, deterministic datasets that load like curated ones."""

import subprocess
import sys
import warnings

from timeline.data.rules import check_events, check_metadata
from timeline.data.schema import Dataset
from timeline.data.synthetic import synthetic_dataset, synthetic_yaml
from timeline.data.vocab import EVENT_TYPES
from timeline.formats.loader import load_dataset


def test_synthetic_dataset_is_valid_and_deterministic():
    data = synthetic_dataset(600, seed=3)
    assert Dataset.model_validate(data.model_dump()) == data
    assert check_metadata(data) == []
    assert check_events(list(data.events), {a.id for a in data.actors}, {i.id for i in data.issues}) == []
    assert {e.type for e in data.events} == {t.id for t in EVENT_TYPES}
    assert synthetic_dataset(600, seed=3) == data and synthetic_dataset(600, seed=4) != data


def test_synthetic_yaml_loads_through_the_loader(tmp_path):
    path = tmp_path / "synthetic.yaml"
    path.write_text(synthetic_yaml(50), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_dataset([path]) == synthetic_dataset(50)


def test_the_cli_writes_a_parquet_dataset_that_validates(tmp_path):
    path = tmp_path / "synthetic.parquet"
    command = [sys.executable, "-m", "timeline", "synthetic", "500", "--seed", "4", "-o", str(path)]
    wrote = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert wrote.returncode == 0 and wrote.stderr.startswith(f"Wrote 500 synthetic events to {path} in "), wrote.stderr
    assert load_dataset([path]) == synthetic_dataset(500, seed=4)
    checked = subprocess.run([sys.executable, "-m", "timeline", "validate", str(path)], capture_output=True,
                             text=True, timeout=120)  # fmt: skip
    data = synthetic_dataset(500, seed=4)
    span = f"{min(e.start for e in data.events)} to {max(e.end or e.start for e in data.events)}"
    assert checked.stdout == f"OK: 500 events, 12 actors, 6 issues, 4 phases, {span}\n", checked.stderr
