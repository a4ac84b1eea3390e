"""A long-lived `talks chat --json` against a PostgreSQL server that does what servers do: an
administrator cancels its query, a statement timeout fires, the server restarts while it idles
and while it answers, a migration alters a table under it. Driven as an operator would: a real
process reading questions on stdin; every wait is on an event (a line printed, a session seen
waiting in pg_stat_activity), never on a sleep."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.engine.engine import Engine
from bot.engine.index.embed import Embedder
from bot.engine.store.pgerrors import CANCELLED
from bot.settings import Settings
from tests.ops.server import OwnServer, own_pg  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
QUESTION = "What does the Kremlin demand?"
READERS = "application_name = 'talks' AND datname = current_database()"


class Chat:
    """`talks chat --json` in its own process: one question in, one JSON line out."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("talks")), "chat", "--json"],
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def send(self, question: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(question + "\n")
        self.proc.stdin.flush()

    def line(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        text = self.proc.stdout.readline()
        assert text, f"talks chat ended: {self.stderr()}"
        return dict(json.loads(text))

    def ask(self, question: str) -> dict[str, Any]:
        self.send(question)
        return self.line()

    def close(self) -> tuple[int, str]:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=60), self.stderr()

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        return self.proc.stderr.read() if self.proc.poll() is not None else ""


def until(found: Callable[[], Any], what: str, seconds: float = 60.0) -> Any:
    """Poll for an event (a row in pg_stat_activity), up to a generous deadline."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


def waiting_reader(url: str) -> int:
    """The pid of a talks reader waiting for a lock (its question is under way)."""

    def look() -> int | None:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(
                f"SELECT pid FROM pg_stat_activity WHERE {READERS} AND wait_event_type = 'Lock'"
            ).fetchone()
        return int(row[0]) if row else None

    return int(until(look, "a talks question waiting on the locked table"))


@pytest.fixture
def chat_env(
    own_pg: OwnServer,  # noqa: F811
    make_settings: Callable[..., Settings],
    corpus: Path,
    real_embedder: Embedder,
    tmp_path: Path,
) -> Iterator[tuple[dict[str, str], str]]:
    url = own_pg.database()
    Engine(make_settings(store="postgres", database_url=url), real_embedder).rebuild()
    env = {
        **os.environ,
        "TALKS_STORE": "postgres",
        "TALKS_DATABASE_URL": url,
        "TALKS_CORPUS_DIR": str(corpus),
        "TALKS_INDEX_DIR": str(tmp_path / "index"),
        "HF_HUB_OFFLINE": "1",
    }
    yield env, url


def answered(reply: dict[str, Any]) -> bool:
    return "error" not in reply and bool(reply.get("answer"))


def test_chat_keeps_answering_through_cancels_restarts_and_a_migration(
    chat_env: tuple[dict[str, str], str],
    own_pg: OwnServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    env, url = chat_env
    chat = Chat(env, tmp_path)
    assert answered(chat.ask(QUESTION))

    # Idle: no transaction, no snapshot held, so VACUUM and a migration go through.
    with own_pg.admin(url) as admin:
        held = admin.execute(
            f"SELECT count(*) FILTER (WHERE state <> 'idle' OR backend_xmin IS NOT NULL),"
            f" count(*) FROM pg_stat_activity WHERE {READERS}"
        ).fetchone()
        assert held is not None and held[0] == 0 and held[1] >= 1
        admin.execute("SET lock_timeout = '5s'")
        admin.execute("ALTER TABLE articles ADD COLUMN reviewed BOOLEAN")
        admin.execute("ALTER TABLE articles DROP COLUMN reviewed")
    assert answered(chat.ask(QUESTION))

    # An administrator cancels the running query: one error line, then the next is answered.
    with own_pg.admin(url) as locker, locker.transaction():
        locker.execute("LOCK TABLE chunks IN ACCESS EXCLUSIVE MODE")
        chat.send("and what did kyiv say?")
        with own_pg.admin(url) as admin:
            admin.execute("SELECT pg_cancel_backend(%s)", [waiting_reader(url)])
        failed = chat.line()
    assert failed == {"question": "and what did kyiv say?", "error": CANCELLED}
    assert answered(chat.ask(QUESTION))

    # The server restarts while the chat idles.
    own_pg.restart()
    assert answered(chat.ask(QUESTION))

    # …and while a question is under way: it is read again on a fresh connection.
    locker = own_pg.admin(url)
    locker.execute("BEGIN")
    locker.execute("LOCK TABLE chunks IN ACCESS EXCLUSIVE MODE")
    chat.send(QUESTION)
    waiting_reader(url)
    own_pg.restart()
    assert answered(chat.line())
    locker.close()

    # A statement timeout (the database's setting, which new sessions take).
    database = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with own_pg.admin(url) as admin:
        admin.execute(f"ALTER DATABASE {database} SET statement_timeout = '200ms'")
        admin.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {READERS}")
    with own_pg.admin(url) as locker, locker.transaction():
        locker.execute("LOCK TABLE chunks IN ACCESS EXCLUSIVE MODE")
        timed_out = chat.ask("where would the talks take place?")
    assert timed_out == {"question": "where would the talks take place?", "error": CANCELLED}
    with own_pg.admin(url) as admin:
        admin.execute(f"ALTER DATABASE {database} RESET statement_timeout")
        admin.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {READERS}")
    assert answered(chat.ask(QUESTION))

    code, stderr = chat.close()
    assert code == 1  # two lines failed, and said so
    assert "Traceback" not in stderr and "psycopg" not in stderr, stderr


def test_talks_add_of_25_articles_with_a_2s_idle_in_transaction_timeout(
    chat_env: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    """The issue's case as an operator runs it: the real model embeds 25 articles for longer
    than the server lets a transaction idle; the writer holds none open meanwhile."""
    from tests.ops.test_writes import articles

    env, url = chat_env
    database = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {database} SET idle_in_transaction_session_timeout = '2s'")
    paths = articles(tmp_path / "incoming", n=25, paragraphs=40)  # ≈ 200 passages: seconds
    done = subprocess.run(
        [str(Path(sys.executable).with_name("talks")), "add", *paths],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "Added 25 article(s)" in done.stdout
    assert "Traceback" not in done.stderr
