"""What a language model is shown: sources chosen from the answer step's ranking, in context,
within the token budget (answer/evidence.py), and through the engine (Engine.evidence)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from bot.engine.answer.evidence import Source, estimate_tokens, select
from bot.engine.engine import Engine
from bot.engine.models import Article, Chunk, Hit, Sentence
from bot.engine.text import sentence_spans
from bot.settings import Settings
from tests.conftest import WordHashEmbedder


def article(aid: str, sentences: Sequence[str], **meta: object) -> list[Sentence]:
    """An article of one passage, as its sentences (the index's units)."""
    text = " ".join(sentences)
    art = Article(aid, f"Title of {aid}", text, f"{aid}.md", **meta)  # type: ignore[arg-type]
    chunk = Chunk(f"{aid}-c", aid, 0, text, start=0, end=len(text))
    zero = np.zeros(4, dtype=np.float32)
    return [Sentence(art, chunk, a, b, k, zero) for k, (a, b) in enumerate(sentence_spans(text))]


A = article("a", [f"Sentence {k} of the first article says something." for k in range(10)])
B = article(
    "b",
    [f"Sentence {k} of the second article [3] says more." for k in range(6)],
    outlet="Wire",
    published=date(2025, 6, 2),
)
BY_ID = {"a": A, "b": B}


def sentences_of(ids: Sequence[str]) -> list[Sentence]:
    return [s for i in ids for s in BY_ID.get(i, [])]


def indices(source: Source) -> list[int]:
    return [s.index for s in source.sentences]


def ranked(order: Sequence[Sentence]) -> tuple[list[Sentence], np.ndarray]:
    """Units with probabilities that rank them in the given order."""
    return list(order), np.linspace(0.9, 0.1, len(order))


def test_the_best_sentences_come_with_their_neighbours_one_source_per_article() -> None:
    units, prob = ranked([A[5], B[2], A[0]])
    sources = select(units, prob, sentences_of, 10_000)
    assert [s.article.id for s in sources] == ["a", "b"]  # numbered by the best sentence
    assert [s.n for s in sources] == [1, 2]
    assert indices(sources[0]) == [0, 1, 4, 5, 6]  # sorted; two runs
    assert indices(sources[1]) == [1, 2, 3]
    assert sources[0].excerpt.count(" … ") == 1  # a gap marks the runs


def test_the_budget_is_kept_and_the_best_come_first() -> None:
    units, prob = ranked([A[5], B[2], A[0], B[5]])
    line = estimate_tokens(A[0].text) + 1
    sources = select(units, prob, sentences_of, 6 * line)
    shown = "\n".join(s.line for s in sources)
    assert estimate_tokens(shown) <= 6 * line + 2 * len(sources)  # the headers are counted too
    assert indices(sources[0]) == [4, 5, 6]  # the best with its neighbours
    assert all(s.article.id != "b" or 2 in indices(s) for s in sources)
    assert select(units, prob, sentences_of, 1) == []  # nothing fits


def test_a_sentence_whose_neighbours_do_not_fit_comes_alone() -> None:
    units, prob = ranked([A[5]])
    alone = estimate_tokens(A[5].text) + 1 + estimate_tokens(f"[1] {A[5].article.title}:") + 1
    [source] = select(units, prob, sentences_of, alone)
    assert indices(source) == [5]


def test_pinned_sentences_come_first_and_the_search_passages_before_the_rest() -> None:
    units, prob = ranked([A[2], A[3], A[4], A[5], A[6], A[9], B[5]])
    passage = Hit(Chunk("b-c", "b", 0, "", start=B[0].start, end=B[1].end), B[0].article, 1.0)
    lines = [B[3], B[4], B[5], *A[1:8], B[0], B[1]]  # what should fit: all but A[8], A[9]
    heads = [f"[1] {B[0].article.title} (Wire, 2 June 2025):", f"[2] {A[0].article.title}:"]
    budget = sum(estimate_tokens(s.text) + 1 for s in lines) + sum(
        estimate_tokens(h) + 1 for h in heads
    )
    sources = select(units, prob, sentences_of, budget, hits=[passage], pinned=[B[4]])
    assert [s.article.id for s in sources] == ["b", "a"]
    assert indices(sources[0]) == [0, 1, 3, 4, 5]  # pinned 4 (3-5), then the passage (0-1)
    assert 9 not in indices(sources[1])  # the rest of the ranking did not fit


def test_a_source_line_opens_with_title_outlet_and_date_and_forges_no_marker() -> None:
    units, prob = ranked([B[0]])
    [source] = select(units, prob, sentences_of, 10_000)
    assert source.line.startswith("[1] Title of b (Wire, 2 June 2025): Sentence 0 of the second")
    assert "[3]" not in source.line and "(3)" in source.line
    assert "\n" not in source.line


def test_tokens_are_estimated_on_the_safe_side_for_cyrillic() -> None:
    assert estimate_tokens("The talks resumed in Istanbul.") == 8
    assert estimate_tokens("Переговори відновилися в Стамбулі.") > 8


# ---- through the engine --------------------------------------------------------------------


def test_the_engine_shows_the_extractive_answers_sentences_within_the_budget(
    make_settings: Callable[..., Settings], corpus: Path
) -> None:
    question = "What does the Kremlin insist on?"
    wide = Engine(make_settings(), WordHashEmbedder())
    wide.rebuild()
    answer = wide.ask(question)
    sources = wide.evidence(question)
    shown = "\n".join(s.line for s in sources)
    assert all(c.quote.split()[0] in shown for c in answer.citations)
    assert sources[0].article.title == "Kremlin sets terms for a ceasefire"
    narrow = Engine(make_settings(llm_context_tokens=200), WordHashEmbedder())
    cut = narrow.evidence(question)
    assert estimate_tokens("\n".join(s.line for s in cut)) <= 200 + len(cut)
    assert len(cut) < len(sources) or sum(map(len, (s.sentences for s in cut))) < sum(
        len(s.sentences) for s in sources
    )


def test_a_question_declined_before_ranking_shows_nothing(engine: Engine) -> None:
    assert engine.evidence("What is the capital of Peru?") == []


@pytest.mark.parametrize("value", [100, 200_000])
def test_the_budget_setting_is_checked(make_settings: Callable[..., Settings], value: int) -> None:
    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match="TALKS_LLM_CONTEXT_TOKENS"):
        make_settings(llm_context_tokens=value)
