"""Every database failure an operator meets is one line that says what to do, without the
password: a malformed URL, a server that is down, a refused login, a missing database, a role
without grants, pgvector out of a role's reach, a schema older than the code."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bot.engine.store import pgerrors
from tests.cli.conftest import Run
from tests.conftest import article_md
from tests.ops.server import OwnServer, own_pg  # noqa: F401  (the fixture)
from tests.throwaway_pg import _with_database, fresh_database, server_url

SECRET = "s3cret-pw"
ASK = ("ask", "What does the Kremlin demand?")


def one_line(result: object, *, code: int = 1) -> str:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == code, output  # type: ignore[attr-defined]
    assert SECRET not in output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return str(lines[0])


@pytest.fixture
def with_url(talks: Run, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("TALKS_STORE", "postgres")
    return talks


MALFORMED = [  # each with another command: every one reads the settings first
    (f"postgresql+psycopg://talks:{SECRET}@localhost:5432/talks", ASK),
    (f"http://talks:{SECRET}@localhost:5432/talks", ("chat", "--json")),
    (f"postgresql//talks:{SECRET}@localhost:5432/talks", ("db", "init")),  # scheme's colon lost
    (f"postgresql://talks:{SECRET}@localhost:54x2/talks", ("index",)),
    (f"host=localhost password={SECRET} dbname=talks", ("add", "x.md")),
]


@pytest.mark.parametrize(
    ("url", "command"), MALFORMED, ids=["dialect", "http", "no-colon", "port", "key-value"]
)
def test_a_malformed_url_stops_the_command_in_one_line_without_the_password(
    url: str, command: tuple[str, ...], tmp_path: Path
) -> None:
    """As an operator runs it: a real process, its whole stdout and stderr."""
    env = {**os.environ, "TALKS_STORE": "postgres", "TALKS_DATABASE_URL": url}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("talks")), *command],
        env=env,
        cwd=tmp_path,
        input="what does the kremlin want?\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert SECRET not in done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "error: Invalid setting TALKS_DATABASE_URL: it must be a URL such as "
        "postgresql://user:password@host:5432/database (scheme postgresql:// or "
        "postgres://, a numeric port, and characters such as @ / : in the password "
        "percent-encoded)."
    ]


def test_a_server_that_is_not_there_is_down_or_restarting(
    with_url: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = f"postgresql://talks:{SECRET}@/talks?host={tmp_path}/no-server-here"
    monkeypatch.setenv("TALKS_DATABASE_URL", missing)
    for command in (ASK, ("db", "migrate"), ("index",), ("sources",)):
        assert one_line(with_url(*command)) == f"error: {pgerrors.DOWN}"


def test_a_missing_database(with_url: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _with_database(server_url(), "no_such_database").replace(
        "postgres:@", f"postgres:{SECRET}@"
    )
    monkeypatch.setenv("TALKS_DATABASE_URL", url)
    assert one_line(with_url(*ASK)) == f"error: {pgerrors.NO_DATABASE}"


def test_a_refused_login(with_url: Run, monkeypatch: pytest.MonkeyPatch, own_pg: OwnServer) -> None:  # noqa: F811
    role = f"pw_{uuid.uuid4().hex[:8]}"
    hba = Path(own_pg.server.pgdata) / "pg_hba.conf"
    hba.write_text(f"local all {role} scram-sha-256\n" + hba.read_text())
    with own_pg.admin() as admin:
        admin.execute("SELECT pg_reload_conf()")
        admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'the-right-one'")
    url = own_pg.database().replace("postgres:@", f"{role}:{SECRET}@")
    monkeypatch.setenv("TALKS_DATABASE_URL", url)
    assert one_line(with_url(*ASK)) == f"error: {pgerrors.LOGIN}"


def _role(*, owner_of: str | None = None) -> tuple[str, str]:
    """A new login role (no password: the test server trusts local logins) and its URL."""
    import psycopg

    role = f"r_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url(), autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        if owner_of:
            admin.execute(f"CREATE DATABASE {owner_of} OWNER {role}")
    return role, f"postgresql://{role}:{SECRET}@"


def test_a_role_without_grants(with_url: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    role, _ = _role()
    url = fresh_database().replace("postgres:@", f"{role}:{SECRET}@")
    monkeypatch.setenv("TALKS_DATABASE_URL", url)
    line = one_line(with_url(*ASK))
    assert line.startswith("error: The database user may not do this (permission denied for")
    assert "grant it access to the talks tables" in line


def test_pgvector_out_of_a_roles_reach(with_url: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"v_{uuid.uuid4().hex[:8]}"
    role, _ = _role(owner_of=name)
    url = _with_database(server_url(), name).replace("postgres:@", f"{role}:{SECRET}@")
    monkeypatch.setenv("TALKS_DATABASE_URL", url)
    assert one_line(with_url("db", "init")) == f"error: {pgerrors.NO_VECTOR}"


def test_a_schema_older_than_the_code(with_url: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    url = fresh_database()
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("DELETE FROM talks_migrations WHERE version > 2")
    monkeypatch.setenv("TALKS_DATABASE_URL", url.replace("postgres:@", f"postgres:{SECRET}@"))
    for command in (ASK, ("index",), ("chat", "--json")):
        line = one_line(with_url(*command, stdin="what does the kremlin want?\n"))
        assert "schema version 2" in line and "Run `talks db migrate`" in line


def test_a_role_with_the_readmes_grants_answers_and_writes(
    with_url: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import psycopg

    role, _ = _role()
    url = fresh_database()
    with psycopg.connect(url, autocommit=True) as owner:
        owner.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        owner.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        owner.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    monkeypatch.setenv("TALKS_STORE", "postgres")
    monkeypatch.setenv("TALKS_DATABASE_URL", url)
    assert with_url("index").exit_code == 0  # the owner builds the first index (and HNSW index)
    monkeypatch.setenv("TALKS_DATABASE_URL", url.replace("postgres:@", f"{role}:{SECRET}@"))
    assert "Kremlin" in with_url(*ASK).output
    note = tmp_path / "truce.md"
    note.write_text(
        article_md("Energy truce agreed", "Strikes on power plants stop for thirty days.")
    )
    added = with_url("add", str(note))
    assert added.exit_code == 0, added.output
