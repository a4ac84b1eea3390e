"""What the language model is shown: the best sentences of the top articles, read in context,
within a token budget. Pure.

The answer step already ranks every sentence of the top articles by how likely it holds a fact
asked for; the prompt starts from that ranking rather than from the search's passages alone. Each
chosen sentence comes with its neighbours (the sentence before often names who "he" is, the one
after finishes the thought), sentences of one article are merged into one numbered source in
article order, and each source opens with its article's title, outlet and date, so the model can
tell when and where something was said. Sentences are added until the budget is spent: a model
cannot cite what it is not shown. Nothing here calls a model; the prompt is built in a few
milliseconds from what answering the question already fetched.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from bot.engine.models import Article, Hit, Sentence

SentencesOf = Callable[[Sequence[str]], list[Sentence]]  # article ids → their sentences, in order
GAP = " … "  # between two runs of one article that are not neighbours
NEIGHBOURS = 1  # sentences shown on each side of a chosen one
LEADING = 5  # best-ranked sentences shown before the search's passages
BYTES_PER_TOKEN = 4  # see estimate_tokens
_MARKER_LIKE = re.compile(r"\[(\d+)\]")


def estimate_tokens(text: str) -> int:
    """Tokens of a chat model's tokenizer, estimated without it (the prompt is built for any
    model, and loading a tokenizer would cost more than the whole prompt): Llama 3, Qwen 2.5 and
    GPT tokenizers cut English news prose at about four characters a token. Counting UTF-8 bytes
    instead of characters keeps the estimate on the safe side for Cyrillic (two bytes a letter,
    about 2.5 letters a token)."""
    return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN)


def long_date(day: date) -> str:
    """ "2 June 2025": the words a model (and the verifier) read a date in."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def flat(text: str) -> str:
    """One line, and a `[k]` inside an article becomes `(k)`: an article cannot forge the start
    of another source."""
    return _MARKER_LIKE.sub(r"(\1)", " ".join(text.split()))


@dataclass(frozen=True)
class Source:
    """One numbered source of the prompt: excerpts of one article, in the article's order."""

    n: int
    article: Article
    sentences: tuple[Sentence, ...]  # sorted by position; neighbours form runs

    @property
    def header(self) -> str:
        return header(self.article)

    def runs(self) -> list[list[Sentence]]:
        """The excerpts: maximal runs of neighbouring sentences."""
        out: list[list[Sentence]] = []
        for s in self.sentences:
            if out and s.index == out[-1][-1].index + 1:
                out[-1].append(s)
            else:
                out.append([s])
        return out

    @property
    def excerpt(self) -> str:
        return GAP.join(" ".join(flat(s.text) for s in run) for run in self.runs())

    @property
    def text(self) -> str:
        """What follows `[n] ` on the source's line."""
        return f"{self.header} {self.excerpt}"

    @property
    def line(self) -> str:
        return f"[{self.n}] {self.text}"


def select(
    units: Sequence[Sentence],
    probability: np.ndarray,
    sentences_of: SentencesOf,
    budget: int,
    *,
    hits: Sequence[Hit] = (),
    pinned: Sequence[Sentence] = (),
    count: Callable[[str], int] = estimate_tokens,
) -> list[Source]:
    """Sources for the prompt, within `budget` tokens, taken in this order while they fit:
    1. `pinned` sentences (the extractive answer's own), each with its neighbours;
    2. the LEADING best-ranked sentences, each with its neighbours;
    3. the search's passages (`hits`), whole: they reach articles the ranking did not;
    4. the rest of the ranking, best first.
    One source per article, numbered in the order its first sentence was taken.

    On the question sets, the ranking alone reaches its best prompt recall with a small budget
    and stops there (the facts of the other questions are in articles it did not rank); the
    search's passages after its few best sentences reach them, and the rest of the ranking
    fills what budget is left."""
    order = [int(i) for i in np.argsort(-np.asarray(probability), kind="stable")]
    ranked = [units[i] for i in order]
    articles = [s.article.id for s in (*pinned, *ranked)] + [h.article.id for h in hits]
    rows = _group(sentences_of(list(dict.fromkeys(articles))))
    picker = _Picker(budget, count)
    for unit in (*pinned, *ranked[:LEADING]):
        picker.take(unit, _around(rows.get(unit.article.id, []), unit))
    for hit in hits:
        inside = [s for s in rows.get(hit.article.id, []) if _within(s, hit)]
        if inside:
            picker.take(inside[0], [inside])
    for unit in ranked[LEADING:]:
        picker.take(unit, _around(rows.get(unit.article.id, []), unit))
    return picker.sources()


class _Picker:
    """Sentences taken per article while the budget lasts."""

    def __init__(self, budget: int, count: Callable[[str], int]) -> None:
        self.budget, self.count, self.spent = budget, count, 0
        self.chosen: dict[str, dict[int, Sentence]] = {}  # article id → index → sentence

    def take(self, unit: Sentence, windows: Sequence[Sequence[Sentence]]) -> None:
        """The first of `windows` that fits (a wide one, then narrower)."""
        taken = self.chosen.get(unit.article.id, {})
        for window in windows:
            new = [s for s in window if s.index not in taken]
            cost = sum(self.count(flat(s.text)) + 1 for s in new)
            if not taken and new:
                cost += self.count(f"[{len(self.chosen) + 1}] {header(unit.article)}") + 1
            if self.spent + cost <= self.budget:
                self.spent += cost
                self.chosen.setdefault(unit.article.id, taken).update((s.index, s) for s in new)
                return

    def sources(self) -> list[Source]:
        out: list[Source] = []
        for taken in self.chosen.values():
            if taken:
                picked = tuple(taken[k] for k in sorted(taken))
                out.append(Source(len(out) + 1, picked[0].article, picked))
        return out


def _around(row: Sequence[Sentence], unit: Sentence) -> list[list[Sentence]]:
    """The unit with its neighbours, or failing the budget the unit alone."""
    at = next((k for k, s in enumerate(row) if s.index == unit.index), None)
    if at is None:  # not among the article's stored sentences: shown on its own
        return [[unit]]
    return [list(row[max(0, at - NEIGHBOURS) : at + NEIGHBOURS + 1]), [row[at]]]


def _within(sentence: Sentence, hit: Hit) -> bool:
    return hit.chunk.start <= sentence.start and sentence.end <= hit.chunk.end


def header(article: Article) -> str:
    """The article's title, outlet and date, as a source's line shows them."""
    about = ", ".join(
        part
        for part in (article.outlet, article.published and long_date(article.published))
        if part
    )
    title = flat(article.title)
    return f"{title} ({about}):" if about else f"{title}:"


def _group(sentences: Sequence[Sentence]) -> dict[str, list[Sentence]]:
    out: dict[str, list[Sentence]] = {}
    for s in sentences:
        out.setdefault(s.article.id, []).append(s)
    for row in out.values():
        row.sort(key=lambda s: s.index)
    return out
