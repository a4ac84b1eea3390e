"""The engine's face: what front doors may use, and `search` beside `ask`."""

from __future__ import annotations

import pytest

import bot.engine as face
from bot.engine import Engine
from bot.errors import BadInput


def test_search_returns_the_passages_ask_cites(engine: Engine) -> None:
    question = "What does the Kremlin insist on?"
    hits = engine.search(question)
    answer = engine.ask(question)
    assert hits and hits[0].article.title == "Kremlin sets terms for a ceasefire"
    assert {c.chunk_id for c in answer.citations} <= {h.chunk.id for h in hits}
    assert len(engine.search(question, k=1)) == 1


def test_search_refuses_an_empty_question(engine: Engine) -> None:
    with pytest.raises(BadInput, match="empty"):
        engine.search("   ")


def test_the_face_exports_what_front_doors_use() -> None:
    for name in face.__all__:
        assert getattr(face, name) is not None
    assert ".md" in Engine.accepted_suffixes and ".jsonl" in Engine.accepted_suffixes
