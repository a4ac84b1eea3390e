"""The storage interface: what the writer and the search step need from an index store.

A store keeps generations: read-only snapshots, one of them live. A writer takes the store's lock,
begins a draft from the live snapshot (or empty), adds and removes articles with their passages and
vectors, and commits it as the next live snapshot — or aborts, leaving the live one untouched.

Passage ids are opaque integers chosen by the store; callers only hand them back (to `passages`).
The FAISS + SQLite + bm25s folders (store/files.py) implement this; a database store can too, and
the contract suite (tests/engine/store/test_contract.py) runs against every implementation.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import date
from typing import Protocol

import numpy as np

from bot.engine.models import Article, Chunk, Sentence

FORMAT = 4  # 2: dedup keys, MinHash, dup_group; 3: sentences with vectors, names in the vocabulary;
# 4: sentences with their speakers


@dataclass(frozen=True)
class Manifest:
    """How a generation was built: a snapshot is only used with the model that built it."""

    format: int
    model: str
    dim: int
    chunker: str
    chunk_tokens: int
    chunk_overlap: int
    corpus_fingerprint: str
    built_at: str
    articles: int
    chunks: int
    dense: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


@dataclass(frozen=True)
class SourceInfo:
    id: str
    title: str
    outlet: str | None
    published: date | None
    source: str
    url: str | None
    chunks: int
    dup_group: str | None = None  # near-duplicates share one (named after their smallest id)
    language: str | None = None  # ISO 639-1, as the article says or as detected when indexed


@dataclass(frozen=True)
class SentenceRow:
    """A sentence to store: the position of its passage in the article's chunk list, its
    offsets into the article text, and its vector."""

    chunk: int
    start: int
    end: int
    vector: np.ndarray
    speaker: str | None = None  # who said it, as the article names them; None: nobody named


class DenseSide(Protocol):
    """Nearest passages by vector (cosine on unit vectors)."""

    @property
    def kind(self) -> str: ...

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...


class SparseSide(Protocol):
    """BM25 over stemmed words, with the statistics the answer step weighs terms by."""

    @property
    def size(self) -> int: ...

    def df(self, stemmed: str) -> int: ...

    def correct(self, word: str) -> str: ...

    def is_name(self, word: str) -> bool:
        """Do the articles write this word capitalised mid-sentence (a name, a place)?"""
        ...

    def search(
        self, query_words: list[str], k: int, language: str | None = None
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def respell(self, word: str) -> str | None:
        """The corpus word that spells `word` in the other script (Latin ↔ Cyrillic), if any."""
        ...

    def known(self, query_words: list[str], language: str | None = None) -> float:
        """The share of the query's words keyword search can match at all (0 for a Ukrainian
        question over English articles)."""
        ...


class Catalog(Protocol):
    """Article metadata, readable from a snapshot and from a draft alike."""

    def article(self, article_id: str) -> Article | None: ...

    def find_article(self, *, url: str | None, text: str) -> Article | None: ...

    def counts(self) -> tuple[int, int]: ...

    def signatures(self, article_ids: Iterable[str] | None = None) -> dict[str, np.ndarray]: ...

    def dup_groups(self, article_ids: Iterable[str] | None = None) -> dict[str, str]: ...

    def group_members(self, group: str) -> list[str]: ...


class Snapshot(Catalog, Protocol):
    """One committed generation, read-only; safe to share between threads."""

    @property
    def name(self) -> str: ...

    @property
    def manifest(self) -> Manifest: ...

    @property
    def dense(self) -> DenseSide: ...

    @property
    def sparse(self) -> SparseSide: ...

    def passages(self, ids: Iterable[int]) -> dict[int, tuple[Chunk, Article]]: ...

    def articles(self) -> Iterator[Article]: ...

    def sources(self) -> list[SourceInfo]: ...

    def vectors_for(self, keys: Iterable[str]) -> dict[str, np.ndarray]: ...

    def sentences_for(self, keys: Iterable[str]) -> dict[str, list[tuple[int, int, np.ndarray]]]:
        """For reuse: per passage content key, its sentences (offsets into the passage) and
        their vectors."""
        ...

    def sentences(self, article_ids: Sequence[str]) -> list[Sentence]:
        """Every sentence of these articles with its vector, article by article."""
        ...

    def date_range(self) -> tuple[date | None, date | None]:
        """The first and last publication dates of the indexed articles."""
        ...

    def speakers(self) -> dict[str, int]:
        """Every speaker name stored with a sentence, with its number of sentences."""
        ...

    def statements(
        self,
        speakers: Collection[str],
        *,
        since: date | None = None,
        until: date | None = None,
        passages: Collection[int] | None = None,
        newest: int | None = None,
    ) -> list[Sentence]:
        """The sentences said by exactly these speaker names (as `speakers` spells them), with
        their vectors and speakers, newest article first (undated last), in article order:
        only from articles published `since`..`until` (inclusive; a bound excludes undated
        ones), only in these `passages` (ids as the dense and sparse sides return them) if
        given, and only the `newest` so many if given."""
        ...

    def size_bytes(self) -> int: ...

    def reading(self) -> AbstractContextManager[None]:
        """Hold one view of the generation for the reads inside (a question), in this thread.
        A store whose generations may stop being readable raises Retryable inside when this one
        did; the reader then opens the live generation and reads again."""
        ...

    def close(self) -> None:
        """Let go of the snapshot (a store may then prune it); only once nobody reads it."""
        ...


class Draft(Catalog, Protocol):
    """The next generation while it is written; nobody reads it until commit."""

    @property
    def dense_kind(self) -> str: ...

    def add(
        self,
        article: Article,
        chunks: Sequence[Chunk],
        keys: Sequence[str],
        vectors: np.ndarray,
        sentences: Sequence[SentenceRow] = (),
    ) -> None:
        """Store an article with its passages and sentences; `keys` name each passage's content
        for reuse."""
        ...

    def remove(self, article_id: str) -> None: ...

    def set_dup_groups(self, groups: dict[str, str | None]) -> None: ...

    def commit(self, manifest: Manifest) -> str:
        """Make the draft the live snapshot, atomically; returns its name."""
        ...

    def abort(self) -> None: ...

    def alive(self) -> None:
        """Raise now if the draft can no longer commit (its database is gone), so a long
        embedding stops within a batch instead of at the end."""
        ...


class SharedIds(Protocol):
    """A set of ids (Q&A channels) that every process of a shared store reads and edits."""

    def read(self) -> set[int]: ...

    def mark(self, item: int, on: bool) -> tuple[bool, set[int]]:
        """Add or remove one id atomically; (changed, the set now)."""
        ...


class Store(Protocol):
    """Generations of one index; one writer at a time (`locked`), any number of readers."""

    def current_name(self) -> str | None: ...

    def manifest(self) -> Manifest | None: ...

    def open(self, *, model: str, dim: int) -> Snapshot:
        """The live snapshot; IndexMissing before the first commit, IndexMismatch if built
        by another model or format."""
        ...

    def locked(self) -> AbstractContextManager[None]:
        """Hold the write lock across processes; raises Busy if another writer holds it."""
        ...

    def begin(self, base: Snapshot | None, *, dim: int, approximate: bool = False) -> Draft:
        """A draft holding what `base` holds (or nothing); call under `locked`."""
        ...
