"""Pages that do not declare their charset: detected, or refused — never mojibake (item 3)."""

from __future__ import annotations

import random

import pytest

from bot.engine.ingest.fetch import fetch, fetch_article
from bot.engine.ingest.html import decode_text
from bot.errors import BadInput

from .conftest import FIXTURES, LOCAL, LocalServer

MB = 1_000_000
TITLE = "Переговорщики встретились в Стамбуле"
LEAD = (
    "Российская и украинская делегации провели в пятницу первые за три года прямые переговоры "
    "и договорились об обмене тысячей военнопленных с каждой стороны. "
)


def russian_page() -> str:
    """The article fixture in Russian, with its charset declaration taken out."""
    page = (FIXTURES / "article.html").read_text(encoding="utf-8")
    page = page.replace('<meta charset="utf-8">', "")
    page = page.replace("Negotiators meet in Istanbul for new round of talks", TITLE)
    return page.replace("Russian and Ukrainian delegations met in Istanbul", LEAD * 2)


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
def test_an_undeclared_cyrillic_page_is_decoded(server: LocalServer, encoding: str) -> None:
    url = server.add("/ru", russian_page().encode(encoding), content_type="text/html")

    article = fetch_article(url, timeout=5, max_bytes=MB, allow_hosts=LOCAL).article

    assert article.title == TITLE
    assert article.text.startswith(LEAD.strip())
    assert "Ð" not in article.text and "\ufffd" not in article.text


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
def test_decode_text_detects_without_any_declaration(encoding: str) -> None:
    page = russian_page()

    assert decode_text(page.encode(encoding)) == page
    assert decode_text(page.encode(encoding), "text/html") == page


def test_a_declared_charset_is_still_trusted() -> None:
    page = russian_page()

    assert decode_text(page.encode("koi8-r"), "text/html; charset=koi8-r") == page


def test_an_unrecognisable_page_is_refused_with_one_line(server: LocalServer) -> None:
    noise = random.Random(7)
    body = b"<html><body><p>" + bytes(noise.randrange(128, 256) for _ in range(3000)) + b"</p>"
    url = server.add("/noise", body, content_type="text/html")

    with pytest.raises(BadInput) as refused:
        fetch_article(url, timeout=5, max_bytes=MB, allow_hosts=LOCAL)

    assert str(refused.value) == (
        f"{url}: the page does not declare its text encoding and it could not be recognised; "
        "save it as UTF-8 and add the file instead."
    )
    assert fetch(url, timeout=5, max_bytes=MB, allow_hosts=LOCAL).body == body
