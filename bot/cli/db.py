"""`talks db init|migrate|import`: the PostgreSQL database of TALKS_STORE=postgres."""

from __future__ import annotations

import typer
from rich.text import Text

from bot.cli.app import app, engine, fail, out, settings, user_errors, with_progress
from bot.engine import describe_store, migrate_database
from bot.settings import Settings

db = typer.Typer(no_args_is_help=True, help="The PostgreSQL database of TALKS_STORE=postgres.")
app.add_typer(db, name="db")


def _migrate(s: Settings) -> list[str]:
    with user_errors():
        return migrate_database(s)


@db.command()
def init() -> None:
    """Create the talks schema (and the vector extension) in an empty database."""
    s = settings()
    applied = _migrate(s)
    done = "already initialised" if not applied else f"initialised ({len(applied)} migrations)"
    out.print(Text(f"Database {describe_store(s)} {done}."))


@db.command()
def migrate() -> None:
    """Bring the schema up to this version of talks; safe to run again."""
    s = settings()
    for line in _migrate(s):
        out.print(Text(f"applied {line}"))
    out.print(Text(f"Database {describe_store(s)} is at the latest schema."))


@db.command("import")
def import_files() -> None:
    """Index corpus/ into the database, reusing the vectors of the files index in
    TALKS_INDEX_DIR: no model run for the passages it already holds."""
    s = settings()
    if s.store != "postgres":
        raise fail("set TALKS_STORE=postgres first: the database is where the index goes.")
    eng = engine(s, bulk=True)
    with user_errors():
        report = with_progress("Importing", eng.import_files_index)
    out.print(
        Text(
            f"Imported {report.articles} articles as {report.chunks} passages "
            f"({report.chunks - report.embedded} vectors reused, {report.embedded} embedded) "
            f"in {report.seconds:.1f}s → {describe_store(s, report.generation)}"
        )
    )
