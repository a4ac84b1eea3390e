"""A PostgreSQL server of the tests' own, to stop, restart and reconfigure as an operator would,
without disturbing the server every other test shares (tests/throwaway_pg.py)."""

from __future__ import annotations

import tempfile
import uuid
import warnings
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.engine.store import pgschema
from tests.throwaway_pg import _with_database, server_url


class OwnServer:
    def __init__(self) -> None:
        server_url()  # skips the test where the bundled server cannot start
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver
            from pgserver import _commands

        self._pg_ctl = _commands.pg_ctl
        self.server: Any = pgserver.get_server(
            Path(tempfile.mkdtemp(prefix="talks-ops-pg-")), cleanup_mode="delete"
        )

    @property
    def url(self) -> str:
        return str(self.server.get_uri())

    def database(self, *, migrated: bool = True) -> str:
        name = f"o_{uuid.uuid4().hex[:12]}"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name}")
        url = _with_database(self.url, name)
        if migrated:
            pgschema.migrate(url)
        return url

    def admin(self, url: str | None = None) -> psycopg.Connection[Any]:
        return psycopg.connect(url or self.url, autocommit=True)

    def _ctl(self, *args: str) -> None:
        self._pg_ctl(["-w", *args], pgdata=self.server.pgdata, user=self.server.system_user)

    def restart(self) -> None:
        """A fast restart: every session is ended, the server is back when this returns."""
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        """A crash: no checkpoint, every session cut."""
        self._ctl("-m", "immediate", "stop")

    def start(self) -> None:
        self.server.ensure_postgres_running()


@pytest.fixture(scope="session")
def own_pg() -> OwnServer:
    return OwnServer()
