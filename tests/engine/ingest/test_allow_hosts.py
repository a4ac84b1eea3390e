"""What guard.py's docstring promises about `allow_hosts`: every hop alike, no pass onward."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from bot.engine.ingest.fetch import fetch
from bot.errors import FetchError

from .conftest import FIXTURES, LocalServer

ARTICLE = (FIXTURES / "article.html").read_bytes()
WIKI = "wiki.intranet.test"


@pytest.fixture
def wiki_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host == WIKI:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_redirect_to_a_listed_host_is_followed(server: LocalServer, wiki_dns: None) -> None:
    server.add("/page", ARTICLE)
    url = server.redirect("/hop", f"http://{WIKI}:{server.port}/page")

    fetched = fetch(url, timeout=5, max_bytes=10**6, allow_hosts=frozenset({"127.0.0.1", WIKI}))

    assert fetched.final_url == f"http://{WIKI}:{server.port}/page"
    assert fetched.body == ARTICLE


def test_a_listed_host_gives_no_pass_to_where_it_redirects(
    server: LocalServer, wiki_dns: None
) -> None:
    server.add("/page", ARTICLE)
    url = server.redirect("/hop", f"http://{WIKI}/page")

    with pytest.raises(FetchError) as refused:
        fetch(url, timeout=5, max_bytes=10**6, allow_hosts=frozenset({"127.0.0.1"}))

    assert str(refused.value) == f"Refused: {WIKI} resolves to 127.0.0.1, a loopback address."
    assert [path for path, _ in server.requests] == ["/hop"]
