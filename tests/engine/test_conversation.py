"""Follow-up resolution on the written conversation set (tests/engine/data/conversations.json)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.engine.conversation import Resolution, Turn, parts, points_back, resolve

DATA = Path(__file__).parent / "data" / "conversations.json"
TODAY = date(2025, 9, 1)
ACCURACY_FLOOR = 0.9  # of the turns after the first; the set holds ≥ 40 conversations


def conversations() -> list[dict[str, Any]]:
    return list(json.loads(DATA.read_text(encoding="utf-8"))["conversations"])


def judge(turn: dict[str, Any], got: Resolution) -> list[str]:
    """What is wrong with one resolved turn (empty: right)."""
    text = got.text.casefold()
    wrong = []
    if got.followup != turn["followup"]:
        wrong.append(f"followup={got.followup}")
    wrong += [f"missing {w!r}" for w in turn.get("has", []) if w.casefold() not in text]
    wrong += [f"kept {w!r}" for w in turn.get("lacks", []) if w.casefold() in text]
    return wrong


def run(conversation: dict[str, Any]) -> list[tuple[str, Resolution, list[str]]]:
    history: list[Turn] = []
    out = []
    for i, turn in enumerate(conversation["turns"]):
        got = resolve(turn["q"], history, today=TODAY)
        if i:
            out.append((turn["q"], got, judge(turn, got)))
        history.append(Turn(turn["q"], got.text, "answer text"))
    return out


def accuracy() -> tuple[float, list[str]]:
    judged = [r for c in conversations() for r in run(c)]
    failures = [f"{q!r} → {got.text!r}: {', '.join(w)}" for q, got, w in judged if w]
    return 1 - len(failures) / len(judged), failures


def test_the_set_is_big_enough_and_half_casual() -> None:
    convs = conversations()
    assert len(convs) >= 40
    assert sum(c["casual"] for c in convs) * 2 >= len(convs)
    assert all(2 <= len(c["turns"]) <= 3 for c in convs)
    standalone = [t for c in convs for t in c["turns"][1:] if not t["followup"]]
    assert len(standalone) >= 10  # follow-ups that must not inherit context


def test_resolution_accuracy_on_the_set_meets_the_floor() -> None:
    score, failures = accuracy()
    assert score >= ACCURACY_FLOOR, "\n".join(failures)


def test_a_first_question_is_never_changed() -> None:
    assert resolve("  why?  ", []) == Resolution("why?", followup=False)


def test_a_standalone_question_is_left_exactly_as_typed() -> None:
    history = [Turn("What did Putin say about NATO in June 2025?")]
    typed = "What did the IAEA report about the cooling pond?"
    got = resolve(typed, history)
    assert got == Resolution(typed, followup=False) and not got.differs(typed)


def test_a_chain_of_followups_keeps_the_first_context() -> None:
    first = Turn("Did Witkoff meet Putin in Moscow in April 2025?")
    second = resolve("what did they discuss?", [first])
    third = resolve("why?", [first, Turn("what did they discuss?", second.text)])
    assert "april 2025" in third.text.casefold() and "witkoff" in third.text


def test_own_period_and_names_replace_the_earlier_ones() -> None:
    history = [Turn("What did Putin say about NATO in June 2025?")]
    got = resolve("and zelensky in july 2025?", history)
    assert got.followup and "nato" in got.text and "june" not in got.text.casefold()
    assert "putin" not in got.text


def test_names_the_index_knows_count_as_names() -> None:
    history = [Turn("What did the delegations sign in Valletta?")]
    known = parts("what did Borg say", is_name=lambda w: w == "borg")
    assert known.names == ("borg",) and not known.topic
    got = resolve("what did borg say", history, is_name=lambda w: w == "borg")
    assert "valletta" in got.text and got.borrowed


@pytest.mark.parametrize(
    ("question", "back"),
    [
        ("what did kyiv say to that", True),
        ("is that true", True),
        ("the deal that was signed in riyadh", False),
        ("did putin say that the talks were over", False),
        ("is there a ceasefire", False),
        ("who else was there", True),
        ("what did they agree", True),
    ],
)
def test_what_points_back(question: str, back: bool) -> None:
    assert points_back(question) is back
