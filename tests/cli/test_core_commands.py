"""`talks index`, `talks ask`, `talks sources`: what a user types and sees."""

from __future__ import annotations

import json
import re

from tests.cli.conftest import Run


def test_index_then_ask_prints_answer_and_numbered_sources(talks: Run) -> None:
    built = talks("index")
    assert built.exit_code == 0, built.output
    assert "Indexed 3 articles" in built.output
    result = talks("ask", "What does the Kremlin insist on?")
    assert result.exit_code == 0
    assert "four annexed regions" in result.output
    assert "Sources:" in result.output
    assert "[1] Kremlin sets terms for a ceasefire (Example News, 2025-06-02)" in result.output


def test_ask_json_prints_one_object_per_question(talks: Run) -> None:
    talks("index")
    result = talks(
        "ask", "--json", "What does the Kremlin insist on?", "What is the capital of Peru?"
    )
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"question", "answer", "abstained", "mode", "language", "citations"}
    assert first["mode"] == "extractive"  # no language model configured
    assert first["abstained"] is False and first["citations"]
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", first["answer"])}
    assert cited == {c["n"] for c in first["citations"]}
    c = first["citations"][0]
    assert set(c) == {"n", "title", "outlet", "published", "url", "source", "quote"}
    assert c["published"] == "2025-06-02" and c["url"] == "https://example.org/kremlin-terms"
    assert second == {
        "question": "What is the capital of Peru?",
        "answer": second["answer"],
        "abstained": True,
        "mode": "extractive",
        "language": "en",
        "citations": [],
    }


def test_index_if_stale_skips_an_unchanged_corpus(talks: Run) -> None:
    talks("index")
    again = talks("index", "--if-stale")
    assert again.exit_code == 0 and "up to date" in again.output


def test_sources_lists_what_is_indexed(talks: Run) -> None:
    talks("index")
    result = talks("sources")
    assert "Umerov proposes new round of talks" in result.output
    assert "3 articles" in result.output


def test_errors_are_one_line_and_exit_nonzero(talks: Run) -> None:
    missing = talks("ask", "anything about the talks?")
    assert missing.exit_code != 0
    assert "talks index" in missing.output and "Traceback" not in missing.output
    talks("index")
    empty = talks("ask", "   ")
    assert empty.exit_code != 0 and "empty" in empty.output


def test_invalid_setting_fails_at_start_with_one_line(talks: Run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TALKS_TOP_K", "lots")
    result = talks("index")
    assert result.exit_code != 0
    assert "TALKS_TOP_K" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_broken_corpus_file_is_reported_and_the_rest_indexed(talks: Run, corpus) -> None:  # type: ignore[no-untyped-def]
    (corpus / "broken.md").write_text("---\ntitle: [oops\n---\ntext", encoding="utf-8")
    result = talks("index")
    assert result.exit_code == 0
    assert "broken.md" in result.output and "Indexed 3 articles" in result.output
