"""What a sentence states, read the way a fact-checker reads it. Pure, no model.

A generated sentence may reword its source (other verbs, tense, voice, a dropped aside) but not
add to it: its names, numbers and dates must stand in the source, and it must not deny what the
source affirms or affirm what it denies. This module finds those parts of a sentence: `facts`
(names, numbers, dates), `content` (the stems that carry its topic) and `polarity` (whether it
denies: "did not agree", "rejected", "unacceptable" against "agreed", "accepted").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.engine.text import STOPWORDS, english_zipf, stem, words

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:(?:of|the|and|for|on|in)\s+){0,2}[A-Z][\w'’-]*)+")
_CAPITALISED = re.compile(r"(?<![\w'’])[A-Z][\w'’.-]*")
_CLAUSE = re.compile(
    r"\s*(?:[,;:–—]|(?<=[.!?…])[\"'”’)]*\s|\s-\s|\b(?:but|while|whereas|although|though|however)\b)\s*"
)
# "one" is left out: it is a pronoun far more often than a count ("one of the demands").
NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split()) if i and w != "_"} | {
    "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
    "ninety": "90", "hundred": "100", "dozen": "12",
    "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6", "seventh": "7",
    "eighth": "8", "ninth": "9", "tenth": "10",
    "2nd": "2", "3rd": "3", "4th": "4", "5th": "5", "6th": "6", "7th": "7", "8th": "8", "9th": "9",
    "10th": "10",
}  # fmt: skip
SCALES = frozenset({"thousand", "million", "millions", "billion", "billions", "trillion"})
MONTHS = {m.lower()[:3]: m.lower() for m in calendar.month_name[1:]}  # "sep" → "september"
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# Words that open a sentence with a capital without being names.
OPENERS = frozenset(
    """according additionally afterwards also although amid asked both despite during earlier
    either finally following furthermore however instead later meanwhile moreover neither nor
    overall previously regarding separately since still speaking then therefore thus together
    yet""".split()
)
# Titles written capitalised before a name ("President Putin"): a role, not a new name.
TITLES = frozenset(
    """president minister prime foreign defence defense chancellor secretary spokesman
    spokeswoman spokesperson ambassador envoy deputy mr mrs ms dr""".split()
)
# Reporting words: "According to the source, the Kremlin says …" adds no claim of its own.
ATTRIBUTION = frozenset(
    """according source sources article articles report reports reported reporting state
    states stated statement added noted told stress stressed explain explained indicate
    indicated mention mentioned claim claimed""".split()
)
# Words that deny what follows them, and words that deny by their meaning. A denial of a denial
# close after it ("did not refuse", "would not reject it") affirms.
NEGATORS = frozenset(
    "not no never neither nor none nothing nobody nowhere cannot without non".split()
)
DENYING = frozenset(
    """unable unwilling lack lacks lacked lacking fail fails failed refuse refuses refused refusal
    reject rejects rejected rejection deny denies denied dismiss dismisses dismissed oppose
    opposes opposed disagree disagrees disagreed veto vetoed vetoes impossible inadmissible
    illegal illegitimate invalid insufficient""".split()
)
CANCEL_WITHIN = 3  # words from a negator to the denying word it cancels
_NOT_NEGATIONS = frozenset({"uncover", "uncovered", "uncovers", "uncovering"})
_NOT_ONLY = re.compile(r"\bnot only\b|\bno doubt\b|\bnothing but\b", re.I)


@dataclass(frozen=True)
class Reading:
    """One clause, or a whole sentence: the stems it speaks of and whether it denies them."""

    content: frozenset[str]
    denies: bool


def facts(sentence: str, known: Iterable[str] = ()) -> list[str]:
    """The names, numbers and dates a sentence states — what its source must also hold.

    `known` are words of the cited sources: a capitalised word opening the sentence that they
    use in any case is a word, not a name ("Talks resumed …")."""
    vocabulary = set(known)
    found = [n.replace(",", "") for n in _NUMBER.findall(sentence)]
    tokens = words(sentence)
    found += [NUMBER_WORDS[t] for t in tokens if t in NUMBER_WORDS]
    found += [t for t in tokens if t in SCALES]
    found += [MONTHS.get(t[:3], t) for t in tokens if _is_date_word(t)]
    for m in _CAPITALISED.finditer(sentence):
        first = not sentence[: m.start()].strip(" \"'“‘(")
        for t in words(m.group(0)):
            if _is_name(t, first, vocabulary):
                found.append(t)
    return list(dict.fromkeys(found))


def _is_date_word(token: str) -> bool:
    if token in WEEKDAYS:
        return True
    full = MONTHS.get(token[:3])
    return full is not None and (token == full or token in {full[:3], "sept"}) and token != "may"


def _is_name(token: str, first: bool, known: set[str]) -> bool:
    if len(token) <= 1 or token in STOPWORDS or token in TITLES or token.isdigit():
        return False
    if _is_date_word(token):
        return False  # counted as a date
    if first:  # the sentence's first word is capitalised whatever it is
        return not (token in OPENERS or token.endswith("ly") or token in known)
    return True


def holds(fact: str, vocabulary: set[str], numbers: set[str]) -> bool:
    """Numbers and short names must appear as they are; a longer name may change its ending
    ("Ukrainian" is backed by "Ukraine", "Zelensky" by "Zelenskyy")."""
    if fact[0].isdigit():
        return fact in numbers
    if len(fact) <= 4 or fact in SCALES or fact in WEEKDAYS or fact in MONTHS.values():
        return fact in vocabulary
    head = fact[: max(5, len(fact) - 3)]
    return any(w.startswith(head) for w in vocabulary)


@dataclass(frozen=True)
class Holder:
    """The words and numbers of a text that facts are looked up in."""

    vocabulary: set[str]
    numbers: set[str]

    @classmethod
    def of(cls, text: str) -> Holder:
        vocabulary = set(words(text))
        numbers = {n.replace(",", "") for n in _NUMBER.findall(text)}
        numbers |= {NUMBER_WORDS[w] for w in vocabulary if w in NUMBER_WORDS}
        vocabulary |= {MONTHS[w[:3]] for w in vocabulary if w[:3] in MONTHS and _is_date_word(w)}
        vocabulary |= _acronyms(text)
        return cls(vocabulary, numbers)

    def missing(self, found: Iterable[str]) -> list[str]:
        return [f for f in found if not holds(f, self.vocabulary, self.numbers)]


def _acronyms(text: str) -> set[str]:
    """ "iaea" for "International Atomic Energy Agency": the initials of each run of capitalised
    words (small words inside skipped), so a sentence may use the short name of a long one."""
    out: set[str] = set()
    for run in _NAME_RUN.finditer(text):
        for part in (run.group(0), *re.split(r"\s+and\s+the\s+", run.group(0))):
            initials = "".join(w[0] for w in part.split() if w[0].isupper()).lower()
            if len(initials) >= 2:
                out.add(initials)
    return out


def clauses(text: str) -> list[str]:
    """A sentence cut at commas, dashes and contrasting conjunctions."""
    return [c for c in _CLAUSE.split(text) if c and c.strip()]


@lru_cache(maxsize=8192)
def reading(text: str) -> Reading:
    """Content stems (negating prefixes removed: "unacceptable" speaks of accepting) and
    whether the text denies: a negator or a denying word, unless a negator cancels the denying
    word just after it ("did not refuse" affirms)."""
    tokens = words(_NOT_ONLY.sub(" ", text))
    negators = [k for k, t in enumerate(tokens) if t in NEGATORS or t.endswith("n't")]
    denying = [k for k, t in enumerate(tokens) if t in DENYING or _negated(t) is not None]
    cancelled = {k for k in negators if any(0 < d - k <= CANCEL_WITHIN for d in denying)}
    cancelled |= {d for d in denying if any(0 < d - k <= CANCEL_WITHIN for k in negators)}
    denies = bool(set(negators + denying) - cancelled)
    content = [
        _negated(t) or t
        for t in tokens
        if t not in STOPWORDS and t not in ATTRIBUTION and t not in NEGATORS and t not in DENYING
    ]
    return Reading(frozenset(stems(content)), denies)


@lru_cache(maxsize=8192)
def _negated(token: str) -> str | None:
    """ "unacceptable" → "acceptable": the word an un- prefix negates, if it is a common one."""
    if token in _NOT_NEGATIONS:
        return None
    if token.startswith("un") and len(token) >= 7 and english_zipf(token[2:]) >= 4.0:
        return token[2:]
    return None


def stems(tokens: Iterable[str]) -> list[str]:
    return stem([t for t in tokens if len(t) > 1 or t.isdigit()])


def content(text: str) -> frozenset[str]:
    return reading(text).content


def coverage(claim: frozenset[str], support: frozenset[str]) -> float:
    """Share of the claim's content stems its support also uses (1.0 for an empty claim)."""
    return len(claim & support) / len(claim) if claim else 1.0


def flips(claim: str, support: str) -> str | None:
    """The clause of `claim` that denies what its best-matching clause of `support` affirms, or
    the other way round; None if every clause agrees. A clause sharing no content with the
    support is not compared (coverage and meaning judge it)."""
    theirs = [reading(c) for c in clauses(support)]
    for piece in clauses(claim):
        mine = reading(piece)
        if not mine.content:
            continue
        shared = [len(mine.content & r.content) for r in theirs]
        if not shared or max(shared) == 0:
            continue
        best = theirs[shared.index(max(shared))]
        if best.denies != mine.denies:
            return piece
    return None
