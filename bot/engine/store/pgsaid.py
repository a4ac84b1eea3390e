"""PostgreSQL reads by speaker, as store/said.py does for meta.sqlite: who is quoted, and what.

Narrowed in SQL before any vector or article is read — to a topic's passages, or per speaker to
the newest few through the partial (speaker, published) index — so a party with a hundred
thousand statements costs no more than one with a hundred. The order and cut are the files
store's, so both stores give the same timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

import numpy as np
import psycopg

from bot.engine.models import Article, Chunk, Sentence
from bot.engine.store.said import VECTOR_DTYPE, Wanted, order

Passages = Callable[[Iterable[int]], dict[int, tuple[Chunk, Article]]]


def speakers(conn: psycopg.Connection[Any]) -> dict[str, int]:
    rows = conn.execute(
        "SELECT speaker, count(*) FROM sentences WHERE speaker IS NOT NULL GROUP BY speaker"
    )
    return {str(name): int(n) for name, n in rows}


def _window(w: Wanted) -> tuple[str, list[object]]:
    sql, args = "", list[object]()
    if w.since is not None:
        sql, args = sql + " AND published >= %s", [*args, w.since]
    if w.until is not None:
        sql, args = sql + " AND published <= %s", [*args, w.until]
    return sql, args


def _ids(conn: psycopg.Connection[Any], w: Wanted, names: list[str]) -> list[int]:
    window, args = _window(w)
    if w.passages is not None:
        query = f"SELECT id FROM sentences WHERE chunk = ANY(%s) AND speaker = ANY(%s){window}"
        return [int(r[0]) for r in conn.execute(query, [sorted(set(w.passages)), names, *args])]
    if w.newest is None:
        query = f"SELECT id FROM sentences WHERE speaker = ANY(%s){window}"
        return [int(r[0]) for r in conn.execute(query, [names, *args])]
    found: list[tuple[date | None, int]] = []
    for name in names:  # per speaker through the index, newest first; then the newest n of all
        query = (
            f"SELECT published, id FROM sentences WHERE speaker = %s{window}"
            " ORDER BY published DESC NULLS LAST LIMIT %s"
        )
        found += [(r[0], int(r[1])) for r in conn.execute(query, [name, *args, w.newest])]
    found.sort(key=lambda r: (r[0] is not None, r[0] or date.min, -r[1]), reverse=True)
    return [rid for _, rid in found[: w.newest]]


def statements(conn: psycopg.Connection[Any], w: Wanted, passages: Passages) -> list[Sentence]:
    names = sorted(set(w.speakers))
    if not names or (w.passages is not None and not w.passages):
        return []
    ids = _ids(conn, w, names)
    if not ids:
        return []
    rows = conn.execute(
        'SELECT chunk, ord, start, "end", vector, speaker FROM sentences WHERE id = ANY(%s)',
        [ids],
    ).fetchall()
    where = passages({int(r[0]) for r in rows})
    found = [_sentence(where[int(r[0])], r) for r in rows]
    return order(found, w.newest)


def _sentence(place: tuple[Chunk, Article], r: Sequence[Any]) -> Sentence:
    chunk, article = place
    vector = np.frombuffer(r[4], dtype=VECTOR_DTYPE).astype(np.float32)
    return Sentence(article, chunk, r[2], r[3], r[1], vector, r[5])
