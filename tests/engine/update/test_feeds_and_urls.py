"""Articles by URL and by feed, from a server on 127.0.0.1 (the test-only allowance), and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from bot.engine.engine import Engine
from bot.engine.feeds import MAX_ATTEMPTS
from bot.errors import BadInput
from tests.engine.ingest.conftest import FIXTURES

from .conftest import STORIES, LocalServer, page, rss, snapshot, story

MB = 1_000_000


def front_matter(path: Path) -> dict[str, object]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def serve_story(server: LocalServer, key: str, published: str | None = None) -> str:
    title, body = STORIES[key]
    return server.add(f"/news/{key}", page(title, body, published=published))


def test_a_url_is_stored_as_markdown_with_where_and_when_it_came_from(
    local_engine: Engine, server: LocalServer
) -> None:
    url = serve_story(server, "energy", published="2025-03-18T08:00:00Z")
    before = datetime.now().astimezone()

    report = local_engine.add([url])

    [article] = report.added
    path = local_engine.settings.corpus_dir / article.source
    assert article.source == "2025-03-18-energy-truce-proposal-gains-support.md"
    meta = front_matter(path)
    assert meta["title"] == "Energy truce proposal gains support"
    assert (meta["url"], meta["outlet"], meta["language"]) == (url, "127.0.0.1", "en")
    assert str(meta["published"]) == "2025-03-18"
    assert datetime.fromisoformat(str(meta["retrieved"])) >= before.replace(microsecond=0)
    assert article.url == url
    assert not local_engine.ask("Who supports the energy truce?").abstained
    again = local_engine.add([url])
    assert again.duplicates == [f"{url}: already indexed as {article.id} ({article.title})"]
    assert len(server.requests) == 1  # a URL already indexed is not fetched again


def test_a_page_without_a_date_gets_none_invented(
    local_engine: Engine, server: LocalServer
) -> None:
    [article] = local_engine.add([serve_story(server, "nuclear")]).added

    meta = front_matter(local_engine.settings.corpus_dir / article.source)
    assert "published" not in meta and "retrieved" in meta
    assert article.published is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda s, inbox: s.add("/home", page("Home", "Welcome. Accept cookies.")),
            "does not look like an article",
        ),
        (lambda s, inbox: s.add("/empty", b""), "does not look like an article"),
        (
            lambda s, inbox: s.add("/big", b"x", headers={"Content-Length": str(50 * MB)}),
            "is larger than the 5 MB limit",
        ),
        (
            lambda s, inbox: s.add("/pic.png", b"\x89PNG", content_type="image/png"),
            "is image/png, not a web page",
        ),
        (lambda s, inbox: _file(inbox, "photo.md", b"\x89PNG\r\n\x00\x00"), "looks like a binary"),
        (lambda s, inbox: _big(inbox), "larger than 20 MB"),
        (
            lambda s, inbox: _file(
                inbox, "latin1.txt", "Négociations à Genève\n".encode("latin-1") * 9
            ),
            "is not UTF-8 text",
        ),
        (
            lambda s, inbox: _file(
                inbox, "home.html", (FIXTURES / "not_article.html").read_bytes()
            ),
            "home.html does not look like an article",
        ),
        (lambda s, inbox: _file(inbox, "empty.md", b"---\ntitle: Empty\n---\n"), "has no text"),
        (lambda s, inbox: _file(inbox, "notes.docx", b"PK\x03\x04"), "unsupported file type"),
        (lambda s, inbox: str(inbox / "missing.md"), "no such file"),
    ],
    ids=[
        "not-article",
        "empty-page",
        "50MB-page",
        "image",
        "binary",
        "50MB-file",
        "latin1",
        "not-article-file",
        "empty-file",
        "docx",
        "missing",
    ],
)
def test_bad_input_gets_one_clear_line_and_changes_nothing(
    local_engine: Engine,
    server: LocalServer,
    inbox: Path,
    make: Callable[[LocalServer, Path], str],
    message: str,
) -> None:
    target = make(server, inbox)
    live = (local_engine.settings.index_dir / "CURRENT").read_text()
    corpus = snapshot(local_engine.settings.corpus_dir)

    report = local_engine.add([target])

    assert report.added == [] and report.duplicates == []
    [line] = report.problems
    assert message in line and "\n" not in line
    assert (local_engine.settings.index_dir / "CURRENT").read_text() == live
    assert snapshot(local_engine.settings.corpus_dir) == corpus


def _file(inbox: Path, name: str, data: bytes) -> str:
    (inbox / name).write_bytes(data)
    return str(inbox / name)


def _big(inbox: Path) -> str:
    with open(inbox / "huge.md", "wb") as fh:
        fh.truncate(50 * MB)  # sparse: 50 MB on paper, nothing read
    return str(inbox / "huge.md")


def test_one_bad_input_does_not_stop_the_others(
    local_engine: Engine, server: LocalServer, inbox: Path
) -> None:
    (inbox / "energy.md").write_text(story("energy"), encoding="utf-8")
    url = serve_story(server, "nuclear")

    report = local_engine.add([str(inbox / "energy.md"), server.url("/nope"), url])

    assert len(report.added) == 2
    assert report.problems == [f"{server.url('/nope')} answered HTTP 404."]
    assert report.generation == (local_engine.settings.index_dir / "CURRENT").read_text().strip()


def test_feeds_are_checked_listed_polled_and_removed(
    local_engine: Engine, server: LocalServer
) -> None:
    first = serve_story(server, "energy")
    second = serve_story(server, "nuclear")
    feed_url = server.add("/rss", rss(("Energy", first)), content_type="application/rss+xml")

    feed = local_engine.add_feed(feed_url)

    assert (feed.url, feed.entries) == (feed_url, 1)
    assert [f.url for f in local_engine.feeds()] == [feed_url]
    stored = json.loads((local_engine.settings.index_dir / "feeds.json").read_text())
    assert stored["feeds"][0]["url"] == feed_url
    with pytest.raises(BadInput, match="already in the feed list"):
        local_engine.add_feed(feed_url)

    report = local_engine.poll_feeds()
    [polled] = report.feeds
    assert [a.title for a in polled.added] == ["Energy truce proposal gains support"]
    assert not local_engine.ask("Who supports the energy truce?").abstained

    server.requests.clear()
    assert local_engine.poll_feeds().added == []  # nothing new
    assert [path for path, _ in server.requests] == ["/rss"]  # the feed only, no article

    server.add(
        "/rss", rss(("Nuclear", second), ("Energy", first)), content_type="application/rss+xml"
    )
    assert [a.title for a in local_engine.poll_feeds().added] == [
        "Zaporizhzhia plant discussed in separate channel"
    ]
    assert local_engine.feeds()[0].last_polled is not None

    assert local_engine.remove_feed(feed_url).url == feed_url
    assert local_engine.feeds() == []
    with pytest.raises(BadInput, match="not in the feed list"):
        local_engine.remove_feed(feed_url)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"this is not xml at all", "application/rss+xml"),
        (page("A page", " ".join(["Plain words."] * 60)), "text/html"),
        (b"<?xml version='1.0'?><rss><channel><item>", "application/xml"),
    ],
    ids=["not-xml", "html-page", "broken-xml"],
)
def test_a_feed_that_is_not_one_is_refused_and_not_listed(
    local_engine: Engine, server: LocalServer, body: bytes, content_type: str
) -> None:
    url = server.add("/feed", body, content_type=content_type)
    with pytest.raises(BadInput, match="is not an RSS or Atom feed"):
        local_engine.add_feed(url)
    assert local_engine.feeds() == []
    assert not (local_engine.settings.index_dir / "feeds.json").exists()


def test_a_broken_feed_does_not_stop_the_others(local_engine: Engine, server: LocalServer) -> None:
    good = server.add(
        "/good", rss(("Energy", serve_story(server, "energy"))), content_type="text/xml"
    )
    bad = server.add("/bad", rss(("Sanctions", server.url("/gone"))), content_type="text/xml")
    local_engine.add_feed(good)
    local_engine.add_feed(bad)
    server.add("/bad", b"", status=500)

    report = local_engine.poll_feeds()

    by_url = {f.url: f for f in report.feeds}
    assert len(by_url[good].added) == 1 and by_url[good].errors == []
    assert by_url[bad].added == [] and by_url[bad].errors == [f"{bad} answered HTTP 500."]
    assert {f.url: f.last_error for f in local_engine.feeds()}[bad] == f"{bad} answered HTTP 500."


def test_an_entry_that_fails_to_fetch_is_retried_then_given_up(
    local_engine: Engine, server: LocalServer
) -> None:
    feed = server.add("/rss", rss(("Later", server.url("/later"))), content_type="text/xml")
    local_engine.add_feed(feed)
    for _ in range(MAX_ATTEMPTS):
        [polled] = local_engine.poll_feeds().feeds
        assert polled.errors == [f"{server.url('/later')} answered HTTP 404."]
    server.requests.clear()
    serve_story(server, "grain")
    server.add("/later", page(*STORIES["grain"]))
    assert local_engine.poll_feeds().added == []
    assert [p for p, _ in server.requests] == ["/rss"]
