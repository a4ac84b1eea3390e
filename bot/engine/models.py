"""Plain, frozen records passed between the engine's steps. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Article:
    """One news article, as read from the corpus or fetched from a URL."""

    id: str
    title: str
    text: str
    source: str  # file name (with `#line` for .jsonl) or URL it came from
    url: str | None = None
    outlet: str | None = None
    published: date | None = None
    language: str | None = None


@dataclass(frozen=True)
class Chunk:
    """A passage of an article small enough for the embedding model."""

    id: str  # stable: derived from the article id and the passage text
    article_id: str
    ord: int  # position within the article
    text: str  # verbatim: article.text[start:end]
    heading: str | None = None
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its scores."""

    chunk: Chunk
    article: Article
    score: float
    dense: float | None = None  # cosine similarity, when the dense side saw it
    sparse: float | None = None  # BM25 score, when the sparse side saw it


@dataclass(frozen=True)
class Citation:
    n: int
    article: Article
    quote: str
    chunk_id: str


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # sentences with [n] markers; a plain refusal when abstained
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    as_of: date | None = None
    hits: tuple[Hit, ...] = field(default=(), compare=False, repr=False)
    mode: str = "extractive"  # "generated" when a language model wrote it (answer/generate.py)
