"""Positions of a party over time, from the attributions stored at index time.

The speakers that belong to the party are picked from the snapshot's speaker list (parties.py),
their statements in the period are read in one indexed query, matched to the topic by their
stored vectors and the topic's key terms, copies of one statement (syndicated stories) kept once,
and shown oldest first. No model runs except one encoding of the topic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date

import numpy as np

from bot.engine.models import Entry, Sentence, Timeline
from bot.engine.parties import Party
from bot.engine.store.base import Snapshot
from bot.engine.text import content_terms, stem, words

Encode = Callable[[Sequence[str]], np.ndarray]
DEFAULT_LIMIT = 20
MAX_LIMIT = 200
POOL_PER_ENTRY, MIN_POOL = 5, 100  # statements read whole per entry shown (at least)
COPY_COSINE = 0.98  # a stored vector this close in the same words is a copy of the statement
MIN_COSINE = 0.42  # a statement without the topic's words must be this close in meaning
TERM_WEIGHT = 0.3  # a statement's share of the topic's key terms, added to its cosine
_NEGATIVE = re.compile(
    r"\b(reject\w*|refus\w*|unacceptable|impossible|never|no longer|rul\w+ out|pointless|"
    r"deadlock\w*|stall\w*|not (?:ready|possible|acceptable|going to)|no (?:progress|talks))\b",
    re.I,
)
_POSITIVE = re.compile(  # "not ready" is a refusal, not readiness
    r"(?<!not )(?<!n't )(?<!never )\b(ready|willing|agree[sd]?|accept\w*|welcome\w*|progress|positive|constructive|"
    r"possible|open to|prepared to)\b",
    re.I,
)


def party_speakers(party: Party, stored: Iterable[str]) -> list[str]:
    """The stored speaker names that speak for the party (or are the one speaker named)."""
    return sorted(s for s in stored if party.speaks_for(s))


def stance(statement: str) -> int:
    """+1 for a statement of readiness or agreement, -1 for one of refusal, 0 for neither (or
    both): a coarse signal, enough to point at an entry where a position turns."""
    pos, neg = bool(_POSITIVE.search(statement)), bool(_NEGATIVE.search(statement))
    return int(pos) - int(neg)


def _coverage(sentence: Sentence, terms: set[str]) -> float:
    return len(terms & set(stem(words(sentence.text)))) / max(1, len(terms))


def _key(sentence: Sentence) -> str:
    return " ".join(sentence.text.split()).casefold()


def build(
    snap: Snapshot,
    party: Party,
    *,
    topic: str | None,
    since: date | None,
    until: date | None,
    limit: int,
    encode: Encode,
) -> Timeline:
    """Score every statement of the party by its stored vector (or date), read the best few
    whole, keep the relevant ones once each, and put them in date order."""
    names = party_speakers(party, snap.speakers())
    found = snap.statements(names, since=since, until=until)
    rows = np.flatnonzero(found.days > 0)  # an entry needs its article's date
    vectors = found.vectors[rows].astype(np.float32)
    pool = max(POOL_PER_ENTRY * limit, MIN_POOL)
    if topic:
        cosine = vectors @ np.asarray(encode([topic])[0], dtype=np.float32)
        best = np.argsort(-cosine, kind="stable")[:pool]
        picked = _relevant(snap, found.ids[rows[best]], cosine[best], topic)
    else:  # the newest statements, newest first
        best = np.argsort(-found.days[rows], kind="stable")[:pool]
        picked = snap.sentences_by_id(found.ids[rows[best]].tolist())
    once: dict[str, Sentence] = {}
    for s in picked:
        once.setdefault(_key(s), s)  # the same words twice: one entry
    chosen = list(once.values())[:limit]
    first = _first_copies(snap, chosen, found.ids[rows], found.days[rows], vectors)
    first.sort(key=lambda s: (s.article.published or date.min, s.article.id, s.index))
    return Timeline(party.name, topic or None, tuple(_entries(first)), tuple(names))


def _relevant(snap: Snapshot, ids: np.ndarray, cosine: np.ndarray, topic: str) -> list[Sentence]:
    """The candidates on the topic (close in meaning, or using its key terms), best first."""
    terms = set(stem(content_terms(topic)))
    scored = []
    for s, cos in zip(snap.sentences_by_id(ids.tolist()), cosine.tolist(), strict=True):
        cover = _coverage(s, terms)
        if cover > 0 or cos >= MIN_COSINE:
            scored.append((cos + TERM_WEIGHT * cover, s))
    scored.sort(key=lambda pair: -pair[0])
    return [s for _, s in scored]


def _first_copies(
    snap: Snapshot, chosen: list[Sentence], ids: np.ndarray, days: np.ndarray, vectors: np.ndarray
) -> list[Sentence]:
    """Each chosen statement as first published: a syndicated copy says it in the same words, so
    its stored vector is (nearly) the same; the earliest such copy stands for all."""
    if not chosen:
        return []
    near = vectors @ np.vstack([s.vector for s in chosen]).T >= COPY_COSINE
    out = []
    for j, s in enumerate(chosen):
        copies = np.flatnonzero(near[:, j])
        earliest = copies[np.argmin(days[copies])] if len(copies) else None
        day = s.article.published.toordinal() if s.article.published else 0
        if earliest is not None and days[earliest] < day:
            [older] = snap.sentences_by_id([int(ids[earliest])])
            s = older if _key(older) == _key(s) else s
        out.append(s)
    return list({_key(s): s for s in out}.values())


def _entries(picked: list[Sentence]) -> list[Entry]:
    out: list[Entry] = []
    last = 0
    for s in picked:
        day, now = s.article.published, stance(s.text)
        if day is None:
            continue
        turned = bool(now and last and now != last)
        out.append(Entry(day, s.speaker or "", s.text, s.article, turned, s.chunk.id))
        last = now or last
    return out
