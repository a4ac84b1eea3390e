"""`talks db init` / `talks db migrate`: the PostgreSQL schema (TALKS_STORE=postgres)."""

from __future__ import annotations

import typer
from rich.text import Text

from bot.cli.app import app, fail, out, settings, user_errors
from bot.engine.store.choose import describe
from bot.errors import ConfigError
from bot.settings import Settings

db = typer.Typer(no_args_is_help=True, help="The PostgreSQL database of TALKS_STORE=postgres.")
app.add_typer(db, name="db")


def _migrate(s: Settings) -> list[str]:
    if s.store != "postgres" or s.database_url is None:
        raise fail("set TALKS_STORE=postgres and TALKS_DATABASE_URL first; the files store needs no database.")  # fmt: skip
    with user_errors():
        try:
            from bot.engine.store import pgschema
        except ImportError:
            raise ConfigError(
                "the PostgreSQL driver is missing: pip install 'talks[postgres]'."
            ) from None
        return pgschema.migrate(s.database_url.get_secret_value())


@db.command()
def init() -> None:
    """Create the talks schema (and the vector extension) in an empty database."""
    s = settings()
    applied = _migrate(s)
    done = "already initialised" if not applied else f"initialised ({len(applied)} migrations)"
    out.print(Text(f"Database {describe(s)} {done}."))


@db.command()
def migrate() -> None:
    """Bring the schema up to this version of talks; safe to run again."""
    s = settings()
    applied = _migrate(s)
    for line in applied:
        out.print(Text(f"applied {line}"))
    out.print(Text(f"Database {describe(s)} is at the latest schema."))
