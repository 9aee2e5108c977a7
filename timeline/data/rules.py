"""Rules that span records: known ids, unique ids, date order, claims that cite the event's own sources."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from timeline.data.messages import show, visible
from timeline.data.schema import Dataset, Event

# (event index or None for metadata, location inside it, message)
Finding = tuple[int | None, tuple[str | int, ...], str]


def _known(kind: str, value: str, known: set[str]) -> str:
    listed = visible(", ".join(sorted(known)[:12])) + (", …" if len(known) > 12 else "")
    return f"unknown {kind} {show(value)}; known {kind}s: {listed or 'none'}"


def _duplicates(items: Iterable[str], where: str) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item in seen:
            yield None, (where, i, "id"), f"duplicate id {show(item)} (also {where}[{seen[item]}])"
        seen.setdefault(item, i)


def check_metadata(head: Dataset) -> list[Finding]:
    """Every rule the glossary, issues and phases break together."""
    findings: list[Finding] = []
    findings += _duplicates((a.id for a in head.actors), "actors")
    findings += _duplicates((i.id for i in head.issues), "issues")
    findings += _duplicates((p.id for p in head.phases), "phases")
    for i, phase in enumerate(head.phases):
        if phase.end < phase.start:
            findings.append((None, ("phases", i, "end"), f"{show(str(phase.end))} is before start {phase.start}"))
    return findings


def check_story(head: Dataset, known: set[str]) -> list[Finding]:
    """Every story step shows an event id in `known`, and its window ends after it starts."""
    findings: list[Finding] = []
    for i, step in enumerate(head.story):
        for j, event_id in enumerate(step.events):
            if event_id not in known:
                findings.append((None, ("story", i, "events", j), f"unknown event id {show(event_id)}"))
        if step.window_start and step.window_end and step.window_end < step.window_start:
            findings.append((None, ("story", i, "window_end"),
                             f"{show(str(step.window_end))} is before window_start {step.window_start}"))  # fmt: skip
        if bool(step.window_start) != bool(step.window_end):
            findings.append((None, ("story", i), "give both window_start and window_end, or neither"))
    return findings


def check_events(events: list[Event], actors: set[str], issues: set[str]) -> list[Finding]:
    """Every rule the events break: unknown ids, duplicate ids, date order, uncited claims, an unsourced event's
    sources, quote or claims."""
    findings: list[Finding] = []
    first: dict[str, int] = {}
    for index, event in enumerate(events):
        if event.id in first:
            findings.append((index, ("id",), f"duplicate event id {show(event.id)} (first used by another event)"))
        first.setdefault(event.id, index)
        findings.extend((index, loc, msg) for loc, msg in _check_event(event, actors, issues))
    return findings


def _check_event(event: Event, actors: set[str], issues: set[str]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if event.end is not None and event.end < event.start:
        yield ("end",), f"{show(str(event.end))} is before start {event.start}"
    if event.end is None and event.precision in ("days", "approximate"):
        yield ("end",), f"is required when precision is {show(str(event.precision))} (the latest possible date)"
    for j, part in enumerate(event.actors):
        if part.actor not in actors:
            yield ("actors", j, "actor"), _known("actor", part.actor, actors)
    for j, issue in enumerate(event.issues):
        if issue not in issues:
            yield ("issues", j), _known("issue", issue, issues)
    if event.unsourced:  # a quote or claim is carried by a source, and the event has none
        if event.sources:
            yield ("sources",), "an unsourced event lists no sources; remove them, or set unsourced: false"
        if event.quote:
            yield ("quote",), "an unsourced event holds no quote: a quote needs the source that carries it"
        if event.claims:
            yield ("claims",), "an unsourced event holds no claims: a claim needs the source that reports it"
        return
    urls = {s.url for s in event.sources}
    cited = [("quote", event.quote)] if event.quote else []
    cited += [(("claims", j), claim) for j, claim in enumerate(event.claims)]
    for where, item in cited:
        loc = where if isinstance(where, tuple) else (where,)
        if item.actor is not None and item.actor not in actors:
            yield (*loc, "actor"), _known("actor", item.actor, actors)
        if item.source is not None and item.source not in urls:
            yield (*loc, "source"), f"{show(item.source)} is not the URL of one of this event's sources"
