"""Shared state in PostgreSQL: feeds and Q&A channels that every process edits without losing
another's change, and schema migrations applied in order, once."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import psycopg
import pytest

from bot.chat import qa_store
from bot.chat.qa_store import QAChannels
from bot.engine.feeds import Feed
from bot.engine.store import pgschema
from bot.engine.store.pgstate import PgFeedList, PgIds
from bot.errors import SchemaError
from tests.throwaway_pg import fresh_database


def test_two_processes_editing_the_feed_list_keep_both_feeds() -> None:
    url = fresh_database()
    first, second = PgFeedList(url), PgFeedList(url)
    inside, go_on = threading.Event(), threading.Event()

    def slow_edit() -> None:
        with first.editing() as feeds:
            feeds.append(Feed("https://a.test/rss", "2026-01-01T00:00:00"))
            inside.set()
            go_on.wait(10)

    worker = threading.Thread(target=slow_edit)
    worker.start()
    inside.wait(10)
    blocked = threading.Thread(target=lambda: _append(second, "https://b.test/rss"))
    blocked.start()  # waits on the row lock until the first edit commits
    go_on.set()
    worker.join()
    blocked.join()
    assert sorted(f.url for f in first.load()) == ["https://a.test/rss", "https://b.test/rss"]
    assert second.load() == first.load()


def _append(feed_list: PgFeedList, url: str) -> None:
    with feed_list.editing() as feeds:
        feeds.append(Feed(url, "2026-01-01T00:00:00", seen=("https://x.test/1",)))


async def test_a_q_and_a_channel_marked_by_one_bot_reaches_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = fresh_database()
    one = QAChannels(Path("unused"), shared=PgIds(url, "qa_channels"))
    other = QAChannels(Path("unused"), shared=PgIds(url, "qa_channels"))
    assert await one.mark(42, True) and not await other.mark(42, True)  # already marked
    assert await other.mark(7, True)
    assert PgIds(url, "qa_channels").read() == {7, 42}
    monkeypatch.setattr(qa_store, "REFRESH_SECONDS", 0.0)
    assert 7 not in one  # judged by the list it has, while the fresh one is read
    assert one._refreshing is not None
    await asyncio.wait_for(one._refreshing, 10)
    assert 7 in one and 42 in one


def test_migrations_apply_in_order_and_once(monkeypatch: pytest.MonkeyPatch) -> None:
    url = fresh_database(migrated=False)
    with psycopg.connect(url) as conn, pytest.raises(SchemaError, match="no talks schema"):
        pgschema.check(conn)
    monkeypatch.setattr(pgschema, "MIGRATIONS", pgschema.MIGRATIONS[:1])
    assert [m.split(":")[0] for m in pgschema.migrate(url)] == ["1"]
    monkeypatch.undo()
    with psycopg.connect(url) as conn, pytest.raises(SchemaError, match="schema version 1"):
        pgschema.check(conn)
    later = [str(m[0]) for m in pgschema.MIGRATIONS[1:]]
    assert [m.split(":")[0] for m in pgschema.migrate(url)] == later
    assert pgschema.migrate(url) == []
    with psycopg.connect(url) as conn:
        pgschema.check(conn)
