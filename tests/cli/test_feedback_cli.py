"""`talks feedback export|summary` over a store the bot filled: SQLite beside the index, or the
shared database with TALKS_STORE=postgres."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.engine import Answer
from bot.evaluate.qa import load_qa
from bot.feedback import FILE_NAME, open_feedback
from bot.settings import Settings
from tests.cli.conftest import Run
from tests.throwaway_pg import fresh_database


@pytest.fixture(params=["files", "postgres"])
def talks_on(request: pytest.FixtureRequest, talks: Run, monkeypatch: pytest.MonkeyPatch) -> Run:
    """`talks` with the votes in the files store's SQLite, or in a fresh database."""
    if request.param == "postgres":
        monkeypatch.setenv("TALKS_STORE", "postgres")
        monkeypatch.setenv("TALKS_DATABASE_URL", fresh_database())
    return talks


def test_export_writes_the_downvoted_questions_and_summary_counts(
    talks_on: Run, tmp_path: Path
) -> None:
    talks = talks_on
    store = open_feedback(Settings())  # as the bot opens it
    store.record(1, Answer("Who is Umerov?", "He is [1]."), guild_id=5, channel=6)
    store.record(2, Answer("What does the Kremlin insist on?", "No."), guild_id=5, channel=6)
    store.vote(1, 42, up=True)
    store.vote(2, 42, up=False)
    store.reason(2, 42, "missed the NATO demand")
    result = talks("feedback", "export", str(tmp_path / "set.jsonl"))
    assert result.exit_code == 0, result.output
    assert [i.question for i in load_qa(tmp_path / "set.jsonl")] == [
        "What does the Kremlin insist on?"
    ]
    both = talks("feedback", "export", "--include-up", str(tmp_path / "all.jsonl"))
    assert "Wrote 2 question(s)" in both.stdout
    summary = talks("feedback", "summary")
    assert "2 answers with buttons · 1 👍 · 1 👎 · 50% 👍" in summary.stdout
    assert "👎 What does the Kremlin insist on? — missed the NATO demand" in summary.stdout
    in_sqlite = (tmp_path / "index" / FILE_NAME).exists()
    assert in_sqlite == (os.environ.get("TALKS_STORE") != "postgres")  # votes in the database


def test_export_with_no_votes_is_one_line(talks_on: Run, tmp_path: Path) -> None:
    result = talks_on("feedback", "export", str(tmp_path / "set.jsonl"))
    assert result.exit_code == 1 and "nothing to export" in result.stderr
    assert not (tmp_path / "set.jsonl").exists()
