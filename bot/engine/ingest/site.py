"""Which site a URL belongs to, so a page cannot claim another outlet's name or address.

"Site" is the registrable domain (`news.bbc.co.uk` → `bbc.co.uk`, `evil.github.io` stays
`evil.github.io`), read from the Public Suffix List that the `publicsuffixlist` package ships;
nothing is downloaded. An IP address or a name with no registrable part is its own site.

A fetched page may point its canonical link only within its own site. Its outlet is the host
it was fetched from, never its `og:site_name`: any rule for trusting the name (even "the name
spells the domain") lets reuters.biz or reuters.github.io call itself Reuters, while the host
is true by construction.
"""

from __future__ import annotations

import ipaddress
from functools import cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList


@cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()  # the bundled list: no network


def host_of(url: str | None) -> str | None:
    try:
        host = urlsplit(url.strip()).hostname if url else None
    except ValueError:
        return None
    return host.rstrip(".").lower() if host else None


def site_of(url: str | None) -> str | None:
    """The registrable domain of the URL's host; None without a host."""
    host = host_of(url)
    if not host:
        return None
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return _psl().privatesuffix(host) or host


def same_site(a: str | None, b: str | None) -> bool:
    """Both URLs on one registrable domain; two URL-less inputs also count as one place."""
    return site_of(a) == site_of(b)


def outlet_of(url: str | None) -> str | None:
    """The outlet a URL shows: its host without `www.`."""
    host = host_of(url)
    return host.removeprefix("www.") if host else None
