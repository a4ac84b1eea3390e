""" "What does X want now?" answers lead with X's newest attributed statements (answer/positions.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.engine.answer.positions import asks_position, named_side
from bot.engine.engine import Engine
from bot.engine.index.embed import Embedder
from bot.settings import Settings
from tests.cli.test_timeline import COPY, EARLIER, LATER


@pytest.fixture
def positions(
    make_settings: Callable[..., Settings], corpus: Path, fake_embedder: Embedder
) -> Engine:
    for name, text in (("later", LATER), ("earlier", EARLIER), ("copy", COPY)):
        (corpus / f"{name}.md").write_text(text, encoding="utf-8")
    eng = Engine(make_settings(), fake_embedder)
    eng.rebuild()
    return eng


def test_the_newest_statement_leads_and_says_what_it_changes(positions: Engine) -> None:
    answer = positions.ask("What does the Kremlin want now on a ceasefire?")
    assert answer.text.startswith(
        "As of 2025-08-05: Kremlin spokesperson Dmitry Peskov said on Tuesday that Moscow is ready"
    )
    assert (
        "[1] This changes what was said on 2025-07-01: Dmitry Peskov said a ceasefire was not"
        in answer.text
    )
    assert [c.article.url for c in answer.citations] == [
        "https://example.org/peskov-ready",
        "https://example.org/peskov-no",
        "https://example.org/kremlin-terms",
    ]
    evidence = {h.chunk.id: h.chunk.text for h in answer.hits}
    assert all(c.quote in evidence[c.chunk_id] for c in answer.citations)  # cited and retrieved
    assert answer.as_of == date(2025, 8, 5)


def test_a_person_is_asked_about_not_the_whole_side(positions: Engine) -> None:
    answer = positions.ask("What does Zelenskyy demand now?")
    assert answer.text.startswith('As of 2025-06-02: "We will not trade land for peace," Zelenskyy')
    assert answer.text.count("We will not trade land") == 1  # not quoted twice


def test_filters_and_periods_bound_the_statements(positions: Engine) -> None:
    early = positions.ask("What does Peskov say now on a ceasefire?", until=date(2025, 7, 31))
    assert early.text.startswith("As of 2025-07-01: Dmitry Peskov said a ceasefire was not")
    wire = positions.ask("What does Peskov say now on a ceasefire?", outlet="Example News")
    assert "Peskov said" not in wire.text  # Peskov is quoted only by Wire and Mirror
    positions.today = lambda: date(2026, 12, 1)
    assert positions.ask("what did Peskov say last week").abstained  # a period: no lead


def test_other_questions_are_left_alone(positions: Engine) -> None:
    assert not asks_position("When did the grain corridor reopen?")
    assert named_side("what does putin want", positions.parties()) is not None
    assert named_side("what does the pope want", positions.parties()) is None
    plain = positions.ask("When did the grain corridor reopen?")
    assert "Peskov" not in plain.text
    # Not about now: the sentences that answer best lead, whatever their date.
    assert not positions.ask("What does Zelenskyy demand?").text.startswith("As of")


def test_the_side_named_first_is_the_one_asked_about(positions: Engine) -> None:
    """A follow-up carries the earlier turn's names after the question: "(… kremlin)"."""
    side = named_side(
        "and what did kyiv say to that (demand, ceasefire, kremlin)?", positions.parties()
    )
    assert side is not None and side.name == "Ukraine"


def test_the_lead_and_the_answer_keep_to_the_sentence_limit(positions: Engine) -> None:
    """Sentences of a lead statement's article stay, cited with its number; three in all."""
    answer = positions.ask("What does Zelenskyy demand now?")
    markers = re.findall(r"\[(\d+)\]", answer.text)
    assert len(markers) <= 3
    numbers = {c.article.id: c.n for c in answer.citations}
    assert len(numbers) == len(answer.citations)  # one number per article
    assert sorted({int(n) for n in markers}) == sorted(c.n for c in answer.citations)
