"""Synthetic datasets of any size for benchmarks and loader tests; every text in them says it is synthetic."""

from __future__ import annotations

import datetime as dt

import numpy as np
import yaml

from .schema import Actor, Claim, Dataset, Event, EventActor, Issue, Phase, Quote, Source
from .vocab import EVENT_TYPES, ActorKind, EventType, Precision, Role, Status, Verification

START = dt.date(2022, 1, 3)
SPAN_DAYS = 3 * 365
N_ISSUES = 6

# Relative frequencies loosely modelled on the curated dataset: statements and talks dominate, deadlines are rare.
_TYPE_WEIGHT = {"statement": 6, "talks_held": 4, "military_action": 4, "delegation_arrives": 2, "delegation_leaves": 2,
                "proposal": 2, "response": 2, "appeal": 2, "demand": 2, "mediation": 2, "deadline": 0.1,
                "ultimatum": 0.3, "agreement": 0.3, "ceasefire_start": 0.2, "ceasefire_extended": 0.2,
                "ceasefire_end": 0.2, "resolution": 0.3, "mediation_suspended": 0.3, "talks_suspended": 0.5}  # fmt: skip
_ROLES_BY_FAMILY = {
    "talks": ("party", "mediator", "host"),
    "proposals": ("party", "party", "mediator"),
    "statements": ("speaker", "target", "third_party"),
    "pressure": ("speaker", "target", "third_party"),
    "agreements": ("party", "party", "mediator"),
    "context": ("party", "target", "third_party"),
    "other": ("third_party", "third_party", "third_party"),
}
# "day" twice: the second is a day-precision range (start + end), drawn as a bar rather than a whisker.
_PRECISIONS = ("day", "day", "days", "week", "month", "approximate")
_PRECISION_P = (0.72, 0.08, 0.07, 0.06, 0.05, 0.02)
_STATUSES = ("occurred", "expected", "scheduled", "postponed", "cancelled")
_STATUS_P = (0.9, 0.04, 0.03, 0.015, 0.015)
_VERIFICATIONS = ("confirmed", "reported", "claimed", "disputed")
_VERIFICATION_P = (0.3, 0.55, 0.1, 0.05)
_PUBLISHERS = ("Synthetic Wire", "Example Daily", "Placeholder Times", "Sample Broadcasting", "Mock Gazette")
_PLACES = ("Synthetic City A", "Synthetic City B", "Synthetic City C", "Synthetic Capital", None, None, None)


def _actors(n_actors: int) -> list[Actor]:
    # Mostly states and armed groups, as in a real negotiation, with a few mediators and others.
    kinds = ("state", "armed_group", "mediator_state", "state", "igo", "political_body", "person", "ngo")
    return [
        Actor.model_construct(
            id=f"actor-{i + 1:02d}",
            name=f"Synthetic actor {i + 1:02d}",
            kind=ActorKind(kinds[i % len(kinds)]),
            description=f"Synthetic actor number {i + 1}, generated for tests and benchmarks.",
            aliases=[],
            color=None,
        )
        for i in range(n_actors)
    ]


def _issues() -> list[Issue]:
    return [
        Issue.model_construct(
            id=f"issue-{i + 1}",
            label=f"Synthetic issue {i + 1}",
            description=f"Synthetic sticking point number {i + 1}.",
        )  # fmt: skip
        for i in range(N_ISSUES)
    ]


def _phases() -> list[Phase]:
    bounds = ((0, 300), (280, 620), (600, 820), (800, SPAN_DAYS))  # overlapping a little, as phases may
    return [
        Phase.model_construct(id=f"phase-{i + 1}", label=f"Synthetic phase {i + 1}",
                              start=START + dt.timedelta(days=a), end=START + dt.timedelta(days=b), description=None)
        for i, (a, b) in enumerate(bounds)
    ]  # fmt: skip


def _days(rng: np.random.Generator, n: int) -> np.ndarray:
    # Real negotiations come in bursts: a uniform background plus clusters around a few crisis dates.
    centres = rng.integers(30, SPAN_DAYS - 30, size=8)
    burst = rng.random(n) < 0.35
    days = rng.integers(0, SPAN_DAYS, size=n)
    near = rng.choice(centres, size=n) + np.rint(rng.normal(0, 12, size=n)).astype(np.int64)
    return np.clip(np.where(burst, near, days), 0, SPAN_DAYS - 1)


def synthetic_dataset(n_events: int, *, seed: int = 0, n_actors: int = 12) -> Dataset:
    """A valid dataset of `n_events` synthetic events among `n_actors` actors over about three years.

    Built with `model_construct`, skipping validation, so it is fast at 100k events and usable at 1M.
    Deterministic for a given seed.
    """
    if n_actors < 1:
        raise ValueError("n_actors must be at least 1")
    rng = np.random.default_rng(seed)
    actors, issues = _actors(n_actors), _issues()
    n = n_events

    weights = np.array([_TYPE_WEIGHT.get(t.id, 1.0) for t in EVENT_TYPES])
    types = rng.choice(len(EVENT_TYPES), size=n, p=weights / weights.sum())
    types[: min(n, len(EVENT_TYPES))] = np.arange(min(n, len(EVENT_TYPES)))  # every type appears at least once
    days = _days(rng, n)
    precision = rng.choice(len(_PRECISIONS), size=n, p=_PRECISION_P)
    lengths = rng.integers(1, 10, size=n)
    status = rng.choice(len(_STATUSES), size=n, p=_STATUS_P)
    verification = rng.choice(len(_VERIFICATIONS), size=n, p=_VERIFICATION_P)

    popularity = 1 / np.arange(1, n_actors + 1) ** 0.8  # a few actors take part in far more events than others
    first = rng.choice(n_actors, size=n, p=popularity / popularity.sum())
    count = np.minimum(rng.choice(3, size=n, p=(0.45, 0.35, 0.2)) + 1, n_actors)
    # Two offsets in 1..n_actors-1 that differ, so the up-to-three actors of an event are distinct.
    step1 = rng.integers(1, max(n_actors, 2), size=n)
    step2 = rng.integers(1, max(n_actors - 1, 2), size=n)
    step2 = np.where(step2 >= step1, step2 + 1, step2)
    members = np.column_stack([first, (first + step1) % n_actors, (first + step2) % n_actors])

    n_issues = rng.choice(3, size=n, p=(0.4, 0.45, 0.15))
    issue_a = rng.integers(0, N_ISSUES, size=n)
    issue_b = (issue_a + rng.integers(1, N_ISSUES, size=n)) % N_ISSUES
    two_sources = rng.random(n) < 0.35
    dated_source = rng.random(n) < 0.8
    has_quote = rng.random(n) < 0.04
    place = rng.integers(0, len(_PLACES), size=n)
    publisher = rng.integers(0, len(_PUBLISHERS), size=n)

    dates = [START + dt.timedelta(days=d) for d in range(SPAN_DAYS + 40)]
    part = {(a, r): EventActor.model_construct(actor=actors[a].id, role=Role(r))
            for a in range(n_actors) for r in dict.fromkeys(r for rs in _ROLES_BY_FAMILY.values() for r in rs)}  # fmt: skip
    type_enum = [EventType(t.id) for t in EVENT_TYPES]
    precision_enum = [Precision(p) for p in _PRECISIONS]
    status_enum = [Status(s) for s in _STATUSES]
    verification_enum = [Verification(v) for v in _VERIFICATIONS]
    deadline_status, day = Status("deadline"), Precision("day")

    events: list[Event] = []
    for i, (t, d, p, length, s, v, k, row, ni, ia, ib, two, dated, quoted, pl, pub) in enumerate(zip(
        types.tolist(), days.tolist(), precision.tolist(), lengths.tolist(), status.tolist(), verification.tolist(),
        count.tolist(), members.tolist(), n_issues.tolist(), issue_a.tolist(), issue_b.tolist(), two_sources.tolist(),
        dated_source.tolist(), has_quote.tolist(), place.tolist(), publisher.tolist(), strict=True,
    )):  # fmt: skip
        term = EVENT_TYPES[t]
        roles = _ROLES_BY_FAMILY[term.family]
        who = row[:k]
        kind = _PRECISIONS[p]
        deadline = term.id == "deadline"
        start, end = dates[d], None
        if deadline:
            pass  # deadlines fall on a known day
        elif kind == "month":
            start = start.replace(day=1)
        elif p == 1:
            end = dates[d + length]
        elif kind == "days":
            end = dates[d + 1 + length % 3]
        elif kind == "approximate":
            end = dates[d + 3 * length]
        sources = [
            Source.model_construct(publisher=_PUBLISHERS[(pub + j) % len(_PUBLISHERS)],
                                   title=f"Synthetic report {j + 1} on event {i}",
                                   date=dates[d + j] if dated else None, url=f"https://example.org/synthetic/{i}/{j}")
            for j in range(2 if two else 1)
        ]  # fmt: skip
        names = [actors[a].name for a in who]
        quote = None
        if quoted:
            quote = Quote.model_construct(text=f"Synthetic quote {i}: we remain committed to the talks.",
                                          speaker=f"A spokesperson for {names[0]}", actor=actors[who[0]].id,
                                          source=sources[0].url)  # fmt: skip
        claims = []
        if _VERIFICATIONS[v] == "disputed":
            claims = [
                Claim.model_construct(claimant=names[0], actor=actors[who[0]].id, source=sources[0].url,
                                      text=f"{names[0]} said event {i} went as it described (synthetic claim)."),
                Claim.model_construct(claimant=_PUBLISHERS[pub], actor=None, source=sources[-1].url,
                                      text=f"{_PUBLISHERS[pub]} reported a different account of event {i} (synthetic)."),
            ]  # fmt: skip
        events.append(Event.model_construct(
            id=f"synthetic-{i}",
            title=f"Synthetic event {i}: {term.label} ({names[0]})",
            summary=f"Synthetic event {i}, generated for tests: {term.help} Involves {', '.join(names)}.",
            type=type_enum[t],
            status=deadline_status if deadline else status_enum[s],
            start=start,
            end=end,
            precision=day if deadline else precision_enum[p],
            display_date=None,
            location=_PLACES[pl],
            actors=[part[a, roles[j]] for j, a in enumerate(who)],
            issues=[issues[ia].id, issues[ib].id][:ni],
            quote=quote,
            sources=sources,
            claims=claims,
            verification=verification_enum[v],
        ))  # fmt: skip

    return Dataset.model_construct(
        title=f"Synthetic negotiation ({n_events:,} events)",
        description="Generated test data for benchmarks and tests. No event, actor or quote in it is real.",
        curator="timeline.synthetic",
        licence="CC0 1.0",
        last_updated=START + dt.timedelta(days=SPAN_DAYS + 30),
        language="en",
        actors=actors,
        issues=issues,
        phases=_phases(),
        events=events,
    )


def synthetic_yaml(n_events: int, seed: int = 0) -> str:
    """A synthetic dataset as YAML text in the curated file format, for exercising the loader."""
    data = synthetic_dataset(n_events, seed=seed).model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
