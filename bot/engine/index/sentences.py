"""Passages → the sentences an answer can quote, found once at index time. Pure: no model, no I/O.

Every sentence of an article belongs to exactly one passage — the first that holds it whole — so
that a quoted sentence always lies inside the passage its citation names. Quotations stay whole
with their attribution (text.sentence_spans), so a quoted sentence still says who spoke. Headings
and fragments too short to answer anything are left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.engine.models import Chunk
from bot.engine.text import sentence_spans

MIN_SENTENCE_CHARS = 25  # shorter pieces are headings, datelines or fragments, never an answer
_PARAGRAPH = re.compile(r"[^\n]+(?:\n[^\n]+)*")


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence as character offsets into its passage's text (chunk.text[start:end])."""

    chunk_ord: int
    start: int
    end: int


def passage_sentences(chunk: Chunk) -> list[tuple[int, int]]:
    """Sentence spans of one passage, relative to chunk.text."""
    spans: list[tuple[int, int]] = []
    for para in _PARAGRAPH.finditer(chunk.text):
        for a, b in sentence_spans(para.group()):
            if b - a >= MIN_SENTENCE_CHARS:
                spans.append((para.start() + a, para.start() + b))
    return spans


def article_sentences(chunks: Sequence[Chunk]) -> list[SentenceSpan]:
    """Each sentence once, in article order, assigned to the first passage that holds it."""
    seen: set[int] = set()  # sentence start offsets in the article
    out: list[SentenceSpan] = []
    for chunk in sorted(chunks, key=lambda c: c.ord):
        for a, b in passage_sentences(chunk):
            if chunk.start + a in seen:
                continue
            seen.add(chunk.start + a)
            out.append(SentenceSpan(chunk.ord, a, b))
    return out
