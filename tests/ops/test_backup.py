"""The README's backup and restore of the store, run as written: pg_dump of the database, then
pg_restore into an empty one, answers exactly as before (vectors, BM25 side, live generation,
sequences and all)."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg

from bot.engine.engine import Engine
from bot.settings import Settings
from tests.conftest import WordHashEmbedder, article_md
from tests.throwaway_pg import _with_database, fresh_database, server_url

QUESTIONS = ["What does the Kremlin demand?", "When did the grain ships leave Odesa?"]


def pg_tool(name: str) -> str:
    from pgserver._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def test_a_dump_restored_into_an_empty_database_answers_the_same(
    make_settings: Callable[..., Settings], corpus: Path, tmp_path: Path
) -> None:
    url = fresh_database()
    before = Engine(make_settings(store="postgres", database_url=url), WordHashEmbedder())
    before.rebuild()
    dump = tmp_path / "talks.dump"
    subprocess.run([pg_tool("pg_dump"), "--format=custom", f"--file={dump}", url], check=True)
    name = f"restored_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    restored = _with_database(server_url(), name)
    subprocess.run(
        [pg_tool("pg_restore"), "--no-owner", f"--dbname={restored}", str(dump)], check=True
    )
    after = Engine(make_settings(store="postgres", database_url=restored), WordHashEmbedder())
    assert after.generation().name == before.generation().name
    for question in QUESTIONS:
        assert after.ask(question).text == before.ask(question).text
    extra = tmp_path / "extra.md"
    extra.write_text(
        article_md(
            "Envoys meet again in Geneva",
            "Envoys of both sides met in Geneva on Monday for a new round of talks on prisoner "
            "exchanges and the safety of the nuclear plant, the mediators said in a statement.",
        )
    )
    assert after.add([str(extra)]).added  # the sequences came along too
