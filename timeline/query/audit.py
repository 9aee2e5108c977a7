"""`timeline audit`: the curation rules of data/README.md that a machine can check, as findings with a fix.

Errors are what the rules forbid; warnings are reported only. The checks are pure functions of a `Dataset`;
`audit_paths` adds the file and line of each finding, as the loader does for validation errors.
"""

from __future__ import annotations

import collections
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from timeline.data.frame import build_frame
from timeline.data.messages import dotted
from timeline.data.schema import Dataset, Event
from timeline.errors import DatasetError, Problem
from timeline.formats.loader import _read, load_dataset
from timeline.query.asof import known_mask

ERROR, WARNING = "error", "warning"
NEAR_DUPLICATE = 0.5  # title similarity (Jaccard); distinct same-day events in the bundled data reach 0.16
QUOTED_WORDS = 4
# Words too common to tell two titles apart.
STOP_WORDS = frozenset({
    "a", "an", "and", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into", "is", "it", "its", "of",
    "on", "or", "over", "says", "said", "that", "the", "their", "this", "to", "was", "were", "with", "without",
})  # fmt: skip
# "Site (copy of Wire)" and the like: the wire, not the site, is the independent publisher.
_ORIGIN = re.compile(
    r"\((?:copy of|via|reprint of|summary of)\s+(?P<a>[^)]+?)(?:\s+text)?\)"
    r"|\((?P<b>[^)]+?)(?:-based|\s+wire|\s+video transcript)\)",
    re.IGNORECASE,
)
_NOTE = re.compile(r"\s*\([^)]*\)")
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”")
_WORD = re.compile(r"[\w'’]+")


@dataclass(frozen=True)
class Finding:
    """One thing the dataset does against a curation rule: where, which rule, what, and how to fix it."""

    severity: str  # ERROR or WARNING
    rule: str
    loc: tuple[str | int, ...]  # inside the dataset, e.g. ("events", 7, "verification")
    message: str
    hint: str = ""
    event: str | None = None
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else (self.file or "")
        path = dotted(self.loc)
        head = ": ".join(p for p in (where, path) if p)
        about = f" ({self.event})" if self.event else ""
        text = f"{head}{about}: [{self.rule}] {self.message}"
        return text + (f"\n      fix: {self.hint}" if self.hint else "")


def publisher_origin(publisher: str) -> str:
    """Who originally published a source: `Devdiscourse (copy of Reuters)` and `Reuters` are both `reuters`."""
    match = _ORIGIN.search(publisher)
    name = (match.group("a") or match.group("b")) if match else _NOTE.sub("", publisher)
    name = " ".join(name.casefold().split())
    return name.removeprefix("the ")


def title_words(title: str) -> set[str]:
    """The words that tell titles apart: lowercased, without stop words."""
    return {w.replace("’", "'") for w in _WORD.findall(title.casefold())} - STOP_WORDS


def similarity(a: str, b: str) -> float:
    """Token-set Jaccard similarity of two titles, from 0 to 1."""
    x, y = title_words(a), title_words(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def _plain(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("…", "...")
    return " ".join(text.casefold().split())


def audit(data: Dataset) -> list[Finding]:
    """Every finding for the dataset, errors first, each group in dataset order."""
    findings = [f for i, event in enumerate(data.events) for f in _event_findings(i, event)]
    findings += _near_duplicates(data.events)
    findings += _undated_sources(data.events)
    findings += _story_asof(data)
    return sorted(findings, key=lambda f: f.severity != ERROR)


def _event_findings(i: int, event: Event) -> Iterator[Finding]:
    here = ("events", i)
    if event.verification == "confirmed":
        origins = {publisher_origin(s.publisher) for s in event.sources}
        if len(origins) < 2:
            yield Finding(ERROR, "confirmed-sources", (*here, "verification"),
                          f'is "confirmed" but its sources come from {len(origins)} independent publisher '
                          f"({'; '.join(s.publisher for s in event.sources)})",
                          "cite a second, independent publisher (a copy of the same wire does not count), or set "
                          "verification: reported", event.id)  # fmt: skip
    urls = {s.url for s in event.sources}
    for j, claim in enumerate(event.claims):
        if not claim.source:
            yield Finding(ERROR, "claim-source", (*here, "claims", j, "source"), "the claim cites no source",
                          "give the URL of the event's source that reports the claim", event.id)  # fmt: skip
        elif claim.source not in urls:
            yield Finding(ERROR, "claim-source", (*here, "claims", j, "source"),
                          f"{claim.source} is not one of this event's sources",
                          "add that page to the event's sources, or cite one that is there", event.id)  # fmt: skip
    quoted = _plain(event.quote.text) if event.quote else ""
    for field in ("title", "summary"):
        for match in _QUOTED.finditer(getattr(event, field)):
            passage = match.group(1) or match.group(2)
            if len(_WORD.findall(passage)) >= QUOTED_WORDS and _plain(passage) not in quoted:
                yield Finding(ERROR, "unmarked-quote", (*here, field),
                              f"quotes {match.group(0)} but the event's quote does not hold these words",
                              "record the exact words as the event's quote (with speaker and source), or say it in "
                              "the curators' own words without quotation marks", event.id)  # fmt: skip
    # An unsourced event has no source to date it; it is flagged as unsourced everywhere it is shown instead.
    if event.precision == "day" and not event.unsourced and not any(s.date for s in event.sources):
        yield Finding(ERROR, "day-undated", (*here, "precision"),
                      "is \"day\" but none of the event's sources carries a date",
                      "add the publication date of a source that gives the day, or use a coarser precision",
                      event.id)  # fmt: skip


def _near_duplicates(events: Sequence[Event]) -> Iterator[Finding]:
    by_day: dict[object, list[int]] = collections.defaultdict(list)
    for i, event in enumerate(events):
        by_day[event.start].append(i)
    for indices in by_day.values():
        for i, j in itertools.combinations(indices, 2):
            a, b = events[i], events[j]
            shared = {x.actor for x in a.actors} & {x.actor for x in b.actors}
            score = similarity(a.title, b.title)
            if shared and score >= NEAR_DUPLICATE:
                yield Finding(ERROR, "near-duplicate", ("events", j, "title"),
                              f"looks like a duplicate of {a.id}: same day ({a.start}), shared actors "
                              f"({', '.join(sorted(shared))}), title similarity {score:.2f}",
                              "merge the two events (keeping every source), or make the titles say how they "
                              "differ", b.id)  # fmt: skip


def _undated_sources(events: Sequence[Event]) -> Iterator[Finding]:
    first: dict[str, tuple[int, int]] = {}
    citing: dict[str, list[str]] = collections.defaultdict(list)
    for i, event in enumerate(events):
        for j, source in enumerate(event.sources):
            if source.date is None:
                first.setdefault(source.url, (i, j))
                citing[source.url].append(event.id)
    for url, (i, j) in first.items():
        source = events[i].sources[j]
        ids = ", ".join(dict.fromkeys(citing[url]))
        yield Finding(WARNING, "undated-source", ("events", i, "sources", j),
                      f"{source.publisher}, {source.title!r} has no date ({url}; cited by {ids})",
                      "add the page's publication date if it shows one; an event whose sources are all undated is "
                      "left out of as-of views", events[i].id)  # fmt: skip


def _story_asof(data: Dataset) -> Iterator[Finding]:
    steps = [(i, step) for i, step in enumerate(data.story) if step.asof]
    if not steps:
        return
    frame = build_frame(data)
    for i, step in steps:
        mask = known_mask(frame, step.asof)
        for j, event_id in enumerate(step.events):
            position = frame.position(event_id)
            if position is not None and not mask[position]:
                yield Finding(WARNING, "story-asof", ("story", i, "events", j),
                              f"{event_id} is not yet known on the step's asof ({step.asof}), so the step hides it",
                              "move the step's asof later, or show this event in a later step", event_id)  # fmt: skip


def audit_paths(paths: Sequence[str | Path]) -> tuple[list[Finding], Dataset | None]:
    """Load the files and audit them; each finding names its file and line. A file the loader refuses gives its
    problems as errors (rule `claim-source` for an uncited claim, `valid` for the rest) and no dataset."""
    try:
        data = load_dataset(paths)
    except DatasetError as exc:
        return [_from_problem(p) for p in exc.problems], None
    findings = audit(data)
    # The same reader as the loader, so lines match its messages; the files were valid a moment ago.
    parts = [part for part in (_read(Path(p), []) for p in paths) if part is not None]
    return [replace(f, **_where(f.loc, parts)) for f in findings], data


def _from_problem(problem: Problem) -> Finding:
    rule = "claim-source" if re.search(r"\.claims\[\d+\]\.source$", problem.path) else "valid"
    loc = (problem.path,) if problem.path else ()
    return Finding(ERROR, rule, loc, problem.message, "", None, problem.file, problem.line)


def _where(loc: tuple[str | int, ...], parts: list) -> dict:
    if loc and loc[0] == "events":
        index = int(loc[1])  # the loader keeps each file's events in order: count through the files
        for part in parts:
            if index < len(part.events):
                return {"file": part.file, "line": part.where(("events", index, *loc[2:]))[0]}
            index -= len(part.events)
    meta = next((part for part in parts if part.meta), None)
    return {"file": meta.file, "line": meta.where(loc)[0]} if meta else {}


def report(findings: Sequence[Finding], data: Dataset | None) -> str:
    """The findings grouped by severity, then a summary line."""
    lines: list[str] = []
    for severity, heading in ((ERROR, "Errors"), (WARNING, "Warnings")):
        group = [f for f in findings if f.severity == severity]
        if group:
            lines += [f"{heading} ({len(group)}):", *(f"  {f}" for f in group), ""]
    counts = {s: collections.Counter(f.rule for f in findings if f.severity == s) for s in (ERROR, WARNING)}
    detail = "; ".join(
        f"{sum(c.values())} {s}{'s' if sum(c.values()) != 1 else ''}"
        + (f" ({', '.join(f'{n} {r}' for r, n in sorted(c.items()))})" if c else "")
        for s, c in counts.items()
    )
    scope = f" in {len(data.events)} events" if data is not None else " (the dataset could not be loaded)"
    verdict = "FAILED" if counts[ERROR] else "OK"
    return "\n".join([*lines, f"audit {verdict}: {detail}{scope}"])
