"""Serve the bundled dataset: `python app.py`, or `gunicorn app:server` (TIMELINE_DATA picks other files)."""

from timeline import settings
from timeline.cli import app_or_exit

# gunicorn's "worker failed to boot" status (gunicorn.arbiter.Arbiter.WORKER_BOOT_ERROR): a worker that exits with
# it stops the whole server, instead of being replaced by another worker that fails the same way, forever.
WORKER_BOOT_ERROR = 3

paths = settings.read("data") or None
app = app_or_exit(paths, exit_code=1 if __name__ == "__main__" else WORKER_BOOT_ERROR)
server = app.server

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=False)
