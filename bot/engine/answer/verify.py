"""Every sentence of a generated answer checked against the passage it cites. Pure.

A sentence stays only if it carries at least one `[n]`, every n was shown to the model, every
name, number and date it states appears in its cited passages, and its meaning is close to a
sentence (or two adjacent sentences) of a cited passage. A citation whose passage holds nothing
close is dropped from the sentence; a sentence left without citations is dropped. What remains
is renumbered in order of use, and each citation quotes the passage text that supports it,
verbatim. Links, mentions and markup that the sources do not contain are removed first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from bot.engine.index.embed import Encode
from bot.engine.models import Answer, Citation, Hit
from bot.engine.text import STOPWORDS, sentence_spans, words

MEANING_BAR = 0.6  # cosine of the all-MiniLM-L6-v2 default; paraphrases of a sentence score above
PAIR_WORDS = 60  # two sentences longer than this together are not compared as one
LONG_WORDS = 40  # a sentence longer than this is also compared clause by clause
SCORED_WORDS = 64  # spans are embedded by their opening words, as in the extractive step
_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_LEADING_MARKERS = re.compile(r"^(?:[\s,]*\[\d+(?:\s*,\s*\d+)*\])+")
_MASKED_LINK = re.compile(r"\[([^\]\n]+)\]\((\S+?)\)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]+", re.I)
_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b|(?<![\w.])@\w+")
_MARKUP = re.compile(r"\*{1,3}|_{2,}|~~|`+|\|\||</?[a-zA-Z][^>]*>")
_LINE_MARK = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*•]\s+|\d+[.)]\s+)", re.M)
_CLAUSE_END = re.compile(r"[,;:]\s+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CAPITAL = re.compile(r"\b[A-Z][\w'’-]*")
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}  # fmt: skip


@dataclass(frozen=True)
class Claim:
    """A kept sentence: its text without markers, and per cited source the supporting text."""

    text: str
    support: dict[int, str]  # source n (as shown to the model) → verbatim supporting text


@dataclass(frozen=True)
class Drop:
    sentence: str
    reason: str


@dataclass(frozen=True)
class Checked:
    claims: list[Claim] = field(default_factory=list)
    drops: list[Drop] = field(default_factory=list)


@dataclass(frozen=True)
class _Unit:
    text: str
    cites: tuple[int, ...]


def clean(text: str, sources: Iterable[str]) -> str:
    """Links, mentions and markup the sources do not contain, removed; one line."""
    shown = "\n".join(sources)
    text = _MASKED_LINK.sub(lambda m: m.group(0) if m.group(1).isdigit() else m.group(1), text)
    text = _URL.sub(lambda m: m.group(0) if m.group(0) in shown else "", text)
    text = _MENTION.sub(lambda m: m.group(0) if m.group(0) in shown else "", text)
    text = _LINE_MARK.sub("", text)
    text = _MARKUP.sub("", text)
    text = re.sub(r"\(\W*\)", "", text)  # brackets left empty by a removed link
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split()))


def units(text: str) -> list[_Unit]:
    """Sentences with the markers they carry; markers after a full stop ("… talks. [1]")
    belong to the sentence before them."""
    pieces = [text[a:b] for a, b in sentence_spans(text)]
    out: list[list[str]] = []
    for piece in pieces:
        lead = _LEADING_MARKERS.match(piece)
        if lead and out:
            out[-1].append(lead.group(0))
            piece = piece[lead.end() :]
        if piece.strip():
            out.append([piece])
    result = []
    for parts in out:
        joined = " ".join(parts)
        cites = tuple(int(n) for m in _MARKERS.findall(joined) for n in re.split(r"\s*,\s*", m))
        bare = " ".join(re.sub(rf",?\s*{_MARKERS.pattern}", " ", joined).split())
        result.append(_Unit(re.sub(r"\s+([.,;:!?])", r"\1", bare), tuple(dict.fromkeys(cites))))
    return result


def facts(sentence: str) -> list[str]:
    """The names, numbers and dates a sentence states — what its source must also hold."""
    found = [n.replace(",", "") for n in _NUMBER.findall(sentence)]
    tokens = words(sentence)
    found += [_NUMBER_WORDS[t] for t in tokens if t in _NUMBER_WORDS]
    for m in _CAPITAL.finditer(sentence):
        found += [t for t in words(m.group(0)) if len(t) > 1 and t not in STOPWORDS]
    return list(dict.fromkeys(found))


def _holds(fact: str, vocabulary: set[str], numbers: set[str]) -> bool:
    """Numbers and short names must appear as they are; a longer name may change its ending
    ("Ukrainian" is backed by "Ukraine", "Zelensky" by "Zelenskyy")."""
    if fact[0].isdigit():
        return fact in numbers
    if len(fact) <= 4:
        return fact in vocabulary
    stem = fact[: max(5, len(fact) - 3)]
    return any(w.startswith(stem) for w in vocabulary)


def missing_facts(sentence: str, passages: Sequence[str]) -> list[str]:
    text = "\n".join(passages)
    vocabulary = set(words(text))
    numbers = {n.replace(",", "") for n in _NUMBER.findall(text)}
    numbers |= {_NUMBER_WORDS[w] for w in vocabulary if w in _NUMBER_WORDS}
    return [f for f in facts(sentence) if not _holds(f, vocabulary, numbers)]


def supports(passage: str) -> list[str]:
    """Spans of the passage a sentence may rest on, each verbatim: its sentences; two adjacent
    short ones together (a sentence may join them); and, inside a long sentence, each pair of
    adjacent clauses (one clause of a 90-word sentence scores low against the whole of it)."""
    out: list[str] = []
    for para in re.finditer(r"[^\n]+(?:\n[^\n]+)*", passage):
        text, base = para.group(), para.start()
        spans = sentence_spans(text)
        out += [text[a:b] for a, b in spans]
        out += [text[a:d] for (a, b), (c, d) in pairwise(spans) if _words(text[a:d]) <= PAIR_WORDS]
        for a, b in spans:
            if _words(text[a:b]) > LONG_WORDS:
                out += _clause_pairs(passage, base + a, base + b)
    return list(dict.fromkeys(out))


def _clause_pairs(text: str, start: int, end: int) -> list[str]:
    cuts = [start] + [m.end() for m in _CLAUSE_END.finditer(text, start, end)] + [end]
    clauses = [(a, b) for a, b in pairwise(cuts) if text[a:b].strip()]
    return [text[a:d].strip().rstrip(",;:") for (a, _b), (_c, d) in pairwise(clauses)]


def _words(text: str) -> int:
    return len(text.split())


def check(
    text: str, sources: Mapping[int, Hit], encode: Encode, *, bar: float = MEANING_BAR
) -> Checked:
    """Which sentences of the model's answer stand, and why the others do not."""
    passages = {n: hit.chunk.text for n, hit in sources.items()}
    drops: list[Drop] = []
    pending: list[_Unit] = []
    for unit in units(clean(text, passages.values())):
        reason = _structural_problem(unit, passages)
        if reason:
            drops.append(Drop(unit.text, reason))
        else:
            pending.append(unit)
    if not pending:
        return Checked([], drops)
    claims, meaning_drops = _by_meaning(pending, passages, encode, bar)
    return Checked(claims, drops + meaning_drops)


def _structural_problem(unit: _Unit, passages: Mapping[int, str]) -> str | None:
    if not unit.cites:
        return "no [n] citation"
    unknown = [n for n in unit.cites if n not in passages]
    if unknown:
        return f"cites [{unknown[0]}], which was not shown"
    missing = missing_facts(unit.text, [passages[n] for n in unit.cites])
    if missing:
        return f"{missing[0]!r} is not in its source {_cites(unit.cites)}"
    return None


def _by_meaning(
    pending: list[_Unit], passages: Mapping[int, str], encode: Encode, bar: float
) -> tuple[list[Claim], list[Drop]]:
    """One encoder call for every pending sentence and every candidate support."""
    cited = sorted({n for u in pending for n in u.cites})
    spans = {n: supports(passages[n]) for n in cited}
    flat = [s for n in cited for s in spans[n]]
    vectors = encode([u.text for u in pending] + [" ".join(f.split()[:SCORED_WORDS]) for f in flat])
    claims_v, spans_v = vectors[: len(pending)], vectors[len(pending) :]
    offsets: dict[int, int] = {}
    at = 0
    for n in cited:
        offsets[n], at = at, at + len(spans[n])
    claims: list[Claim] = []
    drops: list[Drop] = []
    for unit, vec in zip(pending, claims_v, strict=True):
        support, best = {}, 0.0
        for n in unit.cites:
            if not spans[n]:
                continue
            scores = spans_v[offsets[n] : offsets[n] + len(spans[n])] @ vec
            i = int(np.argmax(scores))
            best = max(best, float(scores[i]))
            if scores[i] >= bar:
                support[n] = spans[n][i]
        missing = missing_facts(unit.text, [passages[n] for n in support])
        if not support:
            drops.append(Drop(unit.text, f"meaning not close to {_cites(unit.cites)} ({best:.2f})"))
        elif missing:
            drops.append(Drop(unit.text, f"{missing[0]!r} is only in a source it does not match"))
        else:
            claims.append(Claim(unit.text, support))
    return claims, drops


def _cites(ns: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in ns)


def compose(
    question: str,
    checked: Checked,
    sources: Mapping[int, Hit],
    hits: Sequence[Hit],
    *,
    latest: bool = False,
) -> Answer | None:
    """The checked sentences with citations renumbered in order of use; None if none stand."""
    if not checked.claims:
        return None
    numbers: dict[int, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for claim in checked.claims:
        for n, quote in claim.support.items():
            if n not in numbers:
                numbers[n] = len(numbers) + 1
                hit = sources[n]
                citations.append(Citation(numbers[n], hit.article, quote, hit.chunk.id))
        parts.append(f"{claim.text} {_cites(numbers[n] for n in claim.support)}")
    dates = [c.article.published for c in citations if c.article.published]
    as_of = max(dates) if dates else None
    text = " ".join(parts)
    if latest and as_of:
        text = f"As of {as_of.isoformat()}: {text}"
    return Answer(question, text, tuple(citations), False, as_of, tuple(hits), mode="generated")
