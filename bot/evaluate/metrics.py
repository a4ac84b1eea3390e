"""Scoring one answer or one ranking against a question set's expectations. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.engine.models import Answer, Article, Hit

_MARKER = re.compile(r"\[(\d+)\]")
_AS_OF = re.compile(r"^[^\[\]]{1,40}\d{4}-\d{2}-\d{2}:\s*")  # "As of …: " in any language
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


def norm(text: str) -> str:
    """Lower case, straight quotes, single spaces: how facts and quotes are compared."""
    return " ".join(text.translate(_QUOTES).lower().split())


def is_source(article: Article, source: str) -> bool:
    want = norm(source).rstrip("/")
    return want in {norm(article.title), norm(article.url or "").rstrip("/")}


def first_rank(hits: Sequence[Hit], source: str) -> int | None:
    """1-based position of the first passage from the expected article, or None."""
    for i, hit in enumerate(hits, 1):
        if is_source(hit.article, source):
            return i
    return None


def recall_at(ranks: Iterable[int | None], k: int) -> float:
    ranks = list(ranks)
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mrr(ranks: Iterable[int | None]) -> float:
    ranks = list(ranks)
    return sum(1.0 / r for r in ranks if r) / len(ranks) if ranks else 0.0


def facts_found(answer: Answer, facts: Sequence[Sequence[str]]) -> int:
    """Facts with at least one alternative in the answer text (a decline finds none)."""
    if answer.abstained:
        return 0
    return facts_in(answer.text, facts)


def facts_in(text: str, facts: Sequence[Sequence[str]]) -> int:
    """Facts with at least one alternative in `text` (an answer, or the sources of a prompt)."""
    normed = norm(text)
    return sum(1 for alts in facts if any(norm(a) in normed for a in alts))


def _claims(text: str) -> list[tuple[int, str]]:
    """(n, the sentence the marker closes) for every [n] marker in an answer."""
    out, start = [], 0
    body = _AS_OF.sub("", text)
    for match in _MARKER.finditer(body):
        out.append((int(match.group(1)), body[start : match.start()].strip()))
        start = match.end()
    return out


def citation_checks(answer: Answer) -> tuple[int, int, int]:
    """(markers, markers whose quote stands verbatim in its article and whose passage was
    retrieved, markers whose own sentence stands in the cited article)."""
    if answer.abstained:
        return 0, 0, 0
    cites = {c.n: c for c in answer.citations}
    retrieved = {h.chunk.id for h in answer.hits}
    claims = _claims(answer.text)
    sound = supported = 0
    for n, sentence in claims:
        cite = cites.get(n)
        if cite is None:
            continue
        sound += int(
            bool(cite.quote) and cite.quote in cite.article.text and cite.chunk_id in retrieved
        )
        supported += int(bool(sentence) and norm(sentence) in norm(cite.article.text))
    return len(claims), sound, supported
