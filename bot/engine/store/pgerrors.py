"""PostgreSQL failures as one line that says what to do.

psycopg raises its own exceptions, whose text is libpq's or the server's. A front door must show
one sentence naming a cause an operator can act on — the server is down or restarting, the login
was refused, the database or a grant is missing, pgvector is not there for this user, a query was
cancelled — never a traceback and never the URL (libpq quotes a connection string it cannot
parse, password included). A failed connect carries no SQLSTATE, so it is told apart by libpq's
message; every later error by its SQLSTATE.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg

from bot.errors import DatabaseError, Retryable, SchemaError, TalksError

DOWN = (
    "The PostgreSQL server is not answering (down, restarting or unreachable); try again in a "
    "moment, and check that it runs at the host and port TALKS_DATABASE_URL names."
)
LOST = (
    "The connection to the PostgreSQL server was lost (it restarted or went down); try again "
    "in a moment."
)
LOST_WRITE = (
    "The connection to the PostgreSQL server was lost during the update (it restarted or went "
    "down); the index is unchanged. Run the update again when the server is back."
)
LOGIN = (
    "The PostgreSQL server refused the login; check the user name and password in "
    "TALKS_DATABASE_URL (and the server's pg_hba.conf)."
)
NO_DATABASE = (
    "The database that TALKS_DATABASE_URL names does not exist on the server; create it "
    "(CREATE DATABASE) or correct the name."
)
NO_CONNECT_GRANT = (
    "The database user may not connect to this database; grant it CONNECT "
    "(GRANT CONNECT ON DATABASE … TO …)."
)
NO_VECTOR = (
    "pgvector is not installed in this database for this user (no vector type on its "
    "search_path); have a superuser run CREATE EXTENSION vector in this database, then migrate "
    "again."
)
NO_VECTOR_ON_SERVER = (
    "The PostgreSQL server has no pgvector extension; install pgvector 0.8 or newer on it, then "
    "migrate again."
)
CANCELLED = (
    "The database cancelled the query (a statement timeout, or an administrator cancelled it); "
    "try again."
)
FULL = (
    "The PostgreSQL server has no free connection slot (max_connections); try again shortly, or "
    "raise max_connections or lower TALKS_DATABASE_POOL_SIZE."
)

# libpq's messages for a failed connect, most specific first (the server's are English unless
# its lc_messages says otherwise; an unknown one is passed on, without the URL).
_CONNECT = (
    (NO_CONNECT_GRANT, ("permission denied for database",)),
    (NO_DATABASE, ('database "',)),
    (FULL, ("too many clients", "too many connections", "connection slots are reserved")),
    (
        LOGIN,
        (
            "authentication failed",
            "no password supplied",
            "no pg_hba.conf entry",
            'role "',
            "password is required",
        ),
    ),
    (
        DOWN,
        (
            "connection refused",
            "no such file or directory",
            "could not translate host name",
            "timeout expired",
            "starting up",
            "shutting down",
            "in recovery mode",
            "not yet accepting connections",
            "network is unreachable",
            "no route to host",
            "server closed the connection",
            "could not connect",
        ),
    ),
)
_LOST_STATES = {"57P01", "57P02", "57P03"}  # admin / crash shutdown, cannot connect now


class ConnectionLost(Retryable):
    """The connection died under a read; a fresh one will likely do (see Readers.run)."""


def connect_error(exc: psycopg.Error, url: str) -> TalksError:
    """Why a connect failed, from libpq's message."""
    text = str(exc).lower()
    for message, needles in _CONNECT:
        if any(needle in text for needle in needles):
            return DatabaseError(message)
    detail = _redact(str(exc).removeprefix("connection failed: ").splitlines()[0], url)
    return DatabaseError(
        f"Cannot connect to the PostgreSQL server ({detail}); check TALKS_DATABASE_URL."
    )


def _redact(text: str, url: str) -> str:
    """`text` without the URL or its password, whatever libpq chose to quote."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    for secret in (url, password):
        if secret:
            text = text.replace(secret, "***")
    return text


def is_lost(exc: psycopg.Error) -> bool:
    """Did this error end the connection (a restart, a crash, a cut network)?"""
    state = exc.sqlstate
    if state is None:
        return isinstance(exc, psycopg.OperationalError)  # client side: the socket is gone
    return state in _LOST_STATES or state.startswith("08")


def translate(exc: psycopg.Error, *, lost: str = LOST) -> TalksError:
    """The one-line TalksError for a psycopg error after connecting."""
    if is_lost(exc):
        return ConnectionLost(lost) if lost == LOST else DatabaseError(lost)
    state, text = exc.sqlstate or "", str(exc)
    primary = (exc.diag.message_primary if exc.diag else None) or text.splitlines()[0]
    if "vector type not found" in text or (state == "42704" and "vector" in text):
        return DatabaseError(NO_VECTOR)
    if 'extension "vector"' in text:
        return DatabaseError(NO_VECTOR if state == "42501" else NO_VECTOR_ON_SERVER)
    if state in _BY_STATE:
        return _BY_STATE[state](primary)
    return DatabaseError(
        f"The database failed: {primary} (SQLSTATE {state or 'none'}); try again, or see the "
        "server's log."
    )


def _grant(primary: str) -> TalksError:
    return DatabaseError(
        f"The database user may not do this ({primary}); grant it access to the talks tables "
        "(the README's PostgreSQL notes list the GRANTs) or use the role that owns them."
    )


def _schema(primary: str) -> TalksError:
    return SchemaError(f"The database lacks part of the talks schema ({primary}); migrate it.")


_BY_STATE = {
    "57014": lambda _: DatabaseError(CANCELLED),
    "42501": _grant,
    "42P01": _schema,
    "42703": _schema,
    "53300": lambda _: DatabaseError(FULL),
    "25006": lambda _: DatabaseError(
        "This database server is read-only (a standby?); point TALKS_DATABASE_URL at the primary "
        "to change the index."
    ),
    "55P03": lambda _: DatabaseError(
        "A table is locked by another session (a schema migration?); try again in a moment."
    ),
    "40001": lambda _: DatabaseError("The database aborted a conflicting update; try again."),
    "40P01": lambda _: DatabaseError("The database aborted a conflicting update; try again."),
    "53100": lambda _: DatabaseError(
        "The PostgreSQL server is out of disk space; free some, then try again."
    ),
    "23505": lambda primary: DatabaseError(
        f"The database refused a duplicate ({primary}): another update stored it first. Nothing "
        "was changed; run the update again to skip what is indexed now."
    ),
}


@contextmanager
def translated(*, lost: str = LOST) -> Iterator[None]:
    """psycopg errors inside become one-line TalksErrors (`lost`: the line for a lost
    connection; the default, for reads, is Retryable)."""
    try:
        yield
    except psycopg.Error as exc:
        raise translate(exc, lost=lost) from exc
