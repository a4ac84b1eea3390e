"""meta.sqlite reads by speaker: who is quoted, and what they said.

A party may have said tens of thousands of sentences in a large index, so a read is always
narrowed in SQL — to the passages a topic search found, or to the newest few — before any vector
or article is read: `sentences(speaker, published)` is indexed and `published` is the article's
publication date, copied onto its sentences when they are stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

import numpy as np

from bot.engine.models import Article, Chunk, Sentence

VECTOR_DTYPE = np.float16


@dataclass(frozen=True)
class Wanted:
    """Which statements: by these speakers, in this period, in these passages, the newest n."""

    speakers: Collection[str]
    since: date | None
    until: date | None
    passages: Collection[int] | None
    newest: int | None


def speakers(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute(
        "SELECT speaker, COUNT(*) FROM sentences WHERE speaker IS NOT NULL GROUP BY speaker"
    )
    return {str(name): int(n) for name, n in rows}


def _where(w: Wanted) -> tuple[str, list[object]]:
    names = sorted(set(w.speakers))
    sql = f"s.speaker IN ({','.join('?' * len(names))})"
    args: list[object] = [*names]
    if w.passages is not None:
        ids = sorted({int(i) for i in w.passages})
        sql += f" AND s.chunk_rowid IN ({','.join('?' * len(ids))})"
        args += ids
    if w.since is not None:
        sql, args = sql + " AND s.published >= ?", [*args, w.since.isoformat()]
    if w.until is not None:
        sql, args = sql + " AND s.published <= ?", [*args, w.until.isoformat()]
    return sql, args


def statements(
    conn: sqlite3.Connection, w: Wanted, article_of: Callable[[sqlite3.Row], Article]
) -> list[Sentence]:
    if not w.speakers or (w.passages is not None and not w.passages):
        return []
    where, args = _where(w)
    limit = f" LIMIT {int(w.newest)}" if w.newest is not None else ""
    rows = conn.execute(
        'SELECT s.chunk_rowid, s.article_id, s.ord, s.start, s."end", s.vector, s.speaker'
        f" FROM sentences s WHERE {where}"
        " ORDER BY s.published IS NULL, s.published DESC, s.article_id, s.ord" + limit,
        args,
    ).fetchall()
    if not rows:
        return []
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
