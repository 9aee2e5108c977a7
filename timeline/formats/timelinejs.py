"""Knight Lab's TimelineJS3 formats: export to its JSON, so newsrooms on TimelineJS can use the data, and read its
JSON and Google Sheet (as CSV or XLSX) back (`read`, registered in `timeline.formats.readers`).

Partial dates carry the precision (a month-precise event has no `day`); otherwise `display_date` says it in words.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import nh3
import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from timeline.data.charsafety import without_unsafe
from timeline.data.dates import EARLIEST, LATEST, date_label
from timeline.data.frame import EventFrame
from timeline.data.messages import show
from timeline.data.schema import Event
from timeline.data.vocab import PRECISION_LABEL
from timeline.errors import DatasetError, Problem
from timeline.formats import flatcsv
from timeline.formats.readers import (
    HTTP_URL,
    RANGE_RULE,
    Imported,
    Problems,
    ReadOptions,
    actor_glossary,
    cite_or_flag,
    events_frame,
    head,
    host,
    is_http,
    is_xlsx,
    iso_dates,
    missing_columns,
    read_rows,
    read_text,
    result,
    slugs,
    unique_ids,
)
from timeline.text.credits import attribution


def _date(day: dt.date, precision: str) -> dict[str, int]:
    if precision == "year":
        return {"year": day.year}
    if precision == "month":
        return {"year": day.year, "month": day.month}
    return {"year": day.year, "month": day.month, "day": day.day}


def _text(event: Event) -> Markup:
    # TimelineJS reads `text` as HTML: Markup.format escapes every value; only the (http(s)-checked) sources link.
    parts = [Markup("<p>{}</p>").format(event.summary)]
    if event.quote:
        parts.append(Markup("<blockquote>{}<br>— {}</blockquote>").format(event.quote.text, event.quote.speaker))
    if event.claims:
        claims = Markup("").join(Markup("<li>{}: {}</li>").format(c.claimant, c.text) for c in event.claims)
        parts.append(Markup("<p>Disputed claims:</p><ul>{}</ul>").format(claims))
    if not event.sources:
        parts.append(Markup("<p>Unsourced: no source is cited for this event.</p>"))
        return Markup("").join(parts)
    sources = Markup("").join(
        Markup('<li><a href="{}">{}</a> ({})</li>').format(s.url, s.title, s.publisher) for s in event.sources
    )
    parts.append(Markup("<p>Sources:</p><ul>{}</ul>").format(sources))
    return Markup("").join(parts)


def to_timelinejs(frame: EventFrame, positions: np.ndarray) -> dict[str, Any]:
    """The events at `positions` (with the dataset's phases as eras) as a TimelineJS3 document.

    TimelineJS writes headlines, texts, groups and display dates into the page as HTML, so each is escaped here.
    """
    data = frame.dataset
    names = frame.actor_names
    events = []
    for position in positions:
        event, row = frame.event(position), frame.events.iloc[position]
        display = row["date_label"] + ("" if event.precision == "day" else f" ({row['precision_label']})")
        slide: dict[str, Any] = {
            "unique_id": event.id,
            "start_date": _date(event.start, event.precision),
            "text": {"headline": escape(event.title), "text": _text(event)},
            "group": escape(names[event.actors[0].actor] if event.actors else "No specific actor"),
            "display_date": escape(display),
        }
        if event.end is not None:
            slide["end_date"] = _date(event.end, event.precision)
        events.append(slide)
    eras = [{"start_date": _date(p.start, "day"), "end_date": _date(p.end, "day"),
             "text": {"headline": escape(p.label)}} for p in data.phases]  # fmt: skip
    title = {
        "text": {"headline": escape(data.title), "text": Markup("<p>{}</p>").format(attribution(data, frame.asof))}
    }
    # Markup is a str: the document serialises as plain JSON strings.
    return without_unsafe({"title": title, "events": events, "eras": eras})


# ---------------------------------------------------------------- reading TimelineJS JSON and Google Sheet CSV

_SHEET = {"Year": "year", "Month": "month", "Day": "day", "End Year": "end_year", "End Month": "end_month",
          "End Day": "end_day", "Display Date": "display_date", "Headline": "headline", "Text": "text",
          "Media": "media_url", "Media Credit": "media_credit", "Media Caption": "media_caption", "Type": "type",
          "Group": "group"}  # fmt: skip
_SLIDE = (*_SHEET.values(), "unique_id")
_PRECISION_ORDER = {"day": 0, "month": 1, "year": 2}
# Our own export writes no group for an event without actors as this, and the precision in words after its date.
_NO_ACTOR = "No specific actor"
_LABEL_PRECISION = {label: pid for pid, label in PRECISION_LABEL.items() if pid != "day"}
_BLOCKS = {"p", "br", "li", "ul", "ol", "div", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"}
_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|li|div|blockquote|h[1-6]|tr)>|<(?:ul|ol|table)>")
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
# The sources list our own export appends to `text`: its items give each source's title and publisher.
_OUR_SOURCES = re.compile(r"<p>Sources:</p>\s*<ul>((?:\s*<li>.*?</li>)*)\s*</ul>\s*$", re.S)
_OUR_SOURCE = re.compile(r'<li><a href="([^"]*)">(.*?)</a>\s*\((.*?)\)</li>', re.S)
# For the report only (nh3 does the removing): what hostile or active markup the text held.
_ACTIVE_ELEMENT = re.compile(r"<\s*(?:script|style|iframe|object|embed|svg|math|form)\b", re.I)
_HANDLER = re.compile(r"<[^>]*?\son[a-z]+\s*=", re.I)
_BAD_URL = re.compile(r"^\s*(?:javascript|data|vbscript)\s*:|(?:href|src)\s*=\s*[\"']?\s*(?:javascript|data|vbscript):",
                      re.I)  # fmt: skip


def sniff(head: str, suffix: str) -> bool:
    """TimelineJS JSON (an object with `events`) or a TimelineJS sheet (a header with Year and Headline)."""
    stripped = head.lstrip()
    if stripped.startswith("{"):
        return '"events"' in head
    header = next(csv.reader(io.StringIO(stripped.split("\n", 1)[0])), [])
    return {"Year", "Headline"} <= {h.strip() for h in header}


def read(path: Path, options: ReadOptions) -> Imported:
    """A TimelineJS3 JSON file or Google Sheet (CSV or XLSX) as our dataset: slides become events, eras phases,
    groups actors, the title slide the dataset's title and description; HTML becomes plain text."""
    text = None if is_xlsx(path) else read_text(path)
    problems = Problems(path, _FIELDS)
    if text is not None and text.lstrip().startswith("{"):
        events, eras, title = _json_slides(path, text, problems)
    else:
        events, eras, title = _sheet_slides(path, read_rows(path, text), problems)
    problems.raise_any()
    return _imported(path, events, eras, title, options, problems)


# Our flat columns -> the TimelineJS field a problem is about.
_FIELDS = {"start": "start_date", "end": "end_date", "title": "text.headline", "summary": "text.text",
           "source_urls": "media.url"}  # fmt: skip
_SHEET_FIELDS = {"start": "Year", "end": "End Year", "title": "Headline", "summary": "Text", "source_urls": "Media"}


def _json_slides(path: Path, text: str, problems: Problems) -> tuple[pd.DataFrame, pd.DataFrame, dict | None]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError([Problem(str(path), exc.lineno, "", f"not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise DatasetError([Problem(str(path), None, "", "not valid JSON: nested too deeply")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise DatasetError([Problem(str(path), None, "", "must be a TimelineJS object with a list of `events`")])
    if data.get("scale", "human") != "human":
        raise DatasetError(
            [
                Problem(
                    str(path),
                    None,
                    "scale",
                    f"{show(data.get('scale'))} is not supported: only calendar dates (scale `human`) can be imported",
                )
            ]
        )
    events = _json_frame(data["events"], "record", problems)
    eras = _json_frame(data.get("eras") or [], "eras", problems)
    title = data.get("title") if isinstance(data.get("title"), dict) else None
    return events, eras, _json_slide(title) if title else None


def _json_frame(slides: Any, name: str, problems: Problems) -> pd.DataFrame:
    if not isinstance(slides, list):
        problems.add(None, name, "must be a list")
        slides = []
    rows = []
    for i, slide in enumerate(slides):
        if not isinstance(slide, dict):
            problems.found.append(problems.at(i, name, "", "must be an object (a slide)"))
            slide = {}
        rows.append(_json_slide(slide))
    return pd.DataFrame(rows, columns=list(_SLIDE), index=pd.RangeIndex(len(rows), name=name), dtype=object)


def _json_slide(slide: dict) -> dict[str, str]:
    def part(value: Any, key: str) -> str:
        got = value.get(key) if isinstance(value, dict) else None
        return "" if got is None or isinstance(got, dict | list) else str(got).strip()

    start, end, body, media = (slide.get(k) for k in ("start_date", "end_date", "text", "media"))
    return {
        "year": part(start, "year"), "month": part(start, "month"), "day": part(start, "day"),
        "end_year": part(end, "year"), "end_month": part(end, "month"), "end_day": part(end, "day"),
        "display_date": part(slide, "display_date") or part(start, "display_date"),
        "headline": part(body, "headline"), "text": part(body, "text"),
        "media_url": part(media, "url"), "media_credit": part(media, "credit"),
        "media_caption": part(media, "caption") or part(media, "title"),
        "type": "", "group": part(slide, "group"), "unique_id": part(slide, "unique_id"),
    }  # fmt: skip


def _sheet_slides(path: Path, table: pd.DataFrame,
                  problems: Problems) -> tuple[pd.DataFrame, pd.DataFrame, dict | None]:  # fmt: skip
    missing_columns(path, table.columns, ("Year", "Headline", "Text"), "a TimelineJS sheet")
    problems.fields = _SHEET_FIELDS
    slides = pd.DataFrame({ours: table[theirs].astype(str).str.strip() if theirs in table.columns else ""
                           for theirs, ours in _SHEET.items()}, index=table.index)  # fmt: skip
    slides["unique_id"] = ""
    slides = slides[list(_SLIDE)].astype(object)
    kind = slides["type"].str.lower()
    titles = slides[kind == "title"]
    title = titles.iloc[0].to_dict() if len(titles) else None
    return slides[~kind.isin(["title", "era"])], slides[kind == "era"], title


def _dates(slides: pd.DataFrame, prefix: str, problems: Problems, field_name: str, required: bool):
    """(first day, last day, precision) of each slide's start (`prefix` "") or end ("end_") date."""
    parts = {p: slides[prefix + p].astype(str).str.strip() for p in ("year", "month", "day")}
    numbers = {p: pd.to_numeric(parts[p], errors="coerce") for p in parts}
    given = parts["year"] != ""
    bad = pd.Series(False, index=slides.index)
    for p in ("year", "month", "day"):
        wrong = (parts[p] != "") & (numbers[p].isna() | (numbers[p] % 1 != 0))
        problems.rows(slides, wrong, field_name, p + " {value} is not a whole number", parts[p])
        bad |= wrong
    orphan = ~given & ((parts["month"] != "") | (parts["day"] != ""))
    problems.rows(slides, orphan, field_name, "has a month or day but no year")
    if required:
        problems.rows(slides, ~given & ~orphan, field_name, "is required (a year at least)")
    year = numbers["year"].where(given & ~bad)
    early, late = EARLIEST.year, LATEST.year
    far = year.notna() & ((year < early) | (year > late))
    problems.rows(slides, far, field_name, RANGE_RULE)
    month_given, day_given = parts["month"] != "", parts["day"] != ""
    first = pd.to_datetime(
        pd.DataFrame({"year": year.where(~far), "month": numbers["month"].where(month_given, 1),
                      "day": numbers["day"].where(day_given, 1)}), errors="coerce")  # fmt: skip
    invalid = given & ~bad & ~far & first.isna()
    shown = parts["year"] + "-" + parts["month"] + "-" + parts["day"]
    problems.rows(slides, invalid, field_name, "{value} is not a date", shown.str.strip("-"))
    precision = pd.Series(np.select([day_given, month_given], ["day", "month"], "year"), index=slides.index)
    last = first.where(precision != "month", first + pd.offsets.MonthEnd(0))
    last = last.where(precision != "year", first + pd.offsets.YearEnd(0))
    return first, last, precision.where(first.notna(), "")


def _imported(path: Path, slides: pd.DataFrame, eras: pd.DataFrame, title_slide: dict | None,
              options: ReadOptions, problems: Problems) -> Imported:  # fmt: skip
    report: list[str] = []
    start, _, start_precision = _dates(slides, "", problems, "start", required=True)
    _, end_last, end_precision = _dates(slides, "end_", problems, "end", required=False)
    problems.raise_any()
    has_end = end_precision != ""
    order = start_precision.map(_PRECISION_ORDER)
    coarser = has_end & (end_precision.map(_PRECISION_ORDER).fillna(0) > order)
    precision = start_precision.where(~coarser, end_precision)
    if (has_end & (end_precision != start_precision)).any():
        report.append(f"{int((has_end & (end_precision != start_precision)).sum())} event(s) have start and end "
                      "dates of different precision; the coarser precision was kept")  # fmt: skip

    # HTML -> plain text and links, one slide at a time: TimelineJS files hold hundreds of slides, not millions.
    counts: Counter[str] = Counter()
    bodies = [_html(value, counts) for value in slides["text"]]
    headline = slides["headline"].map(lambda v: _plain(v, counts))
    summary = pd.Series([b[0] for b in bodies], index=slides.index, dtype=object)
    display = slides["display_date"].map(lambda v: _plain(v, counts))
    group = slides["group"].map(lambda v: _plain(v, counts))

    # Our own export gives the precision in words after the date: "3 Mar 2024 (week)".
    stated = display.str.extract(r"\(([^()]+)\)$", expand=False).map(_LABEL_PRECISION)
    precision = stated.where(stated.notna() & (precision == "day"), precision)
    display = display.where(stated.isna() | (precision != stated), display.str.replace(r"\s*\([^()]+\)$", "",
                                                                                      regex=True))  # fmt: skip
    end = end_last.where(has_end)
    starts, ends = iso_dates(start), iso_dates(end)
    redundant = [
        bool(d) and d == date_label(dt.date.fromisoformat(s), dt.date.fromisoformat(e) if e else None, p)
        for d, s, e, p in zip(display, starts, ends, precision, strict=True)
    ]
    display = display.where(~pd.Series(redundant, index=slides.index), "")

    no_headline = headline == ""
    title = headline.where(~no_headline, summary.str.split("\n").str[0].str.slice(0, 80))
    problems.rows(slides, no_headline & (title == ""), "title", "has neither a headline nor text")
    if (no_headline & (title != "")).any():
        report.append(f"{int((no_headline & (title != '')).sum())} event(s) had no headline: the start of their "
                      "text is their title")  # fmt: skip
    no_text = summary == ""
    if (no_text & (title != "")).any():
        report.append(f"{int((no_text & (title != '')).sum())} event(s) had no text: their headline is their summary")
    summary = summary.where(~no_text, title)

    # Sources: an http(s) media link first, then the links in the text.
    media = slides["media_url"].str.strip()
    media_ok = is_http(media)
    dropped_media = (media != "") & ~media_ok
    hostile = media.str.match(r"^\s*(?:javascript|data|vbscript)\s*:", case=False)
    counts["bad url"] += int(hostile.sum())
    if (dropped_media & ~hostile).any():
        report.append(f"{int((dropped_media & ~hostile).sum())} media item(s) are not an http(s) link (e.g. "
                      "embedded HTML or a relative path) and cite nothing")  # fmt: skip
    credit = slides["media_credit"].map(lambda v: _plain(v, counts))
    caption = slides["media_caption"].map(lambda v: _plain(v, counts))
    cells = []
    for i, (url, ok, who, what) in enumerate(zip(media, media_ok, credit, caption, strict=True)):
        found = ([(who or host(url), what or url, html.unescape(url))] if ok else []) + bodies[i][1]
        seen: set[str] = set()
        found = [s for s in found if not (s[2] in seen or seen.add(s[2]))]
        cells.append([flatcsv.join_cell(column) for column in zip(*found, strict=True)] if found else ["", "", ""])
    publishers, titles, urls = (pd.Series([c[k] for c in cells], index=slides.index, dtype=object) for k in range(3))

    actors = group.where(group != _NO_ACTOR, "")
    glossary, ids = actor_glossary(actors, pd.Series("other", index=slides.index),
                                   "Imported from the TimelineJS group “{name}”.")  # fmt: skip
    actor_cells = actors.map(lambda name: f"{ids[name]}:third_party" if name else "")

    given = slides["unique_id"].str.strip()
    event_ids = given.where(given.str.fullmatch(r"[a-z0-9][a-z0-9_-]*") & (given.str.len() <= 80), "")
    if ((given != "") & (event_ids == "")).any():
        report.append(f"{int(((given != '') & (event_ids == '')).sum())} unique_id(s) were not valid ids and were "
                      "rewritten")  # fmt: skip
    made = starts + "-" + slugs(title, "event").str.slice(0, 50).str.strip("-")
    event_ids, renumbered = unique_ids(event_ids.where(event_ids != "", made.where(given == "", slugs(given, "e"))))
    if renumbered:
        report.append(f"{renumbered} event id(s) were repeated and were numbered (-2, -3…)")

    events = events_frame(slides.index, id=event_ids, title=title, summary=summary, type="other", start=starts,
                          end=ends, precision=precision, display_date=display, actors=actor_cells,
                          source_publishers=publishers, source_titles=titles, source_urls=urls,
                          verification="reported")  # fmt: skip
    report.append(f"{len(events)} event(s) have the type `other`: TimelineJS has no event types; set them in the file")
    name = _plain((title_slide or {}).get("headline", ""), counts) or path.stem
    cite_or_flag(events, urls == "", options, f"{name} (the imported timeline)", report)
    phases = _phases(eras, problems, counts)
    problems.raise_any()
    _report_html(counts, report)
    description = _html((title_slide or {}).get("text", ""), counts)[0] or f"Imported from {path.name}."
    meta = head(name, description, f"Not yet named: imported from {path.name}",
                "Not stated: the imported timeline's own terms apply", glossary, phases)  # fmt: skip
    return result(
        meta,
        events,
        report,
        {"source_urls": problems.fields.get("source_urls", "source_urls")},
        sanitised=counts["fields"],
    )


def _phases(eras: pd.DataFrame, problems: Problems, counts: Counter[str]) -> list[dict[str, Any]]:
    first, _, _ = _dates(eras, "", problems, "start", required=True)
    _, last, _ = _dates(eras, "end_", problems, "end", required=True)
    labels = eras["headline"].map(lambda v: _plain(v, counts))
    labels = labels.where(labels != "", pd.Series([f"Era {i + 1}" for i in range(len(eras))], index=eras.index))
    ids, _ = unique_ids(slugs(labels, "era"))
    phases = []
    for phase_id, label, lo, hi, body in zip(ids, labels, iso_dates(first), iso_dates(last), eras["text"],
                                             strict=True):  # fmt: skip
        phase = {"id": phase_id, "label": label, "start": lo, "end": hi}
        described = _html(body, counts)[0]
        phases.append({**phase, "description": described} if described else phase)
    return phases


def _plain(value: str, counts: Counter[str]) -> str:
    """A field TimelineJS reads as HTML, as plain text on one line."""
    return " ".join(_html(value, counts)[0].split())


def _html(value: str, counts: Counter[str]) -> tuple[str, list[tuple[str, str, str]]]:
    """HTML as plain text (paragraphs on their own lines) and its http(s) links as (publisher, title, url)."""
    if not value or ("<" not in value and "&" not in value):
        return " ".join(value.split()) if value else "", []
    counts["active"] += len(_ACTIVE_ELEMENT.findall(value))
    counts["handler"] += len(_HANDLER.findall(value))
    counts["bad url"] += len(_BAD_URL.findall(value))
    counts["fields"] += 1
    safe = nh3.clean(value, tags=_BLOCKS | {"a"}, attributes={"a": {"href"}}, url_schemes={"http", "https"},
                     link_rel=None)  # fmt: skip
    links: list[tuple[str, str, str]] = []
    body = safe
    ours = _OUR_SOURCES.search(safe)
    if ours:  # our own export's sources list: each item gives the title and, in brackets, the publisher
        for url, title, publisher in _OUR_SOURCE.findall(ours.group(1)):
            links.append((_text_of(publisher), _text_of(title), html.unescape(url)))
        body = safe[: ours.start()]
    for url, label in _LINK.findall(safe):
        url = html.unescape(url)
        if re.match(r"^https?://", url, re.I) and all(url != u for _, _, u in links):
            links.append((host(url), _text_of(label) or url, url))
    plain = _text_of(_BLOCK_END.sub("\n", body), lines=True)
    return plain, [link for link in links if HTTP_URL.match(link[2])]


def _text_of(safe: str, lines: bool = False) -> str:
    """Sanitised HTML with every tag removed and entities decoded."""
    plain = html.unescape(nh3.clean(safe, tags=set()))
    if not lines:
        return " ".join(plain.split())
    kept = [" ".join(line.split()) for line in plain.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _report_html(counts: Counter[str], report: list[str]) -> None:
    if not counts["fields"]:
        return
    removed = [f"{counts[k]} {what}" for k, what in (("active", "script, style, iframe or other active element(s)"),
               ("handler", "event-handler attribute(s) (onclick=…)"), ("bad url", "javascript:, data: or vbscript: "
               "link(s)")) if counts[k]]  # fmt: skip
    report.append(f"{counts['fields']} field(s) held HTML and were converted to plain text"
                  + (f"; removed: {', '.join(removed)}" if removed else ""))  # fmt: skip
