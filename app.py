"""Serve the bundled dataset: `python app.py`, or `gunicorn app:server` (TIMELINE_DATA picks other files)."""

import os

from timeline.cli import app_or_exit

app = app_or_exit(os.environ.get("TIMELINE_DATA", "").split(os.pathsep) if os.environ.get("TIMELINE_DATA") else None)
server = app.server

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=False)
