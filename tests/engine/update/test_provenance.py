"""A page cannot choose its own citation or block the real article (issue 10, item 2).

Two "sites" are served by the one local server: fake DNS points news.example.com (the real
outlet) and copycat.example.net (a spoof) at 127.0.0.1, and the engine may fetch both.
"""

from __future__ import annotations

import html
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.engine.engine import Engine
from bot.engine.ingest import read_bytes
from bot.settings import Settings

from .conftest import STORIES, LocalServer, RecordingEmbedder, snapshot

REAL, SPOOF = "news.example.com", "copycat.example.net"


@pytest.fixture
def two_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host in (REAL, SPOOF):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def eng(make_settings: Callable[..., Settings], corpus: Path, two_sites: None) -> Engine:
    engine = Engine(make_settings(), RecordingEmbedder(), allow_hosts=frozenset({REAL, SPOOF}))
    engine.rebuild()
    return engine


def news_page(key: str, *, canonical: str = "", site_name: str = "Example News") -> bytes:
    title, body = STORIES[key]
    link = f'<link rel="canonical" href="{html.escape(canonical)}">' if canonical else ""
    paras = "".join(f"<p>{html.escape(' '.join(p.split()))}</p>" for p in body.split("\n\n"))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{link}'
        f'<meta property="og:site_name" content="{site_name}"></head><body><main><article>'
        f"<h1>{title}</h1>{paras}</article></main></body></html>"
    ).encode()


def front_matter(path: Path) -> dict[str, object]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_a_canonical_link_to_another_site_is_ignored(eng: Engine, server: LocalServer) -> None:
    real_url = f"https://{REAL}/world/energy-truce"
    server.add("/copy", news_page("energy", canonical=real_url, site_name="Reuters"))
    fetched = f"http://{SPOOF}:{server.port}/copy"

    [article] = eng.add([fetched]).added

    assert (article.url, article.outlet) == (fetched, SPOOF)
    meta = front_matter(eng.settings.corpus_dir / article.source)
    assert (meta["url"], meta["fetched_from"], meta["outlet"]) == (fetched, fetched, SPOOF)


def test_a_canonical_link_on_the_same_site_is_kept_with_where_it_was_fetched(
    eng: Engine, server: LocalServer
) -> None:
    canonical = f"http://www.example.com:{server.port}/world/energy-truce"
    page = news_page("energy", canonical=canonical, site_name="Example")
    fetched = server.add("/energy?utm_source=feed", page).replace("127.0.0.1", REAL)

    [article] = eng.add([fetched]).added

    assert (article.url, article.outlet) == (canonical, REAL)
    path = eng.settings.corpus_dir / article.source
    assert front_matter(path)["fetched_from"] == fetched
    [read_back], problems = read_bytes(path.read_bytes(), article.source)
    assert (read_back.id, read_back.url, problems) == (article.id, canonical, [])


def test_a_spoofed_copy_does_not_block_the_real_article(eng: Engine, server: LocalServer) -> None:
    real_url = f"http://{REAL}:{server.port}/energy"
    server.add("/copy", news_page("energy", canonical=real_url))
    server.add("/energy", news_page("energy"))
    spoof_url = f"http://{SPOOF}:{server.port}/copy"

    [spoof] = eng.add([spoof_url]).added
    report = eng.add([real_url])

    [real] = report.added
    assert report.duplicates == []
    assert (spoof.url, spoof.outlet) == (spoof_url, SPOOF)
    assert (real.url, real.outlet) == (real_url, REAL)
    assert report.grouped == [
        f"{real.id} ({real.title}) is a near-copy of {min(real.id, spoof.id)}"
    ]
    again = eng.add([real_url])
    assert again.added == [] and again.duplicates == [
        f"{real_url}: already indexed as {real.id} ({real.title})"
    ]


def test_the_same_text_twice_on_one_site_is_still_a_duplicate(
    eng: Engine, server: LocalServer
) -> None:
    server.add("/energy", news_page("energy"))
    server.add("/energy-amp", news_page("energy"))
    first = eng.add([f"http://{REAL}:{server.port}/energy"]).added[0]
    corpus = snapshot(eng.settings.corpus_dir)

    report = eng.add([f"http://{REAL}:{server.port}/energy-amp"])

    assert report.added == []
    assert report.duplicates == [
        f"http://{REAL}:{server.port}/energy-amp: already indexed as {first.id} ({first.title})"
    ]
    assert snapshot(eng.settings.corpus_dir) == corpus


def test_a_full_rebuild_keeps_both_sites_copies(eng: Engine, server: LocalServer) -> None:
    server.add("/copy", news_page("energy"))
    server.add("/energy", news_page("energy"))
    eng.add([f"http://{SPOOF}:{server.port}/copy"])
    eng.add([f"http://{REAL}:{server.port}/energy"])
    before = {(s.id, s.dup_group) for s in eng.sources()}

    report = eng.rebuild()

    assert report.problems == []
    assert {(s.id, s.dup_group) for s in eng.sources()} == before
