"""Feedback votes: one changeable vote per user per answer, no user ids stored, export to eval."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from bot.engine import Answer, Article, Citation
from bot.errors import BadInput
from bot.evaluate.qa import load_qa
from bot.feedback import Feedback

ARTICLE = Article(
    "a1", "Kremlin sets terms", "text", "a.md", outlet="Wire", published=date(2025, 6, 2)
)


def answer(question: str, text: str = "The Kremlin insists [1].") -> Answer:
    cited = (Citation(1, ARTICLE, "The Kremlin insists.", "c1"),)
    return Answer(question, text, cited, understood_as=question + " (kremlin)")


@pytest.fixture
def store(tmp_path: Path) -> Feedback:
    clock = iter(range(1000))
    return Feedback(tmp_path / "feedback.sqlite", clock=lambda: float(next(clock)))


def test_one_vote_per_user_per_answer_and_it_can_change(store: Feedback) -> None:
    store.record(10, answer("q1"), guild_id=1, channel=2)
    assert store.vote(10, user_id=555, up=True)
    assert store.vote(10, user_id=555, up=True)  # the same click again: still one vote
    assert store.vote(10, user_id=777, up=False)
    s = store.summary()
    assert (s.answers, s.up, s.down, s.rate) == (1, 1, 1, 0.5)
    store.vote(10, user_id=555, up=False)
    store.reason(10, user_id=555, text="  cites the\nwrong   article ")
    s = store.summary()
    assert (s.up, s.down) == (0, 2)
    assert s.latest_down[0].reason == "cites the wrong article"
    assert not store.vote(99, user_id=555, up=True)  # an answer never recorded


def test_no_user_id_is_stored_only_a_salted_hash(store: Feedback, tmp_path: Path) -> None:
    store.record(10, answer("q1"), guild_id=1, channel=2)
    store.vote(10, user_id=123456789012345678, up=False)
    dump = "\n".join(sqlite3.connect(tmp_path / "feedback.sqlite").iterdump())
    assert "123456789012345678" not in dump
    again = Feedback(tmp_path / "feedback.sqlite")  # the salt survives a restart
    assert again.voter(123456789012345678) == store.voter(123456789012345678)
    assert Feedback(tmp_path / "other.sqlite").voter(1) != store.voter(1)  # salted per store


def test_export_writes_an_eval_question_set_of_the_downvoted(
    store: Feedback, tmp_path: Path
) -> None:
    store.record(10, answer("bad one"), guild_id=1, channel=2)
    store.record(11, answer("good one"), guild_id=1, channel=2)
    store.vote(10, 1, up=False)
    store.reason(10, 1, "wrong date")
    store.vote(11, 1, up=True)
    out = tmp_path / "feedback.jsonl"
    assert store.export(out) == 1
    [item] = load_qa(out)  # `talks eval` reads it
    assert (
        item.question == "bad one (kremlin)" and item.facts == () and item.source == ARTICLE.title
    )
    raw = json.loads(out.read_text(encoding="utf-8"))
    assert raw["reasons"] == "wrong date" and raw["asked"] == "bad one"
    assert store.export(out, include_up=True) == 2


def test_export_with_nothing_voted_says_so(store: Feedback, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="nothing to export"):
        store.export(tmp_path / "x.jsonl")
