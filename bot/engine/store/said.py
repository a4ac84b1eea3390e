"""meta.sqlite reads by speaker: who is quoted, and what they said in a period.

A timeline may weigh tens of thousands of one party's sentences, so `statements` reads only their
ids, days and vectors — one indexed lookup on `sentences.speaker`, the vectors joined into one
buffer — and `sentences_by_id` reads the few that are shown, each article and passage once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Sequence
from datetime import date

import numpy as np

from bot.engine.models import Article, Chunk, Sentence
from bot.engine.store.base import Statements

VECTOR_DTYPE = np.float16


def speakers(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute(
        "SELECT speaker, COUNT(*) FROM sentences WHERE speaker IS NOT NULL GROUP BY speaker"
    )
    return {str(name): int(n) for name, n in rows}


def _window(since: date | None, until: date | None) -> tuple[str, list[str]]:
    sql, args = "", list[str]()
    if since is not None:
        sql, args = sql + " AND a.published >= ?", [*args, since.isoformat()]
    if until is not None:
        sql, args = sql + " AND a.published <= ?", [*args, until.isoformat()]
    return sql, args


def statements(
    conn: sqlite3.Connection,
    names: Collection[str],
    since: date | None,
    until: date | None,
    dim: int,
) -> Statements:
    """The sentences of these speakers in the window, oldest article first."""
    wanted = sorted(set(names))
    if not wanted:
        return Statements(
            np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros((0, dim), VECTOR_DTYPE)
        )
    window, args = _window(since, until)
    rows = conn.execute(
        "SELECT s.rowid, a.published, s.vector FROM sentences s"
        " JOIN articles a ON a.id = s.article_id"
        f" WHERE s.speaker IN ({','.join('?' * len(wanted))}){window}"
        " ORDER BY a.published IS NULL, a.published, s.article_id, s.ord",
        [*wanted, *args],
    ).fetchall()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    ordinals: dict[str | None, int] = {None: 0}
    days = np.fromiter(
        (ordinals.get(r[1]) or ordinals.setdefault(r[1], _ordinal(r[1])) for r in rows),
        dtype=np.int32,
        count=len(rows),
    )
    vectors = np.frombuffer(b"".join(r[2] for r in rows), dtype=VECTOR_DTYPE)
    return Statements(ids, days, vectors.reshape(len(rows), dim))


def _ordinal(published: str | None) -> int:
    return date.fromisoformat(published).toordinal() if published else 0


def sentences_by_id(
    conn: sqlite3.Connection, ids: Sequence[int], article_of: Callable[[sqlite3.Row], Article]
) -> list[Sentence]:
    wanted = [int(i) for i in ids]
    if not wanted:
        return []
    rows = conn.execute(
        'SELECT rowid, chunk_rowid, article_id, ord, start, "end", vector, speaker FROM sentences'
        f" WHERE rowid IN ({','.join('?' * len(wanted))})",
        wanted,
    ).fetchall()
    articles = _articles(conn, {r["article_id"] for r in rows}, article_of)
    chunks = _chunks(conn, {int(r["chunk_rowid"]) for r in rows})
    by_id = {
        int(r["rowid"]): Sentence(
            articles[r["article_id"]],
            chunks[int(r["chunk_rowid"])],
            r["start"],
            r["end"],
            r["ord"],
            np.frombuffer(r["vector"], dtype=VECTOR_DTYPE).astype(np.float32),
            r["speaker"],
        )
        for r in rows
    }
    return [by_id[i] for i in wanted if i in by_id]


def _articles(
    conn: sqlite3.Connection, ids: set[str], article_of: Callable[[sqlite3.Row], Article]
) -> dict[str, Article]:
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT * FROM articles WHERE id IN ({marks})", sorted(ids))
    return {r["id"]: article_of(r) for r in rows}


def _chunks(conn: sqlite3.Connection, ids: set[int]) -> dict[int, Chunk]:
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        'SELECT rowid, id, article_id, ord, heading, start, "end", text FROM chunks'
        f" WHERE rowid IN ({marks})",
        sorted(ids),
    )
    return {
        int(r["rowid"]): Chunk(
            r["id"], r["article_id"], r["ord"], r["text"], r["heading"], r["start"], r["end"]
        )
        for r in rows
    }
