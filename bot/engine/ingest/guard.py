"""The SSRF address guard: which URLs we may fetch, and the addresses we may reach them at.

It exists because the URLs come from admins and from the pages' own redirects, so a URL can
point anywhere, our own network included. Every URL and every redirect hop is checked here
before any connection is made to it:
- http and https only, no `user:password@`, and only the web ports 80, 443, 8080 and 8443;
- `localhost`, `*.localhost`, `*.local`, `*.internal`, `*.localdomain`, `*.lan`, `*.home.arpa`
  and single-label names are refused by name;
- numeric hosts are read the way browsers and inet_aton read them (`2130706433`, `0177.0.0.1`,
  `0x7f.1`, `127.1`), so no spelling of an address passes for a name;
- every address a name resolves to must be globally routable; IPv4-mapped, NAT64, 6to4 and
  Teredo addresses are also judged by the IPv4 address inside them.
`check_url` resolves a name once and returns the checked addresses in a `Target`, so the
fetcher (`fetch.py`) connects to them and never looks the name up again.

`allow_hosts` names exact hosts (no subdomains) that skip the name, address and port checks
(still http(s) only, without user:password): intranet sources, or a test server on 127.0.0.1.
It is passed per call and applies to every hop alike: a redirect to a listed host is
followed, while a redirect from a listed host to any other host is checked in full — being
listed gives no pass to where a host sends us.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from bot.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

WEB_PORTS = frozenset({80, 443, 8080, 8443})
_LOCAL_NAMES = ("localhost", "local", "internal", "localdomain", "lan", "home.arpa")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*")
_NUMBER = re.compile(r"[0-9]+|0x[0-9a-f]*")
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
class Target:
    """A URL that passed the checks, with the addresses it may be fetched from."""

    url: httpx.URL
    addresses: tuple[str, ...]


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
