"""The readers' connections: one pool per store, lent for one short transaction at a time.

A reader borrows a connection for one READ ONLY REPEATABLE READ transaction — a whole question
(PgSnapshot.reading) or a single read — and gives it back: between questions no transaction, no
snapshot and no lock is held, so VACUUM and a migration's ALTER TABLE never wait for an idle bot.
The pool checks a connection before lending it (a server restart leaves the idle ones broken)
and replaces a broken one; a failed statement (a cancelled query, a statement timeout) is rolled
back before its connection goes back, so the next question starts clean. A read that loses its
connection mid-way is run once more on a fresh one.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg import IsolationLevel
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.engine.store import pgschema
from bot.engine.store.pgerrors import ConnectionLost, translated
from bot.errors import DatabaseError, TalksError

log = logging.getLogger(__name__)
T = TypeVar("T")
Conn = psycopg.Connection[Any]

POOL_SIZE = 5  # default TALKS_DATABASE_POOL_SIZE: the bot answers on ≤ 6 worker threads
POOL_WAIT = 10.0  # seconds a read waits for a connection: rides out a server restart
MAX_IDLE = 300.0  # a connection above the one kept warm is closed after idling this long
# Set by every reading session for itself (a server-wide value may be far lower): a question's
# transaction spans only its own computing between two queries, never a wait for a person.
READER_IDLE_TIMEOUT = "1min"


class Readers:
    """A lazily opened connection pool for one database, closed when the store goes."""

    def __init__(self, url: str, size: int, session: Mapping[str, str]) -> None:
        self.url = url
        self.size = size
        self.session = {"idle_in_transaction_session_timeout": READER_IDLE_TIMEOUT, **session}
        self._pool: ConnectionPool[Conn] | None = None
        self._lock = threading.Lock()

    def _opened(self) -> ConnectionPool[Conn]:
        with self._lock:
            if self._pool is None:
                # One plain connect first: a wrong URL, a refused login, a missing database or
                # an old schema fails at once with its own message, not after POOL_WAIT.
                pgschema.connect(self.url, autocommit=True, session=self.session).close()
                pool: ConnectionPool[Conn] = ConnectionPool(
                    pgschema.conninfo(self.url, pgschema.READER, self.session),
                    min_size=1,
                    max_size=self.size,
                    open=False,
                    configure=_configure,
                    check=ConnectionPool.check_connection,
                    timeout=POOL_WAIT,
                    max_idle=MAX_IDLE,
                    num_workers=1,
                    name="talks",
                )
                pool.open()
                weakref.finalize(self, _close, pool)
                self._pool = pool
            return self._pool

    @contextmanager
    def transaction(self) -> Iterator[Conn]:
        """A pooled connection for one transaction: committed after the block, rolled back
        after an error; a broken connection is replaced by the pool."""
        pool = self._opened()
        try:
            conn = pool.getconn()
        except PoolTimeout:
            raise self._why_no_connection() from None
        ok = False
        try:
            yield conn
            ok = True
        finally:
            _end(conn, ok)
            pool.putconn(conn)

    def run(self, work: Callable[[Conn], T]) -> T:
        """`work` in its own short transaction; once more if its connection was lost."""
        try:
            with self.transaction() as conn, translated():
                return work(conn)
        except ConnectionLost:
            log.debug("database connection lost during a read; reading again")
        with self.transaction() as conn, translated():
            return work(conn)

    def _why_no_connection(self) -> TalksError:
        """No connection came within POOL_WAIT: the server's own answer says why, or the
        pool is simply exhausted."""
        try:
            pgschema.open_connection(self.url).close()
        except TalksError as exc:
            return exc
        return DatabaseError(
            f"All {self.size} database connections of this process stayed busy for "
            f"{POOL_WAIT:.0f} s; try again, or raise TALKS_DATABASE_POOL_SIZE."
        )


def _configure(conn: Conn) -> None:
    """A new pooled connection: the vector type, and read-only REPEATABLE READ transactions
    (one snapshot for everything a question reads). Its session settings came with it."""
    from pgvector.psycopg import register_vector

    conn.autocommit = True  # outside a transaction: the server's idle timeout cannot cut this
    register_vector(conn)
    conn.autocommit = False
    conn.isolation_level = IsolationLevel.REPEATABLE_READ
    conn.read_only = True


def _close(pool: ConnectionPool[Conn]) -> None:
    """Close a pool whose store is gone. Garbage collection may run this on one of the pool's
    own threads, which cannot wait for itself to stop: then a helper thread closes it."""
    if threading.current_thread().name.startswith(f"{pool.name}-"):
        threading.Thread(target=pool.close, name="talks-pool-close", daemon=True).start()
    else:
        pool.close()


def _end(conn: Conn, ok: bool) -> None:
    """Commit or roll back, so the connection goes back idle; a failure here means it is
    broken, and the pool replaces a closed connection."""
    if conn.closed or conn.broken:
        return
    try:
        conn.commit() if ok else conn.rollback()
    except psycopg.Error:
        conn.close()
