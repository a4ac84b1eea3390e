"""`talks db init|migrate` and the everyday commands with TALKS_STORE=postgres."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.store import pgschema
from bot.engine.store.pgerrors import DOWN
from tests.cli.conftest import Run
from tests.conftest import article_md
from tests.throwaway_pg import fresh_database

SECRET = "s3cret-pw"


@pytest.fixture
def pg(talks: Run, monkeypatch: pytest.MonkeyPatch) -> Run:
    """`talks` against an empty database; the URL carries a password that must never show."""
    url = fresh_database(migrated=False).replace("postgres:@", f"postgres:{SECRET}@")
    monkeypatch.setenv("TALKS_STORE", "postgres")
    monkeypatch.setenv("TALKS_DATABASE_URL", url)
    return talks


def test_a_database_is_initialised_then_used_like_the_files_store(
    pg: Run, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = pg("ask", "What does the Kremlin demand?")
    assert before.exit_code == 1 and "Run `talks db migrate`" in before.output
    first = pg("db", "init")
    assert first.exit_code == 0 and f"initialised ({pgschema.LATEST} migrations)" in first.output
    assert "already initialised" in pg("db", "init").output
    assert "Run `talks index`" in pg("ask", "What does the Kremlin demand?").output
    built = pg("index")
    assert built.exit_code == 0 and "Indexed 3 articles" in built.output
    assert "postgresql://" in built.output
    assert "Kremlin" in pg("ask", "What does the Kremlin demand?").output
    note = tmp_path / "truce.md"
    note.write_text(
        article_md("Energy truce agreed", "Strikes on power plants stop for thirty days.")
    )
    assert pg("add", str(note)).exit_code == 0
    listed = pg("sources").output
    assert "Energy truce agreed" in listed
    truce = next(line.split("\t")[0] for line in listed.splitlines() if "Energy truce" in line)
    assert pg("remove", truce).exit_code == 0
    assert "Energy truce agreed" not in pg("sources").output
    assert "latest schema" in pg("db", "migrate").output
    assert "up to date" in pg("index", "--if-stale").output
    logged = "\n".join(r.getMessage() for r in caplog.records)
    every = [before, first, built]
    assert all(SECRET not in r.output for r in every) and SECRET not in logged


def test_db_commands_need_the_postgres_store(talks: Run) -> None:
    result = talks("db", "init")
    assert result.exit_code == 1 and "TALKS_STORE=postgres" in result.output


def test_import_moves_the_files_index_without_embedding_again(
    talks: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert talks("index").exit_code == 0
    question = "Where would the talks take place?"
    from_files = talks("ask", question).output
    monkeypatch.setenv("TALKS_STORE", "postgres")
    monkeypatch.setenv("TALKS_DATABASE_URL", fresh_database(migrated=False))
    assert talks("db", "init").exit_code == 0
    moved = talks("db", "import")
    assert moved.exit_code == 0 and "vectors reused, 0 embedded" in moved.output
    assert talks("ask", question).output == from_files


def test_an_unreachable_database_is_one_line(talks: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALKS_STORE", "postgres")
    monkeypatch.setenv("TALKS_DATABASE_URL", f"postgresql://talks:{SECRET}@127.0.0.1:9/none")
    for command in (["db", "init"], ["ask", "What does the Kremlin demand?"]):
        result = talks(*command)
        assert result.exit_code == 1
        assert result.output.strip().splitlines() == [f"error: {DOWN}"]
