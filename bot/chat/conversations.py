"""Conversations in threads the bot started: their earlier turns, in SQLite. Discord-free.

A thread's turns are what lets "and what did kyiv say to that?" be answered in context. They are
kept in a small database beside the index so a restart does not forget a conversation, bounded
(only the last `keep` turns of a thread are kept: resolution reads the latest ones) and expiring
(a thread idle for `ttl` is forgotten, so a follow-up weeks later is read on its own).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.engine import Turn

FILE_NAME = "conversations.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
    thread_id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    touched REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    thread_id INTEGER NOT NULL REFERENCES threads(thread_id) ON DELETE CASCADE,
    at REAL NOT NULL,
    question TEXT NOT NULL,
    understood_as TEXT NOT NULL,
    answer TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_of_thread ON turns(thread_id, at);
"""
Clock = Callable[[], float]


class Conversations:
    """Threads the bot started and the turns asked in them. Calls are short; the cogs run them in
    a worker thread, and one lock keeps two answers in one thread from interleaving writes."""

    def __init__(self, path: Path, keep: int, ttl_seconds: float, clock: Clock = time.time):
        self.path, self.keep, self.ttl, self.clock = path, keep, ttl_seconds, clock
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(SCHEMA)
        self.lock = asyncio.Lock()

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            with db:  # one transaction per call
                yield db
        finally:
            db.close()

    def start(self, thread_id: int, first: Turn) -> None:
        """A thread the bot opened on its answer, with that question and answer as turn one."""
        now = self.clock()
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO threads VALUES (?, ?, ?)", (thread_id, now, now))
            self._add(db, thread_id, first, now)

    def started(self, thread_id: int) -> bool:
        """Did the bot start this thread (and has it not expired)?"""
        with self._db() as db:
            row = db.execute("SELECT touched FROM threads WHERE thread_id = ?", (thread_id,))
            found = row.fetchone()
        return found is not None and found[0] >= self.clock() - self.ttl

    def history(self, thread_id: int) -> list[Turn]:
        """The thread's kept turns, oldest first; none once it expired."""
        if not self.started(thread_id):
            return []
        with self._db() as db:
            rows = db.execute(
                "SELECT question, understood_as, answer FROM turns WHERE thread_id = ?"
                " ORDER BY at DESC, rowid DESC LIMIT ?",
                (thread_id, self.keep),
            ).fetchall()
        return [Turn(q, u, a) for q, u, a in reversed(rows)]

    def add(self, thread_id: int, turn: Turn) -> None:
        """A turn asked in a thread the bot started; the oldest beyond `keep` go."""
        now = self.clock()
        with self._db() as db:
            touched = db.execute(
                "UPDATE threads SET touched = ? WHERE thread_id = ?", (now, thread_id)
            )
            if touched.rowcount:
                self._add(db, thread_id, turn, now)

    def _add(self, db: sqlite3.Connection, thread_id: int, turn: Turn, now: float) -> None:
        db.execute(
            "INSERT INTO turns VALUES (?, ?, ?, ?, ?)",
            (thread_id, now, turn.question, turn.understood_as or turn.question, turn.answer),
        )
        db.execute(
            "DELETE FROM turns WHERE thread_id = ? AND rowid NOT IN (SELECT rowid FROM turns"
            " WHERE thread_id = ? ORDER BY at DESC, rowid DESC LIMIT ?)",
            (thread_id, thread_id, self.keep),
        )

    def forget(self, thread_id: int) -> None:
        with self._db() as db:
            db.execute("DELETE FROM threads WHERE thread_id = ?", (thread_id,))

    def expire(self) -> int:
        """Forget threads idle longer than the time to live; returns how many went."""
        with self._db() as db:
            gone = db.execute("DELETE FROM threads WHERE touched < ?", (self.clock() - self.ttl,))
            return gone.rowcount
