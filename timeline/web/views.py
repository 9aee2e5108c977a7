"""Dash components that show events as text: the event list, the detail panel and the hover card.

Every string from the data goes in as a component child or attribute, which React renders as text; the list goes
as JSON data, which assets/dashboard.js writes into the page as text too (never as markup).
"""

from __future__ import annotations

import json

import numpy as np
from dash import dcc, html

from timeline.data.frame import EventFrame
from timeline.data.schema import Event, Source
from timeline.data.vocab import ACTOR_KIND_LABEL, ROLE_LABEL, STATUS_LABEL, VERIFICATION_LABEL
from timeline.query.filters import Filters
from timeline.query.lod import actor_rows
from timeline.query.state import View, query_from_view

PAGE_SIZE = 50  # events per page of the list: drawn in a few ms, at any dataset size


def with_event(view: View | Filters, event_id: str | None) -> str:
    """The dashboard URL of this view with `event_id` selected (or none)."""
    view = view if isinstance(view, View) else View(view)
    return "/" + query_from_view(View(Filters(**{**view.filters.__dict__, "event": event_id}), view.window, view.page))


def view_links(query: str) -> tuple[str, str]:
    """The presentation and the handout of a view's `query_without_event` (they have no selected event, chart
    window or list page)."""
    return "/present/" + query, "/handout/" + query


def on_page(view: View, page: int) -> View:
    """The view with the list at `page`; the URL names page 1 only when an event is selected, which would
    otherwise bring its own page."""
    return View(view.filters, view.window, page if page > 1 or view.filters.event else None)


def count_text(shown: int, total: int) -> str:
    return f"{shown:,} of {total:,} events shown"


def page_count(shown: int) -> int:
    return max(-(-shown // PAGE_SIZE), 1)


def list_page(frame: EventFrame, positions, view: View) -> int:
    """The page of the list to show: the URL's (at most the last), else the one holding the selected event."""
    if view.page is not None:
        return min(view.page, page_count(len(positions)))
    selected = frame.position(view.filters.event) if view.filters.event else None
    where = np.flatnonzero(positions == selected) if selected is not None else []
    return int(where[0]) // PAGE_SIZE + 1 if len(where) else 1


def event_list(frame: EventFrame, positions, view: View | Filters) -> str:
    """One page of the filtered events, with its status line and links to the other pages: the chart's text
    alternative, as JSON that assets/dashboard.js draws, as text, into the event list (`drawList`). Every event is
    on some page. Selecting an event keeps the page (it is on it).

    The list travels as one attribute, not as Dash components: each component a new page brought in cost the
    renderer a pass over the whole page once it was drawn, which made a filter at a million events a sixth
    slower."""
    view = view if isinstance(view, View) else View(view)
    if not len(positions):
        return _as_json({"status": "No events match these filters.", "start": 1, "rows": [], "pages": []})
    page, pages = list_page(frame, positions, view), page_count(len(positions))
    first = (page - 1) * PAGE_SIZE
    shown = np.asarray(positions[first : first + PAGE_SIZE])
    status = f"Events {first + 1:,}–{first + len(shown):,} of {len(positions):,}"
    return _as_json({"status": status + (f", page {page:,} of {pages:,}" if pages > 1 else ""), "start": first + 1,
                     "rows": list_rows(frame, shown, view),
                     "pages": _pager(view, page, pages) if pages > 1 else []})  # fmt: skip


def _as_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def list_rows(frame: EventFrame, shown: np.ndarray, view: View) -> list[dict]:
    """The list's rows for the events at `shown`: position, date, title, the link that selects the event, its type
    and actors, and whether it is the selected one."""
    rows = frame.events[["id", "title", "date_label", "type_label"]].iloc[shown]  # a few columns, then the rows
    actors = _actor_names(frame, shown)
    kept = View(view.filters, view.window)
    return [{"position": pos, "date": row.date_label, "title": row.title, "href": with_event(kept, row.id),
             "about": row.type_label + (f" · {actors[pos]}" if actors.get(pos) else ""),
             "selected": row.id == view.filters.event}
            for pos, row in zip(shown.tolist(), rows.itertuples(index=False), strict=True)]  # fmt: skip


def _pager(view: View, page: int, pages: int) -> list[list]:
    """First, previous, next and last page: each a label and its link, or no link where there is nowhere to go."""
    steps = (("« First", 1), ("‹ Previous", page - 1), ("Next ›", page + 1), ("Last »", pages))
    return [[label, "/" + query_from_view(on_page(view, number)) if number != page and 1 <= number <= pages else None]
            for label, number in steps]  # fmt: skip


def _actor_names(frame: EventFrame, positions: np.ndarray) -> dict[int, str]:
    """The actors of each event at `positions`, in the event's order, joined for the list."""
    long = frame.actors
    rows = actor_rows(long, positions)
    events = long["event"].to_numpy()
    names, joined = frame.actor_names, {}
    for event, actor in zip(events[rows].tolist(), long["actor"].iloc[rows].tolist(), strict=True):
        joined.setdefault(event, {})[names[actor]] = None
    return {event: ", ".join(found) for event, found in joined.items()}


def source_item(source: Source) -> html.Li:
    meta = source.publisher + (f", {source.date:%-d %B %Y}" if source.date else "")
    return html.Li([html.A(source.title, href=source.url, rel="noopener noreferrer nofollow", target="_blank"),
                    html.Span(f" — {meta}", className="source-meta")])  # fmt: skip


def detail_panel(frame: EventFrame, position: int, view: View | Filters) -> list:
    """Everything known about one event: date and precision, actors and roles, quote, sources, claims."""
    event: Event = frame.event(position)
    row = frame.events.iloc[position]
    names = frame.actor_names
    parts: list = [
        html.Div(
            [
                html.H2(event.title, id="detail-title", tabIndex="-1"),
                dcc.Link("Close details", href=with_event(view, None), className="close-link"),
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
    if event.unsourced:
        parts.append(html.P([html.Strong("Unsourced:"), " no source is cited for this event."], className="unsourced"))
    else:
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
