"""Fetch an admin-supplied URL without letting it reach into our own network.

Every hop — the URL and each redirect, followed by hand, at most 5 — is checked before any
packet is sent to it:
- http and https only, no `user:password@`, and only the web ports 80, 443, 8080 and 8443;
- `localhost`, `*.localhost`, `*.local`, `*.internal`, `*.localdomain`, `*.lan`, `*.home.arpa`
  and single-label names are refused by name;
- numeric hosts are read the way browsers and inet_aton read them (`2130706433`, `0177.0.0.1`,
  `0x7f.1`, `127.1`), so no spelling of an address passes for a name;
- every address a name resolves to must be globally routable; IPv4-mapped, NAT64, 6to4 and
  Teredo addresses are also judged by the IPv4 address inside them.
Then we connect to an address we checked, never to the name again (no DNS rebinding): the
request URL carries the IP, while the Host header and TLS (SNI and the certificate check) use
the real name. `trust_env=False`, so no proxy from the environment can do its own lookup.

`allow_hosts` exists for tests that serve pages from 127.0.0.1. It is passed per call, names
exact hosts that skip the address and port checks, and does not extend to redirect targets.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from bot.engine.ingest.common import clean_text, make_article_id
from bot.engine.ingest.html import (
    article_from_html,
    decode_text,
    first_words,
    outlet_from_url,
    require_article_text,
)
from bot.engine.models import Article
from bot.errors import BadInput, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_REDIRECTS = 5
WEB_PORTS = frozenset({80, 443, 8080, 8443})
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/xml", "text/xml"}
)
_LOCAL_NAMES = ("localhost", "local", "internal", "localdomain", "lan", "home.arpa")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*")
_NUMBER = re.compile(r"[0-9]+|0x[0-9a-f]*")
_TITLE_LINE_CHARS = 150
_HEADERS = {
    "User-Agent": "talks-bot/0.1 (news article reader)",
    "Accept": "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/plain;q=0.8",
    "Accept-Encoding": "gzip, deflate",
}
_CHECKS = (
    (lambda ip: ip.is_unspecified, "an unspecified address"),
    (lambda ip: ip.is_loopback, "a loopback address"),
    (lambda ip: ip.is_link_local, "a link-local address"),
    (lambda ip: ip.is_multicast, "a multicast address"),
    (lambda ip: ip.version == 4 and ip in _SHARED, "a shared (carrier-grade NAT) address"),
    (lambda ip: ip.is_reserved, "a reserved address"),
    (lambda ip: ip.is_private, "a private address"),
    (lambda ip: ip.version == 6 and ip.is_site_local, "a site-local address"),
    (lambda ip: not ip.is_global, "not a publicly routable address"),
)


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
        """The body decoded: HTTP charset, then <meta>/<?xml?>, then UTF-8 or windows-1252."""
        return decode_text(self.body, self.content_type)


@dataclass(frozen=True)
class Target:
    """A URL that passed the checks, with the addresses it may be fetched from."""

    url: httpx.URL
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class FetchedArticle:
    """An article with the moment it was fetched (Article has no field for it)."""

    article: Article
    retrieved: datetime


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
    return FetchedArticle(article=article, retrieved=fetched.retrieved)


def article_from_url(
    url: str, *, timeout: float, max_bytes: int, allow_hosts: frozenset[str] = frozenset()
) -> Article:
    return fetch_article(url, timeout=timeout, max_bytes=max_bytes, allow_hosts=allow_hosts).article


def check_url(url: str, *, allow_hosts: frozenset[str] = frozenset()) -> Target:
    """Refuse a URL we must not fetch; otherwise resolve its host once, for pinning."""
    parsed = _parse(url)
    name = parsed.raw_host.decode("ascii").lower().rstrip(".")
    allowed = name in {host.lower().rstrip(".").strip("[]") for host in allow_hosts}
    literal = _literal_ip(name)
    if literal is not None:
        if not allowed:
            _refuse_unsafe(name, literal)
            _check_port(parsed)
        return Target(parsed, (str(literal),))
    if not allowed:
        _check_name(name)
        _check_port(parsed)
    return Target(parsed, _resolve(name, parsed.port or _default_port(parsed), check=not allowed))


def unsafe_reason(ip: IPAddress) -> str | None:
    """Why we must not connect to this address ("a private address"), or None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        for kind, inner in _embedded_ipv4(ip):
            reason = unsafe_reason(inner)
            if reason:
                return f"{reason} ({kind} {inner})"
        if ip.ipv4_mapped or ip in _NAT64:
            return None  # only the IPv4 address inside is ever reached
    return next((reason for test, reason in _CHECKS if test(ip)), None)


def pinned_request(target: Target, address: str, timeout: float) -> httpx.Request:
    """A GET to `address` that still names the real host in Host and in TLS."""
    url = target.url
    extensions: dict[str, object] = {"timeout": httpx.Timeout(timeout).as_dict()}
    if url.scheme == "https":
        extensions["sni_hostname"] = url.raw_host.decode("ascii")
    headers = {**_HEADERS, "Host": url.netloc.decode("ascii")}
    return httpx.Request("GET", url.copy_with(host=address), headers=headers, extensions=extensions)


def _parse(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL:
        _refuse_numeric_host(url)  # httpx rejects some spellings, e.g. 0177.0.0.1
        raise FetchError(f"{url} is not a valid URL.") from None
    if parsed.scheme not in ("http", "https"):
        scheme = f"{parsed.scheme}:" if parsed.scheme else "a URL without a scheme"
        raise FetchError(f"Refused: only http and https URLs are fetched, not {scheme}.")
    if parsed.userinfo:
        raise FetchError("Refused: URLs with a user name or password are not fetched.")
    if not parsed.raw_host:
        raise FetchError(f"{url} has no host name.")
    return parsed


def _refuse_numeric_host(url: str) -> None:
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return
    literal = _literal_ip(host.rstrip(".")) if host else None
    if host and literal is not None:
        _refuse_unsafe(host, literal)


def _literal_ip(name: str) -> IPAddress | None:
    """The address an IP-literal host means (browser rules), None for a name."""
    if ":" in name:
        if "%" in name:
            raise FetchError(f"Refused: {name} has an IPv6 zone, which only exists locally.")
        try:
            return ipaddress.IPv6Address(name)
        except ValueError:
            raise FetchError(f"{name} is not a valid IPv6 address.") from None
    parts = name.split(".")
    if not _NUMBER.fullmatch(parts[-1]):
        return None
    try:
        numbers = [_ipv4_number(part) for part in parts]
    except ValueError:
        numbers = []
    if not numbers or len(numbers) > 4 or any(n > 255 for n in numbers[:-1]):
        raise FetchError(f"{name} is not a valid IPv4 address.")
    if numbers[-1] >= 256 ** (5 - len(numbers)):
        raise FetchError(f"{name} is not a valid IPv4 address.")
    value = numbers[-1] + sum(n << (8 * (3 - i)) for i, n in enumerate(numbers[:-1]))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int:
    """One part of a numeric host: decimal, 0-prefixed octal or 0x-prefixed hex."""
    if not _NUMBER.fullmatch(part):
        raise ValueError(part)
    if part.startswith("0x"):
        return int(part[2:] or "0", 16)
    return int(part, 8) if len(part) > 1 and part.startswith("0") else int(part)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    found = []
    if ip.ipv4_mapped:
        found.append(("IPv4-mapped", ip.ipv4_mapped))
    if ip in _NAT64:
        found.append(("NAT64 for", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    if ip.sixtofour:
        found.append(("6to4 for", ip.sixtofour))
    if ip.teredo:
        found.append(("Teredo for", ip.teredo[1]))
    return found


def _refuse_unsafe(name: str, ip: IPAddress) -> None:
    reason = unsafe_reason(ip)
    if reason:
        spelled = f"{name} is {ip}," if ":" not in name and name != str(ip) else f"{name} is"
        raise FetchError(f"Refused: {spelled} {reason}.")


def _check_name(name: str) -> None:
    if any(name == local or name.endswith("." + local) for local in _LOCAL_NAMES):
        raise FetchError(f"Refused: {name} is a local host name.")
    if not _HOST_NAME.fullmatch(name):
        raise FetchError(f"Refused: {name} is not a valid host name.")
    if "." not in name:
        raise FetchError(f"Refused: {name} is not a public host name (it has no domain).")


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _check_port(url: httpx.URL) -> None:
    port = url.port or _default_port(url)
    if port not in WEB_PORTS:
        allowed = ", ".join(str(p) for p in sorted(WEB_PORTS))
        raise FetchError(f"Refused: port {port} is not a web port (allowed: {allowed}).")


def _resolve(name: str, port: int, *, check: bool) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"Could not find the host {name} (DNS lookup failed).") from exc
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(f"Could not find the host {name} (DNS lookup failed).")
    for address in addresses if check else ():
        reason = unsafe_reason(ipaddress.ip_address(address.split("%", 1)[0]))
        if reason:
            raise FetchError(f"Refused: {name} resolves to {address}, {reason}.")
    return addresses


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
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise _too_large(final, max_bytes)
            if time.monotonic() > deadline:
                raise _timed_out(final, timeout)
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
