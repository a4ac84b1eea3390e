"""Feedback votes in the shared PostgreSQL database (TALKS_STORE=postgres), so every bot process
and machine counts one vote per user per answer and `talks feedback` sees them all.

The same behaviour as the SQLite store (feedback.sqlite), statement for statement: recording an
answer again forgets its votes (SQLite's INSERT OR REPLACE cascades), a 👍 clears the reason, a
reason only sticks to a 👎. The salt is one row, written by whichever process comes first.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from bot.engine import Answer
from bot.engine.store import pgschema
from bot.engine.store.pgerrors import translated
from bot.feedback.base import Downvote, FeedbackStore, Summary, VotedRow, citations, clean_reason


class PgFeedback(FeedbackStore):
    """Votes in the tables of migration 4 (feedback_answers, feedback_votes, feedback_meta)."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        self.url, self.clock = url, clock
        with self._db() as db:
            db.execute(
                "INSERT INTO feedback_meta (key, value) VALUES ('salt', %s) ON CONFLICT DO NOTHING",
                [secrets.token_hex(16)],
            )
            row = db.execute("SELECT value FROM feedback_meta WHERE key = 'salt'").fetchone()
        self._salt = str(row[0]) if row else ""

    @contextmanager
    def _db(self) -> Iterator[psycopg.Connection[Any]]:
        """One connection, one transaction: committed when the block ends, else rolled back."""
        with pgschema.connect(self.url) as conn, translated(), conn.transaction():
            yield conn

    def record(self, message_id: int, answer: Answer, guild_id: int | None, channel: int) -> None:
        with self._db() as db:
            db.execute("DELETE FROM feedback_answers WHERE message_id = %s", [message_id])
            db.execute(
                "INSERT INTO feedback_answers VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    message_id,
                    answer.question,
                    answer.understood_as or answer.question,
                    answer.text,
                    answer.abstained,
                    Jsonb(citations(answer)),
                    guild_id,
                    channel,
                    self.clock(),
                ],
            )

    def vote(self, message_id: int, user_id: int, up: bool) -> bool:
        with self._db() as db:
            if not db.execute(
                "SELECT 1 FROM feedback_answers WHERE message_id = %s FOR SHARE", [message_id]
            ).fetchone():
                return False
            db.execute(
                "INSERT INTO feedback_votes AS v (message_id, voter, up, at)"
                " VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (message_id, voter) DO UPDATE SET up = excluded.up,"
                " at = excluded.at, reason = CASE WHEN excluded.up THEN '' ELSE v.reason END",
                [message_id, self.voter(user_id), up, self.clock()],
            )
        return True

    def reason(self, message_id: int, user_id: int, text: str) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE feedback_votes SET reason = %s"
                " WHERE message_id = %s AND voter = %s AND NOT up",
                [clean_reason(text), message_id, self.voter(user_id)],
            )

    def summary(self, latest: int = 5, guild_id: int | None = None) -> Summary:
        where, args = ("WHERE a.guild_id = %s", [guild_id]) if guild_id is not None else ("", [])
        joined = f"feedback_votes v JOIN feedback_answers a USING (message_id) {where}"
        with self._db() as db:
            count = db.execute(f"SELECT count(*) FROM feedback_answers a {where}", args).fetchone()
            votes = db.execute(
                f"SELECT count(*) FILTER (WHERE v.up), count(*) FILTER (WHERE NOT v.up)"
                f" FROM {joined}",
                args,
            ).fetchone()
            rows = db.execute(
                f"SELECT a.question, a.answer, v.reason, v.at FROM {joined}"
                f" {'AND' if where else 'WHERE'} NOT v.up ORDER BY v.at DESC, v.seq DESC LIMIT %s",
                [*args, latest],
            ).fetchall()
        up, down = votes if votes else (0, 0)
        answers = count[0] if count else 0
        return Summary(answers, up, down, tuple(Downvote(*row) for row in rows))

    def _voted(self) -> list[VotedRow]:
        with self._db() as db:
            rows = db.execute(
                "SELECT a.question, a.understood_as, a.answer, a.abstained, a.citations,"
                " count(*) FILTER (WHERE v.up), count(*) FILTER (WHERE NOT v.up),"
                " string_agg(NULLIF(v.reason, ''), ' | ' ORDER BY v.seq)"
                " FROM feedback_answers a JOIN feedback_votes v USING (message_id)"
                " GROUP BY a.message_id ORDER BY max(v.at), a.message_id"
            ).fetchall()
        return [
            (q, meant, text, abstained, list(cited), up, down, reasons)
            for q, meant, text, abstained, cited, up, down, reasons in rows
        ]
