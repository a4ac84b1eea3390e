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
from bot.engine.text import content_terms, stem

Encode = Callable[[Sequence[str]], np.ndarray]
DEFAULT_LIMIT = 20
MAX_LIMIT = 200
POOL_PER_ENTRY, MIN_POOL = 3, 60  # newest statements read per entry shown (at least)
TOPIC_PASSAGES = (400, 2000)  # passages a topic search hands on (by meaning and by words each)
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


def _term_patterns(topic: str) -> list[re.Pattern[str]]:
    """One pattern per key term of the topic: a word starting with its stem ("guarante" finds
    "guarantees" and "guaranteed"), as the stemmer would have matched them."""
    stems = dict.fromkeys(stem(content_terms(topic)))
    return [re.compile(rf"\b{re.escape(s)}\w*", re.I) for s in stems]


def _coverage(sentence: Sentence, patterns: Sequence[re.Pattern[str]]) -> float:
    """The share of the topic's key terms the statement uses."""
    return sum(bool(p.search(sentence.text)) for p in patterns) / max(1, len(patterns))


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
    """The party's statements on the topic (or its newest), once each, in date order."""
    names = party_speakers(party, snap.speakers())
    if topic:
        vector = np.asarray(encode([topic])[0], dtype=np.float32)
        for k in TOPIC_PASSAGES:  # wider only when the nearest passages are mostly others'
            passages = _topic_passages(snap, vector, topic, k)
            found = snap.statements(names, since=since, until=until, passages=passages)
            picked = _relevant(found, vector, topic)
            if len(picked) >= limit:
                break
    else:
        newest = max(POOL_PER_ENTRY * limit, MIN_POOL)
        picked = snap.statements(names, since=since, until=until, newest=newest)
    once: dict[str, Sentence] = {}
    for s in picked:
        if s.article.published is not None:  # an entry needs its article's date
            once.setdefault(_key(s), s)  # the same words twice: one entry
    chosen = [_first_copy(snap, s) for s in list(once.values())[:limit]]
    chosen.sort(key=lambda s: (s.article.published or date.min, s.article.id, s.index))
    return Timeline(party.name, topic or None, tuple(_entries(chosen)), tuple(names))


def _topic_passages(snap: Snapshot, vector: np.ndarray, topic: str, k: int) -> set[int]:
    """The passages about the topic, by meaning and by its words: where its statements are."""
    dense, _ = snap.dense.search(vector, k)
    sparse, _ = snap.sparse.search(content_terms(topic), k)
    return {int(i) for i in dense if i >= 0} | {int(i) for i in sparse}


def _relevant(found: list[Sentence], vector: np.ndarray, topic: str) -> list[Sentence]:
    """The statements on the topic (close in meaning, or using its key terms), best first."""
    if not found:
        return []
    patterns = _term_patterns(topic)
    cosine = np.vstack([s.vector for s in found]) @ vector
    scored = []
    for s, cos in zip(found, cosine.tolist(), strict=True):
        cover = _coverage(s, patterns)
        if cover > 0 or cos >= MIN_COSINE:
            scored.append((cos + TERM_WEIGHT * cover, s))
    scored.sort(key=lambda pair: -pair[0])
    return [s for _, s in scored]


def _first_copy(snap: Snapshot, s: Sentence) -> Sentence:
    """A statement as first published: syndicated copies (one near-duplicate group) that say it
    in the same words are represented by the earliest."""
    group = snap.dup_groups([s.article.id]).get(s.article.id)
    if group is None:
        return s
    same = [c for c in snap.sentences(snap.group_members(group)) if _key(c) == _key(s)]
    dated = [c for c in same if c.article.published is not None]
    return min(dated, key=lambda c: (c.article.published, c.article.id), default=s)


def _entries(picked: list[Sentence]) -> list[Entry]:
    out: list[Entry] = []
    last = 0
    for s in picked:
        day, now = s.article.published, stance(s.text)
        if day is None:
            continue
        turned = bool(now and last and now != last)
        out.append(Entry(day, s.speaker or "", s.text, s.article, s.chunk, turned))
        last = now or last
    return out
