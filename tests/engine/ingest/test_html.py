"""Reading a news page: text with paragraph breaks, metadata, and refusing what is no article."""

from __future__ import annotations

import codecs
from datetime import date

import pytest

from bot.engine.ingest.common import make_article_id
from bot.engine.ingest.html import article_from_html, decode_text
from bot.errors import BadInput

from .conftest import FIXTURES

ARTICLE = (FIXTURES / "article.html").read_text(encoding="utf-8")
CANONICAL = "https://news.example.com/world/2025/05/16/istanbul-talks"
FETCHED = "https://news.example.com/world/istanbul-talks?utm_source=feed"
PARAGRAPHS = (
    "<p>Delegations from both countries met again on Monday in Istanbul to discuss a ceasefire "
    "and prisoner exchanges, officials from the two foreign ministries said afterwards.</p>"
    "<p>The talks lasted less than two hours. Both sides agreed to meet again within weeks and "
    "to exchange written proposals on the terms of a possible ceasefire before then.</p>"
)


def page(body: str, head: str = "<title>Talks resume in Istanbul</title>", lang: str = "en") -> str:
    return f"<!DOCTYPE html><html lang='{lang}'><head>{head}</head><body>{body}</body></html>"


def test_news_page_becomes_an_article() -> None:
    article = article_from_html(ARTICLE, source=FETCHED, url=FETCHED)

    assert article.title == "Negotiators meet in Istanbul for new round of talks"
    assert article.text.split("\n\n") == [
        "Russian and Ukrainian delegations met in Istanbul on Friday for their first direct talks "
        "in more than three years, officials from both sides said.",
        "The meeting, hosted by Turkey's foreign minister at the Dolmabahce Palace, lasted less "
        "than two hours and ended with an agreement to exchange 1,000 prisoners of war from each "
        "side.",
        "Ceasefire remains out of reach",
        "Ukraine's delegation said it had pressed for an unconditional 30-day ceasefire, a proposal "
        "backed by European governments and Washington. Russian negotiators rejected it and "
        "instead presented conditions that Kyiv called unacceptable.",
        "Both sides said they would set out their visions of a possible future ceasefire in detail "
        "before any further meeting, according to statements released after the talks.",
    ]
    assert article.published == date(2025, 5, 16)
    assert article.outlet == "news.example.com"  # "Example News" is more than the host says
    assert article.language == "en"
    assert article.source == FETCHED
    assert article.url == CANONICAL  # the page's canonical link wins over the fetched URL
    assert article.id == make_article_id(url=CANONICAL, text=article.text)


def test_navigation_and_footer_are_left_out() -> None:
    text = article_from_html(ARTICLE, source="page.html").text

    assert "Privacy" not in text
    assert "Politics" not in text
    assert "All rights reserved" not in text


def test_lists_and_line_breaks_keep_their_lines() -> None:
    body = (
        f"<article><h1>Talks resume in Istanbul</h1>{PARAGRAPHS}<p>The memorandum lists:</p>"
        "<ul><li>a ceasefire after withdrawal</li><li>neutral status</li></ul>"
        "<p>First line<br>second line.</p></article>"
    )

    paragraphs = article_from_html(page(body), source="s").text.split("\n\n")

    assert paragraphs[2:] == [
        "The memorandum lists:",
        "a ceasefire after withdrawal\nneutral status",
        "First line\nsecond line.",
    ]


@pytest.mark.parametrize("canonical", ["javascript:alert(1)", "/world/istanbul", "ftp://x.org/a"])
def test_canonical_that_is_not_an_absolute_http_url_is_ignored(canonical: str) -> None:
    html = ARTICLE.replace(CANONICAL, canonical)

    assert article_from_html(html, source="s", url=FETCHED).url == FETCHED


def test_without_canonical_or_url_the_article_has_no_url() -> None:
    html = ARTICLE.replace(f'<link rel="canonical" href="{CANONICAL}">', "")

    article = article_from_html(html, source="saved-page.html")

    assert article.url is None
    assert article.source == "saved-page.html"
    assert article.id == make_article_id(url=None, text=article.text)


def test_outlet_falls_back_to_the_host_name() -> None:
    body = f"<article><h1>Talks resume in Istanbul</h1>{PARAGRAPHS}</article>"

    article = article_from_html(page(body), source="s", url="https://www.wire.example.org/a")

    assert article.outlet == "wire.example.org"


def test_page_without_a_date_gets_none_not_a_guess() -> None:
    body = (
        f"<article><h1>Talks resume in Istanbul</h1>{PARAGRAPHS}</article>"
        "<footer>© 2023 Example Wire. All rights reserved.</footer>"
    )

    article = article_from_html(page(body), source="s", url="https://wire.example.org/talks")

    assert article.published is None


def test_language_is_the_primary_subtag() -> None:
    body = f"<article><h1>Talks resume in Istanbul</h1>{PARAGRAPHS}</article>"

    assert article_from_html(page(body, lang="en-GB"), source="s").language == "en"
    assert article_from_html(page(body, lang=""), source="s").language is None


def test_bytes_are_decoded_with_the_meta_charset() -> None:
    russian = (
        "<p>Делегации России и Украины встретились в Стамбуле в пятницу. Это первые прямые "
        "переговоры более чем за три года, сообщили официальные лица обеих сторон. Встреча "
        "продолжалась меньше двух часов и завершилась договорённостью об обмене пленными "
        "по тысяче человек с каждой стороны, а также обещанием продолжить разговор.</p>"
    )
    html = page(
        f"<article><h1>Переговоры в Стамбуле</h1>{russian}</article>",
        head='<meta charset="windows-1251"><title>Переговоры в Стамбуле</title>',
        lang="ru",
    )

    article = article_from_html(html.encode("windows-1251"), source="s")

    assert article.title == "Переговоры в Стамбуле"
    assert article.text.startswith("Делегации России и Украины встретились в Стамбуле")
    assert article.language == "ru"


@pytest.mark.parametrize("html", ["", "   \n", "<html></html>", "\x89PNG\r\n\x1a\n"])
def test_empty_page_is_refused(html: str) -> None:
    with pytest.raises(BadInput, match=r"^page\.html does not look like an article \(no main"):
        article_from_html(html, source="page.html")


def test_navigation_page_is_refused() -> None:
    html = (FIXTURES / "not_article.html").read_bytes()

    with pytest.raises(BadInput, match="does not look like an article"):
        article_from_html(html, source="https://news.example.com/")


def test_short_page_is_refused_with_its_word_count() -> None:
    body = "<article><h1>Breaking</h1><p>Talks have started in Istanbul. More soon.</p></article>"

    with pytest.raises(BadInput, match=r"only 7 words of text; at least 40 are needed"):
        article_from_html(page(body), source="s")


# --- decode_text --------------------------------------------------------------------------------


def test_header_charset_beats_the_meta_tag() -> None:
    data = '<meta charset="utf-8"><p>Киев</p>'.encode("koi8-r")

    assert "Киев" in decode_text(data, "text/html; charset=KOI8-R")


def test_byte_order_mark_beats_everything() -> None:
    data = codecs.BOM_UTF8 + "<p>Zürich</p>".encode()

    assert decode_text(data, "text/html; charset=windows-1251") == "<p>Zürich</p>"


def test_latin_1_label_means_windows_1252() -> None:
    data = "<p>“Quotes” — Zürich</p>".encode("cp1252")

    assert decode_text(data, 'text/html; charset="ISO-8859-1"') == "<p>“Quotes” — Zürich</p>"


def test_xml_declaration_gives_the_encoding() -> None:
    data = '<?xml version="1.0" encoding="windows-1251"?><rss><title>Мир</title></rss>'

    assert "Мир" in decode_text(data.encode("windows-1251"))


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        ("<p>Zürich</p>".encode(), None, "<p>Zürich</p>"),
        ("<p>Zürich</p>".encode("cp1252"), "text/html", "<p>Zürich</p>"),
        ("<p>Zürich</p>".encode(), "text/html; charset=no-such-thing", "<p>Zürich</p>"),
    ],
)
def test_undeclared_or_unknown_charset_falls_back_to_utf8_then_windows_1252(
    data: bytes, content_type: str | None, expected: str
) -> None:
    assert decode_text(data, content_type) == expected
