"""The app factory: load and validate the data once, then build the Dash app around it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from dash import Dash

from . import callbacks
from .filters import Filters
from .frame import EventFrame, build_frame
from .layout import dashboard
from .loader import load_dataset
from .security import secure

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def create_app(paths: Sequence[str | Path] | None = None, *, frame: EventFrame | None = None) -> Dash:
    """A Dash app serving the dataset at `paths` (the bundled one by default).

    Raises `DatasetError` for an invalid dataset, so a server never starts on partial data.
    """
    frame = frame or build_frame(load_dataset(paths))
    app = Dash(__name__, title=frame.dataset.title, assets_folder=str(ASSETS), compress=True,
               serve_locally=True, update_title=None)  # fmt: skip
    # Dash's page has no lang and wraps its scripts in a second <footer> landmark; fix both for screen readers.
    app.index_string = (
        app.index_string.replace("<html>", f'<html lang="{frame.dataset.language}">', 1)
        .replace("<footer>", '<div class="dash-scripts">', 1)
        .replace("</footer>", "</div>", 1)
    )
    # The layout is fetched without the page's query string; a callback sets the controls from the URL.
    app.layout = dashboard(frame, Filters())
    callbacks.register(app, frame)
    app.server.secret_key = os.environ.get("TIMELINE_SECRET_KEY") or os.urandom(32)
    secure(app)
    return app
