"""RSS and Atom feeds → entries (title, link, date, summary); the articles are fetched later.

feedparser is always handed a stream: given bytes or str it would first try them as a file
name (and a str as a URL to download), which must never happen with fetched data.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from datetime import date

import feedparser
import lxml.html
from lxml import etree

from bot.engine.ingest.common import clean_text
from bot.engine.ingest.fetch import fetch
from bot.engine.ingest.html import http_url
from bot.errors import BadInput


@dataclass(frozen=True)
class FeedEntry:
    title: str
    url: str
    published: date | None
    summary: str  # plain text; "" when the feed gives none


def parse_feed(data: bytes, *, source: str, content_type: str | None = None) -> list[FeedEntry]:
    """Entries with an http(s) link, in feed order; `BadInput` if this is not a feed.

    Relative links are resolved against `source` when it is a URL. An entry's date is its
    <published>/<pubDate>, else its <updated> (Atom feeds often carry only that).
    """
    headers = {"content-type": content_type} if content_type else {}
    if http_url(source):
        headers["content-location"] = source
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    entries = [_entry(raw) for raw in parsed.entries if http_url(raw.get("link"))]
    if not entries and (_broken(parsed) or not parsed.get("version")):
        raise BadInput(f"{source} is not an RSS or Atom feed.")
    return entries


def fetch_feed(
    url: str, *, timeout: float, max_bytes: int, allow_hosts: frozenset[str] = frozenset()
) -> list[FeedEntry]:
    """Fetch a feed through the guarded fetcher and parse it."""
    fetched = fetch(url, timeout=timeout, max_bytes=max_bytes, allow_hosts=allow_hosts)
    return parse_feed(fetched.body, source=fetched.final_url, content_type=fetched.content_type)


def _entry(raw: feedparser.FeedParserDict) -> FeedEntry:
    return FeedEntry(
        title=clean_text(raw.get("title", "")),
        url=str(http_url(raw.get("link"))),
        published=_date(raw.get("published_parsed") or raw.get("updated_parsed")),
        summary=_plain(raw.get("summary", "")),
    )


def _broken(parsed: feedparser.FeedParserDict) -> bool:
    """Not well-formed; a feed served as text/html or with a wrong charset still counts."""
    benign = feedparser.ThingsNobodyCaresAboutButMe
    return bool(parsed.get("bozo")) and not isinstance(parsed.get("bozo_exception"), benign)


def _date(value: time.struct_time | None) -> date | None:
    """feedparser's parsed dates are UTC struct_times."""
    return date(value.tm_year, value.tm_mon, value.tm_mday) if value else None


def _plain(summary: str) -> str:
    """Summaries are often HTML: keep their text only."""
    if "<" not in summary:
        return clean_text(summary)
    try:
        return clean_text(
            lxml.html.fragment_fromstring(summary, create_parent="div").text_content()
        )
    except (etree.ParserError, ValueError):
        return clean_text(summary)
