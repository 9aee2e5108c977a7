"""Synthetic datasets of any size for benchmarks and loader tests; every text in them says it is synthetic."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from timeline.data.collector import cycle_collector_paused
from timeline.data.flat import COLUMNS, SCHEMA
from timeline.data.schema import Actor, Claim, Dataset, Event, EventActor, Issue, Phase, Quote, Source
from timeline.data.vocab import EVENT_TYPES, ActorKind, EventType, Precision, Role, Status, Verification

START = dt.date(2022, 1, 3)
START_DAY = np.datetime64(START, "D")
SPAN_DAYS = 3 * 365
N_ISSUES = 6

# Statements dominate, as in the curated dataset; deadlines stay rare (about 1 in 400) so the chart has only a few.
_TYPE_WEIGHT = {
    **dict.fromkeys(("delegation_arrives", "delegation_leaves", "proposal", "response", "appeal", "demand"), 2.0),
    **dict.fromkeys(("ultimatum", "agreement", "resolution", "mediation_suspended"), 0.3),
    **dict.fromkeys(("ceasefire_start", "ceasefire_extended", "ceasefire_end"), 0.2),
    "statement": 6.0,
    "talks_held": 4.0,
    "military_action": 4.0,
    "mediation": 2.0,
    "talks_suspended": 0.5,
    "deadline": 0.1,
}
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
        )
        for i in range(N_ISSUES)
    ]


def _phases() -> list[Phase]:
    bounds = ((0, 300), (280, 620), (600, 820), (800, SPAN_DAYS))  # overlapping a little, as phases may
    return [
        Phase.model_construct(
            id=f"phase-{i + 1}",
            label=f"Synthetic phase {i + 1}",
            start=START + dt.timedelta(days=a),
            end=START + dt.timedelta(days=b),
            description=None,
        )
        for i, (a, b) in enumerate(bounds)
    ]


def _days(rng: np.random.Generator, n: int) -> np.ndarray:
    # Real negotiations come in bursts: a uniform background plus clusters around a few crisis dates.
    centres = rng.integers(30, SPAN_DAYS - 30, size=8)
    burst = rng.random(n) < 0.35
    days = rng.integers(0, SPAN_DAYS, size=n)
    near = rng.choice(centres, size=n) + np.rint(rng.normal(0, 12, size=n)).astype(np.int64)
    return np.clip(np.where(burst, near, days), 0, SPAN_DAYS - 1)


def _draws(rng: np.random.Generator, n: int, n_actors: int) -> dict[str, np.ndarray]:
    """Every random choice for `n` events, drawn column-wise."""
    weights = np.array([_TYPE_WEIGHT.get(t.id, 1.0) for t in EVENT_TYPES])
    types = rng.choice(len(EVENT_TYPES), size=n, p=weights / weights.sum())
    types[: min(n, len(EVENT_TYPES))] = np.arange(min(n, len(EVENT_TYPES)))  # every type appears at least once
    popularity = 1 / np.arange(1, n_actors + 1) ** 0.8  # a few actors take part in far more events than others
    first = rng.choice(n_actors, size=n, p=popularity / popularity.sum())
    # Two different offsets in 1..n_actors-1, so the up-to-three actors of an event are distinct.
    step1 = rng.integers(1, max(n_actors, 2), size=n)
    step2 = rng.integers(1, max(n_actors - 1, 2), size=n)
    step2 = np.where(step2 >= step1, step2 + 1, step2)
    issue_a = rng.integers(0, N_ISSUES, size=n)
    columns = {
        "type": types,
        "day": _days(rng, n),
        "precision": rng.choice(len(_PRECISIONS), size=n, p=_PRECISION_P),
        "length": rng.integers(1, 10, size=n),
        "status": rng.choice(len(_STATUSES), size=n, p=_STATUS_P),
        "verification": rng.choice(len(_VERIFICATIONS), size=n, p=_VERIFICATION_P),
        "actors": np.column_stack([first, (first + step1) % n_actors, (first + step2) % n_actors]),
        "n_actors": np.minimum(rng.choice(3, size=n, p=(0.45, 0.35, 0.2)) + 1, n_actors),
        "issues": np.column_stack([issue_a, (issue_a + rng.integers(1, N_ISSUES, size=n)) % N_ISSUES]),
        "n_issues": rng.choice(3, size=n, p=(0.4, 0.45, 0.15)),
        "n_sources": 1 + (rng.random(n) < 0.35),
        "dated_source": rng.random(n) < 0.8,
        "quote": rng.random(n) < 0.04,
        "place": rng.integers(0, len(_PLACES), size=n),
        "publisher": rng.integers(0, len(_PUBLISHERS), size=n),
    }
    # Numbered in date order, as a curated timeline is: the first and last day each event may fall on, then file order.
    order = np.lexsort(_window(columns)[::-1])
    return {name: values[order] for name, values in columns.items()}


def _window(draw: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The first and last day (from START) of each drawn event, as `dates.window` gives them."""
    day, length, kind = draw["day"], draw["length"], draw["precision"]
    deadline = draw["type"] == next(i for i, t in enumerate(EVENT_TYPES) if t.id == "deadline")
    dates = START_DAY + day
    month_start = (dates.astype("datetime64[M]").astype("datetime64[D]") - START_DAY).astype(np.int64)
    month_end = ((dates.astype("datetime64[M]") + 1).astype("datetime64[D]") - START_DAY).astype(np.int64) - 1
    index = _PRECISIONS.index
    lo = np.where((kind == index("month")) & ~deadline, month_start, day)
    hi = np.select([kind == 1, kind == index("days"), kind == index("week"), kind == index("month"),
                    kind == index("approximate")],
                   [day + length, day + 1 + length % 3, day + 6, month_end, day + 3 * length], day)  # fmt: skip
    return lo, np.where(deadline, day, hi)


class _Builder:
    """Turns one event's draws into an `Event`, reusing the immutable objects that many events share."""

    def __init__(self, actors: list[Actor], issues: list[Issue]) -> None:
        self.actors, self.issues = actors, issues
        self.dates = [START + dt.timedelta(days=d) for d in range(SPAN_DAYS + 40)]
        roles = dict.fromkeys(r for rs in _ROLES_BY_FAMILY.values() for r in rs)
        self.parts = {(a.id, r): EventActor.model_construct(actor=a.id, role=Role(r)) for a in actors for r in roles}
        self.types = [EventType(t.id) for t in EVENT_TYPES]
        self.precisions = [Precision(p) for p in _PRECISIONS]
        self.statuses = [Status(s) for s in _STATUSES]
        self.verifications = [Verification(v) for v in _VERIFICATIONS]

    def dates_of(self, kind: int, day: int, length: int) -> tuple[dt.date, dt.date | None]:
        start = self.dates[day]
        match _PRECISIONS[kind]:
            case "day":
                return start, (self.dates[day + length] if kind == 1 else None)
            case "days":
                return start, self.dates[day + 1 + length % 3]
            case "approximate":
                return start, self.dates[day + 3 * length]
            case "month":
                return start.replace(day=1), None
            case _:
                return start, None

    def event(self, i: int, draw: dict[str, list]) -> Event:
        term = EVENT_TYPES[draw["type"][i]]
        deadline = term.id == "deadline"
        day, publisher = draw["day"][i], draw["publisher"][i]
        who = [self.actors[a] for a in draw["actors"][i][: draw["n_actors"][i]]]
        roles = _ROLES_BY_FAMILY[term.family]
        start, end = (
            (self.dates[day], None) if deadline else self.dates_of(draw["precision"][i], day, draw["length"][i])
        )
        sources = [
            Source.model_construct(
                publisher=_PUBLISHERS[(publisher + j) % len(_PUBLISHERS)],
                title=f"Synthetic report {j + 1} on event {i}",
                date=self.dates[day + j] if draw["dated_source"][i] else None,
                url=f"https://example.org/synthetic/{i}/{j}",
            )
            for j in range(draw["n_sources"][i])
        ]
        quote = None
        if draw["quote"][i]:
            quote = Quote.model_construct(
                text=f"Synthetic quote {i}: we remain committed to the talks.",
                speaker=f"A spokesperson for {who[0].name}",
                actor=who[0].id,
                source=sources[0].url,
            )
        verification = _VERIFICATIONS[draw["verification"][i]]
        claims = []
        if verification == "disputed":
            claims = [
                Claim.model_construct(
                    claimant=who[0].name,
                    actor=who[0].id,
                    text=f"{who[0].name} said event {i} went as it described (synthetic claim).",
                    source=sources[0].url,
                ),
                Claim.model_construct(
                    claimant=_PUBLISHERS[publisher],
                    actor=None,
                    text=f"{_PUBLISHERS[publisher]} reported a different account of event {i} (synthetic claim).",
                    source=sources[-1].url,
                ),
            ]
        return Event.model_construct(
            id=f"synthetic-{i}",
            title=f"Synthetic event {i}: {term.label} ({who[0].name})",
            summary=f"Synthetic event {i}, generated for tests: {term.help} Involves {', '.join(a.name for a in who)}.",
            type=self.types[draw["type"][i]],
            status=Status("deadline") if deadline else self.statuses[draw["status"][i]],
            start=start,
            end=end,
            precision=Precision("day") if deadline else self.precisions[draw["precision"][i]],
            display_date=None,
            location=_PLACES[draw["place"][i]],
            actors=[self.parts[a.id, roles[j]] for j, a in enumerate(who)],
            issues=[self.issues[k].id for k in draw["issues"][i][: draw["n_issues"][i]]],
            quote=quote,
            sources=sources,
            claims=claims,
            verification=self.verifications[draw["verification"][i]],
        )


def _head(n_events: int, n_actors: int) -> Dataset:
    return Dataset.model_construct(
        title=f"Synthetic negotiation ({n_events:,} events)",
        description="Generated test data for benchmarks and tests. No event, actor or quote in it is real.",
        curator="timeline.data.synthetic",
        licence="CC0 1.0",
        last_updated=START + dt.timedelta(days=SPAN_DAYS + 30),
        language="en",
        actors=_actors(n_actors),
        issues=_issues(),
        phases=_phases(),
        events=[],
        story=[],
    )


def synthetic_dataset(n_events: int, *, seed: int = 0, n_actors: int = 12) -> Dataset:
    """A valid dataset of `n_events` synthetic events among `n_actors` actors over about three years.

    Built with `model_construct`, skipping validation, so it is fast at 100k events. Deterministic for a given
    seed, and the same events as `synthetic_table` makes. Enum fields hold the vocabulary's `StrEnum` members
    (plain `str` subclasses), as validated data does; bare strings would make pydantic warn on every dump.
    """
    if n_actors < 1:
        raise ValueError("n_actors must be at least 1")
    rng = np.random.default_rng(seed)
    head = _head(n_events, n_actors)
    draw = {name: values.tolist() for name, values in _draws(rng, n_events, n_actors).items()}
    builder = _Builder(head.actors, head.issues)
    with cycle_collector_paused():
        events = [builder.event(i, draw) for i in range(n_events)]
    return head.model_copy(update={"events": events})


def synthetic_table(n_events: int, *, seed: int = 0, n_actors: int = 12) -> tuple[Dataset, pa.Table]:
    """The metadata and the flat events table of `synthetic_dataset(n_events, seed=seed, n_actors=n_actors)`,
    made column by column with no object per event: a million events take a few seconds."""
    if n_actors < 1:
        raise ValueError("n_actors must be at least 1")
    rng = np.random.default_rng(seed)
    head = _head(n_events, n_actors)
    columns = _synthetic_columns(_draws(rng, n_events, n_actors), head.actors, head.issues)
    empty = pa.repeat(pa.scalar("", pa.string()), n_events)  # the optional columns it leaves blank
    return head, pa.table([columns.get(c, empty) for c in COLUMNS], schema=SCHEMA)


def synthetic_yaml(n_events: int, seed: int = 0) -> str:
    """A synthetic dataset as YAML text in the curated file format, for exercising the loader."""
    data = synthetic_dataset(n_events, seed=seed).model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)


def _text(*parts: pa.Array | str) -> pa.Array:
    """The element-wise concatenation of text arrays and constants."""
    return pc.binary_join_element_wise(*parts, "")


def _pick(choices: tuple[str | None, ...], index: np.ndarray) -> pa.Array:
    return pa.array([c or "" for c in choices], pa.string()).take(pa.array(index))


def _synthetic_columns(draw: dict[str, np.ndarray], actors: list[Actor], issues: list[Issue]) -> dict[str, pa.Array]:
    """The flat columns of the events `_Builder` makes from the same draws, built column by column."""
    n = len(draw["type"])
    number = pc.cast(pa.array(np.arange(n)), pa.string())
    kind = draw["type"]
    deadline = kind == next(i for i, t in enumerate(EVENT_TYPES) if t.id == "deadline")
    day, length, precision = draw["day"], draw["length"], draw["precision"]
    # Day numbers from START: the start (a month-precise one moves to the 1st) and the end, -1 for none.
    start = START_DAY + day
    month = (precision == _PRECISIONS.index("month")) & ~deadline
    start = np.where(month, start.astype("datetime64[M]").astype("datetime64[D]"), start)
    end = np.select(
        [precision == 1, precision == _PRECISIONS.index("days"), precision == _PRECISIONS.index("approximate")],
        [day + length, day + 1 + length % 3, day + 3 * length],
        -1,
    )
    end = np.where(deadline, -1, end)
    calendar = np.arange(START_DAY - 31, START_DAY + SPAN_DAYS + 40)  # every day either may fall on
    iso = pa.array(np.datetime_as_string(calendar, unit="D").tolist(), pa.string())
    day_text = iso.take(pa.array(day + 31))

    ids = pa.array([a.id for a in actors], pa.string())
    names = pa.array([a.name for a in actors], pa.string())
    who = draw["actors"]
    count = draw["n_actors"]
    first_name, first_id = names.take(pa.array(who[:, 0])), ids.take(pa.array(who[:, 0]))
    family_roles = [_ROLES_BY_FAMILY[t.family] for t in EVENT_TYPES]
    parts = [
        _text(ids.take(pa.array(who[:, j])), ":", pa.array([r[j] for r in family_roles]).take(pa.array(kind)))
        for j in range(3)
    ]
    listed = [names.take(pa.array(who[:, j])) for j in range(3)]
    actors_cell = pc.case_when(
        pc.make_struct(pa.array(count == 1), pa.array(count == 2)),
        parts[0],
        _text(parts[0], "; ", parts[1]),
        _text(parts[0], "; ", parts[1], "; ", parts[2]),
    )
    involves = pc.case_when(
        pc.make_struct(pa.array(count == 1), pa.array(count == 2)),
        listed[0],
        _text(listed[0], ", ", listed[1]),
        _text(listed[0], ", ", listed[1], ", ", listed[2]),
    )
    issue_ids = pa.array([i.id for i in issues], pa.string())
    issue_a, issue_b = issue_ids.take(pa.array(draw["issues"][:, 0])), issue_ids.take(pa.array(draw["issues"][:, 1]))
    n_issues = draw["n_issues"]
    issues_cell = pc.case_when(
        pc.make_struct(pa.array(n_issues == 0), pa.array(n_issues == 1)), "", issue_a, _text(issue_a, "; ", issue_b)
    )

    two = pa.array(draw["n_sources"] == 2)
    publisher = draw["publisher"]
    url0 = _text("https://example.org/synthetic/", number, "/0")
    url1 = _text("https://example.org/synthetic/", number, "/1")
    title0 = _text("Synthetic report 1 on event ", number)
    publisher0 = _pick(_PUBLISHERS, publisher % len(_PUBLISHERS))
    dated = pa.array(draw["dated_source"])
    next_day = iso.take(pa.array(day + 32))
    quoted = pa.array(draw["quote"])
    disputed = pa.array(draw["verification"] == _VERIFICATIONS.index("disputed"))
    last_url = pc.if_else(two, url1, url0)
    own_publisher = _pick(_PUBLISHERS, publisher)

    def either(mask: pa.Array, value: pa.Array) -> pa.Array:
        return pc.if_else(mask, value, "")

    return {
        "id": _text("synthetic-", number),
        "title": _text(
            "Synthetic event ", number, ": ", _pick(tuple(t.label for t in EVENT_TYPES), kind), " (", first_name, ")"
        ),
        "summary": _text(
            "Synthetic event ",
            number,
            ", generated for tests: ",
            _pick(tuple(t.help for t in EVENT_TYPES), kind),
            " Involves ",
            involves,
            ".",
        ),
        "type": _pick(tuple(t.id for t in EVENT_TYPES), kind),
        "status": pc.if_else(pa.array(deadline), "deadline", _pick(_STATUSES, draw["status"])),
        "start": iso.take(pa.array((start - calendar[0]).astype(np.int64))),
        "end": either(pa.array(end >= 0), iso.take(pa.array(np.maximum(end, 0) + 31))),
        "precision": pc.if_else(pa.array(deadline), "day", _pick(_PRECISIONS, precision)),
        "display_date": pa.repeat(pa.scalar("", pa.string()), n),
        "location": _pick(_PLACES, draw["place"]),
        "actors": actors_cell,
        "issues": issues_cell,
        "quote": either(quoted, _text("Synthetic quote ", number, ": we remain committed to the talks.")),
        "quote_speaker": either(quoted, _text("A spokesperson for ", first_name)),
        "quote_actor": either(quoted, first_id),
        "quote_source": either(quoted, url0),
        "source_publishers": pc.if_else(
            two, _text(publisher0, "; ", _pick(_PUBLISHERS, (publisher + 1) % len(_PUBLISHERS))), publisher0
        ),
        "source_titles": pc.if_else(two, _text(title0, "; Synthetic report 2 on event ", number), title0),
        "source_dates": either(dated, pc.if_else(two, _text(day_text, "; ", next_day), day_text)),
        "source_urls": pc.if_else(two, _text(url0, "; ", url1), url0),
        "claim_claimants": either(disputed, _text(first_name, "; ", own_publisher)),
        "claim_actors": either(disputed, _text(first_id, "; ")),
        "claim_texts": either(
            disputed,
            _text(
                first_name,
                " said event ",
                number,
                " went as it described (synthetic claim).; ",
                own_publisher,
                " reported a different account of event ",
                number,
                " (synthetic claim).",
            ),
        ),  # fmt: skip
        "claim_sources": either(disputed, _text(url0, "; ", last_url)),
        "verification": _pick(_VERIFICATIONS, draw["verification"]),
    }
