"""One event as escaped HTML, for the standalone page and the handout."""

from __future__ import annotations

import html

from .frame import EventFrame
from .vocab import ROLE_LABEL


def event_item(frame: EventFrame, position: int, *, links: bool = True) -> str:
    """An `<li>` with the date and its precision, title, actors, summary, quote, claims side by side and sources.

    With `links`, sources are links; without (for print), each source's URL is written out in full.
    """
    e = html.escape
    event, row = frame.event(position), frame.events.iloc[position]
    names = frame.actor_names
    actors = "; ".join(f"{e(names[a.actor])} ({ROLE_LABEL[a.role]})" for a in event.actors)
    quote = f"<blockquote>{e(event.quote.text)}<br>— {e(event.quote.speaker)}</blockquote>" if event.quote else ""
    claims = "".join(f'<div class="claim"><strong>{e(c.claimant)} says:</strong> {e(c.text)}</div>'
                     for c in event.claims)  # fmt: skip
    sources = "".join(
        f"<li>{e(s.publisher)}{', ' + s.date.strftime('%-d %B %Y') if s.date else ''}: "
        + (
            f'<a href="{e(s.url)}">{e(s.title)}</a>'
            if links
            else f'“{e(s.title)}”<br><span class="url">{e(s.url)}</span>'
        )
        + "</li>"
        for s in event.sources
    )
    return (f'<li class="event" id="{e(event.id)}"><p class="meta"><time datetime="{row["lo"]:%Y-%m-%d}">'
            f'<strong>{e(row["date_label"])}</strong></time> · date known to: {e(row["precision_label"])} · '
            f'{e(row["type_label"])}</p><h3>{e(event.title)}</h3>'
            + (f'<p class="meta">{actors}</p>' if actors else "") + f"<p>{e(event.summary)}</p>{quote}"
            + (f'<p><strong>Disputed claims</strong></p><div class="claims">{claims}</div>' if claims else "")
            + f'<p class="meta">Sources:</p><ol class="sources">{sources}</ol></li>')  # fmt: skip
