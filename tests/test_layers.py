"""The layers stay apart: the pure packages import no web framework, and no layer reaches up to a later one."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "timeline"
# Each layer may import only itself and the layers before it (errors and settings are shared by all).
ORDER = ("data", "text", "formats", "query", "figures", "render", "web")
SHARED = {"errors", "settings"}


def test_pure_layers_import_no_web_framework() -> None:
    code = (
        "import sys, timeline.data, timeline.formats, timeline.query, timeline.figures; "
        "import timeline.data.frame, timeline.formats.loader, timeline.query.filters, timeline.figures.chart; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'dash', 'flask', 'werkzeug'}))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def _imported_layers(path: Path) -> set[str]:
    layers = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("timeline."):
            layers.add(node.module.split(".")[1])
    return layers


def test_imports_point_down_the_layers() -> None:
    upward = []
    for rank, layer in enumerate(ORDER):
        allowed = set(ORDER[: rank + 1]) | SHARED
        for path in sorted((PACKAGE / layer).glob("*.py")):
            upward += [
                f"{path.relative_to(PACKAGE)} imports timeline.{bad}" for bad in _imported_layers(path) - allowed
            ]
    assert upward == []
