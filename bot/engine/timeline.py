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


def _topic_scores(found: list[Sentence], topic: str, encode: Encode) -> np.ndarray:
    """Cosine to the topic plus key-term coverage; -inf where neither makes it relevant."""
    terms = set(stem(content_terms(topic)))
    vector = np.asarray(encode([topic])[0], dtype=np.float32)
    cosine = np.vstack([s.vector for s in found]) @ vector
    coverage = np.array(
        [len(terms & set(stem(words(s.text)))) / max(1, len(terms)) for s in found],
        dtype=np.float32,
    )
    keep = (coverage > 0) | (cosine >= MIN_COSINE)
    return np.where(keep, cosine + TERM_WEIGHT * coverage, -np.inf)


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
    names = party_speakers(party, snap.speakers())
    found = [s for s in snap.statements(names, since=since, until=until) if s.article.published]
    if topic and found:
        scores = _topic_scores(found, topic, encode)
        order = [int(i) for i in np.argsort(-scores, kind="stable") if np.isfinite(scores[i])]
    else:
        order = list(range(len(found)))[::-1]  # no topic: the newest statements
    chosen: dict[str, Sentence] = {}  # by wording, in order of relevance (or recency)
    for i in order:
        s = found[i]
        kept = chosen.get(_key(s))
        if kept is None or _older(s, kept):  # a syndicated copy: the first publication stays
            chosen[_key(s)] = s
    top = list(chosen.values())[:limit]
    picked = sorted(top, key=lambda s: (s.article.published or date.min, s.article.id, s.index))
    return Timeline(party.name, topic or None, tuple(_entries(picked)), tuple(names))


def _older(a: Sentence, b: Sentence) -> bool:
    return (a.article.published or date.max, a.article.id) < (
        b.article.published or date.max,
        b.article.id,
    )


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
