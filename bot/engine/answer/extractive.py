"""Retrieved passages → an Answer: a few verbatim sentences with [n] citations, or a decline.

No language model. The steps, each a reason to decline when it finds nothing:
1. date scope — a question that names a period is answered only from articles of that period or
   passages that speak about it;
2. anchors — the question's names and event word must stand in the article that answers it
   ("the summit in Valletta" is not answered by a summit elsewhere);
3. ranking — every sentence of the best articles is scored on named features (features.py) with
   vectors computed at index time, and the best must be likely enough to hold what was asked.
The answer is the best sentence first, then up to two more that add to it, each cited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from bot.engine import lang
from bot.engine.answer import anchors as anchor_rules
from bot.engine.answer import features as F
from bot.engine.models import Answer, Article, Citation, Filters, Hit, Sentence
from bot.engine.search.retrieve import Query
from bot.engine.search.timeq import TimeHint, mentions_period
from bot.engine.store.base import Snapshot
from bot.engine.text import words
from bot.i18n import N_, tr

DECLINE = N_("The indexed articles do not cover this question, so I can't answer it.")
CANDIDATE_ARTICLES = 3  # the facts a question asks for sit in one of the top three articles ~90%
ANCHOR_ARTICLES = 8  # articles searched for the question's anchors before declining
KEEP_RATIO = 0.3  # a further sentence must score at least this share of the best one
REDUNDANT_WORDS = 0.6  # two sentences sharing this share of their words say the same thing


SentenceSource = Callable[[Sequence[str]], list[Sentence]]  # article ids → their sentences


@dataclass(frozen=True)
class Rules:
    """The answer step's decline rules, each one that cross-validation can switch off to measure
    what it adds (`talks eval --cv`)."""

    absent: bool = True  # a rare word no article uses at all
    names: bool = True  # the answering article must hold the question's names
    events: bool = True  # an event the question names must be told, with a name, as asked
    meaning: bool = True  # some sentence must be close in meaning to the question
    positions: bool = True  # "what does X want": X's newest statements lead (positions.py)


ALL_RULES = Rules()


@dataclass(frozen=True)
class CorpusFacts:
    """What the answer step needs to know about the whole index."""

    df: Callable[[str], int]  # passages holding a stemmed word
    is_name: Callable[[str], bool]  # the articles write this word capitalised: a name or place
    respell: Callable[[str], str | None]  # the articles' spelling of a word in the other script
    passages: int
    first: date | None  # publication dates the index spans
    last: date | None


def corpus_facts(snap: Snapshot) -> CorpusFacts:
    first, last = snap.date_range()
    sparse = snap.sparse
    return CorpusFacts(sparse.df, sparse.is_name, sparse.respell, max(1, sparse.size), first, last)


def _declined(query: Query, hits: Sequence[Hit], text: str | None = None) -> Answer:
    """A decline; `text` is already in the asker's language (the plain one if None)."""
    said = tr(query.language, DECLINE) if text is None else text
    return Answer(query.text, said, abstained=True, hits=tuple(hits), language=query.language)


def filtered_decline(filters: Filters, language: str = "en") -> str:
    """The decline under filters names them: the whole index might answer what a filtered
    part of it cannot."""
    if not filters.active:
        return tr(language, DECLINE)
    since = filters.since.isoformat() if filters.since else ""
    until = filters.until.isoformat() if filters.until else ""
    outlet = filters.outlet or ""
    if outlet and since and until:
        return tr(language, "No indexed article by {outlet} from {since} to {until} answers this.",
                  outlet=outlet, since=since, until=until)  # fmt: skip
    if outlet and since:
        return tr(language, "No indexed article by {outlet} from {since} on answers this.",
                  outlet=outlet, since=since)  # fmt: skip
    if outlet and until:
        return tr(language, "No indexed article by {outlet} up to {until} answers this.",
                  outlet=outlet, until=until)  # fmt: skip
    if outlet:
        return tr(language, "No indexed article by {outlet} answers this.", outlet=outlet)
    if since and until:
        return tr(language, "No indexed article from {since} to {until} answers this.",
                  since=since, until=until)  # fmt: skip
    if since:
        return tr(language, "No indexed article from {since} on answers this.", since=since)
    return tr(language, "No indexed article up to {until} answers this.", until=until)


def _period_words(hint: TimeHint, language: str) -> str:
    """The period as the question named it (English words only in English) and its dates."""
    assert hint.start and hint.end
    span = tr(language, "{start} to {end}", start=hint.start.isoformat(), end=hint.end.isoformat())
    return f"{hint.words} ({span})" if hint.words and language == "en" else span


# A report follows its event: an article published up to this long after a period (its own length,
# at least FOLLOW_MIN and at most FOLLOW_MAX days) may tell what happened in it, and what
# followed. One published before the period began can only preview it, unless it is a day or two
# early (time zones, an evening story dated the night before).
FOLLOW_MIN, FOLLOW_MAX, EARLY_DAYS = 14, 45, 2


def in_period(hint: TimeHint, hits: Sequence[Hit]) -> list[Hit]:
    """The hits that can speak about the period the question names: published in it or in the
    weeks after it, or later but naming it ("in March 2022")."""
    if not hint.period:
        return list(hits)
    return [h for h in hits if _in_period(hint, h)]


def _in_period(hint: TimeHint, hit: Hit) -> bool:
    assert hint.start is not None and hint.end is not None
    published = hit.article.published
    if published is None:
        return mentions_period(hint, hit.chunk.text)
    if published < hint.start - timedelta(days=EARLY_DAYS):
        return False
    follow = min(FOLLOW_MAX, max(FOLLOW_MIN, (hint.end - hint.start).days))
    return published <= hint.end + timedelta(days=follow) or mentions_period(hint, hit.chunk.text)


def period_decline(query: Query, hits: Sequence[Hit], corpus: CorpusFacts) -> Answer:
    language = query.language
    period = _period_words(query.time, language)
    if corpus.first and corpus.last:
        first, last = corpus.first.isoformat(), corpus.last.isoformat()
        assert query.time.start and query.time.end
        if query.time.end < corpus.first or query.time.start > corpus.last:
            text = tr(
                language,
                "The indexed articles don't cover {period}: they run from {first} to {last}.",
                period=period,
                first=first,
                last=last,
            )
            return _declined(query, hits, text)
    text = tr(
        language, "The indexed articles say nothing on this question for {period}.", period=period
    )
    return _declined(query, hits, text)


def anchor_decline(
    query: Query, found: anchor_rules.Anchors, articles: Sequence[Article], hits: Sequence[Hit]
) -> Answer:
    language = query.language
    if found.absent:
        names = ", ".join(f"“{n}”" for n in found.absent)
        return _declined(
            query, hits, tr(language, "The indexed articles don't mention {names}.", names=names)
        )
    text = tr(
        language,
        "The indexed articles don't report anything on “{phrase}”.",
        phrase=found.phrase,
    )
    if articles:  # the names are there, in other stories: point at the closest one
        closest = articles[0]
        when = f", {closest.published.isoformat()}" if closest.published else ""
        text += " " + tr(
            language,
            "The closest they come (a suggestion, not an answer): “{title}”{when}.",
            title=closest.title,
            when=when,
        )
    return _declined(query, hits, text)


def distinct_articles(hits: Sequence[Hit]) -> list[Article]:
    seen: dict[str, Article] = {}
    for h in hits:
        seen.setdefault(h.article.id, h.article)
    return list(seen.values())


def score_units(
    query: Query,
    units: Sequence[Sentence],
    hits: Sequence[Hit],
    order: Sequence[str],
    corpus: CorpusFacts,
    weights: F.Weights,
) -> tuple[np.ndarray, np.ndarray]:
    """(feature matrix, probability) of each unit."""
    terms = F.term_weights(query.terms, corpus.df, corpus.passages)
    passage_rank: dict[str, int] = {}
    for rank, h in enumerate(hits):
        passage_rank.setdefault(h.chunk.id, rank)
    article_rank = {aid: r for r, aid in enumerate(order)}
    rows = [
        F.describe(
            terms,
            u.text,
            float(u.vector @ query.vector),
            F.Place(passage_rank.get(u.chunk.id), article_rank[u.article.id]),
        )
        for u in units
    ]
    x = np.vstack(rows) if rows else np.zeros((0, len(F.FEATURES)), dtype=np.float32)
    x = F.with_standing(x)
    probability = weights.probability(x)
    across = _across(query, units) if weights.across is not None else None
    if across is not None and across.any():
        assert weights.across is not None
        probability = np.where(across, weights.across.probability(x), probability)
    return x, probability


def _across(query: Query, units: Sequence[Sentence]) -> np.ndarray:
    """Which sentences are in the other script than the question's key terms."""
    cyrillic = sum(map(lang.is_cyrillic, query.terms)) * 2 > len(query.terms)
    return np.array([lang.is_cyrillic(u.text) != cyrillic for u in units], dtype=bool)


@dataclass(frozen=True)
class Ranked:
    """The candidate sentences of a question, with their features and probabilities."""

    units: list[Sentence]
    features: np.ndarray  # one row per unit, in features.FEATURES order
    probability: np.ndarray
    hits: list[Hit]  # the passages in scope


def rank(
    query: Query,
    hits: Sequence[Hit],
    units_of: SentenceSource,
    corpus: CorpusFacts,
    weights: F.Weights,
    *,
    candidates: int = CANDIDATE_ARTICLES,
    decline: str | None = None,
    rules: Rules = ALL_RULES,
) -> Ranked | Answer:
    """Scope, anchors and features: the ranked candidate sentences, or a decline saying why.
    `decline` is the plain one (`filtered_decline` when the hits were filtered)."""
    if not query.terms or not hits:
        return _declined(query, hits, decline)
    scoped = in_period(query.time, hits)
    if not scoped:
        return period_decline(query, hits, corpus)
    articles = distinct_articles(scoped)[:ANCHOR_ARTICLES]
    found = anchor_rules.find_anchors(
        query.text,
        query.terms,
        corpus.df,
        corpus.is_name,
        corpus.passages,
        corpus.respell,
        query.language,
    )
    if rules.absent and found.absent:
        return anchor_decline(query, found, articles, hits)
    if rules.names and found.names:
        holding = [a for a in articles if anchor_rules.holds(found, f"{a.title}\n{a.text}")]
        if not holding:
            return anchor_decline(query, found, articles, hits)
        articles = holding
    articles = articles[:candidates]
    units = units_of([a.id for a in articles])
    if not units:
        return _declined(query, hits, decline)
    told = [("", a.title) for a in articles] + [(u.article.title, u.text) for u in units]
    if rules.events and not anchor_rules.event_told(found, told):
        return anchor_decline(query, found, articles, hits)
    x, prob = score_units(query, units, scoped, [a.id for a in articles], corpus, weights)
    return Ranked(units, x, prob, scoped)


def build_answer(
    query: Query,
    hits: Sequence[Hit],
    units_of: SentenceSource,
    corpus: CorpusFacts,
    weights: F.Weights,
    *,
    max_sentences: int = 3,
    threshold: float = 0.5,
    decline: str | None = None,
    rules: Rules = ALL_RULES,
) -> Answer:
    # An answer of more sentences than there are candidate articles may need more articles.
    candidates = max(CANDIDATE_ARTICLES, max_sentences)
    ranked = rank(
        query, hits, units_of, corpus, weights, candidates=candidates, decline=decline, rules=rules
    )
    if isinstance(ranked, Answer):
        return ranked
    meaning = ranked.features[:, F.FEATURES.index("meaning")]
    if not rules.meaning:
        meaning = np.ones_like(meaning)
    best = int(np.argmax(ranked.probability))
    deciding = weights
    if weights.across is not None and _across(query, ranked.units[best : best + 1])[0]:
        deciding = weights.across
    if not deciding.answers(ranked.probability, meaning, threshold / 0.5):
        return _declined(query, hits, decline)
    chosen = select(ranked.units, ranked.probability, max_sentences)
    return compose(query, chosen, hits)


def select(units: Sequence[Sentence], prob: np.ndarray, limit: int) -> list[Sentence]:
    """The best sentence first, then the next best that add to it."""
    order = np.argsort(-prob)
    best = float(prob[order[0]])
    chosen: list[Sentence] = []
    for i in order:
        if len(chosen) >= limit or prob[i] < KEEP_RATIO * best:
            break
        if not any(_redundant(units[i], c) for c in chosen):
            chosen.append(units[i])
    return chosen


def _redundant(a: Sentence, b: Sentence) -> bool:
    if a.article.id == b.article.id and a.start < b.end and b.start < a.end:
        return True
    # Shared words, not vectors, mark a repeat: a model's cosine between two different sentences
    # on one topic runs high (e5: often above 0.85), and a cosine bar dropped sentences that
    # added facts (cross-validated: +3.0 points of questions right without it).
    wa, wb = set(words(a.text)), set(words(b.text))
    return len(wa & wb) / max(1, len(wa | wb)) > REDUNDANT_WORDS


def compose(query: Query, chosen: Sequence[Sentence], hits: Sequence[Hit]) -> Answer:
    """Best sentence first; sources numbered in order of first use.

    A quoted sentence may come from a passage of a candidate article that search did not rank;
    that passage joins the answer's evidence (hits), so every citation names a passage it used.
    """
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    evidence = list(hits)
    known = {h.chunk.id for h in hits}
    for u in chosen:
        if u.article.id not in numbers:
            numbers[u.article.id] = len(numbers) + 1
            citations.append(Citation(numbers[u.article.id], u.article, u.text, u.chunk.id))
        parts.append(f"{' '.join(u.text.split())} [{numbers[u.article.id]}]")
        if u.chunk.id not in known:
            known.add(u.chunk.id)
            evidence.append(Hit(u.chunk, u.article, 0.0))
    dates = [c.article.published for c in citations if c.article.published]
    as_of = max(dates) if dates else None
    text = " ".join(parts)
    if query.time.latest and as_of:
        text = tr(query.language, "As of {date}: {text}", date=as_of.isoformat(), text=text)
    return Answer(
        query.text, text, tuple(citations), False, as_of, tuple(evidence), language=query.language
    )
