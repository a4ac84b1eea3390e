"""Feedback on answers: 👍/👎 votes with an optional reason, in SQLite, and their export as a
`talks eval` question set. Front-door free: Discord writes votes, the CLI exports them.

What is kept is what a person needs to turn a bad answer into a test case — the question, the
answer, its citations, where it was asked and when — and nothing about who voted beyond a salted
hash, which is only there so one user has one (changeable) vote per answer.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.engine import Answer, write_atomic
from bot.errors import BadInput

FILE_NAME = "feedback.sqlite"
REASON_CHARS = 200
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


@dataclass(frozen=True)
class Downvote:
    question: str
    answer: str
    reason: str
    at: float


@dataclass(frozen=True)
class Summary:
    answers: int  # answers shown with buttons
    up: int
    down: int
    latest_down: tuple[Downvote, ...]

    @property
    def rate(self) -> float | None:
        """Share of votes that are 👍; None before any vote."""
        votes = self.up + self.down
        return self.up / votes if votes else None


def citations_json(answer: Answer) -> str:
    return json.dumps(
        [
            {"n": c.n, "title": c.article.title, "url": c.article.url, "outlet": c.article.outlet}
            for c in answer.citations
        ],
        ensure_ascii=False,
    )


class Feedback:
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

    def voter(self, user_id: int) -> str:
        """The salted hash that stands for a user: the same user gets the same one, and the
        database alone does not say who it is."""
        return hashlib.sha256(f"{self._salt}:{user_id}".encode()).hexdigest()

    def record(self, message_id: int, answer: Answer, guild_id: int | None, channel: int) -> None:
        """An answer shown with vote buttons, under the id of the message that shows it."""
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
        """One vote per user per answer; a second click changes it. False if the answer is not
        known (a message from before feedback was kept)."""
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
        """What was wrong, on the user's 👎 of this answer (one line, cut to REASON_CHARS)."""
        line = " ".join(text.split())[:REASON_CHARS]
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

    def export(self, path: Path, include_up: bool = False) -> int:
        """The voted answers (👎, and 👍 if asked) as a `talks eval` question set with empty
        facts for a person to fill in (and `source`, set to the first cited title as a guess to
        check: a 👎 answer may have cited the wrong article); returns how many it holds."""
        lines = [json.dumps(item, ensure_ascii=False) for item in self._items(include_up)]
        if not lines:
            raise BadInput("No answers have votes of that kind yet; nothing to export.")
        try:
            write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))
        except OSError as exc:
            raise BadInput(f"Cannot write {path}: {exc.strerror or exc}.") from None
        return len(lines)

    def _items(self, include_up: bool) -> list[dict[str, object]]:
        """One item per answer: its majority vote, the reasons given, the cited titles."""
        with self._db() as db:
            rows = db.execute(
                "SELECT a.question, a.understood_as, a.answer, a.abstained, a.citations,"
                " SUM(v.up), SUM(1 - v.up), GROUP_CONCAT(NULLIF(v.reason, ''), ' | ')"
                " FROM answers a JOIN votes v USING (message_id)"
                " GROUP BY a.message_id ORDER BY MAX(v.at)"
            ).fetchall()
        items = []
        for question, meant, text, abstained, cited, up, down, reasons in rows:
            if down == 0 and not include_up:
                continue
            titles = [c["title"] for c in json.loads(cited)]
            items.append(
                {
                    "question": meant,  # what was answered: a follow-up with its context
                    "facts": [],
                    "source": None if abstained or not titles else titles[0],
                    "asked": question,
                    "answer": text,
                    "cited": titles,
                    "votes": {"up": up, "down": down},
                    "reasons": reasons or "",
                }
            )
        return items
