"""Dash components that show events as text: the event list, the detail panel and the hover card.

Every string from the data goes in as a component child or attribute, which React renders as text.
"""

from __future__ import annotations

from dash import dcc, html

from timeline.data.frame import EventFrame
from timeline.data.schema import Event, Source
from timeline.data.vocab import ACTOR_KIND_LABEL, ROLE_LABEL, STATUS_LABEL, VERIFICATION_LABEL
from timeline.query.filters import Filters
from timeline.query.state import query_from_filters

LIST_LIMIT = 100  # React re-renders every row on each update: ~4 ms a row


def with_event(filters: Filters, event_id: str | None) -> str:
    """The dashboard URL of this view with `event_id` selected (or none)."""
    return "/" + query_from_filters(Filters(**{**filters.__dict__, "event": event_id}))


def count_text(shown: int, total: int) -> str:
    return f"{shown:,} of {total:,} events shown"


def event_list(frame: EventFrame, positions, filters: Filters) -> list:
    """The filtered events as an ordered list of links; the chart's text alternative."""
    if not len(positions):
        return [html.P("No events match these filters.", className="empty")]
    names = frame.actor_names
    rows = frame.events.iloc[positions[:LIST_LIMIT]]
    items = []
    for pos, row in zip(positions[:LIST_LIMIT], rows.itertuples(index=False), strict=True):
        actors = ", ".join(dict.fromkeys(names[a.actor] for a in frame.event(pos).actors))
        current = row.id == filters.event
        items.append(html.Li([
            html.Span(row.date_label, className="event-date"),
            dcc.Link(row.title, href=with_event(filters, row.id), className="event-link",
                     title="Selected event" if current else None),
            html.Span(f"{row.type_label}" + (f" · {actors}" if actors else ""), className="event-meta"),
        ], className="event-item" + (" is-selected" if current else "")))  # fmt: skip
    more = []
    if len(positions) > LIST_LIMIT:
        more = [html.P(f"Showing the first {LIST_LIMIT:,} of {len(positions):,}; narrow the filters to see the rest.",
                       className="list-note")]  # fmt: skip
    return [html.Ol(items, className="events"), *more]


def source_item(source: Source) -> html.Li:
    meta = source.publisher + (f", {source.date:%-d %B %Y}" if source.date else "")
    return html.Li([html.A(source.title, href=source.url, rel="noopener noreferrer nofollow", target="_blank"),
                    html.Span(f" — {meta}", className="source-meta")])  # fmt: skip


def detail_panel(frame: EventFrame, position: int, filters: Filters) -> list:
    """Everything known about one event: date and precision, actors and roles, quote, sources, claims."""
    event: Event = frame.event(position)
    row = frame.events.iloc[position]
    names = frame.actor_names
    parts: list = [
        html.Div(
            [
                html.H2(event.title, id="detail-title", tabIndex="-1"),
                dcc.Link("Close details", href=with_event(filters, None), className="close-link"),
            ],
            className="detail-head",
        ),  # fmt: skip
        html.P(
            [html.Strong(row["date_label"]), f" (date known to: {row['precision_label']})"], className="detail-date"
        ),
        html.P(
            f"{row['type_label']} · {STATUS_LABEL[event.status]} · "
            f"verification: {VERIFICATION_LABEL[event.verification]}"
            + (f" · {event.location}" if event.location else ""),
            className="detail-meta",
        ),  # fmt: skip
    ]
    if event.actors:
        parts.append(html.Ul([html.Li([html.A(names[a.actor], href=f"#actor-{a.actor}", className="actor-name"),
                                       f" — {ROLE_LABEL[a.role]}"]) for a in event.actors],
                             className="detail-actors", **{"aria-label": "Actors and roles"}))  # fmt: skip
    if event.issues:
        links = [html.A(frame.issue_labels[i], href=f"#issue-{i}") for i in event.issues]
        parts.append(html.P(["Issues: ", *[x for link in links for x in (link, ", ")][:-1]], className="detail-issues"))
    parts.append(html.P(event.summary, className="detail-summary"))
    if event.quote:
        parts.append(html.Figure([html.Blockquote(event.quote.text),
                                  html.Figcaption(f"— {event.quote.speaker}")], className="detail-quote"))  # fmt: skip
    if event.claims:
        parts += [html.H3("Disputed claims"), html.Div([
            html.Div([html.P(f"{c.claimant} says:", className="claimant"), html.P(c.text),
                      html.P(_cited(event, c.source), className="claim-source")], className="claim")
            for c in event.claims], className="claims")]  # fmt: skip
    parts += [html.H3("Sources"), html.Ul([source_item(s) for s in event.sources], className="sources")]
    return parts


def glossary(frame: EventFrame) -> list:
    """The actor glossary and the issue vocabulary, each entry an anchor the detail panel links to."""
    data = frame.dataset
    actors = [html.Div([
        html.Dt([*([html.Span(className="swatch", style={"background": a.color})] if a.color else []),
                 html.Span(a.name, className="actor-name"), f" ({ACTOR_KIND_LABEL[a.kind]})"], id=f"actor-{a.id}"),
        html.Dd([a.description, *([html.Br(), f"Also: {', '.join(a.aliases)}"] if a.aliases else [])]),
    ], className="term") for a in data.actors]  # fmt: skip
    issues = [html.Div([html.Dt(i.label, id=f"issue-{i.id}"), html.Dd(i.description)], className="term")
              for i in data.issues]  # fmt: skip
    return [html.H2("Glossary", id="glossary-heading"), html.H3("Actors"), html.Dl(actors, className="glossary"),
            *([html.H3("Issues"), html.Dl(issues, className="glossary")] if issues else [])]  # fmt: skip


def _cited(event: Event, url: str) -> str:
    source = next(s for s in event.sources if s.url == url)
    return f"Source: {source.publisher}"


def hover_card(frame: EventFrame, position: int) -> list:
    """Title, date with its precision, and actors, for the chart's hover card."""
    event, row = frame.event(position), frame.events.iloc[position]
    names = frame.actor_names
    actors = ", ".join(f"{names[a.actor]} ({ROLE_LABEL[a.role]})" for a in event.actors) or "No specific actor"
    return [html.Strong(event.title), html.Br(), f"{row['date_label']} · date known to: {row['precision_label']}",
            html.Br(), row["type_label"], html.Br(), actors]  # fmt: skip
