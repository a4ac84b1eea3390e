"""Articles cut into passages and sentences, ready to embed; what a batch must embed or reuse.

A passage is named by its content key (the hash of what the model reads), so an unchanged passage
keeps its vector and its sentences' vectors across generations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.engine.index.chunk import embedding_text
from bot.engine.index.sentences import SentenceSpan, article_sentences
from bot.engine.index.speakers import attribute
from bot.engine.models import Article, Chunk
from bot.engine.store.base import SentenceRow


def content_key(text: str) -> str:
    """Names a passage's embedded text, so an unchanged passage keeps its vector."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


Span = tuple[int, int]  # a sentence as offsets into its passage's embedded text
Vectors = dict[str, np.ndarray]  # passage content key → passage vector
Pooled = dict[str, dict[Span, np.ndarray]]  # passage content key → its sentences' vectors


@dataclass(frozen=True)
class PlannedArticle:
    """An article cut into passages and sentences, ready to embed."""

    article: Article
    chunks: list[Chunk]
    texts: list[str]  # what the model reads for each passage
    keys: list[str]
    units: list[SentenceSpan]
    speakers: list[str | None]  # of each unit (index/speakers.py), found in the whole article

    @classmethod
    def of(cls, article: Article, chunks: list[Chunk]) -> PlannedArticle:
        texts = [embedding_text(article, c) for c in chunks]
        keys = [content_key(t) for t in texts]
        units = article_sentences(chunks)
        return cls(article, chunks, texts, keys, units, unit_speakers(article, chunks, units))

    def head(self, i: int) -> int:
        """Where passage i's own text starts in its embedded text (after title and heading)."""
        return len(self.texts[i]) - len(self.chunks[i].text)

    def spans(self, i: int) -> set[Span]:
        ord_, head = self.chunks[i].ord, self.head(i)
        return {(head + u.start, head + u.end) for u in self.units if u.chunk_ord == ord_}

    def rows(self, sentences: Pooled) -> list[SentenceRow]:
        at = {c.ord: i for i, c in enumerate(self.chunks)}
        out = []
        for u, speaker in zip(self.units, self.speakers, strict=True):
            i = at[u.chunk_ord]
            chunk, head = self.chunks[i], self.head(i)
            vector = sentences[self.keys[i]][(head + u.start, head + u.end)]
            out.append(SentenceRow(i, chunk.start + u.start, chunk.start + u.end, vector, speaker))
        return out


@dataclass(frozen=True)
class PlannedPassage:
    text: str  # as embedded
    head: int  # where the passage's own text starts in it
    spans: set[Span]  # every sentence wanted from it


def unit_speakers(
    article: Article, chunks: Sequence[Chunk], units: Sequence[SentenceSpan]
) -> list[str | None]:
    """Speakers are found over the whole article, not per passage: "he said" may refer to a
    name two passages back. Recomputed on every add (it is cheap), so reused vectors never
    carry a stale attribution."""
    start = {c.ord: c.start for c in chunks}
    spans = [(start[u.chunk_ord] + u.start, start[u.chunk_ord] + u.end) for u in units]
    return attribute(article.text, spans)


def needed_passages(plan: list[PlannedArticle]) -> dict[str, PlannedPassage]:
    """Each distinct passage (by content key), with every sentence span wanted from it."""
    needed: dict[str, PlannedPassage] = {}
    for p in plan:
        for i, key in enumerate(p.keys):
            needed.setdefault(key, PlannedPassage(p.texts[i], p.head(i), set())).spans.update(
                p.spans(i)
            )
    return needed
