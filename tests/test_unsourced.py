"""An event with no source is shown as unsourced, in words, wherever it is read."""

from __future__ import annotations

from pathlib import Path

import yaml

from timeline.formats.loader import load_frame
from timeline.formats.timelinejs import to_timelinejs
from timeline.query.filters import Filters
from timeline.render.standalone import standalone_html
from timeline.web.present import event_card
from timeline.web.views import detail_panel

FIXTURES = Path(__file__).parent / "fixtures"


def _texts(component) -> list[str]:
    if isinstance(component, str):
        return [component]
    if isinstance(component, list | tuple):
        return [t for c in component for t in _texts(c)]
    children = getattr(component, "children", None)
    return _texts(children) if children is not None else []


def _unsourced_frame(tmp_path):
    data = yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    first = data["events"][0]
    first.update(unsourced=True, sources=[])
    first.pop("quote", None), first.pop("claims", None)
    path = tmp_path / "unsourced.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_frame([path]), data


def test_the_detail_panel_says_an_event_is_unsourced_and_lists_no_sources(tmp_path) -> None:
    frame, data = _unsourced_frame(tmp_path)
    position = frame.position(data["events"][0]["id"])
    text = "".join(_texts(detail_panel(frame, position, Filters())))
    assert "Unsourced: no source is cited for this event." in text
    assert "Sources" not in text
    sourced = "".join(_texts(detail_panel(frame, frame.position(data["events"][1]["id"]), Filters())))
    assert "Sources" in sourced and "Unsourced" not in sourced


def test_the_presentation_card_and_the_exports_say_unsourced(tmp_path) -> None:
    frame, data = _unsourced_frame(tmp_path)
    position = frame.position(data["events"][0]["id"])
    assert "Unsourced: no source is cited for this event." in "".join(_texts(event_card(frame, position)))
    document = to_timelinejs(frame, [position])
    assert "Unsourced: no source is cited for this event." in document["events"][0]["text"]["text"]
    assert "no source is cited for this event" in standalone_html(frame, [position])
