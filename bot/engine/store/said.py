"""meta.sqlite reads by speaker: who is quoted, and what they said in a period.

A timeline asks for every sentence of a few speakers at once; the partial index on
`sentences.speaker` makes that one indexed lookup, and each article and passage is read once
however many of its sentences are statements.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection
from datetime import date

import numpy as np

from bot.engine.models import Article, Chunk, Sentence

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
    article_of: Callable[[sqlite3.Row], Article],
) -> list[Sentence]:
    """The sentences of these speakers in the window, oldest article first."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    window, args = _window(since, until)
    rows = conn.execute(
        'SELECT s.chunk_rowid, s.article_id, s.ord, s.start, s."end", s.vector, s.speaker'
        " FROM sentences s JOIN articles a ON a.id = s.article_id"
        f" WHERE s.speaker IN ({','.join('?' * len(wanted))}){window}"
        " ORDER BY a.published IS NULL, a.published, s.article_id, s.ord",
        [*wanted, *args],
    ).fetchall()
    articles = _articles(conn, {r["article_id"] for r in rows}, article_of)
    chunks = _chunks(conn, {int(r["chunk_rowid"]) for r in rows})
    return [
        Sentence(
            articles[r["article_id"]],
            chunks[int(r["chunk_rowid"])],
            r["start"],
            r["end"],
            r["ord"],
            np.frombuffer(r["vector"], dtype=VECTOR_DTYPE).astype(np.float32),
            r["speaker"],
        )
        for r in rows
    ]


def _articles(
    conn: sqlite3.Connection, ids: set[str], article_of: Callable[[sqlite3.Row], Article]
) -> dict[str, Article]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT * FROM articles WHERE id IN ({marks})", sorted(ids))
    return {r["id"]: article_of(r) for r in rows}


def _chunks(conn: sqlite3.Connection, ids: set[int]) -> dict[int, Chunk]:
    if not ids:
        return {}
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
