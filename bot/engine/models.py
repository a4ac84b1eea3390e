"""Plain, frozen records passed between the engine's steps. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np


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
class Sentence:
    """A sentence of an indexed article, with the vector the index stored for it."""

    article: Article
    chunk: Chunk  # the passage that holds it
    start: int  # offsets into article.text
    end: int
    index: int  # its position among the article's sentences
    vector: np.ndarray = field(compare=False, repr=False)
    speaker: str | None = None  # who said it, as the article names them (index/speakers.py)

    @property
    def text(self) -> str:
        return self.article.text[self.start : self.end]


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its scores."""

    chunk: Chunk
    article: Article
    score: float
    dense: float | None = None  # cosine similarity, when the dense side saw it
    sparse: float | None = None  # BM25 score, when the sparse side saw it


@dataclass(frozen=True)
class Filters:
    """Which articles a question may be answered from: a publication window and an outlet.

    An article without a date cannot be shown to fall inside a window, so a window excludes it.
    """

    since: date | None = None  # inclusive
    until: date | None = None  # inclusive
    outlet: str | None = None  # compared case-insensitively with the stored outlet name

    @property
    def active(self) -> bool:
        return self.since is not None or self.until is not None or self.outlet is not None

    def admits(self, article: Article) -> bool:
        if self.outlet is not None and (article.outlet or "").casefold() != self.outlet.casefold():
            return False
        if self.since is None and self.until is None:
            return True
        day = article.published
        if day is None:
            return False
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )


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
    understood_as: str = ""  # the question answered, with context from earlier turns; "" = as typed
    language: str = "en"  # the asker's: the bot's own words in it (declines, "As of …", labels)


@dataclass(frozen=True)
class Entry:
    """One statement of a timeline: said by `speaker` (as the article names them), verbatim."""

    date: date  # the article's publication date
    speaker: str
    statement: str  # a sentence of `article`, exactly as it stands there
    article: Article
    chunk: Chunk = field(compare=False)  # the passage that holds it
    changes: bool = False  # its stance reverses the entry before it (timeline.py)

    def to_json(self) -> dict[str, str | None]:
        a = self.article
        return {
            "date": self.date.isoformat(),
            "speaker": self.speaker,
            "statement": self.statement,
            "title": a.title,
            "outlet": a.outlet,
            "url": a.url,
            "source": a.source,
        }


@dataclass(frozen=True)
class Timeline:
    party: str
    topic: str | None
    entries: tuple[Entry, ...]
    speakers: tuple[str, ...] = ()  # the stored speaker names counted as the party

    def to_json(self) -> dict[str, object]:
        entries = [e.to_json() for e in self.entries]
        return {"party": self.party, "topic": self.topic, "entries": entries}


@dataclass(frozen=True)
class Progress:
    """How far a rebuild has got; front doors turn it into a bar or an edited message."""

    stage: str  # "reading", "chunking", "embedding", "saving", "done"
    done: int
    total: int
    articles: int = 0
    chunks: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 100.0


@dataclass(frozen=True)
class BuildReport:
    articles: int
    chunks: int
    embedded: int  # chunks that needed the model (the rest reused vectors from the old index)
    seconds: float
    problems: list[str] = field(default_factory=list)
    generation: str = ""


@dataclass(frozen=True)
class Stats:
    articles: int
    chunks: int
    index_bytes: int
    model: str
    dense: str
    built_at: str | None
    generation: str | None
    uptime_seconds: float


@dataclass(frozen=True)
class AddReport:
    added: list[Article]
    duplicates: list[str]  # "<input>: already indexed as <id> (<title>)"
    problems: list[str]  # inputs (or records) that could not be read; nothing was stored for them
    grouped: list[str] = field(default_factory=list)  # added articles that are near-copies
    chunks: int = 0
    seconds: float = 0.0
    generation: str | None = None
