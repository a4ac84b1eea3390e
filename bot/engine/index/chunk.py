"""Article → passages that fit the embedding model. Pure: no model, no I/O.

Paragraphs are kept whole where they fit and packed together up to the token budget; a long
paragraph is split between sentences, with a sentence or two of overlap. A chunk never crosses a
heading; the heading above it travels with it. Chunk text is an exact slice of the article text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.engine.models import Article, Chunk
from bot.engine.text import sentence_spans

CHUNKER_VERSION = "2"
TokenCounter = Callable[[str], int]

_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")


def approx_tokens(text: str) -> int:
    """A tokenizer-free estimate (word pieces ≈ 1.3 per word) for tests and tools."""
    return int(len(re.findall(r"\w+|[^\w\s]", text)) * 1.3) + 1


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


def _paragraphs(text: str) -> Iterator[_Span]:
    for match in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
        yield _Span(match.start(), match.end())


def _heading_text(text: str) -> str | None:
    """A paragraph that is a heading: Markdown `#`, or one short line without final punctuation."""
    md = _MD_HEADING.match(text)
    if md:
        return md.group(1)
    if "\n" in text or len(text) > 120 or len(text.split()) > 14:
        return None
    if text.rstrip()[-1:] in ".!?…:;,\"”'’)":
        return None
    return text.strip()


def _sections(text: str) -> Iterator[tuple[str | None, list[_Span]]]:
    heading: str | None = None
    paragraphs: list[_Span] = []
    for span in _paragraphs(text):
        title = _heading_text(text[span.start : span.end])
        if title is not None:
            if paragraphs:
                yield heading, paragraphs
            heading, paragraphs = title, []
        else:
            paragraphs.append(span)
    if paragraphs:
        yield heading, paragraphs


def _units(text: str, paragraphs: list[_Span], count: TokenCounter, budget: int) -> list[_Span]:
    """Paragraphs that fit the budget, and the sentences of those that do not."""
    units: list[_Span] = []
    for para in paragraphs:
        body = text[para.start : para.end]
        if count(body) <= budget:
            units.append(para)
            continue
        for a, b in sentence_spans(body):
            units.extend(_hard_split(text, _Span(para.start + a, para.start + b), count, budget))
    return units


def _hard_split(text: str, span: _Span, count: TokenCounter, budget: int) -> list[_Span]:
    """A single sentence over budget is cut between words (rare: run-on text without stops)."""
    if count(text[span.start : span.end]) <= budget:
        return [span]
    out: list[_Span] = []
    start = span.start
    words = list(re.finditer(r"\S+", text[span.start : span.end]))
    last = start
    for word in words:
        end = span.start + word.end()
        if count(text[start:end]) > budget and last > start:
            out.append(_Span(start, last))
            start = span.start + word.start()
        last = end
    out.append(_Span(start, span.end))
    return out


def _pack(
    units: list[_Span], text: str, count: TokenCounter, budget: int, overlap: int
) -> list[_Span]:
    chunks: list[_Span] = []
    i = 0
    while i < len(units):
        j = i + 1
        while j < len(units) and count(text[units[i].start : units[j].end]) <= budget:
            j += 1
        chunks.append(_Span(units[i].start, units[j - 1].end))
        if j >= len(units):
            break
        # Step back over trailing units that fit in the overlap, so context carries over.
        k = j
        while k - 1 > i and count(text[units[k - 1].start : units[j - 1].end]) <= overlap:
            k -= 1
        i = k if k < j else j
    return chunks


def chunk_id(article_id: str, text: str, ordinal: int) -> str:
    digest = hashlib.sha256(f"{article_id}\x00{ordinal}\x00{text}".encode()).hexdigest()
    return digest[:16]


def chunk_article(
    article: Article, *, budget: int, overlap: int, count: TokenCounter = approx_tokens
) -> list[Chunk]:
    text = article.text
    chunks: list[Chunk] = []
    for heading, paragraphs in _sections(text):
        units = _units(text, paragraphs, count, budget)
        for span in _pack(units, text, count, budget, overlap):
            body = text[span.start : span.end]
            chunks.append(
                Chunk(
                    id=chunk_id(article.id, body, len(chunks)),
                    article_id=article.id,
                    ord=len(chunks),
                    text=body,
                    heading=heading,
                    start=span.start,
                    end=span.end,
                )
            )
    return chunks


def embedding_text(article: Article, chunk: Chunk) -> str:
    """What the dense model sees: the title and heading give a passage its context."""
    head = article.title if not chunk.heading else f"{article.title} — {chunk.heading}"
    return f"{head}\n{chunk.text}"
