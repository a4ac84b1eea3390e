"""Which store the settings ask for: files (the default) or PostgreSQL.

The PostgreSQL driver is an optional extra, imported only when that store is chosen, so a files
install never needs it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.engine.feeds import FeedList
from bot.engine.store.base import SharedIds, Store
from bot.engine.store.files import FileStore
from bot.errors import ConfigError
from bot.settings import Settings


def open_store(settings: Settings) -> Store:
    if settings.store == "files":
        return FileStore(settings.index_dir)
    if settings.database_url is None:
        raise ConfigError("TALKS_STORE=postgres needs TALKS_DATABASE_URL (a postgresql:// URL).")
    try:
        from bot.engine.store.postgres import PgStore
    except ImportError:
        raise ConfigError(
            "TALKS_STORE=postgres needs the PostgreSQL driver: pip install 'talks[postgres]'."
        ) from None
    return PgStore(settings.database_url.get_secret_value(), pool_size=settings.database_pool_size)


def open_feed_list(settings: Settings) -> FeedList:
    """The followed feeds: a JSON file beside the index, or a row of the shared database."""
    if settings.store == "postgres" and settings.database_url is not None:
        from bot.engine.store.pgstate import PgFeedList

        return PgFeedList(settings.database_url.get_secret_value())
    return FeedList(settings.index_dir)


def shared_ids(settings: Settings, key: str) -> SharedIds | None:
    """A set of ids every process shares (the database store's), or None: keep a local file."""
    if settings.store == "postgres" and settings.database_url is not None:
        from bot.engine.store.pgstate import PgIds

        return PgIds(settings.database_url.get_secret_value(), key)
    return None


def describe(settings: Settings, generation: str = "") -> str:
    """Where the index (or one generation of it) lives, for messages: the folder, or the
    database without its user and password."""
    if settings.store == "files" or settings.database_url is None:
        return f"{settings.index_dir}/{generation}"
    parts = urlsplit(settings.database_url.get_secret_value())
    port = f":{parts.port}" if parts.port else ""
    where = f"postgresql://{parts.hostname or 'localhost'}{port}{parts.path}"
    return f"{where} ({generation})" if generation else where


def migrate(settings: Settings) -> list[str]:
    """Bring the configured database's schema up to date; the migrations applied."""
    if settings.store != "postgres" or settings.database_url is None:
        raise ConfigError(
            "Set TALKS_STORE=postgres and TALKS_DATABASE_URL first; the files store needs no "
            "database."
        )
    try:
        from bot.engine.store import pgschema
    except ImportError:
        raise ConfigError(
            "TALKS_STORE=postgres needs the PostgreSQL driver: pip install 'talks[postgres]'."
        ) from None
    return pgschema.migrate(settings.database_url.get_secret_value())
