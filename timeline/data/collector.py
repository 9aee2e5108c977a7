"""Python's cycle collector, paused while the data layer builds many objects at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector paused, then restored as it was. Building a dataset or loading a frame makes
    millions of objects and no cycles worth collecting; each full collection they set off walks every object of
    the process and frees nothing (half of building a synthetic dataset; about 40 ms of a million-event load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
