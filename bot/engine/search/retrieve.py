"""Question → ranked passages: dense and BM25 candidates, fused, then weighed by date."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from difflib import get_close_matches

import numpy as np
from rapidfuzz import fuzz

from bot.engine.index.dedup import collapse_copies
from bot.engine.models import Filters, Hit
from bot.engine.search.fuse import rrf
from bot.engine.search.timeq import MONTH_PATTERN, TimeHint, time_factor, time_hint
from bot.engine.store.base import Snapshot as Generation
from bot.engine.text import content_terms, english_zipf, spell_out, stem
from bot.errors import BadInput
from bot.i18n import N_

CANDIDATES = 60  # per side, before fusion
NO_FILTERS = Filters()
DATE_WORD = re.compile(rf"\d{{4}}|\d{{1,2}}(st|nd|rd|th)?|{MONTH_PATTERN}|sept?ember", re.I)


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[str, ...]  # topic words, misspellings repaired against the corpus vocabulary
    search_terms: tuple[str, ...]  # for BM25: the topic words plus dates named in the question
    vector: np.ndarray
    time: TimeHint
    language: str = "en"  # the asker's (lang.SPEAKS): what the bot answers in


# A word English knows (a place, a name: "Chisinau" 2.1, "Bali" 3.7 on the Zipf scale) is a
# misspelling only of a very close corpus word ("sumit" → "summit"), never of a merely similar one
# ("Chisinau" is not "China", "Bali" not "Baltic"): repairing it would answer about the wrong place.
# Typos themselves score 0 to 1.2 ("zelenksy", "negotations", "ukrane").
KNOWN_ZIPF = 2.0
KNOWN_WORD_MATCH = 85  # rapidfuzz ratio a known word needs to its repair


def _misspelt(word: str, repair: str) -> bool:
    return english_zipf(word) < KNOWN_ZIPF or fuzz.ratio(word, repair) >= KNOWN_WORD_MATCH


def make_query(
    question: str,
    gen: Generation,
    encode: Callable[[Sequence[str]], np.ndarray],
    today: date | None = None,
    language: str = "en",
) -> Query:
    """Key terms with typos repaired; the repaired wording is what gets embedded too.
    `language`: the asker's, as detected from what they typed (lang.detect)."""
    text = spell_out(question)
    fixes = {w: gen.sparse.correct(w) for w in content_terms(text)}
    fixes = {w: c for w, c in fixes.items() if c != w and _misspelt(w, c)}
    if fixes:
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, fixes)) + r")\b", re.I)
        text = pattern.sub(lambda m: fixes.get(m.group(0).lower(), m.group(0)), text)
    search = tuple(dict.fromkeys(fixes.get(t, t) for t in content_terms(spell_out(question))))
    hint = time_hint(question, today or date.today())
    period = set(content_terms(hint.words))
    # Dates weigh through `hint`, not as topic words ("last week" is no topic).
    terms = tuple(t for t in search if not DATE_WORD.fullmatch(t) and t not in period)
    vector = encode([text])[0]
    search += tuple(_respelled(gen, terms, language))
    return Query(question, terms, search, vector, hint, language)


def _respelled(gen: Generation, terms: Sequence[str], language: str) -> list[str]:
    """The articles' own spelling, in the other script, of the question's words they never use:
    "kuleba" finds "Кулеба", "Зеленського" finds "Zelensky" (keyword search is one script)."""
    out = []
    for term in terms:
        stemmed = stem([term], language)[0]
        if gen.sparse.df(stemmed):
            continue
        found = gen.sparse.respell(term) or gen.sparse.respell(stemmed)
        if found:
            out.append(found)
    return out


def retrieve(
    gen: Generation,
    query: Query,
    k: int,
    filters: Filters = NO_FILTERS,
    *,
    dense_weight: float = 1.0,
    sparse_weight: float = 1.0,
) -> list[Hit]:
    """The k best passages that pass `filters`.

    Filters apply before the cut, so a narrow outlet or window still gets k hits when the index
    has them: the candidate pool grows (×4) until k pass or every passage was a candidate.
    """
    candidates, total = CANDIDATES, None
    while True:
        hits = _ranked(gen, query, candidates, filters, (dense_weight, sparse_weight))
        if not filters.active or len(hits) >= k:
            return hits[:k]
        total = gen.counts()[1] if total is None else total
        if candidates >= total:
            return hits
        candidates *= 4


def _ranked(
    gen: Generation, query: Query, candidates: int, filters: Filters, weights: tuple[float, float]
) -> list[Hit]:
    dense_ids, dense_scores = gen.dense.search(query.vector, candidates)
    words = list(query.search_terms)
    sparse_ids, sparse_scores = gen.sparse.search(words, candidates, query.language)
    # Keyword search speaks for the share of the question it can read: a Ukrainian question over
    # English articles matches none of their words, and its few chance matches must not outvote
    # the meaning ("Кремль" is "Kremlin" to the dense side only).
    sparse_weight = weights[1] * gen.sparse.known(words, query.language) if words else 0.0
    fused = rrf([(dense_ids.tolist(), weights[0]), (sparse_ids.tolist(), sparse_weight)])
    if not fused:
        return []
    dense_of = dict(zip(dense_ids.tolist(), dense_scores.tolist(), strict=True))
    sparse_of = dict(zip(sparse_ids.tolist(), sparse_scores.tolist(), strict=True))
    rows = {rid: row for rid, row in gen.passages(fused).items() if filters.admits(row[1])}
    newest = max((a.published for _, a in rows.values() if a.published), default=None)
    hits = []
    for rid, base in fused.items():
        if rid not in rows:
            continue
        chunk, article = rows[rid]
        score = base * time_factor(query.time, article.published, newest)
        hits.append(Hit(chunk, article, score, dense_of.get(rid), sparse_of.get(rid)))
    hits.sort(key=lambda h: h.score, reverse=True)
    # Syndicated copies of one story: cite the best-ranked copy, not all of them. Filtering came
    # first, so the copy from the outlet asked for survives.
    return collapse_copies(hits, gen.dup_groups(h.article.id for h in hits))


def check_filters(filters: Filters, outlets: Callable[[], Sequence[str]]) -> Filters:
    """The filters with the outlet spelled as stored; BadInput for a reversed window or an
    outlet no indexed article is from. `outlets` is only called when an outlet is asked for."""
    if filters.since and filters.until and filters.since > filters.until:
        raise BadInput(
            N_(
                "The start date {since} is after the end date {until}; give an earlier start or a"
                " later end."
            ),
            since=filters.since.isoformat(),
            until=filters.until.isoformat(),
        )
    if filters.outlet is None:
        return filters
    wanted = " ".join(filters.outlet.split())
    by_folded = {o.casefold(): o for o in outlets()}
    if wanted.casefold() in by_folded:
        return replace(filters, outlet=by_folded[wanted.casefold()])
    close = get_close_matches(wanted.casefold(), list(by_folded), n=1, cutoff=0.6)
    if close:
        raise BadInput(
            N_("No indexed article is from outlet '{outlet}'; did you mean '{close}'?"),
            outlet=wanted[:60],
            close=by_folded[close[0]],
        )
    raise BadInput(
        N_("No indexed article is from outlet '{outlet}'; check the name in the sources."),
        outlet=wanted[:60],
    )
