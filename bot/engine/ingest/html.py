"""An HTML page → an Article, with trafilatura doing the boilerplate removal.

Everything here is offline: trafilatura only parses the string it is given. htmldate's
"extensive search" is switched off because it turns a footer's "© 2023" into 2023-01-01;
a page without a real date keeps `published=None`.
"""

from __future__ import annotations

import codecs
import re
from datetime import date
from urllib.parse import urlsplit

import charset_normalizer
import trafilatura
from lxml import etree
from trafilatura.settings import Document
from trafilatura.utils import load_html

from bot.engine.ingest.common import clean_text, make_article_id, parse_date
from bot.engine.ingest.site import outlet_of, same_site
from bot.engine.models import Article
from bot.errors import BadInput

MIN_CHARS = 200
MIN_WORDS = 40
_DATE_PARAMS = {"extensive_search": False, "original_date": True}
_TITLE_FALLBACK_CHARS = 100

_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""")
# WHATWG: these labels mean windows-1252 on the web (0x80–0x9F are curly quotes, not controls).
_AS_CP1252 = {"iso8859-1", "ascii"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def article_from_html(html: str | bytes, *, source: str, url: str | None = None) -> Article:
    """Extract the main text and metadata; `BadInput` if the page is not an article.

    `url` is where the page was fetched from (after redirects). The page's own canonical link
    wins when it is http(s) on the same site (registrable domain), so the same story reached
    through tracking links gets one id; a canonical link to another site is ignored, and the
    outlet is the fetched host, never og:site_name (see `site.py`). A file (`url` None) is the
    admin's own: its canonical link and site name are taken as they are.
    """
    if isinstance(html, bytes):
        html = decode_text(html)
    tree = load_html(html) if html.strip() else None
    lang = tree.get("lang") if tree is not None else None
    doc = _extract(tree, url) if tree is not None else None
    if doc is None or doc.body is None:
        raise BadInput(f"{source} does not look like an article (no main text found).")
    title = clean_text(doc.title or "")
    paragraphs = _paragraphs(doc.body)
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]  # the <h1> repeats the title
    text = "\n\n".join(paragraphs)
    require_article_text(text, source)
    canonical = _own_canonical(http_url(doc.url), url)
    return Article(
        id=make_article_id(url=canonical, text=text),
        title=title or first_words(text),
        text=text,
        source=source,
        url=canonical,
        outlet=outlet_of(url) if url else clean_text(doc.sitename or "") or outlet_of(canonical),
        published=_published(doc.date),
        language=_language(doc.language or lang),
    )


def require_article_text(text: str, source: str) -> None:
    """Refuse navigation stubs, paywalls and error pages: too little text to answer from."""
    if not text:
        raise BadInput(f"{source} does not look like an article (no main text found).")
    if len(text) < MIN_CHARS or len(text.split()) < MIN_WORDS:
        raise BadInput(
            f"{source} does not look like an article "
            f"(only {len(text.split())} words of text; at least {MIN_WORDS} are needed)."
        )


def decode_text(data: bytes, content_type: str | None = None) -> str:
    """Decode a page: byte-order mark, then the HTTP charset, then <meta>/<?xml?>, then detect.

    Undeclared bytes that are valid UTF-8 are UTF-8; anything else goes to charset_normalizer.
    Falling back to windows-1252 (the web's old default) would store a Cyrillic page in
    cp1251 or KOI8-R as mojibake; a page that cannot be recognised is refused instead.
    windows-1252 stays the answer only for a scrap too short to show any language.
    """
    head = data[:4096]
    declared = _HEADER_CHARSET.search(content_type or "")
    in_page = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    for label in (
        next((name for bom, name in _BOMS if data.startswith(bom)), None),
        declared.group(1) if declared else None,
        in_page.group(1).decode("ascii") if in_page else None,
    ):
        codec = _codec(label)
        if codec:
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _detected(data)


def _detected(data: bytes) -> str:
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise BadInput(
            "the page does not declare its text encoding and it could not be recognised; "
            "save it as UTF-8 and add the file instead."
        )
    if best.coherence == 0:
        return data.decode("cp1252", errors="replace")
    return str(best)


def http_url(value: str | None) -> str | None:
    """The value if it is an absolute http(s) URL with a host, else None."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.hostname else None


def outlet_from_url(url: str | None) -> str | None:
    return outlet_of(url)


def _own_canonical(canonical: str | None, fetched: str | None) -> str | None:
    """The page's canonical link if it stays on the fetched site; else where it was fetched."""
    if fetched is None:
        return canonical
    return canonical if canonical and same_site(canonical, fetched) else fetched


def first_words(text: str, limit: int = _TITLE_FALLBACK_CHARS) -> str:
    """A stand-in title from the opening of the text, for pages that have none."""
    line = text.split("\n", 1)[0]
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + "…"


def _extract(tree: etree._Element, url: str | None) -> Document | None:
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params=_DATE_PARAMS,
    )
    return doc if isinstance(doc, Document) else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "cp1252" if name in _AS_CP1252 else name


def _paragraphs(body: etree._Element) -> list[str]:
    """One paragraph per block of trafilatura's output; list items and table rows one a line."""
    out = []
    for block in body:
        if block.tag == "list":
            lines = [_inline(item) for item in block.findall("item")]
        elif block.tag == "table":
            lines = [" | ".join(_inline(cell) for cell in row) for row in block.findall("row")]
        else:
            lines = [_inline(block)]
        text = clean_text("\n".join(line for line in lines if line))
        if text:
            out.append(text)
    return out


def _inline(element: etree._Element) -> str:
    """Text of an element, with <lb/> kept as a line break."""
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "lb" else _inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _published(value: str | None) -> date | None:
    try:
        return parse_date(value, "page")
    except BadInput:
        return None


def _language(value: str | None) -> str | None:
    """Primary subtag only ("en-GB" → "en"), lower-case."""
    primary = re.split(r"[-_]", value.strip())[0].lower() if value else ""
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
