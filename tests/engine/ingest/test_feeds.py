"""RSS and Atom feeds: entries with links and dates; anything else is refused."""

from __future__ import annotations

from datetime import date

import pytest

from bot.engine.ingest.feeds import FeedEntry, fetch_feed, parse_feed
from bot.errors import BadInput

from .conftest import FIXTURES, LOCAL, LocalServer

RSS = (FIXTURES / "rss.xml").read_bytes()
ATOM = (FIXTURES / "atom.xml").read_bytes()
RSS_URL = "https://news.example.com/world/rss"


def test_rss_entries_with_links_dates_and_plain_summaries() -> None:
    entries = parse_feed(RSS, source=RSS_URL)

    assert entries == [
        FeedEntry(
            title="Negotiators meet in Istanbul for new round of talks",
            url="https://news.example.com/world/2025/05/16/istanbul-talks",
            published=date(2025, 5, 16),
            summary="Russian and Ukrainian delegations met in Istanbul on Friday for their "
            "first direct talks in more than three years.",
        ),
        FeedEntry(
            title="Prisoner exchange completed",
            url="https://news.example.com/world/2025/05/25/prisoner-exchange",  # was relative
            published=date(2025, 5, 25),  # 23:10 +0300 is still the 25th in UTC
            summary="The largest exchange of the war ended on Sunday.",
        ),
    ]  # the entry without a link is left out


def test_atom_entries_fall_back_to_updated_dates() -> None:
    entries = parse_feed(ATOM, source="talks.atom")

    assert [(e.title, e.url, e.published, e.summary) for e in entries] == [
        (
            "Second round of Istanbul talks ends after an hour",
            "https://wire.example.org/2025/06/02/istanbul-second-round",
            date(2025, 6, 2),
            "The delegations exchanged memorandums on a ceasefire.",
        ),
        (
            "Memorandum text published",
            "https://wire.example.org/2025/06/03/memorandum",
            date(2025, 6, 3),
            "",
        ),
    ]


def test_feed_without_items_is_empty_not_an_error() -> None:
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'

    assert parse_feed(data, source=RSS_URL) == []


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Talks resume in Istanbul on Monday.",
        b'{"items": [{"title": "Talks"}]}',
        (FIXTURES / "not_article.html").read_bytes(),
        b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>Cut',
        str(FIXTURES / "rss.xml").encode(),  # a path is data, never a file to open
    ],
)
def test_not_a_feed_is_refused(data: bytes) -> None:
    with pytest.raises(
        BadInput, match=r"^https://news\.example\.com/world/rss is not an RSS or Atom"
    ):
        parse_feed(data, source=RSS_URL)


def test_fetches_rss_and_atom_from_a_server(server: LocalServer) -> None:
    rss_url = server.add("/world/rss", RSS, content_type="application/rss+xml; charset=utf-8")
    atom_url = server.add("/talks.atom", ATOM, content_type="application/atom+xml")

    rss = fetch_feed(rss_url, timeout=5, max_bytes=1_000_000, allow_hosts=LOCAL)
    atom = fetch_feed(atom_url, timeout=5, max_bytes=1_000_000, allow_hosts=LOCAL)

    assert [e.url for e in rss] == [
        "https://news.example.com/world/2025/05/16/istanbul-talks",
        server.url("/world/2025/05/25/prisoner-exchange"),  # relative to where it was fetched
    ]
    assert [e.published for e in atom] == [date(2025, 6, 2), date(2025, 6, 3)]


def test_fetched_page_that_is_not_a_feed_is_refused(server: LocalServer) -> None:
    url = server.add("/news", (FIXTURES / "article.html").read_bytes())

    with pytest.raises(BadInput, match="is not an RSS or Atom feed"):
        fetch_feed(url, timeout=5, max_bytes=1_000_000, allow_hosts=LOCAL)


def test_feed_with_a_legacy_encoding_is_decoded(server: LocalServer) -> None:
    rss = (
        '<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel>'
        "<title>Новости</title><item><title>Переговоры в Стамбуле</title>"
        "<link>https://ru.example.net/2025/05/16/talks</link></item></channel></rss>"
    )
    url = server.add("/ru.rss", rss.encode("windows-1251"), content_type="text/xml")

    [entry] = fetch_feed(url, timeout=5, max_bytes=1_000_000, allow_hosts=LOCAL)

    assert entry.title == "Переговоры в Стамбуле"
