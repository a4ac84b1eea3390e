"""Which site a URL belongs to, so a page cannot claim another outlet's name or address.

"Site" is the registrable domain (`news.bbc.co.uk` → `bbc.co.uk`, `evil.github.io` stays
`evil.github.io`), read from the Public Suffix List that the `publicsuffixlist` package ships;
nothing is downloaded. An IP address or a name with no registrable part is its own site.

A fetched page may point its canonical link only within its own site, and its `og:site_name`
is kept only when it says nothing the address does not: its letters equal the site's name
(`Reuters` on reuters.com, `The Guardian` on theguardian.com). Anything else — `Reuters` on
reuters-news.example — would let a page pass itself off as another outlet, so the outlet is
then the fetched host, which is true by construction.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

_LETTERS = re.compile(r"[^0-9a-z]+")


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


def trusted_outlet(site_name: str | None, url: str | None) -> str | None:
    """`site_name` when it names the URL's own site (see above), else the URL's host."""
    site = site_of(url)
    if site_name and site:
        suffix = _psl().publicsuffix(site) or ""
        label = _letters(site.removesuffix(suffix))
        claimed = _letters(site_name)
        if label and label in (claimed, claimed.removeprefix("the"), "the" + claimed):
            return " ".join(site_name.split())
    return outlet_of(url)


def _letters(text: str) -> str:
    return _LETTERS.sub("", text.casefold())
