"""Which line an operator reads for which PostgreSQL failure (pure: no server needed)."""

from __future__ import annotations

import psycopg
import pytest

from bot.engine.store import pgerrors
from bot.errors import DatabaseError, Retryable, SchemaError

URL = "postgresql://talks:s3cret-pw@db.example:5432/talks"


@pytest.mark.parametrize(
    ("libpq", "line"),
    [
        ('FATAL:  password authentication failed for user "talks"', pgerrors.LOGIN),
        ('FATAL:  role "talks" does not exist', pgerrors.LOGIN),
        ('FATAL:  database "talks" does not exist', pgerrors.NO_DATABASE),
        ("Connection refused\n\tIs the server running on that host?", pgerrors.DOWN),
        ("FATAL:  the database system is starting up", pgerrors.DOWN),
        ("FATAL:  sorry, too many clients already", pgerrors.FULL),
        ('FATAL:  permission denied for database "talks"', pgerrors.NO_CONNECT_GRANT),
    ],
)
def test_a_failed_connect_is_told_apart_by_libpqs_message(libpq: str, line: str) -> None:
    exc = psycopg.OperationalError(f"connection failed: connection to server failed: {libpq}")
    assert str(pgerrors.connect_error(exc, URL)) == line


def test_an_unknown_connect_failure_is_passed_on_without_the_url_or_password() -> None:
    exc = psycopg.OperationalError(f'connection failed: odd "{URL}" and s3cret-pw again')
    line = str(pgerrors.connect_error(exc, URL))
    assert "s3cret-pw" not in line and URL not in line and line.startswith("Cannot connect")


def test_errors_after_connecting_by_sqlstate() -> None:
    assert str(pgerrors.translate(psycopg.errors.QueryCanceled("x"))) == pgerrors.CANCELLED
    lost = pgerrors.translate(psycopg.errors.AdminShutdown("terminating connection"))
    assert isinstance(lost, Retryable) and str(lost) == pgerrors.LOST
    written = pgerrors.translate(psycopg.OperationalError("gone"), lost=pgerrors.LOST_WRITE)
    assert not isinstance(written, Retryable) and str(written) == pgerrors.LOST_WRITE
    grant = pgerrors.translate(psycopg.errors.InsufficientPrivilege("permission denied for x"))
    assert "grant it access" in str(grant)
    vector = psycopg.errors.InsufficientPrivilege('permission denied to create extension "vector"')
    assert str(pgerrors.translate(vector)) == pgerrors.NO_VECTOR
    assert isinstance(pgerrors.translate(psycopg.errors.UndefinedTable("no")), SchemaError)
    other = pgerrors.translate(psycopg.errors.DivisionByZero("division by zero"))
    assert isinstance(other, DatabaseError) and "(SQLSTATE 22012)" in str(other)
