"""Every sentence of a generated answer checked against the sources it cites, as a fact-checker
would. Pure (the encoder is passed in).

A sentence stands when it carries a `[n]` of a shown source and some span of that source
supports it (spans.py: a sentence, two neighbours, or two clauses of a long one):
- its content words are largely the span's (coverage) and it reads close to the span, judged
  against the other shown sentences rather than on one absolute cosine (meaning);
- it does not deny what the span affirms, or the other way round (claims.flips);
- every name, number and date it states stands in the supporting spans, their source's title and
  date, or the two sentences before them (claims.facts).
Rewording passes (other verbs, tense, voice, a dropped aside, "According to the source, …"); an
added name, number, date or claim does not. A sentence no cited source supports but another
shown source does is cited to that one. Citations are renumbered in order of use and each quotes
its supporting span verbatim. Links, mentions and markup the sources lack are removed first
(reply.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from bot.engine.answer import claims as C
from bot.engine.answer.evidence import Source
from bot.engine.answer.reply import Unit, clean, units
from bot.engine.answer.spans import Span, spans
from bot.engine.index.embed import Encode
from bot.engine.models import Answer, Citation, Hit
from bot.engine.text import words
from bot.i18n import tr

# A span supports a sentence when meaning + coverage reach SUPPORT. Coverage is the share of the
# sentence's content stems the span uses (names may stand in the sentences before it). Meaning is
# the sentence's cosine to the span above the median of its cosines to the shown sentences, in
# units of the model's own spread: how much higher a paraphrase scores than an unrelated sentence
# under this model (model_spread). So it reads alike for models whose cosines run low
# (all-MiniLM-L6-v2: unrelated ≈ 0.14, paraphrase ≈ 0.87) or high (multilingual-e5-small: ≈ 0.80
# and 0.97). On the verifier's test sentences (tests/engine/test_verify.py), faithful rewordings
# scored 1.43 or more with either model, and sentences adding a claim 1.30 or less — except one
# that MiniLM scores 1.42 ("The Kremlin is ready to withdraw its troops …"; e5: 1.14).
SUPPORT = 1.36
MIN_COVERAGE = SUPPORT - 1.25  # meaning above 1.25 spreads is rare: sharing less cannot support
# Sentences the model's spread is measured on: pairs that say the same thing in other words; each
# pair's sentences against the other pairs' are the unrelated ones.
CALIBRATION = (
    ("The two presidents spoke by phone on Tuesday about energy supplies.",
     "On Tuesday the presidents discussed energy supplies in a phone call."),
    ("Negotiators from both sides met in Geneva for a second day of talks.",
     "Talks between the two delegations continued in Geneva for a second day."),
    ("The minister said the agreement would be signed next month.",
     "According to the minister, the deal is to be signed next month."),
    ("Officials confirmed that two hundred prisoners were exchanged at the border.",
     "Two hundred prisoners were swapped at the border, officials said."),
    ("The government called the proposal a serious step toward peace.",
     "The proposal was described by the government as a serious move toward peace."),
    ("Shelling cut power to the city for several hours overnight.",
     "The city was left without electricity for hours after overnight shelling."),
    ("The delegation arrived in the capital late on Sunday evening.",
     "Late on Sunday the delegation reached the capital."),
    ("He urged European partners to speed up deliveries of air defence systems.",
     "He called on European allies to deliver air defence systems faster."),
)  # fmt: skip
CANDIDATES = 8  # spans per sentence scored by meaning, the best covered first
BASELINE = 16  # shown sentences a sentence's cosines are measured against
SCORED_WORDS = 64  # spans are embedded by their opening words, as in the extractive step


@dataclass(frozen=True)
class Claim:
    """A kept sentence: its text without markers, and per source the span that supports it."""

    text: str
    support: dict[int, Span]  # source n (as shown to the model) → its supporting span
    moved_from: tuple[int, ...] = ()  # the numbers the model cited, if support was elsewhere


@dataclass(frozen=True)
class Drop:
    sentence: str
    reason: str


@dataclass(frozen=True)
class Checked:
    claims: list[Claim] = field(default_factory=list)
    drops: list[Drop] = field(default_factory=list)


@dataclass
class _Scored:
    span: Span
    score: float  # meaning + coverage


def model_spread(encode: Encode) -> float:
    """How much higher this model scores a paraphrase than an unrelated sentence (medians over
    CALIBRATION): the unit meaning is measured in. One encoder call; callers keep the result."""
    vectors = encode([s for pair in CALIBRATION for s in pair])
    a, b = vectors[0::2], vectors[1::2]
    paraphrase = float(np.median(np.sum(a * b, axis=1)))
    unrelated = float(np.median((a @ b.T)[~np.eye(len(CALIBRATION), dtype=bool)]))
    return max(paraphrase - unrelated, 1e-3)


def check(
    text: str, sources: Sequence[Source], encode: Encode, *, spread: float | None = None
) -> Checked:
    """Which sentences of the model's answer stand, and why the others do not. `spread`:
    model_spread(encode), measured here if not given."""
    shown = {s.n: s for s in sources}
    drops: list[Drop] = []
    pending: list[Unit] = []
    for unit in units(clean(text, [s.text for s in sources])):
        reason = _structural_problem(unit, shown)
        if reason:
            drops.append(Drop(unit.text, reason))
        else:
            pending.append(unit)
    if not pending:
        return Checked([], drops)
    spread = model_spread(encode) if spread is None else spread
    claims, more = _Judge(pending, sources, encode, spread).verdicts()
    return Checked(claims, drops + more)


def _structural_problem(unit: Unit, shown: dict[int, Source]) -> str | None:
    if not unit.cites:
        return "no [n] citation"
    unknown = [n for n in unit.cites if n not in shown]
    if unknown:
        return f"cites [{unknown[0]}], which was not shown"
    if not C.content(unit.text):
        return "states nothing a source could support"
    return None


class _Judge:
    """Scores every pending sentence against the spans that could support it, with one encoder
    call for the sentences, their candidate spans and the baseline sample."""

    def __init__(
        self, pending: list[Unit], sources: Sequence[Source], encode: Encode, spread: float
    ) -> None:
        self.pending, self.spread = pending, spread
        self.spans = [sp for s in sources for sp in spans(s)]
        self.span_content = [C.content(sp.text) for sp in self.spans]
        self.span_names = [C.content(sp.context) for sp in self.spans]
        self.known = set(words(" ".join(s.text for s in sources)))
        self.facts = [C.facts(u.text, self.known) for u in pending]  # names, numbers, dates
        mine = [C.content(u.text) for u in pending]
        names = [frozenset(C.stems(f)) for f in self.facts]
        self.candidates = [self._covered(m, n) for m, n in zip(mine, names, strict=True)]
        shown = [sentence for s in sources for sentence in s.sentences]
        step = max(1, len(shown) // BASELINE)
        baseline = [s.text for s in shown[::step]][:BASELINE]
        wanted = sorted({i for row in self.candidates for i, _ in row})
        texts = [u.text for u in pending] + [self.spans[i].text for i in wanted] + baseline
        vectors = encode([" ".join(t.split()[:SCORED_WORDS]) for t in texts])
        self.claim_v = vectors[: len(pending)]
        self.span_v = dict(
            zip(wanted, vectors[len(pending) : len(pending) + len(wanted)], strict=True)
        )
        self.base_v = vectors[len(pending) + len(wanted) :]

    def _covered(self, mine: frozenset[str], names: frozenset[str]) -> list[tuple[int, float]]:
        """(span index, coverage) of the best-covering spans that could reach SUPPORT. A name
        (a fact) counts as covered when the span's context holds it: "He said …" after a
        sentence naming him supports "Umerov said …"."""
        rows = [
            (i, C.coverage(mine, c | (names & self.span_names[i])))
            for i, c in enumerate(self.span_content)
        ]
        rows = [r for r in rows if r[1] >= MIN_COVERAGE]
        return sorted(rows, key=lambda r: -r[1])[:CANDIDATES]

    def verdicts(self) -> tuple[list[Claim], list[Drop]]:
        judged = [self._judge(k, unit) for k, unit in enumerate(self.pending)]
        return [j for j in judged if isinstance(j, Claim)], [
            j for j in judged if isinstance(j, Drop)
        ]

    def _judge(self, k: int, unit: Unit) -> Claim | Drop:
        scored, best = self._scored(k)
        cited = _verdict(unit.text, scored, unit.cites, self.facts[k])
        if isinstance(cited, dict):
            return Claim(unit.text, cited)
        elsewhere = [s.span.n for s in scored if s.span.n not in unit.cites][:1]
        moved = _verdict(unit.text, scored, elsewhere, self.facts[k])
        if isinstance(moved, dict):
            return Claim(unit.text, moved, moved_from=unit.cites)
        if cited is not None:
            return Drop(unit.text, cited.replace("{cites}", _cites(unit.cites)))
        return Drop(
            unit.text, f"meaning not close to {_cites(unit.cites)} ({best:.2f} < {SUPPORT})"
        )

    def _scored(self, k: int) -> tuple[list[_Scored], float]:
        """The spans that support sentence k by meaning and coverage, best first, and the best
        score of any candidate."""
        claim = self.claim_v[k]
        base = float(np.median(self.base_v @ claim)) if len(self.base_v) else 0.0
        scored, best = [], 0.0
        for i, coverage in self.candidates[k]:
            meaning = (float(self.span_v[i] @ claim) - base) / self.spread
            best = max(best, meaning + coverage)
            if meaning + coverage >= SUPPORT:
                scored.append(_Scored(self.spans[i], meaning + coverage))
        scored.sort(key=lambda s: -s.score)
        return scored, best


def _verdict(
    text: str, scored: list[_Scored], ns: Sequence[int], facts: Sequence[str]
) -> dict[int, Span] | str | None:
    """Per source among `ns`, in that order, the span that supports the sentence best — if the
    best does not reverse it and the supporting spans' contexts hold all its `facts` (C.facts).
    Otherwise
    why not (with `{cites}` for the sentence's citations), or None if nothing supports it."""
    mine = [s for s in scored if s.span.n in ns]
    if not mine:
        return None
    flip = C.flips(text, mine[0].span.text)
    if flip:
        return f"reverses its source {{cites}}: {flip!r}"
    holder = C.Holder.of(" ".join(s.span.context for s in mine))
    missing = holder.missing(facts)
    if missing:
        return f"{missing[0]!r} is not in its source {{cites}}"
    best: dict[int, Span] = {}
    for s in mine:
        best.setdefault(s.span.n, s.span)
    return {n: best[n] for n in ns if n in best}


def _cites(ns: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in ns)


def compose(
    question: str,
    checked: Checked,
    hits: Sequence[Hit],
    *,
    latest: bool = False,
    language: str = "en",
) -> Answer | None:
    """The checked sentences with citations renumbered in order of use; None if none stand.
    The Answer's evidence is `hits` and the passages of the quoted spans."""
    if not checked.claims:
        return None
    numbers: dict[int, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    evidence = list(hits)
    known = {h.chunk.id for h in hits}
    for claim in checked.claims:
        for n, span in claim.support.items():
            if n in numbers:
                continue
            numbers[n] = len(numbers) + 1
            chunk = span.sentence.chunk
            citations.append(Citation(numbers[n], span.sentence.article, span.text, chunk.id))
            if chunk.id not in known:
                known.add(chunk.id)
                evidence.append(Hit(chunk, span.sentence.article, 0.0))
        parts.append(f"{claim.text} {_cites(numbers[n] for n in claim.support)}")
    dates = [c.article.published for c in citations if c.article.published]
    as_of = max(dates) if dates else None
    text = " ".join(parts)
    if latest and as_of:
        text = tr(language, "As of {date}: {text}", date=as_of.isoformat(), text=text)
    return Answer(
        question,
        text,
        tuple(citations),
        False,
        as_of,
        tuple(evidence),
        mode="generated",
        language=language,
    )
