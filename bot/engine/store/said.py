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


def _window(w: Wanted) -> tuple[str, list[object]]:
    sql, args = "", list[object]()
    if w.since is not None:
        sql, args = sql + " AND published >= ?", [*args, w.since.isoformat()]
    if w.until is not None:
        sql, args = sql + " AND published <= ?", [*args, w.until.isoformat()]
    return sql, args


def _in_passages(conn: sqlite3.Connection, w: Wanted, names: list[str]) -> list[int]:
    """Through the passage index: a topic's passages hold a few thousand sentences at most."""
    ids = sorted({int(i) for i in w.passages or ()})
    window, args = _window(w)
    rows = conn.execute(
        f"SELECT rowid FROM sentences WHERE chunk_rowid IN ({','.join('?' * len(ids))})"
        f" AND +speaker IN ({','.join('?' * len(names))}){window}",
        [*ids, *names, *args],
    )
    return [int(r[0]) for r in rows]


def _newest(conn: sqlite3.Connection, w: Wanted, names: list[str], n: int) -> list[int]:
    """Per speaker, the newest n from the (speaker, published) index; then the newest n of all."""
    window, args = _window(w)
    found: list[tuple[str, int]] = []
    for name in names:
        found += conn.execute(
            f"SELECT published, rowid FROM sentences WHERE speaker = ?{window}"
            " ORDER BY published DESC LIMIT ?",
            [name, *args, n],
        ).fetchall()
    found.sort(key=lambda r: (r[0] is not None, r[0] or "", -r[1]), reverse=True)
    return [rowid for _, rowid in found[:n]]


def _all(conn: sqlite3.Connection, w: Wanted, names: list[str]) -> list[int]:
    window, args = _window(w)
    marks = ",".join("?" * len(names))
    rows = conn.execute(
        f"SELECT rowid FROM sentences WHERE speaker IN ({marks}){window}", [*names, *args]
    )
    return [int(r[0]) for r in rows]


def statements(
    conn: sqlite3.Connection, w: Wanted, article_of: Callable[[sqlite3.Row], Article]
) -> list[Sentence]:
    names = sorted(set(w.speakers))
    if not names or (w.passages is not None and not w.passages):
        return []
    if w.passages is not None:
        ids = _in_passages(conn, w, names)
    elif w.newest is not None:
        ids = _newest(conn, w, names, w.newest)
    else:
        ids = _all(conn, w, names)
    return order(_read(conn, ids, article_of), w.newest)


def order(found: list[Sentence], newest: int | None) -> list[Sentence]:
    """Newest article first (undated last), each article's sentences in order; the newest n."""
    found.sort(
        key=lambda s: (
            s.article.published is None,
            _back(s.article.published),
            s.article.id,
            s.index,
        )
    )
    return found[:newest] if newest is not None else found


def _back(day: date | None) -> int:
    return -day.toordinal() if day else 0


def _read(
    conn: sqlite3.Connection, ids: list[int], article_of: Callable[[sqlite3.Row], Article]
) -> list[Sentence]:
    if not ids:
        return []
    rows = conn.execute(
        'SELECT chunk_rowid, article_id, ord, start, "end", vector, speaker FROM sentences'
        f" WHERE rowid IN ({','.join('?' * len(ids))})",
        ids,
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
