"""Retrieved passages → an Answer: a few verbatim sentences with [n] citations, or a refusal.

No language model: sentences are scored against the question (meaning and key words), the best
few that do not repeat each other are kept as they stand in the article, and each is cited. The
bot declines when the evidence does not address the question's key terms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.engine.models import Answer, Article, Chunk, Citation, Hit
from bot.engine.retrieve import Query
from bot.engine.text import sentence_spans, stem, words

DECLINE = "The indexed articles do not cover this question, so I can't answer it."
MAX_CANDIDATE_CHUNKS = 6
MAX_CANDIDATES = 40
MIN_SENTENCE_CHARS = 25
_PRONOUN_START = re.compile(r"^[\"“]?(he|she|they|it|this|that|these|those|his|her|their)\b", re.I)

Encode = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Candidate:
    hit_rank: int
    chunk: Chunk
    article: Article
    start: int  # offsets into article.text
    end: int
    text: str


@dataclass(frozen=True)
class Evidence:
    """How well the best passages address the question; the basis for declining."""

    best_dense: float  # cosine of the question and its closest candidate sentence
    coverage: float  # share of the question's key-term weight found in the top passages
    confidence: float


def candidates(hits: Sequence[Hit]) -> list[Candidate]:
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for rank, hit in enumerate(hits[:MAX_CANDIDATE_CHUNKS]):
        for para in re.finditer(r"[^\n]+(?:\n[^\n]+)*", hit.chunk.text):
            for a, b in sentence_spans(para.group()):
                start = hit.chunk.start + para.start() + a
                end = hit.chunk.start + para.start() + b
                if (hit.article.id, start) in seen or end - start < MIN_SENTENCE_CHARS:
                    continue
                seen.add((hit.article.id, start))
                text = hit.article.text[start:end]
                out.append(Candidate(rank, hit.chunk, hit.article, start, end, text))
    return out[:MAX_CANDIDATES]


def term_weights(terms: Sequence[str], df: Callable[[str], int], n_docs: int) -> dict[str, float]:
    """idf per stemmed key term; a word the corpus never uses weighs most."""
    weights: dict[str, float] = {}
    for stemmed in stem(list(terms)):
        weights[stemmed] = math.log(1 + n_docs / (1 + df(stemmed)))
    return weights


def coverage(weights: dict[str, float], text: str) -> float:
    total = sum(weights.values())
    if not total:
        return 0.0
    present = set(stem(words(text)))
    return sum(w for t, w in weights.items() if t in present) / total


def _redundant(a: Candidate, b: Candidate, va: np.ndarray, vb: np.ndarray) -> bool:
    if float(va @ vb) > 0.85:
        return True
    wa, wb = set(words(a.text)), set(words(b.text))
    return len(wa & wb) / max(1, len(wa | wb)) > 0.6


def _with_context(c: Candidate, chosen: list[Candidate]) -> Candidate:
    """A sentence that opens with a pronoun takes the sentence before it, so it says who."""
    if not _PRONOUN_START.match(c.text):
        return c
    para_start = c.article.text.rfind("\n", 0, c.start) + 1
    if para_start >= c.start:
        return c
    spans = sentence_spans(c.article.text[para_start : c.start])
    if not spans:
        return c
    start = para_start + spans[-1][0]
    if any(o.article.id == c.article.id and o.start <= start < o.end for o in chosen):
        return c
    return Candidate(c.hit_rank, c.chunk, c.article, start, c.end, c.article.text[start : c.end])


def build_answer(
    query: Query,
    hits: Sequence[Hit],
    encode: Encode,
    df: Callable[[str], int],
    n_docs: int,
    *,
    max_sentences: int = 3,
    threshold: float = 0.5,
) -> Answer:
    cands = candidates(hits)
    if not cands or not query.terms:
        return Answer(query.text, DECLINE, abstained=True, hits=tuple(hits))
    weights = term_weights(query.terms, df, n_docs)
    vectors = encode([c.text for c in cands])
    dense = vectors @ query.vector
    lexical = np.array([coverage(weights, c.text) for c in cands])
    prior = np.array([1.0 / (1 + c.hit_rank) for c in cands])
    scores = 0.6 * dense + 0.35 * lexical + 0.05 * prior
    evidence = assess(query, hits, float(dense.max()), weights)
    if evidence.confidence < threshold:
        return Answer(query.text, DECLINE, abstained=True, hits=tuple(hits))
    order = np.argsort(-scores)
    best = float(scores[order[0]])
    chosen: list[Candidate] = []
    chosen_vecs: list[np.ndarray] = []
    for i in order:
        if len(chosen) == max_sentences or scores[i] < 0.75 * best:
            break
        c = cands[i]
        if chosen and lexical[i] == 0 and dense[i] < 0.45:
            continue
        if any(_redundant(c, o, vectors[i], v) for o, v in zip(chosen, chosen_vecs, strict=True)):
            continue
        chosen.append(_with_context(c, chosen))
        chosen_vecs.append(vectors[i])
    return compose(query, chosen, hits)


def assess(
    query: Query, hits: Sequence[Hit], best_dense: float, weights: dict[str, float]
) -> Evidence:
    top = hits[:3]
    text = " ".join(f"{h.article.title} {h.chunk.heading or ''} {h.chunk.text}" for h in top)
    cov = coverage(weights, text)
    confidence = 0.5 * min(1.0, max(0.0, best_dense) / 0.6) + 0.5 * cov
    return Evidence(best_dense, cov, confidence)


def compose(query: Query, chosen: Sequence[Candidate], hits: Sequence[Hit]) -> Answer:
    """Best sentence first; sources numbered in order of first use."""
    ordered = list(chosen)
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for c in ordered:
        if c.article.id not in numbers:
            numbers[c.article.id] = len(numbers) + 1
            best = next(o for o in chosen if o.article.id == c.article.id)
            citations.append(Citation(numbers[c.article.id], c.article, best.text, c.chunk.id))
        parts.append(f"{' '.join(c.text.split())} [{numbers[c.article.id]}]")
    dates = [c.article.published for c in citations if c.article.published]
    as_of = max(dates) if dates else None
    text = " ".join(parts)
    if query.time.latest and as_of:
        text = f"As of {as_of.isoformat()}: {text}"
    return Answer(query.text, text, tuple(citations), False, as_of, tuple(hits))
