"""Sites (registrable domains), read offline, and what a page may not claim about itself."""

from __future__ import annotations

import pytest

from bot.engine.ingest import site
from bot.engine.ingest.html import article_from_html

from .conftest import FIXTURES

ARTICLE = (FIXTURES / "article.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.reuters.com/world/", "reuters.com"),
        ("https://news.bbc.co.uk/1/hi", "bbc.co.uk"),
        ("https://someone.github.io/page", "someone.github.io"),  # a private suffix
        ("http://127.0.0.1:8080/x", "127.0.0.1"),
        ("http://[::1]/x", "::1"),
        ("HTTPS://WWW.Example.COM./a", "example.com"),
        ("not a url", None),
        (None, None),
    ],
)
def test_site_is_the_registrable_domain(
    no_network: list[str], url: str | None, expected: str | None
) -> None:
    site._psl.cache_clear()  # the suffix list loads from the package, not the network

    assert site.site_of(url) == expected
    assert no_network == []


def test_a_page_from_another_host_keeps_its_fetched_url_and_host() -> None:
    fetched = "https://copycat.example.net/story"

    article = article_from_html(ARTICLE, source=fetched, url=fetched)

    assert (article.url, article.outlet) == (fetched, "copycat.example.net")


def test_the_outlet_is_the_fetched_host_even_when_the_site_name_spells_it() -> None:
    page = ARTICLE.replace('content="Example News"', 'content="Reuters"')

    article = article_from_html(page, source="x", url="https://reuters.github.io/story")

    assert article.outlet == "reuters.github.io"


def test_a_file_keeps_its_own_canonical_link_and_site_name() -> None:
    article = article_from_html(ARTICLE, source="saved.html")

    assert article.url == "https://news.example.com/world/2025/05/16/istanbul-talks"
    assert article.outlet == "Example News"
