"""Question → ranked passages: dense and BM25 candidates, fused, then weighed by date."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.engine.index.dedup import collapse_copies
from bot.engine.models import Hit
from bot.engine.search.fuse import rrf
from bot.engine.search.timeq import TimeHint, time_factor, time_hint
from bot.engine.store.base import Snapshot as Generation
from bot.engine.text import content_terms, spell_out

CANDIDATES = 60  # per side, before fusion
DATE_WORD = re.compile(
    r"\d{4}|\d{1,2}(st|nd|rd|th)?|jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|"
    r"aug(ust)?|sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?"
)


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[str, ...]  # topic words, misspellings repaired against the corpus vocabulary
    search_terms: tuple[str, ...]  # for BM25: the topic words plus dates named in the question
    vector: np.ndarray
    time: TimeHint


def make_query(
    question: str, gen: Generation, encode: Callable[[Sequence[str]], np.ndarray]
) -> Query:
    """Key terms with typos repaired; the repaired wording is what gets embedded too."""
    fixes = {w: gen.sparse.correct(w) for w in content_terms(question)}
    fixes = {w: c for w, c in fixes.items() if c != w}
    text = spell_out(question)
    if fixes:
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, fixes)) + r")\b", re.I)
        text = pattern.sub(lambda m: fixes.get(m.group(0).lower(), m.group(0)), text)
    search = tuple(dict.fromkeys(fixes.get(t, t) for t in content_terms(question)))
    terms = tuple(t for t in search if not DATE_WORD.fullmatch(t))  # dates weigh via `time`
    vector = encode([text])[0]
    return Query(question, terms, search, vector, time_hint(question))


def retrieve(
    gen: Generation, query: Query, k: int, *, dense_weight: float = 1.0, sparse_weight: float = 1.0
) -> list[Hit]:
    dense_ids, dense_scores = gen.dense.search(query.vector, CANDIDATES)
    sparse_ids, sparse_scores = gen.sparse.search(list(query.search_terms), CANDIDATES)
    fused = rrf([(dense_ids.tolist(), dense_weight), (sparse_ids.tolist(), sparse_weight)])
    if not fused:
        return []
    dense_of = dict(zip(dense_ids.tolist(), dense_scores.tolist(), strict=True))
    sparse_of = dict(zip(sparse_ids.tolist(), sparse_scores.tolist(), strict=True))
    rows = gen.passages(fused)
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
    return collapse_copies(hits, gen.dup_groups(h.article.id for h in hits))[:k]
