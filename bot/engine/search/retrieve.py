"""Question → ranked passages: dense and BM25 candidates, fused, then weighed by date."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from bot.engine.index.dedup import collapse_copies
from bot.engine.models import Hit
from bot.engine.search.fuse import rrf
from bot.engine.search.timeq import MONTH_PATTERN, TimeHint, time_factor, time_hint
from bot.engine.store.base import Snapshot as Generation
from bot.engine.text import content_terms, spell_out

CANDIDATES = 60  # per side, before fusion
DATE_WORD = re.compile(rf"\d{{4}}|\d{{1,2}}(st|nd|rd|th)?|{MONTH_PATTERN}|sept?ember", re.I)


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[str, ...]  # topic words, misspellings repaired against the corpus vocabulary
    search_terms: tuple[str, ...]  # for BM25: the topic words plus dates named in the question
    vector: np.ndarray
    time: TimeHint


def make_query(
    question: str,
    gen: Generation,
    encode: Callable[[Sequence[str]], np.ndarray],
    today: date | None = None,
) -> Query:
    """Key terms with typos repaired; the repaired wording is what gets embedded too."""
    text = spell_out(question)
    fixes = {w: gen.sparse.correct(w) for w in content_terms(text)}
    fixes = {w: c for w, c in fixes.items() if c != w}
    if fixes:
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, fixes)) + r")\b", re.I)
        text = pattern.sub(lambda m: fixes.get(m.group(0).lower(), m.group(0)), text)
    search = tuple(dict.fromkeys(fixes.get(t, t) for t in content_terms(spell_out(question))))
    hint = time_hint(question, today or date.today())
    period = set(content_terms(hint.words))
    # Dates weigh through `hint`, not as topic words ("last week" is no topic).
    terms = tuple(t for t in search if not DATE_WORD.fullmatch(t) and t not in period)
    vector = encode([text])[0]
    return Query(question, terms, search, vector, hint)


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
