"""`talks ask --since --until --outlet`: filtered answers, and one line with exit code 2 for a bad
filter."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Run

QUESTION = "What does the Kremlin insist on?"


def test_outlet_and_window_filter_the_citations_and_keep_the_json_schema(talks: Run) -> None:
    talks("index")
    args = ["--since", "2025-06-01", "--until", "2025-06-30", "--outlet", "example news"]
    result = talks("ask", "--json", *args, QUESTION)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) == {"question", "answer", "abstained", "mode", "language", "citations"}
    assert not answer["abstained"] and "four annexed regions" in answer["answer"]
    assert {(c["outlet"], c["published"]) for c in answer["citations"]} == {
        ("Example News", "2025-06-02")
    }


def test_nothing_in_the_window_is_a_decline_that_says_so(talks: Run) -> None:
    talks("index")
    result = talks("ask", "--since", "2024-01-01", "--until", "2024-02-01", QUESTION)
    assert result.exit_code == 0
    assert result.stdout.strip() == "No indexed article from 2024-01-01 to 2024-02-01 answers this."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2025-13-01"], "--since must be a date as YYYY-MM-DD"),
        (["--until", "June 2025"], "--until must be a date as YYYY-MM-DD"),
        (["--since", "2025-07-01", "--until", "2025-06-01"], "is after the end date"),
        (["--outlet", "Reuters"], "No indexed article is from outlet 'Reuters'"),
    ],
)
def test_a_bad_filter_is_one_line_on_stderr_and_exit_code_2(
    talks: Run, args: list[str], message: str
) -> None:
    talks("index")
    result = talks("ask", *args, QUESTION)
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and message in line
