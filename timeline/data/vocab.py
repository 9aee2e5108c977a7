"""Controlled vocabularies: event types (with their CAMEO crosswalk), statuses, precisions, roles."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Term(NamedTuple):
    """One entry of a controlled vocabulary."""

    id: str
    label: str
    help: str


class EventTypeTerm(NamedTuple):
    """An event type, its colour family, its plotly marker symbol and its CAMEO crosswalk."""

    id: str
    label: str
    family: str
    symbol: str
    cameo: str
    help: str


class Family(NamedTuple):
    """A colour family of event types: its full name, its colour and its one-word legend name."""

    label: str
    colour: str
    short: str


# The chart's colour shows the family only: Okabe & Ito's colour-blind-safe palette, one colour per family.
FAMILIES: dict[str, Family] = {
    "talks": Family("Talks and delegations", "#0072B2", "Talks"),
    "proposals": Family("Proposals and responses", "#E69F00", "Proposals"),
    "statements": Family("Statements and appeals", "#56B4E9", "Statements"),
    "pressure": Family("Threats, ultimatums and deadlines", "#D55E00", "Pressure"),
    "agreements": Family("Agreements, truces and releases", "#009E73", "Agreements"),
    "context": Family("Breakdowns, military action and other context", "#CC79A7", "Context"),
}

EVENT_TYPES: tuple[EventTypeTerm, ...] = (
    EventTypeTerm("talks_start", "Talks begin", "talks", "circle", "046", "A round of talks opens."),
    EventTypeTerm(
        "talks_end",
        "Talks end",
        "talks",
        "circle-x",
        "046; 164 if they fail",
        "A round of talks closes, with or without a result.",
    ),
    EventTypeTerm("talks_held", "Talks held", "talks", "circle-cross", "046", "Talks or a meeting took place."),
    EventTypeTerm(
        "talks_suspended", "Talks suspended", "talks", "x", "164", "Talks are halted, broken off or a team is recalled."
    ),
    EventTypeTerm(
        "delegation_arrives",
        "Delegation arrives",
        "talks",
        "triangle-right",
        "042 / 043",
        "A delegation arrives at, or is hosted for, talks.",
    ),
    EventTypeTerm(
        "delegation_leaves",
        "Delegation leaves",
        "talks",
        "triangle-left",
        "none (164 if a walk-out)",
        "A delegation leaves talks, for example to consult its leadership.",
    ),
    EventTypeTerm(
        "delegation_declined",
        "Delegation not sent",
        "talks",
        "triangle-down",
        "125",
        "A party declines to send a delegation to talks.",
    ),
    EventTypeTerm("mediation", "Mediation", "talks", "hexagon", "045", "A mediator convenes, shuttles or chairs."),
    EventTypeTerm(
        "mediation_suspended", "Mediation suspended", "talks", "hexagon2", "165", "A mediator suspends its role."
    ),
    EventTypeTerm(
        "proposal",
        "Proposal",
        "proposals",
        "square",
        "none (closest 037)",
        "A draft, framework or offer is put forward.",
    ),
    EventTypeTerm(
        "response",
        "Response",
        "proposals",
        "diamond-cross",
        "none",
        "A party answers a proposal without a plain yes or no.",
    ),
    EventTypeTerm(
        "response_accept", "Response: accept", "proposals", "square-cross", "019", "A party says it accepts a proposal."
    ),
    EventTypeTerm(
        "response_reject",
        "Response: reject",
        "proposals",
        "square-x",
        "127 / 125 / 126",
        "A party rejects a proposal, plan or mediation.",
    ),
    EventTypeTerm(
        "statement",
        "Statement",
        "statements",
        "diamond",
        "010 / 012 / 013",
        "A public statement by a party or mediator.",
    ),
    EventTypeTerm(
        "appeal",
        "Appeal",
        "statements",
        "diamond-tall",
        "026 / 027 / 0256",
        "A call to negotiate, settle or de-escalate.",
    ),
    EventTypeTerm(
        "demand",
        "Demand",
        "statements",
        "diamond-wide",
        "10x (labels differ between CAMEO copies)",
        "A public demand, e.g. for a ceasefire or withdrawal.",
    ),
    EventTypeTerm(
        "threat", "Threat", "pressure", "triangle-up", "138 / 1384", "A threatened offensive or other use of force."
    ),
    EventTypeTerm("ultimatum", "Ultimatum", "pressure", "star", "139", "A demand tied to a deadline and a threat."),
    EventTypeTerm(
        "deadline", "Deadline", "pressure", "hourglass", "none", "A date that parties or mediators treat as a deadline."
    ),
    EventTypeTerm("agreement", "Agreement", "agreements", "star-square", "057", "A deal is announced or approved."),
    EventTypeTerm(
        "ceasefire_start",
        "Ceasefire begins",
        "agreements",
        "star-diamond",
        "0871",
        "A truce or ceasefire takes effect.",
    ),
    EventTypeTerm(
        "ceasefire_extended", "Ceasefire extended", "agreements", "star-triangle-up", "0871", "A truce is extended."
    ),
    EventTypeTerm(
        "ceasefire_end",
        "Ceasefire ends",
        "context",
        "bowtie",
        "none (196 if violated)",
        "A truce expires or collapses.",
    ),
    EventTypeTerm(
        "release",
        "Release or exchange",
        "agreements",
        "pentagon",
        "0841",
        "Hostages, prisoners or detainees are released or exchanged.",
    ),
    EventTypeTerm(
        "resolution",
        "Resolution",
        "agreements",
        "cross",
        "none",
        "A resolution of an international body, e.g. the UN Security Council.",
    ),
    EventTypeTerm(
        "aid_measure",
        "Aid measure",
        "context",
        "diamond-x",
        "0863 when aid is allowed",
        "A decision that allows, scales up or halts humanitarian aid.",
    ),
    EventTypeTerm(
        "military_action",
        "Military action (context)",
        "context",
        "star-triangle-down",
        "19x",
        "A strike, offensive or killing given as context for the talks.",
    ),
    EventTypeTerm("other", "Other", "context", "octagon", "none", "Anything that fits no other type."),
)
EVENT_TYPE_BY_ID: dict[str, EventTypeTerm] = {t.id: t for t in EVENT_TYPES}


class CameoCode(NamedTuple):
    """A CAMEO event code's label (as in GDELT's lookup file, CAMEO.eventcodes.txt) and our event type for it."""

    label: str
    type: str


# The CAMEO crosswalk, machine-readable: the codes that have an event type of their own. A GDELT event is typed by
# its EventCode here, then by its three-digit base code here, then by its two-digit root in `CAMEO_ROOTS`. Each
# type's `cameo` text above names the closest codes for people; these tables are what the import uses, and a test
# keeps the two in step. The demand codes 105-108 are labelled differently in different copies of CAMEO, so demands
# are typed by their root, 10.
CAMEO: dict[str, CameoCode] = {
    "010": CameoCode("Make statement", "statement"),
    "012": CameoCode("Make pessimistic comment", "statement"),
    "013": CameoCode("Make optimistic comment", "statement"),
    "019": CameoCode("Express accord", "response_accept"),
    "026": CameoCode("Appeal to others to meet or negotiate", "appeal"),
    "027": CameoCode("Appeal to others to settle dispute", "appeal"),
    "028": CameoCode("Appeal to others to engage in or accept mediation", "appeal"),
    "0256": CameoCode("Appeal for de-escalation of military engagement", "appeal"),
    "036": CameoCode("Express intent to meet or negotiate", "statement"),
    "037": CameoCode("Express intent to settle dispute", "statement"),
    "038": CameoCode("Express intent to accept mediation", "statement"),
    "039": CameoCode("Express intent to mediate", "statement"),
    "040": CameoCode("Consult", "talks_held"),
    "041": CameoCode("Discuss by telephone", "talks_held"),
    "042": CameoCode("Make a visit", "delegation_arrives"),
    "043": CameoCode("Host a visit", "delegation_arrives"),
    "044": CameoCode("Meet at a 'third' location", "talks_held"),
    "045": CameoCode("Mediate", "mediation"),
    "046": CameoCode("Engage in negotiation", "talks_held"),
    "057": CameoCode("Sign formal agreement", "agreement"),
    "0841": CameoCode("Return, release person(s)", "release"),
    "0863": CameoCode("Allow delivery of humanitarian aid", "aid_measure"),
    "0871": CameoCode("Declare truce, ceasefire", "ceasefire_start"),
    "125": CameoCode("Reject proposal to meet, discuss, or negotiate", "delegation_declined"),
    "126": CameoCode("Reject mediation", "response_reject"),
    "127": CameoCode("Reject plan, agreement to settle dispute", "response_reject"),
    "134": CameoCode("Threaten to halt negotiations", "threat"),
    "135": CameoCode("Threaten to halt mediation", "threat"),
    "138": CameoCode("Threaten with military force", "threat"),
    "1384": CameoCode("Threaten conventional attack", "threat"),
    "139": CameoCode("Give ultimatum", "ultimatum"),
    "164": CameoCode("Halt negotiations", "talks_suspended"),
    "165": CameoCode("Halt mediation", "mediation_suspended"),
    "196": CameoCode("Violate ceasefire", "military_action"),
}
# Every CAMEO root code: our type where the whole root fits one of ours, else `other` (QuadClass in comments).
CAMEO_ROOTS: dict[str, CameoCode] = {
    "01": CameoCode("Make public statement", "statement"),  # 1 verbal cooperation
    "02": CameoCode("Appeal", "appeal"),
    "03": CameoCode("Express intent to cooperate", "statement"),
    "04": CameoCode("Consult", "talks_held"),
    "05": CameoCode("Engage in diplomatic cooperation", "other"),
    "06": CameoCode("Engage in material cooperation", "other"),  # 2 material cooperation
    "07": CameoCode("Provide aid", "other"),
    "08": CameoCode("Yield", "other"),
    "09": CameoCode("Investigate", "other"),
    "10": CameoCode("Demand", "demand"),  # 3 verbal conflict
    "11": CameoCode("Disapprove", "statement"),
    "12": CameoCode("Reject", "other"),
    "13": CameoCode("Threaten", "threat"),
    "14": CameoCode("Protest", "other"),
    "15": CameoCode("Exhibit force posture", "threat"),  # 4 material conflict
    "16": CameoCode("Reduce relations", "other"),
    "17": CameoCode("Coerce", "other"),
    "18": CameoCode("Assault", "military_action"),
    "19": CameoCode("Fight", "military_action"),
    "20": CameoCode("Use unconventional mass violence", "military_action"),
}


class Shape(NamedTuple):
    """A marker shape kept for types that matter at a glance; every other type is drawn as a circle."""

    label: str
    symbol: str  # a plotly marker symbol
    types: tuple[str, ...]


SHAPES: tuple[Shape, ...] = (
    Shape("Agreement or ceasefire", "star", ("agreement", "ceasefire_start", "ceasefire_extended")),
    Shape("Deadline or ultimatum", "hourglass", ("deadline", "ultimatum")),
)
DEFAULT_SHAPE = "circle"
SHAPE_OF: dict[str, str] = {
    t.id: next((s.symbol for s in SHAPES if t.id in s.types), DEFAULT_SHAPE) for t in EVENT_TYPES
}

# How much a type's events deserve a label on the chart when there is no room for all: higher wins.
_LABEL_TIERS: tuple[tuple[str, ...], ...] = (
    ("military_action", "other"),
    ("talks_held", "delegation_arrives", "delegation_leaves", "delegation_declined", "mediation", "response",
     "statement", "appeal", "demand", "aid_measure"),
    ("ceasefire_extended", "proposal", "response_accept", "response_reject", "talks_suspended", "release",
     "resolution", "mediation_suspended", "threat"),
    ("agreement", "ceasefire_start", "ceasefire_end", "deadline", "talks_start", "talks_end", "ultimatum"),
)  # fmt: skip
LABEL_RANK: dict[str, int] = {type_id: rank for rank, tier in enumerate(_LABEL_TIERS) for type_id in tier}
KEY_RANK = len(_LABEL_TIERS)  # an event the curator marks `key: true` outranks every type

STATUSES: tuple[Term, ...] = (
    Term("occurred", "Occurred", "It happened."),
    Term("expected", "Expected", "Reported as expected to happen, e.g. talks expected to resume."),
    Term("scheduled", "Scheduled", "Formally set for a date."),
    Term("postponed", "Postponed", "Was scheduled, then put off."),
    Term("cancelled", "Cancelled", "Was scheduled, then called off."),
    Term("deadline", "Deadline", "A date by which something was demanded or hoped for."),
)

PRECISIONS: tuple[Term, ...] = (
    Term("day", "exact day", "The source gives the calendar day. With `end`, the event lasted from start to end."),
    Term("days", "within a few days", "The event fell on one day between `start` and `end` (required)."),
    Term("week", "week", "Known to the week: between `start` and `end`, or the 7 days from `start`."),
    Term("month", "month", "Known to the month: `end` defaults to the end of the month of `start`."),
    Term("year", "year", "Known to the year: `end` defaults to 31 December of the year of `start`."),
    Term("approximate", "approximate", "Roughly between `start` and `end` (required)."),
)

ROLES: tuple[Term, ...] = (
    Term("party", "party", "A party to the conflict or negotiation."),
    Term("mediator", "mediator", "Mediates between the parties."),
    Term("host", "host", "Hosts the talks or meeting."),
    Term("speaker", "speaker", "Makes the statement the event records."),
    Term("target", "target", "The one a demand, threat or action is aimed at."),
    Term("third_party", "third party", "Any other involved actor."),
)

ACTOR_KINDS: tuple[Term, ...] = (
    Term("state", "state", "A state or its government."),
    Term("mediator_state", "mediator state", "A state acting mainly as mediator."),
    Term("armed_group", "armed group", "A non-state armed group or movement."),
    Term("igo", "intergovernmental organisation", "e.g. the UN Security Council."),
    Term("ngo", "non-governmental organisation", "e.g. the ICRC."),
    Term("person", "person", "An individual acting in their own name."),
    Term("political_body", "political body", "A cabinet, party, transition team or similar."),
    Term("religious_authority", "religious authority", "e.g. a body that announces the start of Ramadan."),
    Term("other", "other", "Anything else."),
)

VERIFICATIONS: tuple[Term, ...] = (
    Term("confirmed", "confirmed", "Confirmed by an official or primary source, or by several independent reports."),
    Term("reported", "reported", "Reported by a credible outlet; not independently confirmed."),
    Term("claimed", "claimed", "Rests on what one party says."),
    Term("disputed", "disputed", "Sources disagree; see the event's claims."),
)


def _enum(name: str, terms: tuple[Term, ...] | tuple[EventTypeTerm, ...]) -> type[StrEnum]:
    return StrEnum(name, {t.id: t.id for t in terms})  # type: ignore[return-value]


EventType = _enum("EventType", EVENT_TYPES)
Status = _enum("Status", STATUSES)
Precision = _enum("Precision", PRECISIONS)
Role = _enum("Role", ROLES)
ActorKind = _enum("ActorKind", ACTOR_KINDS)
Verification = _enum("Verification", VERIFICATIONS)

PRECISION_LABEL: dict[str, str] = {t.id: t.label for t in PRECISIONS}
ROLE_LABEL: dict[str, str] = {t.id: t.label for t in ROLES}
STATUS_LABEL: dict[str, str] = {t.id: t.label for t in STATUSES}
ACTOR_KIND_LABEL: dict[str, str] = {t.id: t.label for t in ACTOR_KINDS}
VERIFICATION_LABEL: dict[str, str] = {t.id: t.label for t in VERIFICATIONS}
