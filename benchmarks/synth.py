"""Synthetic corpora for sizes we cannot encode here (1M chunks ≈ 8 hours of the model).

Vectors: each is a real chunk embedding plus Gaussian noise shaped like the real embeddings'
own covariance (so it stays in the subspace real text occupies), renormalised. Neighbourhoods
therefore look like real ones — clusters around real topics — not like uniform noise, whose
nearest neighbours are meaningless. Text: each synthetic passage is the text of its parent chunk,
so BM25, the metadata store and the answer step work on real sentences.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

import numpy as np

from bot.engine.index.embed import Embedder
from bot.engine.index.sentences import passage_sentences
from bot.engine.index.speakers import attribute
from bot.engine.index.writer import IndexWriter
from bot.engine.models import Article, Chunk
from bot.engine.store.base import SentenceRow
from bot.engine.store.files import FileStore
from bot.settings import Settings

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
    texts: Sequence[str],
    titles: Sequence[str],
    parents: np.ndarray,
    dates: Sequence[date | None] = (),
) -> Iterator[tuple[Article, list[Chunk], np.ndarray]]:
    """Articles of PER_ARTICLE passages; passage text = its parent chunk's text, verbatim; the
    date is the first parent's article's (timelines leave undated articles out)."""
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
        day = dates[int(rows[0])] if dates else None
        article = Article(aid, title, "\n\n".join(parts), f"synthetic#{aid}", published=day)
        yield article, chunks, np.arange(first, first + len(rows))


def synth_sentences(chunks: list[Chunk], vectors: np.ndarray) -> list[SentenceRow]:
    """Each passage's sentences, with vectors near their passage's (the answer step reads and
    scores them as it would real ones; their exact values do not matter for speed) and their
    speakers, found as the writer finds them (a timeline reads those)."""
    rng = np.random.default_rng(len(chunks))
    rows = []
    for i, (chunk, vector) in enumerate(zip(chunks, vectors, strict=True)):
        spans = passage_sentences(chunk)
        for (a, b), speaker in zip(spans, attribute(chunk.text, spans), strict=True):
            v = vector + rng.normal(0.0, 0.05, vector.shape).astype(np.float32)
            row = SentenceRow(i, chunk.start + a, chunk.start + b, v / np.linalg.norm(v), speaker)
            rows.append(row)
    return rows


def write_index(
    settings: Settings,
    embedder: Embedder,
    vectors: np.ndarray,
    articles: Iterator[tuple[Article, list[Chunk], np.ndarray]],
    approximate: bool,
) -> str:
    """A complete index generation from synthetic parts, through the engine's one writer.

    The vectors are given (no model runs) and near-duplicate grouping is skipped: the synthetic
    passages repeat real ones on purpose.
    """
    writer = IndexWriter(FileStore(settings.index_dir), embedder, settings)
    with writer.batch(empty=True, approximate=approximate) as batch:
        for article, chunks, rows in articles:
            sentences = synth_sentences(chunks, vectors[rows])
            batch.add_embedded(article, chunks, [c.id for c in chunks], vectors[rows], sentences)
        return batch.commit("synthetic", group=False)
