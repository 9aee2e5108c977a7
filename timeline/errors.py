"""The one small exception hierarchy for mistakes in a user's data or options."""

from __future__ import annotations

from dataclasses import dataclass


class TimelineError(Exception):
    """A mistake the user can fix; shown without a traceback."""


@dataclass(frozen=True)
class Problem:
    """One rule a dataset breaks, and where: `data/x.yaml:41: events[7].start: "2024-13-01" is not a date`."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class DatasetError(TimelineError):
    """A dataset broke one or more rules; it is refused as a whole."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        super().__init__(f"dataset refused ({count}):\n" + "\n".join(f"  {p}" for p in problems))
