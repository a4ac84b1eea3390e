"""`talks chat`: a conversation from stdin, with follow-ups read in context."""

from __future__ import annotations

import json

from tests.cli.conftest import Run

ASK_FIRST = "What does the Kremlin insist on?"


def test_chat_json_answers_each_line_and_resolves_a_followup(talks: Run) -> None:
    talks("index")
    stdin = f"{ASK_FIRST}\n\nand what did kyiv say to that?\nWho proposed talks in Istanbul?\n"
    result = talks("chat", "--json", stdin=stdin)
    assert result.exit_code == 0, result.output
    first, follow, alone = (json.loads(line) for line in result.stdout.strip().splitlines())
    assert set(first) == {
        "question",
        "answer",
        "abstained",
        "mode",
        "language",
        "citations",
        "understood_as",
    }
    assert first["understood_as"] == first["question"] == ASK_FIRST
    assert follow["question"] == "and what did kyiv say to that?"
    assert "kremlin" in follow["understood_as"] and "insist" in follow["understood_as"]
    assert "unacceptable" in follow["answer"]  # answered from the article the context points to
    assert alone["understood_as"] == alone["question"]  # stands alone: left as typed
    assert "Umerov" in alone["answer"]


def test_chat_json_reports_a_bad_line_and_goes_on(talks: Run) -> None:
    talks("index")
    result = talks("chat", "--json", stdin="x" * 600 + "\n" + ASK_FIRST + "\n")
    bad, good = (json.loads(line) for line in result.stdout.strip().splitlines())
    assert bad["error"].startswith("Please keep the question under")
    assert "NATO" in good["answer"] and result.exit_code == 1


def test_chat_interactive_prints_understood_as_only_for_a_followup(talks: Run) -> None:
    talks("index")
    stdin = f"{ASK_FIRST}\nand what did kyiv say to that?\n/new\nwhy?\n"
    result = talks("chat", stdin=stdin)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Understood as:") == 1
    assert "Understood as: and what did kyiv say to that (" in result.stdout
    assert "Sources:" in result.stdout


def test_chat_filters_are_checked_before_the_first_question(talks: Run) -> None:
    talks("index")
    result = talks("chat", "--json", "--outlet", "Reuters", stdin=ASK_FIRST + "\n")
    assert result.exit_code == 2 and result.stdout == ""
    assert "No indexed article is from outlet 'Reuters'" in result.stderr
    ok = talks("chat", "--json", "--outlet", "wire", stdin="who proposed talks in istanbul?\n")
    answer = json.loads(ok.stdout)
    assert {c["outlet"] for c in answer["citations"]} == {"Wire"}
