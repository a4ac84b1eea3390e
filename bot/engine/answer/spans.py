"""The pieces of a shown source a generated sentence may rest on. Pure.

A sentence of the model's answer may retell one sentence of a source, join two neighbouring
ones, or take one part of a long one; each of those is a span, verbatim from the article, so the
span that supports a sentence can be quoted under its citation. Each span carries its context —
the source's title, outlet and date and the two sentences shown before it — because a faithful
sentence names who "he" is and when it happened, which the span itself often leaves to them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from bot.engine.answer.evidence import Source
from bot.engine.models import Sentence

PAIR_WORDS = 60  # two sentences longer than this together are not one span
LONG_WORDS = 40  # a sentence longer than this is also cut into pairs of clauses
CONTEXT_BEFORE = 2  # sentences before a span whose names and dates it may rely on
_CLAUSE_END = re.compile(r"[,;:]\s+|\s[–—]\s")


@dataclass(frozen=True)
class Span:
    n: int  # the source's number in the prompt
    sentence: Sentence  # the sentence it starts in: its passage is the citation's
    start: int  # offsets into the article's text
    end: int
    context: str  # header, the sentences before, and the span: where its facts may stand

    @property
    def text(self) -> str:
        return self.sentence.article.text[self.start : self.end]


def spans(source: Source) -> list[Span]:
    """Every sentence of the source, each two neighbours together, and inside a long sentence
    each two neighbouring clauses (one clause of a 90-word sentence reads unlike the whole)."""
    out: list[Span] = []
    text = source.article.text
    for run in source.runs():
        for k, s in enumerate(run):
            before = " ".join(x.text for x in run[max(0, k - CONTEXT_BEFORE) : k])
            made = [(s, s.start, s.end)]
            if k + 1 < len(run) and _words(text[s.start : run[k + 1].end]) <= PAIR_WORDS:
                made.append((s, s.start, run[k + 1].end))
            if _words(s.text) > LONG_WORDS:
                made += [(s, a, b) for a, b in _clause_pairs(text, s.start, s.end)]
            for first, a, b in made:
                out.append(Span(source.n, first, a, b, f"{source.header} {before} {text[a:b]}"))
    return _unique(out)


def _clause_pairs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    cuts = [start] + [m.end() for m in _CLAUSE_END.finditer(text, start, end)] + [end]
    clauses = [(a, b) for a, b in pairwise(cuts) if text[a:b].strip()]
    out = []
    for (a, _b), (_c, d) in pairwise(clauses):
        piece = text[a:d]
        stripped = piece.rstrip().rstrip(",;:–—").rstrip()
        out.append((a + len(piece) - len(piece.lstrip()), a + len(stripped)))
    return out


def _unique(found: Sequence[Span]) -> list[Span]:
    seen: set[tuple[int, int, int]] = set()
    out = []
    for span in found:
        key = (span.n, span.start, span.end)
        if key not in seen:
            seen.add(key)
            out.append(span)
    return out


def _words(text: str) -> int:
    return len(text.split())
