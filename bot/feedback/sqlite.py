"""Feedback votes in SQLite beside the index (`index_dir/feedback.sqlite`): the files store's
place for them, one machine."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.engine import Answer
from bot.feedback.base import (
    Downvote,
    FeedbackStore,
    Summary,
    VotedRow,
    citations_json,
    clean_reason,
)

FILE_NAME = "feedback.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    message_id INTEGER PRIMARY KEY,
    question TEXT NOT NULL,
    understood_as TEXT NOT NULL,
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    citations TEXT NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    message_id INTEGER NOT NULL REFERENCES answers(message_id) ON DELETE CASCADE,
    voter TEXT NOT NULL,
    up INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    at REAL NOT NULL,
    PRIMARY KEY (message_id, voter)
);
"""


class Feedback(FeedbackStore):
    """Votes in SQLite beside the index (one machine)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path, self.clock = path, clock
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(SCHEMA)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('salt', ?)", (secrets.token_hex(16),))
            self._salt = db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()[0]

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            with db:
                yield db
        finally:
            db.close()

    def record(self, message_id: int, answer: Answer, guild_id: int | None, channel: int) -> None:
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message_id,
                    answer.question,
                    answer.understood_as or answer.question,
                    answer.text,
                    int(answer.abstained),
                    citations_json(answer),
                    guild_id,
                    channel,
                    self.clock(),
                ),
            )

    def vote(self, message_id: int, user_id: int, up: bool) -> bool:
        with self._db() as db:
            if not db.execute(
                "SELECT 1 FROM answers WHERE message_id = ?", (message_id,)
            ).fetchone():
                return False
            db.execute(
                "INSERT INTO votes (message_id, voter, up, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (message_id, voter) DO UPDATE SET up = excluded.up, at = excluded.at,"
                " reason = CASE WHEN excluded.up THEN '' ELSE reason END",
                (message_id, self.voter(user_id), int(up), self.clock()),
            )
        return True

    def reason(self, message_id: int, user_id: int, text: str) -> None:
        line = clean_reason(text)
        with self._db() as db:
            db.execute(
                "UPDATE votes SET reason = ? WHERE message_id = ? AND voter = ? AND up = 0",
                (line, message_id, self.voter(user_id)),
            )

    def summary(self, latest: int = 5, guild_id: int | None = None) -> Summary:
        where, args = ("WHERE a.guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
        with self._db() as db:
            answers = db.execute(f"SELECT COUNT(*) FROM answers a {where}", args).fetchone()[0]
            up, down = db.execute(
                f"SELECT COALESCE(SUM(v.up), 0), COALESCE(SUM(1 - v.up), 0) FROM votes v"
                f" JOIN answers a USING (message_id) {where}",
                args,
            ).fetchone()
            rows = db.execute(
                f"SELECT a.question, a.answer, v.reason, v.at FROM votes v JOIN answers a"
                f" USING (message_id) {where} {'AND' if where else 'WHERE'} v.up = 0"
                " ORDER BY v.at DESC, v.rowid DESC LIMIT ?",
                (*args, latest),
            ).fetchall()
        return Summary(answers, up, down, tuple(Downvote(*row) for row in rows))

    def _voted(self) -> list[VotedRow]:
        with self._db() as db:
            rows = db.execute(
                "SELECT a.question, a.understood_as, a.answer, a.abstained, a.citations,"
                " SUM(v.up), SUM(1 - v.up), GROUP_CONCAT(NULLIF(v.reason, ''), ' | ')"
                " FROM answers a JOIN votes v USING (message_id)"
                " GROUP BY a.message_id ORDER BY MAX(v.at), a.message_id"
            ).fetchall()
        return [
            (q, meant, text, bool(abstained), json.loads(cited), up, down, reasons)
            for q, meant, text, abstained, cited, up, down, reasons in rows
        ]
