"""Reads a PostgreSQL snapshot and draft share: articles, passages, sentences, keys.

Each runs through `Catalog.run`, on a connection whose transaction fixes what it sees: a
snapshot's short read-only REPEATABLE READ transaction that has checked its generation is the
live one (a whole question's, or the read's own), or a draft's connection (the generation being
written). Sentence vectors are half precision, as in the files store, so both
stores rank the same sentences the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any, TypeVar

import numpy as np
import psycopg
from psycopg.rows import dict_row

from bot.engine.index.dedup import canonical_url, text_key
from bot.engine.models import Article, Chunk, Sentence
from bot.engine.store.base import SourceInfo

VECTOR_DTYPE = np.float16  # as metadb.VECTOR_DTYPE: sentence vectors only rank sentences
T = TypeVar("T")
Conn = psycopg.Connection[Any]
ARTICLE_COLUMNS = "a.id, a.title, a.text, a.source, a.url, a.outlet, a.published, a.language"


def to_article(row: dict[str, Any]) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        source=row["source"],
        url=row["url"],
        outlet=row["outlet"],
        published=row["published"],
        language=row["language"],
    )


def rows(conn: Conn, query: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def passages(conn: Conn, ids: Iterable[int]) -> dict[int, tuple[Chunk, Article]]:
    wanted = [int(i) for i in ids]
    if not wanted:
        return {}
    found = rows(
        conn,
        "SELECT c.id AS rid, c.chunk_id, c.article_id AS id, c.ord, c.heading, c.start,"
        ' c."end", c.text AS ctext FROM chunks c WHERE c.id = ANY(%s)',
        [wanted],
    )
    # Each article once, however many of its passages are wanted: a widening filter pool
    # can ask for thousands of passages of a few hundred articles.
    ids = list({r["id"] for r in found})
    query = f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.id = ANY(%s)"
    articles = {r["id"]: to_article(r) for r in rows(conn, query, [ids])} if ids else {}
    return {int(r["rid"]): (_chunk(r), articles[r["id"]]) for r in found}


def sentences(conn: Conn, article_ids: Sequence[str]) -> list[Sentence]:
    """Every stored sentence of these articles, article by article in the given order."""
    found = conn.execute(
        'SELECT chunk, article_id, ord, start, "end", vector, speaker FROM sentences'
        " WHERE article_id = ANY(%s) ORDER BY id",
        [list(article_ids)],
    ).fetchall()
    where = passages(conn, {int(r[0]) for r in found})
    out: dict[str, list[Sentence]] = {a: [] for a in article_ids}
    for chunk_id, _, ord_, start, end, vector, speaker in found:
        chunk, article = where[int(chunk_id)]
        as_float = np.frombuffer(vector, dtype=VECTOR_DTYPE).astype(np.float32)
        out[article.id].append(Sentence(article, chunk, start, end, ord_, as_float, speaker))
    return [s for a in article_ids for s in out[a]]


class Catalog:
    """Article metadata and passage reads; `run` says on which connection and transaction
    (see the module docstring)."""

    def run(self, work: Callable[[Conn], T]) -> T:
        raise NotImplementedError

    def _all(self, query: str, params: Sequence[object] = ()) -> list[Any]:
        return self.run(lambda conn: conn.execute(query, params).fetchall())

    def _rows(self, query: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
        return self.run(lambda conn: rows(conn, query, params))

    def article(self, article_id: str) -> Article | None:
        found = self._rows(
            f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.id = %s", [article_id]
        )
        return to_article(found[0]) if found else None

    def find_article(self, *, url: str | None, text: str) -> Article | None:
        """An indexed article with the same canonical URL or the same words (see dedup)."""
        key = canonical_url(url)
        query = f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.%s = %%s LIMIT 1"
        found = self._rows(query % "url_key", [key]) if key else []
        if not found and text:
            found = self._rows(query % "text_key", [text_key(text)])
        return to_article(found[0]) if found else None

    def counts(self) -> tuple[int, int]:
        found = self._all("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM chunks)")
        return (int(found[0][0]), int(found[0][1])) if found else (0, 0)

    def signatures(self, article_ids: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """MinHash signatures by article id: of the given articles, or of all."""
        if article_ids is None:
            found = self._all("SELECT id, minhash FROM articles")
        else:
            ids = list(article_ids)
            query = "SELECT id, minhash FROM articles WHERE id = ANY(%s)"
            found = self._all(query, [ids]) if ids else []
        return {r[0]: np.frombuffer(r[1], dtype=np.uint32) for r in found}

    def dup_groups(self, article_ids: Iterable[str] | None = None) -> dict[str, str]:
        query = "SELECT id, dup_group FROM articles WHERE dup_group IS NOT NULL"
        if article_ids is None:
            return {r[0]: r[1] for r in self._all(query)}
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        return {r[0]: r[1] for r in self._all(f"{query} AND id = ANY(%s)", [ids])}

    def group_members(self, group: str) -> list[str]:
        found = self._all("SELECT id FROM articles WHERE dup_group = %s", [group])
        return sorted(r[0] for r in found)

    def passages(self, ids: Iterable[int]) -> dict[int, tuple[Chunk, Article]]:
        wanted = list(ids)
        return self.run(lambda conn: passages(conn, wanted))

    def articles(self) -> Iterator[Article]:
        query = f"SELECT {ARTICLE_COLUMNS} FROM articles a ORDER BY a.published DESC, a.title"
        yield from (to_article(r) for r in self._rows(query))

    def sources(self) -> list[SourceInfo]:
        found = self._rows(
            "SELECT a.id, a.title, a.outlet, a.published, a.source, a.url, a.dup_group,"
            " a.language, count(c.id)::int AS n FROM articles a"
            " LEFT JOIN chunks c ON c.article_id = a.id"
            " GROUP BY a.id ORDER BY a.published IS NULL, a.published DESC, a.title"
        )
        names = (
            "id",
            "title",
            "outlet",
            "published",
            "source",
            "url",
            "n",
            "dup_group",
            "language",
        )
        return [SourceInfo(*(r[n] for n in names)) for r in found]

    def vectors_for(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        found = self._all(
            "SELECT DISTINCT ON (ekey) ekey, embedding FROM chunks WHERE ekey = ANY(%s)"
            " ORDER BY ekey, id DESC",
            [list(set(keys))],
        )
        return {k: np.asarray(v.to_numpy(), dtype=np.float32) for k, v in found}

    def sentences_for(self, keys: Iterable[str]) -> dict[str, list[tuple[int, int, np.ndarray]]]:
        """For reuse: per passage key, the sentences of the first passage stored with it."""
        found = self._all(
            "WITH first AS (SELECT DISTINCT ON (ekey) ekey, id, start FROM chunks"
            " WHERE ekey = ANY(%s) ORDER BY ekey, id)"
            ' SELECT f.ekey, s.start - f.start, s."end" - f.start, s.vector'
            " FROM first f JOIN sentences s ON s.chunk = f.id ORDER BY s.id",
            [list(set(keys))],
        )
        out: dict[str, list[tuple[int, int, np.ndarray]]] = {}
        for ekey, start, end, vector in found:
            out.setdefault(ekey, []).append((start, end, np.frombuffer(vector, VECTOR_DTYPE)))
        return out

    def sentences(self, article_ids: Sequence[str]) -> list[Sentence]:
        """Every stored sentence of these articles, article by article in the given order."""
        if not article_ids:
            return []
        return self.run(lambda conn: sentences(conn, article_ids))

    def date_range(self) -> tuple[date | None, date | None]:
        found = self._all("SELECT min(published), max(published) FROM articles")
        return (found[0][0], found[0][1]) if found else (None, None)


def _chunk(r: dict[str, Any]) -> Chunk:
    return Chunk(
        id=r["chunk_id"],
        article_id=r["id"],
        ord=r["ord"],
        text=r["ctext"],
        heading=r["heading"],
        start=r["start"],
        end=r["end"],
    )
