"""Question → ranked passages: dense and BM25 candidates, fused, then weighed by date."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.engine.dedup import collapse_copies
from bot.engine.fuse import rrf
from bot.engine.models import Hit
from bot.engine.store import Generation
from bot.engine.text import content_terms
from bot.engine.timeq import TimeHint, time_factor, time_hint

CANDIDATES = 60  # per side, before fusion


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[str, ...]  # content words, misspellings repaired against the corpus vocabulary
    vector: np.ndarray
    time: TimeHint


def make_query(question: str, vector: np.ndarray, gen: Generation) -> Query:
    terms = tuple(dict.fromkeys(gen.sparse.correct(t) for t in content_terms(question)))
    return Query(text=question, terms=terms, vector=vector, time=time_hint(question))


def retrieve(
    gen: Generation, query: Query, k: int, *, dense_weight: float = 1.0, sparse_weight: float = 1.0
) -> list[Hit]:
    dense_ids, dense_scores = gen.dense.search(query.vector, CANDIDATES)
    sparse_ids, sparse_scores = gen.sparse.search(list(query.terms), CANDIDATES)
    fused = rrf([(dense_ids.tolist(), dense_weight), (sparse_ids.tolist(), sparse_weight)])
    if not fused:
        return []
    dense_of = dict(zip(dense_ids.tolist(), dense_scores.tolist(), strict=True))
    sparse_of = dict(zip(sparse_ids.tolist(), sparse_scores.tolist(), strict=True))
    rows = gen.db.hits(fused)
    newest = max((a.published for _, a in rows.values() if a.published), default=None)
    hits = []
    for rid, base in fused.items():
        if rid not in rows:
            continue
        chunk, article = rows[rid]
        score = base * time_factor(query.time, article.published, newest)
        hits.append(Hit(chunk, article, score, dense_of.get(rid), sparse_of.get(rid)))
    hits.sort(key=lambda h: h.score, reverse=True)
    # Syndicated copies of one story: cite the best-ranked copy, not all of them.
    return collapse_copies(hits, gen.db.dup_groups(h.article.id for h in hits))[:k]
