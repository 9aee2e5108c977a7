"""The dataset schema: the single definition that drives validation, the frame's columns and the docs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from timeline.data.charsafety import find_unsafe
from timeline.data.dates import EARLIEST, LATEST, in_range
from timeline.data.vocab import ActorKind, EventType, Precision, Role, Status, Verification

_HTTP_URL = TypeAdapter(HttpUrl)
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
Text = Annotated[str, Field(min_length=1)]
LABEL_LENGTH = 40  # a chart label: a few words


def _http_only(value: str) -> str:
    # HttpUrl already refuses every scheme but http(s); keep the curator's spelling of the URL.
    _HTTP_URL.validate_python(value)
    return value


Url = Annotated[str, AfterValidator(_http_only)]
_BOOL = TypeAdapter(bool)


def _true(value: Any) -> bool:
    """Whether `value` is one the schema reads as `true`."""
    try:
        return _BOOL.validate_python(value)
    except ValueError:  # pydantic's ValidationError; the field's own check reports it
        return False


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True, validate_default=True)

    @field_validator("*")
    @classmethod
    def _plain_text_and_drawable_dates(cls, value: Any) -> Any:
        """Every field of every record: no control or bidi-override characters, and only dates every view draws."""
        for index, item in enumerate(value if isinstance(value, list) else (value,)):
            item_of = {"item": index} if isinstance(value, list) else {}  # messages.location() points at the item
            if isinstance(item, str) and (found := find_unsafe(item)):
                raise PydanticCustomError("unsafe_character", "contains {char}; remove it", {"char": found, **item_of})
            if isinstance(item, dt.date) and not in_range(item):
                raise PydanticCustomError("date_out_of_range", "is outside the allowed range, {earliest} to {latest}",
                                          {"earliest": str(EARLIEST), "latest": str(LATEST), **item_of})  # fmt: skip
        return value


class Actor(_Record):
    """An actor in the glossary."""

    id: Slug = Field(description="Stable id used by events, e.g. `hamas`.")
    name: Text = Field(description="Display name.")
    kind: ActorKind = Field(description="What sort of actor this is.")
    description: Text = Field(description="One or two neutral sentences for the glossary.")
    aliases: list[Text] = Field(default_factory=list, description="Other names and spellings.")
    color: str | None = Field(
        default=None, pattern=r"^#[0-9a-fA-F]{6}$", description="Optional lane colour, `#rrggbb`."
    )


class Issue(_Record):
    """A sticking point in the negotiation."""

    id: Slug = Field(description="Stable id used by events, e.g. `permanent-ceasefire`.")
    label: Text = Field(description="Display name.")
    description: Text = Field(description="What the issue is about, in neutral words.")


class Phase(_Record):
    """A labelled date range drawn as a shaded band; phases may overlap."""

    id: Slug = Field(description="Stable id.")
    label: Text = Field(description="Label shown on the band.")
    start: dt.date = Field(description="First day, `YYYY-MM-DD`.")
    end: dt.date = Field(description="Last day, `YYYY-MM-DD`.")
    description: str | None = Field(default=None, description="Optional note.")


class Source(_Record):
    """A published source that supports an event."""

    publisher: Text = Field(description="Who published it, e.g. `UPI` or `Devdiscourse (copy of Reuters)`.")
    title: Text = Field(description="Headline or page title.")
    date: dt.date | None = Field(default=None, description="Publication date, if the page shows one.")
    url: Url = Field(description="An http(s) link to the page.")


class EventActor(_Record):
    """An actor's part in an event."""

    actor: Slug = Field(description="An actor id from the glossary.")
    role: Role = Field(description="The actor's role in this event.")


class Quote(_Record):
    """Words someone said, quoted exactly."""

    text: Text = Field(description="The exact words.")
    speaker: Text = Field(description="Who said them, e.g. `Matthew Miller, US State Department spokesman`.")
    actor: Slug | None = Field(default=None, description="The speaker's actor id, if in the glossary.")
    source: Url | None = Field(default=None, description="URL of the event source that carries the quote.")


class Claim(_Record):
    """What one party or outlet says, where sources disagree."""

    claimant: Text = Field(description="Who makes the claim, e.g. `Hamas` or `UPI`; shown as written.")
    actor: Slug | None = Field(default=None, description="The claimant's actor id, if in the glossary.")
    text: Text = Field(description="The claim, attributed and in neutral words.")
    source: Url = Field(description="URL of one of the event's sources that reports the claim.")


class Event(_Record):
    """One dated item on the timeline."""

    id: Slug = Field(description="Stable, unique id, e.g. `2024-03-07-hamas-leaves-cairo`.")
    title: Text = Field(max_length=160, description="Short neutral headline.")
    summary: Text = Field(description="Neutral summary in the curator's own words.")
    type: EventType = Field(description="Event type from the negotiation vocabulary.")
    status: Status = Field(default=Status("occurred"), description="Whether it happened, or was expected, scheduled…")
    start: dt.date = Field(description="Date, or earliest possible date, `YYYY-MM-DD`.")
    end: dt.date | None = Field(
        default=None, description="Last day of a range, or latest possible date for an imprecise date."
    )
    precision: Precision = Field(default=Precision("day"), description="How precisely the date is known.")
    display_date: str | None = Field(default=None, description="Optional wording of the date, e.g. `mid-March 2024`.")
    location: str | None = Field(default=None, description="Where it happened.")
    actors: list[EventActor] = Field(default_factory=list, description="Actors involved, each with a role.")
    issues: list[Slug] = Field(default_factory=list, description="Issue ids the event concerns.")
    quote: Quote | None = Field(default=None, description="An optional exact quote with its speaker.")
    unsourced: bool = Field(
        default=False,
        description="`true` when no usable source can be cited: then the event lists no sources, quote or claims, "
        "and every view says it is unsourced.",
    )
    sources: list[Source] = Field(
        description="At least one source; none (the field may be left out) when the event is marked `unsourced`."
    )
    claims: list[Claim] = Field(default_factory=list, description="Competing claims, each attributed.")
    verification: Verification = Field(
        default=Verification("reported"), description="Editorial confidence in the event."
    )
    label: Text | None = Field(
        default=None, max_length=LABEL_LENGTH, description="Short text drawn on the chart instead of the title."
    )
    key: bool = Field(default=False, description="`true` marks an event to label even when the chart is zoomed out.")

    @model_validator(mode="before")
    @classmethod
    def _unsourced_needs_no_sources_field(cls, data: Any) -> Any:
        if isinstance(data, dict) and "sources" not in data and _true(data.get("unsourced")):
            return {**data, "sources": []}
        return data

    @field_validator("sources")
    @classmethod
    def _sourced_unless_unsourced(cls, sources: list[Source], info: ValidationInfo) -> list[Source]:
        """At least one source, unless the event is marked unsourced (`rules` then refuses any source it lists)."""
        if "unsourced" not in info.data:  # its own error is reported
            return sources
        if not info.data["unsourced"] and not sources:  # the message of `min_length=1`
            raise PydanticCustomError("too_short", "List should have at least {min_length} item after validation, "
                                      "not {actual_length}", {"min_length": 1, "actual_length": 0})  # fmt: skip
        return sources


class StoryStep(_Record):
    """One step of a guided presentation."""

    title: Text = Field(max_length=120, description="What the step is about, shown large.")
    events: list[Slug] = Field(min_length=1, description="Ids of the events the step shows, in order.")
    window_start: dt.date | None = Field(default=None, description="First day of the time window to zoom to.")
    window_end: dt.date | None = Field(default=None, description="Last day of the time window to zoom to.")
    narration: str | None = Field(default=None, description="A short, neutral note for the presenter to read.")
    asof: dt.date | None = Field(
        default=None,
        description="Show the timeline as known on this date, `YYYY-MM-DD`: only what its sources had published.",
    )


class Dataset(_Record):
    """A curated negotiation: metadata, glossary, phases, issues and events."""

    title: Text = Field(description="Dataset title, shown on every chart.")
    description: Text = Field(description="What the dataset covers.")
    curator: Text = Field(description="Who curated it; shown in the attribution line.")
    licence: Text = Field(description="Licence of the curated data, e.g. `CC BY 4.0`.")
    last_updated: dt.date = Field(description="Date of the last curation pass.")
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$", description="BCP 47 language.")
    actors: list[Actor] = Field(min_length=1, description="The actor glossary.")
    issues: list[Issue] = Field(default_factory=list, description="The issue vocabulary.")
    phases: list[Phase] = Field(default_factory=list, description="Labelled, possibly overlapping, date ranges.")
    events: list[Event] = Field(default_factory=list, description="The events.")
    story: list[StoryStep] = Field(default_factory=list, description="An optional guided presentation, step by step.")


MODELS: tuple[type[BaseModel], ...] = (
    Dataset, Actor, Issue, Phase, Event, EventActor, Source, Quote, Claim, StoryStep,
)  # fmt: skip
