"""The guarded fetcher: what it reads, what it refuses, and that refusals send no traffic."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from bot.engine.ingest.fetch import (
    Target,
    article_from_url,
    fetch,
    fetch_article,
    pinned_request,
)
from bot.errors import BadInput, FetchError

from .conftest import FIXTURES, LOCAL, LocalServer

MB = 1_000_000
ARTICLE = (FIXTURES / "article.html").read_bytes()


def get(url: str, **kwargs: object):
    options = {"timeout": 5.0, "max_bytes": 5 * MB, "allow_hosts": LOCAL} | kwargs
    return fetch(url, **options)  # type: ignore[arg-type]


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Answer getaddrinfo for the given names; other names go to the real resolver."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in answers:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        family = {True: socket.AF_INET6, False: socket.AF_INET}
        return [(family[":" in ip], socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


# --- what it reads ---------------------------------------------------------------------------


def test_reads_an_article_page(server: LocalServer) -> None:
    url = server.add("/world/istanbul-talks", ARTICLE)
    before = datetime.now(UTC)

    got = fetch_article(url, timeout=5, max_bytes=5 * MB, allow_hosts=LOCAL)

    article = got.article
    assert article.title == "Negotiators meet in Istanbul for new round of talks"
    assert article.text.startswith("Russian and Ukrainian delegations met in Istanbul")
    assert "\n\nCeasefire remains out of reach\n\n" in article.text
    assert article.published == date(2025, 5, 16)
    # The page's canonical link and og:site_name name another site: the fetched URL stands.
    assert (article.url, article.outlet) == (url, "127.0.0.1")
    assert article.source == url
    assert before <= got.retrieved <= datetime.now(UTC)


def test_follows_redirects_and_reports_the_final_url(server: LocalServer) -> None:
    server.redirect("/short", "/old", status=301)
    server.redirect("/old", server.url("/story"), status=308)
    server.add("/story", ARTICLE)

    fetched = get(server.url("/short"))

    assert (fetched.url, fetched.final_url) == (server.url("/short"), server.url("/story"))
    assert fetched.status == 200
    assert fetched.media_type == "text/html"
    assert fetched.body == ARTICLE
    assert fetched.retrieved.tzinfo is UTC


def test_plain_text_page_becomes_an_article(server: LocalServer) -> None:
    body = (
        "Talks resume in Geneva\n\n"
        + "Delegations met again on Monday to discuss a ceasefire. " * 8
    )
    url = server.add("/story.txt", body.encode(), content_type="text/plain; charset=utf-8")

    article = article_from_url(url, timeout=5, max_bytes=MB, allow_hosts=LOCAL)

    assert article.title == "Talks resume in Geneva"
    assert article.text.startswith("Delegations met again on Monday")
    assert article.published is None
    assert (article.source, article.url, article.outlet) == (url, url, "127.0.0.1")


def test_windows_1251_page_is_decoded_from_the_header(server: LocalServer) -> None:
    page = ARTICLE.decode().replace('<meta charset="utf-8">', "")
    page = page.replace("Negotiators meet in Istanbul", "Переговорщики встретились в Стамбуле")
    url = server.add(
        "/ru", page.encode("windows-1251"), content_type="text/html; charset=windows-1251"
    )

    assert get(url).text().count("Переговорщики встретились в Стамбуле") == 3
    article = article_from_url(url, timeout=5, max_bytes=MB, allow_hosts=LOCAL)
    assert article.title.startswith("Переговорщики встретились в Стамбуле")


def test_latin_1_page_is_decoded_from_its_meta_tag(server: LocalServer) -> None:
    page = ARTICLE.decode().replace('charset="utf-8"', 'charset="iso-8859-1"')
    page = page.replace("Dolmabahce", "Dolmabahçe").replace("Friday", "Friday — “officially”")
    url = server.add("/latin", page.encode("cp1252"), content_type="text/html")

    text = get(url).text()

    assert "Dolmabahçe" in text
    assert "Friday — “officially”" in text


# --- what it refuses after connecting ----------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://127.0.0.2:{port}/", "127.0.0.2 is a loopback address"),
        ("http://10.1.2.3/latest", "10.1.2.3 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]:{port}/", "::1 is a loopback address"),
        ("http://0x7f.1:{port}/", "0x7f.1 is 127.0.0.1, a loopback address"),
        ("http://localhost:{port}/", "localhost is a local host name"),
        ("file:///etc/passwd", "only http and https"),
    ],
)
def test_redirect_from_an_allowed_host_to_an_internal_one_is_refused(
    server: LocalServer, connections: list[tuple[str, int]], location: str, reason: str
) -> None:
    url = server.redirect("/hop", location.format(port=server.port))

    with pytest.raises(FetchError) as refused:
        get(url)

    assert str(refused.value).startswith(f"Refused: {reason}")
    assert {host for host, _ in connections} == {"127.0.0.1"}
    assert [path for path, _ in server.requests] == ["/hop"]


@pytest.mark.parametrize(
    ("route", "content_type"),
    [
        ("/photo.png", "image/png"),
        ("/report.pdf", "application/pdf"),
        ("/blob", "application/octet-stream"),
    ],
)
def test_other_content_types_are_refused(
    server: LocalServer, route: str, content_type: str
) -> None:
    url = server.add(route, b"\x89PNG\r\n\x1a\n" * 100, content_type=content_type)

    with pytest.raises(FetchError, match=f"is {content_type}, not a web page or a news feed"):
        get(url)


def test_declared_size_over_the_limit_is_refused_before_reading(server: LocalServer) -> None:
    url = server.add("/big", b"<html></html>", headers={"Content-Length": str(6 * MB)})

    with pytest.raises(FetchError, match=r"is larger than the 5 MB limit\.$"):
        get(url)


def test_streamed_body_over_the_limit_stops_reading_early(server: LocalServer) -> None:
    total = 200 * MB
    chunk = b"<p>" + b"x" * 65_530 + b"</p>"

    def endless() -> Iterator[bytes]:
        for _ in range(total // len(chunk)):
            yield chunk

    url = server.add("/huge", endless)
    started = time.monotonic()

    with pytest.raises(FetchError, match="is larger than the 100 KB limit"):
        get(url, max_bytes=100_000)

    assert time.monotonic() - started < 1
    time.sleep(0.05)  # let the server notice the closed connection
    assert server.sent["/huge"] < total // 10


def test_slow_body_hits_the_total_timeout(server: LocalServer) -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(100):
            yield b"<p>still loading</p>"
            time.sleep(0.05)

    url = server.add("/slow", drip)
    started = time.monotonic()

    with pytest.raises(FetchError, match=r"did not finish loading within 0\.4 seconds\.$"):
        get(url, timeout=0.4)

    assert time.monotonic() - started < 1


def test_error_status_is_reported(server: LocalServer) -> None:
    with pytest.raises(FetchError, match="answered HTTP 404"):
        get(server.url("/missing"))


def test_redirect_loop_gives_up_after_five_hops(server: LocalServer) -> None:
    for n in range(7):
        server.redirect(f"/r{n}", f"/r{n + 1}")

    with pytest.raises(FetchError, match="more than 5 redirects"):
        get(server.url("/r0"))

    assert len(server.requests) == 6


def test_empty_page_is_not_an_article(server: LocalServer) -> None:
    url = server.add("/empty", b"")

    with pytest.raises(BadInput, match="does not look like an article"):
        article_from_url(url, timeout=5, max_bytes=MB, allow_hosts=LOCAL)


def test_navigation_page_is_not_an_article(server: LocalServer) -> None:
    url = server.add("/home", (FIXTURES / "not_article.html").read_bytes())

    with pytest.raises(BadInput, match="does not look like an article"):
        article_from_url(url, timeout=5, max_bytes=MB, allow_hosts=LOCAL)


def test_feed_is_not_taken_for_an_article(server: LocalServer) -> None:
    url = server.add(
        "/rss", (FIXTURES / "rss.xml").read_bytes(), content_type="application/rss+xml"
    )

    with pytest.raises(BadInput, match="is a news feed, not an article"):
        article_from_url(url, timeout=5, max_bytes=MB, allow_hosts=LOCAL)


# --- what it refuses before any lookup or connection -------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://127.0.0.2:8080/admin", "127.0.0.2 is a loopback address"),
        ("http://2130706433/", "2130706433 is 127.0.0.1, a loopback address"),
        ("http://0177.0.0.1/", "0177.0.0.1 is 127.0.0.1, a loopback address"),
        ("http://0x7f.1/", "0x7f.1 is 127.0.0.1, a loopback address"),
        ("http://0x7f000001/", "0x7f000001 is 127.0.0.1, a loopback address"),
        ("http://127.1/", "127.1 is 127.0.0.1, a loopback address"),
        ("http://127.0.0.1./", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.5/", "10.0.0.5 is a private address"),
        ("http://012.0.0.5/", "012.0.0.5 is 10.0.0.5, a private address"),
        ("http://167772165/", "167772165 is 10.0.0.5, a private address"),
        ("http://172.16.4.1/", "172.16.4.1 is a private address"),
        ("http://192.168.1.1/", "192.168.1.1 is a private address"),
        ("http://169.254.169.254/", "169.254.169.254 is a link-local address"),
        ("http://100.64.0.1/", "100.64.0.1 is a shared (carrier-grade NAT) address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://255.255.255.255/", "255.255.255.255 is a reserved address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::]/", ":: is an unspecified address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254 is a private address"),
        ("http://[ff02::1]/", "ff02::1 is a multicast address"),
        (
            "http://[::ffff:127.0.0.1]/",
            "::ffff:127.0.0.1 is a loopback address (IPv4-mapped 127.0.0.1)",
        ),
        ("http://[::ffff:a00:5]/", "::ffff:a00:5 is a private address (IPv4-mapped 10.0.0.5)"),
        (
            "http://[64:ff9b::a9fe:a9fe]/",
            "64:ff9b::a9fe:a9fe is a link-local address (NAT64 for 169.254.169.254)",
        ),
        ("http://[2002:a00:5::1]/", "2002:a00:5::1 is a private address (6to4 for 10.0.0.5)"),
        (
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
            "2001:0:4136:e378:8000:63bf:80ff:fffe is a loopback address (Teredo for 127.0.0.1)",
        ),
        ("http://localhost/", "localhost is a local host name"),
        ("http://LocalHost.:8080/", "localhost is a local host name"),
        ("http://admin.localhost/", "admin.localhost is a local host name"),
        ("http://printer.local/", "printer.local is a local host name"),
        (
            "http://metadata.google.internal/computeMetadata/v1/",
            "metadata.google.internal is a local host name",
        ),
        ("http://intranet/", "intranet is not a public host name (it has no domain)"),
        ("http://news.example.com:22/", "port 22 is not a web port (allowed: 80, 443, 8080, 8443)"),
        (
            "http://news.example.com:6379/",
            "port 6379 is not a web port (allowed: 80, 443, 8080, 8443)",
        ),
        ("file:///etc/passwd", "only http and https URLs are fetched, not file:"),
        ("ftp://ftp.example.com/pub/news.txt", "only http and https URLs are fetched, not ftp:"),
        ("gopher://news.example.com:70/1", "only http and https URLs are fetched, not gopher:"),
        ("javascript:alert(1)", "only http and https URLs are fetched, not javascript:"),
        (
            "news.example.com/story",
            "only http and https URLs are fetched, not a URL without a scheme",
        ),
        (
            "http://editor:secret@news.example.com/",
            "URLs with a user name or password are not fetched",
        ),
    ],
)
def test_refused_before_any_lookup_or_connection(
    no_network: list[str], url: str, reason: str
) -> None:
    with pytest.raises(FetchError) as refused:
        fetch(url, timeout=5, max_bytes=MB)

    assert str(refused.value) == f"Refused: {reason}."
    assert no_network == []


@pytest.mark.parametrize("url", ["http://1.2.3.999/", "http://%31%32%37.0.0.1/", "http:///x"])
def test_malformed_hosts_are_refused_without_network(no_network: list[str], url: str) -> None:
    with pytest.raises(FetchError, match=r"is not a valid (URL|IPv4 address)|has no host name"):
        fetch(url, timeout=5, max_bytes=MB)

    assert no_network == []


def test_allow_hosts_is_exact_and_per_call(no_network: list[str]) -> None:
    with pytest.raises(FetchError, match=r"^Refused: 127\.0\.0\.2 is a loopback address\.$"):
        fetch("http://127.0.0.2/", timeout=5, max_bytes=MB, allow_hosts=LOCAL)
    with pytest.raises(FetchError, match=r"^Refused: 127\.0\.0\.1 is a loopback address\.$"):
        fetch("http://127.0.0.1/", timeout=5, max_bytes=MB)


# --- names that resolve to internal addresses, and pinning ----------------------------------------


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (["10.0.0.5"], "news.example.test resolves to 10.0.0.5, a private address"),
        (
            ["93.184.215.14", "127.0.0.1"],
            "news.example.test resolves to 127.0.0.1, a loopback address",
        ),
        (
            ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "fd12::1"],
            "news.example.test resolves to fd12::1, a private address",
        ),
        (
            ["::ffff:169.254.169.254"],
            "news.example.test resolves to ::ffff:169.254.169.254, "
            "a link-local address (IPv4-mapped 169.254.169.254)",
        ),
    ],
)
def test_name_resolving_to_an_internal_address_is_refused_at_resolution(
    monkeypatch: pytest.MonkeyPatch,
    connections: list[tuple[str, int]],
    answers: list[str],
    reason: str,
) -> None:
    asked = fake_dns(monkeypatch, {"news.example.test": answers})

    with pytest.raises(FetchError) as refused:
        fetch("http://news.example.test/story", timeout=5, max_bytes=MB)

    assert str(refused.value) == f"Refused: {reason}."
    assert asked == ["news.example.test"]
    assert connections == []


def test_connects_to_the_checked_address_without_a_second_lookup(
    monkeypatch: pytest.MonkeyPatch, connections: list[tuple[str, int]]
) -> None:
    # A rebinding resolver would answer 127.0.0.1 the second time; there is no second time.
    # (`connections` stops the attempt to the public address before anything is sent.)
    asked = fake_dns(monkeypatch, {"news.example.test": ["93.184.215.14"]})

    with pytest.raises(AssertionError, match=r"93\.184\.215\.14"):
        fetch("http://news.example.test/story", timeout=5, max_bytes=MB)

    assert asked == ["news.example.test"]
    assert connections == [("93.184.215.14", 80)]


def test_pinned_connection_keeps_the_real_host_name(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, connections: list[tuple[str, int]]
) -> None:
    fake_dns(monkeypatch, {"news.example.test": ["127.0.0.1"]})
    server.add("/story", ARTICLE)
    url = f"http://news.example.test:{server.port}/story"

    fetched = fetch(url, timeout=5, max_bytes=MB, allow_hosts=frozenset({"news.example.test"}))

    assert fetched.final_url == url
    assert server.requests[0][1]["Host"] == f"news.example.test:{server.port}"
    assert connections == [("127.0.0.1", server.port)]


def test_https_request_to_a_pinned_address_verifies_the_real_name() -> None:
    target = Target(httpx.URL("https://news.example.com/story"), ("93.184.215.14",))

    request = pinned_request(target, "93.184.215.14", timeout=3)

    assert request.url.host == "93.184.215.14"
    assert request.headers["Host"] == "news.example.com"
    assert request.extensions["sni_hostname"] == "news.example.com"


def test_falls_through_to_the_next_checked_address(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"news.example.test": ["::1", "127.0.0.1"]})  # nothing on [::1]:port
    server.add("/story", ARTICLE)
    url = f"http://news.example.test:{server.port}/story"

    fetched = fetch(url, timeout=5, max_bytes=MB, allow_hosts=frozenset({"news.example.test"}))

    assert fetched.body == ARTICLE
