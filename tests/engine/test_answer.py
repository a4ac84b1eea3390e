"""Answers: hybrid retrieval, citation integrity, abstention, time hints, bad questions."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.engine.engine import Engine
from bot.engine.search.fuse import rrf
from bot.engine.search.retrieve import _misspelt
from bot.engine.search.timeq import time_hint
from bot.errors import BadInput


def assert_citations_sound(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    numbers = [c.n for c in answer.citations]
    assert markers == set(numbers) and numbers == list(range(1, len(numbers) + 1))
    passages = {h.chunk.id: h.chunk.text for h in answer.hits}
    for c in answer.citations:
        assert c.quote in c.article.text
        assert (
            c.quote in passages[c.chunk_id]
        )  # the cited passage was retrieved and holds the quote
    said = [s.strip() for s in re.split(r"\[\d+\]", answer.text) if s.strip()]
    retrieved = " ".join(" ".join(t.split()) for t in passages.values())
    assert all(sentence in retrieved for sentence in said)  # nothing beyond the passages


def test_answers_with_verbatim_cited_sentences(engine: Engine) -> None:
    answer = engine.ask("What does the Kremlin insist on?")
    assert not answer.abstained
    assert "four annexed regions" in answer.text
    assert answer.citations[0].article.title == "Kremlin sets terms for a ceasefire"
    assert_citations_sound(engine, "What does the Kremlin insist on?")


@pytest.mark.parametrize(
    "question",
    [
        "who proposed the meeting?",
        "grain exports from odesa",
        "umerov istanbul",
        "NATO aspirations",
    ],
)
def test_every_citation_points_at_a_retrieved_passage(engine: Engine, question: str) -> None:
    assert_citations_sound(engine, question)


def test_exact_names_are_found_by_bm25(engine: Engine) -> None:
    answer = engine.ask("Umerov")
    assert answer.citations and answer.citations[0].article.title.startswith("Umerov")


def test_a_misspelt_name_is_repaired(engine: Engine) -> None:
    answer = engine.ask("what did umerrov propose")
    assert not answer.abstained and "Umerov" in answer.text


def test_a_known_place_is_not_repaired_into_a_corpus_lookalike() -> None:
    """Typos are repaired; a real place that merely looks like a corpus word is kept, so the
    question about it can be declined instead of answered about "China" or "the Baltic"."""
    assert _misspelt("istambul", "istanbul") and _misspelt("negotations", "negotiations")
    assert _misspelt("sumit", "summit")  # known to English as a name, but one letter off
    assert not _misspelt("chisinau", "china") and not _misspelt("bali", "baltic")


def test_out_of_scope_questions_are_declined(engine: Engine) -> None:
    for question in [
        "What is the capital of Peru?",
        "best borscht recipe",
        "who won the tour de france",
    ]:
        answer = engine.ask(question)
        assert answer.abstained and answer.citations == ()
        assert "don't mention" in answer.text or "do not cover" in answer.text


def test_a_decline_names_what_the_articles_lack(engine: Engine) -> None:
    answer = engine.ask("what did both sides sign at the valletta summit")
    assert answer.abstained and answer.citations == ()
    assert answer.text == "The indexed articles don't mention “valletta”."


def test_an_event_the_articles_do_not_report_is_declined(engine: Engine) -> None:
    """Odesa and talks are in the articles, but no talks in Odesa are."""
    answer = engine.ask("what was agreed at the talks in Odesa")
    assert answer.abstained
    assert "don't report anything on “talks in Odesa”" in answer.text
    assert "a suggestion, not an answer" in answer.text


def test_a_period_the_articles_do_not_reach_is_declined_with_their_span(engine: Engine) -> None:
    engine.today = lambda: date(2026, 12, 1)
    answer = engine.ask("what did umerov propose last week")
    assert answer.abstained
    assert answer.text == (
        "The indexed articles don't cover last week (2026-11-23 to 2026-11-29): "
        "they run from 2022-08-01 to 2025-07-19."
    )


@pytest.mark.parametrize("question", ["", "   ", "x" * 600])
def test_empty_or_huge_questions_are_bad_input(engine: Engine, question: str) -> None:
    with pytest.raises(BadInput):
        engine.ask(question)


def test_a_named_month_prefers_articles_from_then(engine: Engine) -> None:
    answer = engine.ask("what happened with exports in August 2022")
    assert answer.citations[0].article.title.startswith("Grain")


def test_latest_questions_say_as_of_when(engine: Engine) -> None:
    answer = engine.ask("latest on the talks with umerov")
    assert answer.text.startswith("As of 2025-07-19:")


def test_time_hints() -> None:
    assert time_hint("talks in March 2022").start is not None
    assert time_hint("what does putin want rn").latest
    assert not time_hint("who is umerov").latest


def test_rrf_rewards_agreement() -> None:
    fused = rrf([([1, 2, 3], 1.0), ([3, 1, 4], 1.0)])
    assert max(fused, key=fused.__getitem__) == 1
    assert fused[3] > fused[2] and fused[4] < fused[2]
