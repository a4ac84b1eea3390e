"""Synthetic corpora for sizes we cannot encode here (1M chunks ≈ 8 hours of the model).

Vectors: each is a real chunk embedding plus Gaussian noise shaped like the real embeddings'
own covariance (so it stays in the subspace real text occupies), renormalised. Neighbourhoods
therefore look like real ones — clusters around real topics — not like uniform noise, whose
nearest neighbours are meaningless. Text: each synthetic passage is the text of its parent chunk,
so BM25, the metadata store and the answer step work on real sentences.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import numpy as np

from bot.engine.index.chunk import CHUNKER_VERSION
from bot.engine.models import Article, Chunk
from bot.engine.store.dense import DenseIndex
from bot.engine.store.files import DB, FORMAT, Manifest, MetaDB, Store
from bot.engine.store.sparse import SparseIndex

SIGMA = 0.5  # noise scale, in units of the real embeddings' spread
PER_ARTICLE = 5
BATCH = 65_536


def noise_basis(base: np.ndarray) -> np.ndarray:
    """B such that z @ B (z standard normal) has the covariance of the real embeddings."""
    centred = base - base.mean(axis=0)
    cov = centred.T @ centred / max(1, len(base) - 1)
    values, vectors = np.linalg.eigh(cov.astype(np.float64))
    return (vectors * np.sqrt(np.clip(values, 0, None))).T.astype(np.float32)


def perturb(
    base: np.ndarray, parents: np.ndarray, basis: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    noise = rng.standard_normal((len(parents), base.shape[1]), dtype=np.float32) @ basis
    out = base[parents] + SIGMA * noise
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float32)


def synth_vectors(base: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n unit vectors and, for each, the row of the real vector it was drawn around."""
    rng = np.random.default_rng(seed)
    basis = noise_basis(base)
    parents = rng.integers(0, len(base), n)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for start in range(0, n, BATCH):
        out[start : start + BATCH] = perturb(base, parents[start : start + BATCH], basis, rng)
    return out, parents


def synth_articles(
    texts: Sequence[str], titles: Sequence[str], parents: np.ndarray
) -> Iterator[tuple[Article, list[Chunk], np.ndarray]]:
    """Articles of PER_ARTICLE passages; passage text = its parent chunk's text, verbatim."""
    for first in range(0, len(parents), PER_ARTICLE):
        rows = parents[first : first + PER_ARTICLE]
        aid = f"syn{first // PER_ARTICLE}"
        chunks, offset, parts = [], 0, []
        for j, row in enumerate(rows):
            text = texts[int(row)]
            chunks.append(Chunk(f"{aid}-{j}", aid, j, text, None, offset, offset + len(text)))
            parts.append(text)
            offset += len(text) + 2
        title = f"{titles[int(rows[0])]} (synthetic {first // PER_ARTICLE})"
        article = Article(aid, title, "\n\n".join(parts), f"synthetic#{aid}")
        yield article, chunks, np.arange(first, first + len(rows))


def write_index(
    store: Store, model: str, vectors: np.ndarray, articles: Iterator[tuple], approximate: bool
) -> str:
    """A complete index generation (SQLite, FAISS, BM25, manifest) from synthetic parts."""
    tmp = store.begin()
    db = MetaDB(tmp / DB, writable=True)
    dense = DenseIndex.empty(vectors.shape[1], approximate=approximate)
    ids: list[int] = []
    for article, chunks, _rows in articles:
        ids += db.insert(article, chunks, [c.id for c in chunks])
    dense.add(np.asarray(ids, dtype=np.int64), vectors[: len(ids)])
    sparse = SparseIndex.build(db.bm25_docs())
    n_articles, n_chunks = db.counts()
    manifest = Manifest(
        FORMAT, model, vectors.shape[1], CHUNKER_VERSION, 0, 0, "synthetic",
        datetime.now(UTC).isoformat(timespec="seconds"), n_articles, n_chunks, dense.kind,
    )  # fmt: skip
    return store.commit(tmp, db, dense, sparse, manifest)
