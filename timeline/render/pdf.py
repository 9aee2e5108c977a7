"""HTML to PDF in the system's headless Chromium, honouring the page's print CSS (paper size, page breaks)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from timeline.errors import TimelineError
from timeline.render.images import chromium_path
from timeline.render.limits import render_slot, time_left


def html_to_pdf(page: str, *, timeout: float = 180) -> bytes:
    """Print `page` to PDF with Chromium in a render slot, within `timeout` seconds (or what is left of a web
    request's time budget); raise `TimelineError` if Chromium is missing, fails or runs out of time."""
    browser = chromium_path()
    if browser is None:
        raise TimelineError("PDF handouts are printed by Chromium, which was not found; "
                            "install it (Debian: apt-get install chromium)")  # fmt: skip
    with render_slot(), tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "handout.html", Path(folder) / "handout.pdf"
        source.write_text(page, encoding="utf-8")
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
                   f"--user-data-dir={folder}/profile", f"--print-to-pdf={target}", source.as_uri()]  # fmt: skip
        limit = time_left(timeout)
        try:
            subprocess.run(command, capture_output=True, timeout=limit, check=False)
        except subprocess.TimeoutExpired as exc:
            raise TimelineError(f"Chromium did not finish printing the PDF within {limit:.0f} s; narrow the "
                                "filters, or print it with the command line") from exc  # fmt: skip
        if not target.exists() or target.stat().st_size == 0:
            raise TimelineError("Chromium did not print the PDF")
        return target.read_bytes()
