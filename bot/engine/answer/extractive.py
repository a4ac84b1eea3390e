"""Retrieved passages → an Answer: a few verbatim sentences with [n] citations, or a refusal.

No language model: sentences are scored against the question (meaning, key words, and whether
they hold the kind of thing asked for — a name for "who", a date for "when"), the best few that do
not repeat each other are kept as they stand in the article, and each is cited. The bot declines
when no sentence addresses the question closely enough, or when the question names a period the
retrieved articles do not reach.
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
from bot.engine.timeq import TimeHint

DECLINE = "The indexed articles do not cover this question, so I can't answer it."
MAX_CANDIDATE_CHUNKS = 6
ALWAYS_SCORED_CHUNKS = (
    3  # every sentence of the best passages is embedded; later ones need key terms
)
MAX_CANDIDATES = 24  # sentence embeddings at question time are the answer step's main cost
SCORED_WORDS = 64  # a sentence is judged by its opening words; long ones cost the model most
MIN_SENTENCE_CHARS = 25
# Evidence needed to answer: one sentence that is close in meaning to the question, or less close
# but holding more of its key-term weight (short questions embed loosely). (cosine, coverage) pairs:
EVIDENCE_BARS = ((0.50, 0.0), (0.45, 0.3), (0.35, 0.8))

_PRONOUN_START = re.compile(r"^[\"“]?(he|she|they|it|this|that|these|those|his|her|their)\b", re.I)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_WHEN = re.compile(rf"\b(\d{{4}}|{_MONTHS}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                   r"today|tomorrow|yesterday|next (week|month|year)|last (week|month|year))\b", re.I)  # fmt: skip
_NUMBER = re.compile(r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|dozens?|"
                     r"hundreds?|thousands?|millions?|billions?)\b", re.I)  # fmt: skip
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:[\s-][A-Z][a-z]+)*")

Encode = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Candidate:
    hit_rank: int
    chunk: Chunk
    article: Article
    start: int  # offsets into article.text
    end: int
    text: str


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
    return out


def term_weights(terms: Sequence[str], df: Callable[[str], int], n_docs: int) -> dict[str, float]:
    """idf per stemmed key term; a word the corpus never uses weighs most."""
    return {t: math.log(1 + n_docs / (1 + df(t))) for t in stem(list(terms))}


def coverage(weights: dict[str, float], text: str) -> float:
    total = sum(weights.values())
    if not total:
        return 0.0
    present = set(stem(words(text)))
    return sum(w for t, w in weights.items() if t in present) / total


def shortlist(
    cands: list[Candidate], weights: dict[str, float]
) -> tuple[list[Candidate], np.ndarray, np.ndarray]:
    """Sentences worth embedding: all from the best passages, and key-term matches from the rest.

    Returns them with two key-term coverages: of the sentence alone (for ranking) and of the
    sentence read with its article title and heading (for deciding whether to answer at all).
    """
    lexical = [coverage(weights, c.text) for c in cands]
    context = [
        coverage(weights, f"{c.article.title} {c.chunk.heading or ''} {c.text}") for c in cands
    ]
    keep = [i for i, c in enumerate(cands) if c.hit_rank < ALWAYS_SCORED_CHUNKS or lexical[i] > 0]
    keep.sort(key=lambda i: (cands[i].hit_rank >= ALWAYS_SCORED_CHUNKS, -lexical[i], i))
    keep = sorted(keep[:MAX_CANDIDATES])
    return (
        [cands[i] for i in keep],
        np.array([lexical[i] for i in keep], dtype=np.float32),
        np.array([context[i] for i in keep], dtype=np.float32),
    )


def answer_type_bonus(question: str, sentence: str) -> float:
    """A small lift for sentences holding what the question asks for (a name, a date, a number)."""
    q = question.lower()
    asked = set(words(question))
    if re.search(r"\b(how many|how much|what number|what percentage|how long)\b", q):
        return 0.06 if _NUMBER.search(sentence) else 0.0
    if re.search(r"\b(when|what date|what day|which day)\b", q):
        return 0.06 if _WHEN.search(sentence) else 0.0
    if re.search(r"\b(who|whom|whose|which countr\w*|where)\b", q):
        names = {n.lower() for n in _NAME.findall(sentence)}
        return 0.06 if any(not set(n.split()) <= asked for n in names) else 0.0
    return 0.0


def outside_period(hint: TimeHint, hits: Sequence[Hit]) -> bool:
    """The question names a period, and no dated passage is from it or mentions its year."""
    if not hint.period or not hits:
        return False
    assert hint.start and hint.end
    top = hits[:5]
    if any(h.article.published is None for h in top):
        return False
    years = {str(y) for y in range(hint.start.year, hint.end.year + 1)}
    for h in top:
        published = h.article.published
        assert published is not None
        if (hint.start - published).days <= 45 and (published - hint.end).days <= 45:
            return False
        if any(y in h.chunk.text for y in years):
            return False
    return True


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
    declined = Answer(query.text, DECLINE, abstained=True, hits=tuple(hits))
    if not query.terms or outside_period(query.time, hits):
        return declined
    weights = term_weights(query.terms, df, n_docs)
    cands, lexical, in_context = shortlist(candidates(hits), weights)
    if not cands:
        return declined
    vectors = encode([" ".join(c.text.split()[:SCORED_WORDS]) for c in cands])
    dense = vectors @ query.vector
    if not addressed(dense, in_context, threshold):
        return declined
    typed = np.array([answer_type_bonus(query.text, c.text) for c in cands], dtype=np.float32)
    prior = np.array([1.0 / (1 + c.hit_rank) for c in cands], dtype=np.float32)
    scores = 0.6 * dense + 0.35 * lexical + 0.05 * prior + typed
    chosen = select(cands, vectors, scores, dense, lexical, max_sentences)
    return compose(query, chosen, hits)


def addressed(dense: np.ndarray, lexical: np.ndarray, threshold: float) -> bool:
    """Does some sentence address the question? `threshold` (0..1, default 0.5) scales the bar."""
    scale = threshold / 0.5
    return any(bool(np.any((dense >= d * scale) & (lexical >= c))) for d, c in EVIDENCE_BARS)


def select(
    cands: list[Candidate],
    vectors: np.ndarray,
    scores: np.ndarray,
    dense: np.ndarray,
    lexical: np.ndarray,
    limit: int,
) -> list[Candidate]:
    """The best sentences that do not repeat each other, each with the sentence that follows it.

    The sentence closest to a question often restates it ("Zelenskyy had a call with Biden…");
    the fact asked for tends to come next, so a chosen sentence brings its successor along.
    """
    order = np.argsort(-scores)
    best = float(scores[order[0]])
    chosen: list[Candidate] = []
    chosen_vecs: list[np.ndarray] = []
    used = 0
    for i in order:
        if used >= limit or scores[i] < 0.7 * best:
            break
        c = cands[i]
        if chosen and lexical[i] == 0 and dense[i] < 0.45:
            continue
        if any(_redundant(c, o, vectors[i], v) for o, v in zip(chosen, chosen_vecs, strict=True)):
            continue
        c = _with_context(c, chosen)
        if used + 2 <= limit:
            c = _with_next(c, chosen)
        chosen.append(c)
        chosen_vecs.append(vectors[i])
        used += len(sentence_spans(c.text))
    return chosen


def _paragraph_spans(c: Candidate) -> tuple[int, list[tuple[int, int]]]:
    text = c.article.text
    start = text.rfind("\n", 0, c.start) + 1
    end = text.find("\n", c.end)
    end = len(text) if end < 0 else end
    return start, sentence_spans(text[start:end])


def _with_next(c: Candidate, chosen: list[Candidate]) -> Candidate:
    """Extend a sentence with the one after it in the same paragraph, if not already used."""
    base, spans = _paragraph_spans(c)
    following = [(base + a, base + b) for a, b in spans if base + a >= c.end]
    if not following:
        return c
    a, b = following[0]
    if (
        b > c.chunk.end
        or b - a < MIN_SENTENCE_CHARS
        or any(o.article.id == c.article.id and o.start <= a < o.end for o in chosen)
    ):
        return c
    return Candidate(c.hit_rank, c.chunk, c.article, c.start, b, c.article.text[c.start : b])


def _redundant(a: Candidate, b: Candidate, va: np.ndarray, vb: np.ndarray) -> bool:
    if a.article.id == b.article.id and (a.start < b.end and b.start < a.end):
        return True
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
    if start < c.chunk.start:
        return c  # the citation's passage must hold the whole quote
    if any(o.article.id == c.article.id and o.start <= start < o.end for o in chosen):
        return c
    return Candidate(c.hit_rank, c.chunk, c.article, start, c.end, c.article.text[start : c.end])


def compose(query: Query, chosen: Sequence[Candidate], hits: Sequence[Hit]) -> Answer:
    """Best sentence first; sources numbered in order of first use."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for c in chosen:
        if c.article.id not in numbers:
            numbers[c.article.id] = len(numbers) + 1
            citations.append(Citation(numbers[c.article.id], c.article, c.text, c.chunk.id))
        parts.append(f"{' '.join(c.text.split())} [{numbers[c.article.id]}]")
    dates = [c.article.published for c in citations if c.article.published]
    as_of = max(dates) if dates else None
    text = " ".join(parts)
    if query.time.latest and as_of:
        text = f"As of {as_of.isoformat()}: {text}"
    return Answer(query.text, text, tuple(citations), False, as_of, tuple(hits))
