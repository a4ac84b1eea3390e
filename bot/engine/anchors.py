"""The words that make a question *that* question, and whether the evidence holds them. Pure.

A question about "the summit in Valletta" shares most of its words with any article about a summit;
what makes it specific is "Valletta". Such anchors are the question's names and rare words —
rare in English (wordfreq's Zipf scale) or rare in the indexed articles — and its event word
(summit, deal, visit…). An article can only answer the question if it holds every anchor; when no
candidate article does, the answer is a decline that names what was not found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.engine.text import STOPWORDS, stem, words

# A word rarer than this in general English (Zipf: 3 ≈ once per million words) is a name or a
# specific term; commoner words ("talks", "want") are what every article on the topic shares.
ENGLISH_ZIPF = 3.9
# A word in fewer than this share of passages is specific to this corpus even if common English.
CORPUS_SHARE = 0.002
# Words that name an event: a question about one asks whether it happened, so the event word must
# stand with the names in the evidence ("a summit in Valletta", not "Valletta" and a summit elsewhere).
EVENT_WORDS = frozenset(
    stem(
        """summit meeting meet talks negotiation round deal agreement accord treaty memorandum
        visit trip call conversation ceasefire truce exchange referendum conference forum
        signing sign signed pact settlement plan framework declaration communique
        """.split()
    )
)
# Words too general to anchor anything, however rare the corpus makes them look.
GENERIC = frozenset(
    """ukraine ukrainian russia russian kyiv kiev moscow kremlin president war peace side sides
    country countries government official officials people latest news today week month year
    talk talks said say tell want think""".split()
)


@lru_cache(maxsize=4096)
def english_zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


@dataclass(frozen=True)
class Anchors:
    names: tuple[str, ...]  # rare words, as typed (after typo repair)
    events: tuple[str, ...]  # event words of the question
    phrase: str  # the question's own words around them, for the decline message

    def __bool__(self) -> bool:
        return bool(self.names)


def find_anchors(
    question: str, terms: Sequence[str], df: Callable[[str], int], n_passages: int
) -> Anchors:
    """The rare words of the question (its key terms, typos already repaired) and its event word."""
    names = []
    for term in terms:
        if term in GENERIC or term in STOPWORDS or term.isdigit() or len(term) < 3:
            continue
        corpus_share = df(stem([term])[0]) / max(1, n_passages)
        if english_zipf(term) < ENGLISH_ZIPF or corpus_share < CORPUS_SHARE:
            names.append(term)
    events = [t for t in terms if stem([t])[0] in EVENT_WORDS]
    return Anchors(tuple(names), tuple(events), _phrase(question, names + events))


def _phrase(question: str, keys: Sequence[str]) -> str:
    """The shortest stretch of the question that holds all the key words, as the user typed it."""
    if not keys:
        return ""
    tokens = list(re.finditer(r"[^\W_]+(?:['’][^\W_]+)*", question))
    wanted = set(stem([k.lower() for k in keys]))
    hits = [i for i, t in enumerate(tokens) if stem([_fold(t.group())])[0] in wanted]
    if not hits:
        return ""
    return question[tokens[hits[0]].start() : tokens[hits[-1]].end()]


def _fold(token: str) -> str:
    return (words(token) or [token.lower()])[0]


def holds(anchors: Anchors, text: str) -> bool:
    """Does this text (an article, or a passage with its title) hold every anchor?"""
    present = set(stem(words(text)))
    needed = stem(list(anchors.names)) + stem(list(anchors.events))
    return all(s in present for s in needed)


def missing(anchors: Anchors, texts: Sequence[str]) -> list[str]:
    """Anchor names that no text holds at all (the decline names these)."""
    present: set[str] = set()
    for text in texts:
        present.update(stem(words(text)))
    return [n for n in anchors.names if stem([n])[0] not in present]
