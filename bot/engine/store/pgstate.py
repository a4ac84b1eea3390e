"""Small shared documents in the database (`talks_state`): the followed feeds and the Q&A
channels, so every bot process and machine works from one list instead of a file each.

An edit locks its row (SELECT … FOR UPDATE) for the length of one transaction, as the files
store's feed list holds a file lock: two processes editing at once both keep their change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb

from bot.engine.feeds import Feed, FeedList, dump_feeds, parse_feeds
from bot.engine.store import pgschema
from bot.engine.store.pgerrors import translated


class StateRow:
    """One JSON document under a key; missing reads as empty."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.key = key

    def read(self) -> dict[str, Any]:
        with pgschema.connect(self.url, autocommit=True) as conn, translated():
            row = conn.execute(
                "SELECT value FROM talks_state WHERE key = %s", [self.key]
            ).fetchone()
        return dict(row[0]) if row else {}

    @contextmanager
    def editing(self) -> Iterator[dict[str, Any]]:
        """The document, row-locked; what the caller leaves in it is saved at the end."""
        with pgschema.connect(self.url) as conn, translated(), conn.transaction():
            conn.execute(
                "INSERT INTO talks_state (key, value) VALUES (%s, '{}') ON CONFLICT DO NOTHING",
                [self.key],
            )
            row = conn.execute(
                "SELECT value FROM talks_state WHERE key = %s FOR UPDATE", [self.key]
            ).fetchone()
            doc: dict[str, Any] = dict(row[0]) if row else {}
            yield doc
            conn.execute(
                "UPDATE talks_state SET value = %s, updated_at = now() WHERE key = %s",
                [Jsonb(doc), self.key],
            )


class PgFeedList(FeedList):
    """The feed list in the database; the same interface as the JSON file."""

    def __init__(self, url: str) -> None:
        self.path = Path("talks_state.feeds")  # named in messages only
        self._row = StateRow(url, "feeds")

    def load(self) -> list[Feed]:
        return parse_feeds(self._row.read())

    @contextmanager
    def editing(self) -> Iterator[list[Feed]]:
        with self._row.editing() as doc:
            feeds = parse_feeds(doc)
            yield feeds
            doc.update(dump_feeds(feeds))


class PgIds:
    """A set of ids (Q&A channels) in the database."""

    def __init__(self, url: str, key: str) -> None:
        self._row = StateRow(url, key)

    def read(self) -> set[int]:
        return {int(x) for x in self._row.read().get("ids", [])}

    def mark(self, item: int, on: bool) -> tuple[bool, set[int]]:
        """Add or remove one id, read and written under the row lock (another process's mark
        is kept); whether that changed anything, and the set now."""
        with self._row.editing() as doc:
            ids = {int(x) for x in doc.get("ids", [])}
            changed = (item in ids) != on
            ids = ids | {item} if on else ids - {item}
            doc["ids"] = sorted(ids)
        return changed, ids
