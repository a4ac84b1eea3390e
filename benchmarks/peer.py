"""The common alternative, side by side: a plain LangChain pipeline over the same passages.

FAISS vector store + sentence-transformers embeddings through langchain-huggingface, dense only,
the same model and the same chunk texts, no titles, no BM25, no answer step: what most tutorials
build. If LangChain cannot be imported, a hand-made equivalent (flat FAISS over the same vectors)
stands in and the report says why.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import faiss
import numpy as np

from benchmarks.speed import ms_percentiles
from bot.engine.index.embed import Embedder, SentenceTransformerEmbedder
from bot.engine.models import Article, Chunk
from bot.evaluate.metrics import is_source, mrr, recall_at
from bot.evaluate.qa import QAItem
from bot.settings import Settings

DEPTH = 20


@dataclass(frozen=True)
class PeerFigures:
    name: str
    chunks: int
    build_s: float
    p50_ms: float
    p95_ms: float
    recall_1: float
    recall_k: float
    mrr: float
    note: str = ""

    @property
    def build_rate(self) -> float:
        return self.chunks / self.build_s if self.build_s else 0.0


def _adapter(embedder: Embedder) -> Any:
    """Any Embedder as LangChain Embeddings (when the engine's model is not a
    sentence-transformers one, e.g. a test double)."""
    from langchain_core.embeddings import Embeddings

    class Adapter(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [list(map(float, v)) for v in embedder.encode(texts)]

        def embed_query(self, text: str) -> list[float]:
            return self.embed_documents([text])[0]

    return Adapter()


def _embeddings(settings: Settings, embedder: Embedder) -> Any:
    if not isinstance(embedder, SentenceTransformerEmbedder):
        return _adapter(embedder)
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=settings.embedding_model,
        encode_kwargs={"normalize_embeddings": True, "batch_size": settings.embedding_batch_size},
    )


class LangChainPeer:
    name = "LangChain (FAISS + HuggingFaceEmbeddings)"

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        from langchain_community.vectorstores import FAISS

        self._faiss = FAISS
        self._embeddings = _embeddings(settings, embedder)
        self._store: Any = None

    def build(self, passages: Sequence[tuple[Chunk, Article]]) -> None:
        texts = [c.text for c, _ in passages]
        metas = [{"title": a.title, "url": a.url or ""} for _, a in passages]
        self._store = self._faiss.from_texts(texts, self._embeddings, metadatas=metas)

    def search(self, question: str) -> list[Article]:
        docs = self._store.similarity_search(question, k=DEPTH)
        return [_stub(d.metadata["title"], d.metadata["url"]) for d in docs]


class HandPeer:
    """Flat FAISS over the same passages' plain text (the fallback)."""

    name = "hand-made flat FAISS (dense only)"

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.embedder = embedder
        self._index: Any = None
        self._articles: list[Article] = []

    def build(self, passages: Sequence[tuple[Chunk, Article]]) -> None:
        vectors = self.embedder.encode([c.text for c, _ in passages])
        self._index = faiss.IndexFlatIP(vectors.shape[1])
        self._index.add(np.ascontiguousarray(vectors))
        self._articles = [a for _, a in passages]

    def search(self, question: str) -> list[Article]:
        _, ids = self._index.search(self.embedder.encode([question]), DEPTH)
        return [self._articles[i] for i in ids[0] if i >= 0]


def _stub(title: str, url: str) -> Article:
    return Article(id="", title=title, text="", source="", url=url or None)


def make_peer(settings: Settings, embedder: Embedder) -> tuple[Any, str]:
    try:
        return LangChainPeer(settings, embedder), ""
    except ImportError as exc:
        return HandPeer(settings, embedder), f"LangChain not importable here ({exc})"


def run_peer(
    settings: Settings,
    embedder: Embedder,
    passages: Sequence[tuple[Chunk, Article]],
    items: Sequence[QAItem],
    k: int = 5,
) -> PeerFigures:
    peer, note = make_peer(settings, embedder)
    started = time.perf_counter()
    peer.build(passages)
    build_s = time.perf_counter() - started
    ranks: list[int | None] = []
    seconds: list[float] = []
    for item in items:
        started = time.perf_counter()
        found = peer.search(item.question)
        seconds.append(time.perf_counter() - started)
        if item.source is not None:
            ranks.append(
                next((i for i, a in enumerate(found, 1) if is_source(a, item.source)), None)
            )
    p50, p95 = ms_percentiles(seconds or [0.0])
    return PeerFigures(
        peer.name, len(passages), build_s, p50, p95,
        recall_at(ranks, 1), recall_at(ranks, k), mrr(ranks), note,
    )  # fmt: skip
