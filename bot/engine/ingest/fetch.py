"""Fetch an admin-supplied URL without letting it reach into our own network.

Redirects are followed by hand, at most 5, and every hop — the URL and each redirect — first
passes the address guard (`guard.py`: scheme, port, local names, numeric hosts, resolved
addresses). Then we connect to an address the guard checked, never to the name again (no DNS
rebinding): the request URL carries the IP, while the Host header and TLS (SNI and the
certificate check) use the real name. `trust_env=False`, so no proxy from the environment can
do its own lookup.

`allow_hosts` is handed to the guard on every hop; see `guard.py`. The guard's public names
(`check_url`, `unsafe_reason`, `Target`, `IPAddress`, `WEB_PORTS`) are re-exported here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpx

from bot.engine.ingest.common import clean_text, make_article_id
from bot.engine.ingest.decode import (
    ACCEPT_ENCODING,
    TooLarge,
    Undecodable,
    check_encoding,
    decoded,
)
from bot.engine.ingest.guard import WEB_PORTS as WEB_PORTS
from bot.engine.ingest.guard import IPAddress as IPAddress
from bot.engine.ingest.guard import Target, check_url
from bot.engine.ingest.guard import unsafe_reason as unsafe_reason
from bot.engine.ingest.html import (
    article_from_html,
    decode_text,
    first_words,
    outlet_from_url,
    require_article_text,
)
from bot.engine.models import Article
from bot.errors import BadInput, FetchError

MAX_REDIRECTS = 5
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/xml", "text/xml"}
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_TITLE_LINE_CHARS = 150
_HEADERS = {
    "User-Agent": "talks-bot/0.1 (news article reader)",
    "Accept": "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/plain;q=0.8",
    "Accept-Encoding": ACCEPT_ENCODING,
}


@dataclass(frozen=True)
class Fetched:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str  # the header as sent, parameters included; "" when missing
    body: bytes
    retrieved: datetime  # UTC

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()

    def text(self) -> str:
        """The body decoded: HTTP charset, then <meta>/<?xml?>, then UTF-8 or detected."""
        try:
            return decode_text(self.body, self.content_type)
        except BadInput as exc:
            raise BadInput(f"{self.final_url}: {exc}") from None


@dataclass(frozen=True)
class FetchedArticle:
    """An article with when and from where it was fetched (Article has no field for them).

    `fetched_from` is the URL the page was read from, after redirects: the article's `url` may
    be its canonical link instead, so the corpus file keeps both as provenance.
    """

    article: Article
    retrieved: datetime
    fetched_from: str


def fetch(
    url: str, *, timeout: float, max_bytes: int, allow_hosts: frozenset[str] = frozenset()
) -> Fetched:
    """GET a page or feed; `FetchError` with a one-line reason for anything refused or failed.

    `timeout` bounds the whole fetch, redirects and body included.
    """
    deadline = time.monotonic() + timeout
    target = check_url(url, allow_hosts=allow_hosts)  # before the client: refusals stay cheap
    with httpx.Client(trust_env=False, follow_redirects=False) as client:
        hops = 0
        while True:
            result = _get(client, target, url, max_bytes, deadline, timeout)
            if isinstance(result, Fetched):
                return result
            hops += 1
            if hops > MAX_REDIRECTS:
                raise FetchError(f"Gave up on {url}: more than {MAX_REDIRECTS} redirects.")
            target = check_url(result, allow_hosts=allow_hosts)


def fetch_article(
    url: str, *, timeout: float, max_bytes: int, allow_hosts: frozenset[str] = frozenset()
) -> FetchedArticle:
    """Fetch a page and read it as an article; `published` stays None unless the page says."""
    fetched = fetch(url, timeout=timeout, max_bytes=max_bytes, allow_hosts=allow_hosts)
    final = fetched.final_url
    if fetched.media_type in ("application/rss+xml", "application/atom+xml"):
        raise BadInput(f"{final} is a news feed, not an article; add it as a feed instead.")
    if fetched.media_type == "text/plain":
        article = _article_from_plain(fetched.text(), final)
    else:
        article = article_from_html(fetched.text(), source=final, url=final)
    return FetchedArticle(article=article, retrieved=fetched.retrieved, fetched_from=final)


def article_from_url(
    url: str, *, timeout: float, max_bytes: int, allow_hosts: frozenset[str] = frozenset()
) -> Article:
    return fetch_article(url, timeout=timeout, max_bytes=max_bytes, allow_hosts=allow_hosts).article


def pinned_request(target: Target, address: str, timeout: float) -> httpx.Request:
    """A GET to `address` that still names the real host in Host and in TLS."""
    url = target.url
    extensions: dict[str, object] = {"timeout": httpx.Timeout(timeout).as_dict()}
    if url.scheme == "https":
        extensions["sni_hostname"] = url.raw_host.decode("ascii")
    headers = {**_HEADERS, "Host": url.netloc.decode("ascii")}
    return httpx.Request("GET", url.copy_with(host=address), headers=headers, extensions=extensions)


def _send(client: httpx.Client, target: Target, deadline: float, timeout: float) -> httpx.Response:
    """Open the response on the first checked address that accepts a connection."""
    failure: Exception | None = None
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            return client.send(pinned_request(target, address, remaining), stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            failure = exc
        except httpx.TimeoutException as exc:
            raise _timed_out(str(target.url), timeout) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"Could not fetch {target.url} ({exc}).") from exc
    if failure is None:
        raise _timed_out(str(target.url), timeout)
    raise FetchError(f"Could not connect to {target.url.host} ({failure}).") from failure


def _get(
    client: httpx.Client,
    target: Target,
    requested: str,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> Fetched | str:
    """One hop: the page, or the URL it redirects to (not yet checked)."""
    current = str(target.url)
    response = _send(client, target, deadline, timeout)
    try:
        if response.status_code in _REDIRECTS:
            return _next_hop(current, response)
        return _read(requested, response, current, max_bytes, deadline, timeout)
    finally:
        response.close()


def _next_hop(current: str, response: httpx.Response) -> str:
    location = response.headers.get("location", "").strip()
    if not location:
        raise FetchError(f"{current} redirected without saying where to.")
    return urljoin(current, location)


def _read(
    requested: str,
    response: httpx.Response,
    final: str,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> Fetched:
    if not 200 <= response.status_code < 300:
        raise FetchError(f"{final} answered HTTP {response.status_code}.")
    content_type = response.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    if media and media not in PAGE_TYPES | FEED_TYPES:
        raise FetchError(f"Refused: {final} is {media}, not a web page or a news feed.")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(final, max_bytes)
    coding = check_encoding(response.headers.get("content-encoding", ""), final)

    def in_time() -> None:
        if time.monotonic() > deadline:
            raise _timed_out(final, timeout)

    body = bytearray()
    try:  # raw bytes: httpx must not decode (it would not count what it decodes)
        for piece in decoded(response.iter_raw(), coding, max_bytes, in_time):
            body += piece
    except TooLarge:
        raise _too_large(final, max_bytes) from None
    except Undecodable as exc:
        raise FetchError(f"Could not read {final} ({exc}).") from None
    except httpx.TimeoutException as exc:
        raise _timed_out(final, timeout) from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"Could not read {final} ({exc}).") from exc
    return Fetched(
        url=requested,
        final_url=final,
        status=response.status_code,
        content_type=content_type,
        body=bytes(body),
        retrieved=datetime.now(UTC),
    )


def _too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(f"{url} is larger than the {_size(max_bytes)} limit.")


def _timed_out(url: str, timeout: float) -> FetchError:
    return FetchError(f"{url} did not finish loading within {timeout:g} seconds.")


def _size(n: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


def _article_from_plain(text: str, url: str) -> Article:
    """A text/plain page: a short first line is the headline, the rest is the text."""
    text = clean_text(text)
    first, _, rest = text.partition("\n")
    if len(first) <= _TITLE_LINE_CHARS and rest.strip():
        title, text = first, rest.strip()
    else:
        title = first_words(text)
    require_article_text(text, url)
    return Article(
        id=make_article_id(url=url, text=text),
        title=title,
        text=text,
        source=url,
        url=url,
        outlet=outlet_from_url(url),
    )
