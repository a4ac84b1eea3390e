"""The CLI's own words in the asker's language: labels of `talks ask`/`talks chat`/`talks
timeline`, and one-line errors about a question; quotes stay as the article wrote them.

The fake embedder matches words, not meanings, so a Ukrainian question is answered here from a
Ukrainian article (across languages it would only decline).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.conftest import article_md

DEMANDS_UK = article_md(
    "Кремль висунув умови перемир'я",
    """
    Кремль вимагає, щоб Україна відмовилася від вступу до НАТО та вивела війська з чотирьох
    областей, заявив речник Дмитро Пєсков.

    У Києві ці вимоги назвали неприйнятними.
    """,
    url="https://example.org/kreml-vymogy",
    outlet="Приклад",
    published="2025-06-03",
    language="uk",
)
QUOTE_UK = "Кремль вимагає, щоб Україна відмовилася від вступу до НАТО"
ASK_UK = "Що вимагає Кремль від України?"
ASK_RU = "Чего требует Кремль от Украины?"


@pytest.fixture
def indexed(talks: Run, corpus: Path) -> Run:
    (corpus / "vymogy.md").write_text(DEMANDS_UK, encoding="utf-8")
    assert talks("index").exit_code == 0
    return talks


def test_a_ukrainian_question_gets_ukrainian_labels_and_the_quote_verbatim(indexed: Run) -> None:
    result = indexed("ask", ASK_UK, "What does the Kremlin insist on?")
    assert result.exit_code == 0, result.output
    ukrainian, english = result.stdout.split("\n\nQ: ")
    assert ukrainian.startswith(f"Запитання: {ASK_UK}")
    assert "Джерела:" in ukrainian and "Sources:" not in ukrainian
    assert QUOTE_UK in ukrainian and "[1] Кремль висунув умови перемир'я (Приклад" in ukrainian
    assert english.startswith("What does the Kremlin insist on?") and "Sources:" in english


def test_json_says_the_language_of_the_bots_words(indexed: Run) -> None:
    result = indexed("ask", "--json", ASK_UK, ASK_RU, "What does the Kremlin insist on?")
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["language"] for a in answers] == ["uk", "ru", "en"]
    assert "Sources" not in answers[0]["answer"] and answers[0]["citations"]


def test_a_decline_in_russian_is_russian(indexed: Run) -> None:
    result = indexed("ask", "Кто выиграл чемпионат мира по футболу в 2018 году?")
    assert result.exit_code == 0, result.output
    assert "Источники:" not in result.stdout and "Sources" not in result.stdout
    assert "статьи" in result.stdout or "статей" in result.stdout  # "проиндексированные статьи…"


def test_errors_about_a_question_are_in_its_language(talks: Run) -> None:
    missing = talks("ask", ASK_UK)  # nothing indexed yet
    assert missing.exit_code == 1
    assert missing.output.startswith("помилка: У ") and "Виконайте `talks index`." in missing.output
    talks("index")
    long = talks("ask", "Чего требует Кремль от Украины на переговорах? " * 12)
    assert long.exit_code == 2
    assert long.output.strip() == ("ошибка: Пожалуйста, сократите вопрос до 500 символов.")
    english = talks("ask", "What does the Kremlin insist on? " * 20)
    assert english.output.strip() == "error: Please keep the question under 500 characters."


def test_chat_json_tells_an_error_in_the_questions_language(talks: Run) -> None:
    result = talks("chat", "--json", stdin=f"{ASK_RU}\n")  # nothing indexed yet
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    error = json.loads(line)
    assert error["question"] == ASK_RU
    assert error["error"].startswith("В ") and "Выполните `talks index`." in error["error"]


def test_timeline_labels_follow_the_language_of_what_was_typed(indexed: Run) -> None:
    result = indexed("timeline", "Росія")
    assert result.exit_code == 0, result.output
    head, _, *entries = result.stdout.splitlines()
    assert head.startswith("Russia: ") and head.endswith(", спершу найдавніші"), head
    assert entries[1].startswith("    “The Kremlin insists any peace deal must include")
    nothing = indexed("timeline", "Кремль", "--topic", "вимоги щодо футболу")
    assert nothing.stdout.startswith("У проіндексованих статтях немає заяв: Russia про «")
