"""meta.sqlite: articles, their chunks and sentences, with the keys deduplication needs.

Sentence vectors (half precision) live here beside their sentences: the answer step reads those of
three articles per question, so they need no place in memory.

A chunk's row id is its FAISS id, which is what lets an incremental update delete exactly the
vectors of one article. Only the files store (store/files.py) uses this module.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from bot.engine.index.dedup import canonical_url, signature, text_key
from bot.engine.models import Article, Chunk, Sentence
from bot.engine.store import said
from bot.engine.store.base import SentenceRow, SourceInfo

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, source TEXT NOT NULL,
    url TEXT, outlet TEXT, published TEXT, language TEXT, added_at TEXT NOT NULL,
    url_key TEXT, text_key TEXT NOT NULL, minhash BLOB NOT NULL, dup_group TEXT
);
CREATE INDEX IF NOT EXISTS articles_url_key ON articles(url_key);
CREATE INDEX IF NOT EXISTS articles_text_key ON articles(text_key);
CREATE INDEX IF NOT EXISTS articles_dup_group ON articles(dup_group);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, article_id TEXT NOT NULL REFERENCES articles(id),
    ord INTEGER NOT NULL, heading TEXT, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, ekey TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE INDEX IF NOT EXISTS chunks_ekey ON chunks(ekey);
CREATE TABLE IF NOT EXISTS sentences (
    rowid INTEGER PRIMARY KEY, chunk_rowid INTEGER NOT NULL REFERENCES chunks(rowid),
    article_id TEXT NOT NULL, ord INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    vector BLOB NOT NULL, speaker TEXT, published TEXT
);
CREATE INDEX IF NOT EXISTS sentences_said ON sentences(speaker, published)
    WHERE speaker IS NOT NULL;
CREATE INDEX IF NOT EXISTS sentences_article ON sentences(article_id);
CREATE INDEX IF NOT EXISTS sentences_chunk ON sentences(chunk_rowid);
"""
VECTOR_DTYPE = said.VECTOR_DTYPE  # a sentence vector only ranks sentences: half is plenty


def _blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def _article_row(a: Article, added_at: str) -> tuple[object, ...]:
    published = a.published.isoformat() if a.published else None
    keys = (canonical_url(a.url), text_key(a.text), signature(a.text).tobytes())
    return (
        a.id,
        a.title,
        a.text,
        a.source,
        a.url,
        a.outlet,
        published,
        a.language,
        added_at,
        *keys,
    )


def _article(row: sqlite3.Row) -> Article:
    published = date.fromisoformat(row["published"]) if row["published"] else None
    return Article(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        source=row["source"],
        url=row["url"],
        outlet=row["outlet"],
        published=published,
        language=row["language"],
    )


class MetaDB:
    """Articles and chunks in SQLite. Reads are thread-safe (a connection per thread)."""

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        self.path = path
        self.writable = writable
        self._local = threading.local()
        if writable:
            self.conn.executescript(SCHEMA)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            uri = f"file:{self.path}?mode={'rwc' if self.writable else 'ro'}"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def insert(
        self,
        article: Article,
        chunks: list[Chunk],
        ekeys: list[str],
        sentences: Sequence[SentenceRow] = (),
    ) -> list[int]:
        """Store an article, its chunks and sentences; returns the chunks' row ids (FAISS ids)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        cur = self.conn.execute(
            "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,NULL)", _article_row(article, now)
        )
        rows = []
        day = article.published.isoformat() if article.published else None  # for `statements`
        for chunk, ekey in zip(chunks, ekeys, strict=True):
            cur = self.conn.execute(
                'INSERT INTO chunks (id, article_id, ord, heading, start, "end", text, ekey)'
                " VALUES (?,?,?,?,?,?,?,?)",
                (
                    chunk.id,
                    article.id,
                    chunk.ord,
                    chunk.heading,
                    chunk.start,
                    chunk.end,
                    chunk.text,
                    ekey,
                ),
            )
            rows.append(int(cur.lastrowid or 0))
        self.conn.executemany(
            "INSERT INTO sentences"
            ' (chunk_rowid, article_id, ord, start, "end", vector, speaker, published)'
            " VALUES (?,?,?,?,?,?,?,?)",
            [
                (rows[s.chunk], article.id, n, s.start, s.end, _blob(s.vector), s.speaker, day)
                for n, s in enumerate(sentences)
            ],
        )
        return rows

    def delete_article(self, article_id: str) -> list[int]:
        rows = [
            r[0]
            for r in self.conn.execute("SELECT rowid FROM chunks WHERE article_id=?", (article_id,))
        ]
        self.conn.execute("DELETE FROM sentences WHERE article_id=?", (article_id,))
        self.conn.execute("DELETE FROM chunks WHERE article_id=?", (article_id,))
        self.conn.execute("DELETE FROM articles WHERE id=?", (article_id,))
        return rows

    def commit(self) -> None:
        self.conn.commit()

    def sentences(self, article_ids: Sequence[str]) -> list[Sentence]:
        """Every stored sentence of these articles, article by article in the given order."""
        if not article_ids:
            return []
        marks = ",".join("?" * len(article_ids))
        rows = self.conn.execute(
            "SELECT s.chunk_rowid, s.article_id, s.ord AS sord, s.start AS sstart,"
            f' s."end" AS send, s.vector, s.speaker FROM sentences s WHERE s.article_id IN ({marks})'
            " ORDER BY s.rowid",
            list(article_ids),
        ).fetchall()
        passages = self.hits({int(r["chunk_rowid"]) for r in rows})
        out: dict[str, list[Sentence]] = {a: [] for a in article_ids}
        for r in rows:
            chunk, article = passages[int(r["chunk_rowid"])]
            vector = np.frombuffer(r["vector"], dtype=VECTOR_DTYPE).astype(np.float32)
            out[article.id].append(
                Sentence(article, chunk, r["sstart"], r["send"], r["sord"], vector, r["speaker"])
            )
        return [s for a in article_ids for s in out[a]]

    def speakers(self) -> dict[str, int]:
        return said.speakers(self.conn)

    def statements(
        self,
        speakers: Collection[str],
        since: date | None,
        until: date | None,
        passages: Collection[int] | None,
        newest: int | None,
    ) -> list[Sentence]:
        return said.statements(
            self.conn, said.Wanted(speakers, since, until, passages, newest), _article
        )

    def sentences_by_ekey(
        self, ekeys: Iterable[str]
    ) -> dict[str, list[tuple[int, int, np.ndarray]]]:
        """For reuse: each passage's sentences (offsets into the passage) and vectors, read in
        one pass; of several passages with one key, the first stored."""
        wanted = set(ekeys)
        first: dict[str, int] = {}  # key → the chunk its sentences are taken from
        found: dict[str, list[tuple[int, int, np.ndarray]]] = {}
        rows = self.conn.execute(
            'SELECT c.ekey, c.rowid AS crow, c.start AS cstart, s.start, s."end", s.vector'
            " FROM sentences s JOIN chunks c ON c.rowid = s.chunk_rowid ORDER BY s.rowid"
        )
        for ekey, crow, cstart, start, end, vector in rows:
            if ekey not in wanted or first.setdefault(ekey, crow) != crow:
                continue
            found.setdefault(ekey, []).append(
                (start - cstart, end - cstart, np.frombuffer(vector, dtype=VECTOR_DTYPE))
            )
        return found

    def hits(self, row_ids: Iterable[int]) -> dict[int, tuple[Chunk, Article]]:
        ids = [int(i) for i in row_ids]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            'SELECT c.rowid AS rid, c.id AS cid, c.ord, c.heading, c.start, c."end",'
            " c.text AS ctext, a.* FROM chunks c JOIN articles a ON a.id = c.article_id"
            f" WHERE c.rowid IN ({marks})",
            ids,
        ).fetchall()
        out = {}
        for r in rows:
            chunk = Chunk(
                id=r["cid"],
                article_id=r["id"],
                ord=r["ord"],
                text=r["ctext"],
                heading=r["heading"],
                start=r["start"],
                end=r["end"],
            )
            out[int(r["rid"])] = (chunk, _article(r))
        return out

    def article(self, article_id: str) -> Article | None:
        row = self.conn.execute("SELECT * FROM articles WHERE id=?", (article_id,)).fetchone()
        return _article(row) if row else None

    def find_article(self, *, url: str | None, text: str) -> Article | None:
        """An indexed article with the same canonical URL or the same words (see dedup)."""
        key = canonical_url(url)
        row = None
        if key:
            row = self.conn.execute("SELECT * FROM articles WHERE url_key=?", (key,)).fetchone()
        if row is None and text:
            row = self.conn.execute(
                "SELECT * FROM articles WHERE text_key=?", (text_key(text),)
            ).fetchone()
        return _article(row) if row else None

    def signatures(self, article_ids: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """MinHash signatures by article id: of the given articles, or of all."""
        if article_ids is None:
            rows = self.conn.execute("SELECT id, minhash FROM articles").fetchall()
        else:
            ids = list(article_ids)
            marks = ",".join("?" * len(ids))
            query = f"SELECT id, minhash FROM articles WHERE id IN ({marks})"
            rows = self.conn.execute(query, ids).fetchall() if ids else []
        return {r[0]: np.frombuffer(r[1], dtype=np.uint32) for r in rows}

    def dup_groups(self, article_ids: Iterable[str] | None = None) -> dict[str, str]:
        """article id → near-duplicate group, for the grouped ones among the given (or all)."""
        query = "SELECT id, dup_group FROM articles WHERE dup_group IS NOT NULL"
        if article_ids is None:
            return {r[0]: r[1] for r in self.conn.execute(query)}
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {r[0]: r[1] for r in self.conn.execute(f"{query} AND id IN ({marks})", ids)}

    def group_members(self, group: str) -> list[str]:
        rows = self.conn.execute("SELECT id FROM articles WHERE dup_group=?", (group,))
        return sorted(r[0] for r in rows)

    def set_dup_groups(self, groups: dict[str, str | None]) -> None:
        self.conn.executemany(
            "UPDATE articles SET dup_group=? WHERE id=?", [(g, a) for a, g in groups.items()]
        )

    def articles(self) -> Iterator[Article]:
        for row in self.conn.execute("SELECT * FROM articles ORDER BY published DESC, title"):
            yield _article(row)

    def sources(self) -> list[SourceInfo]:
        rows = self.conn.execute(
            "SELECT a.id, a.title, a.outlet, a.published, a.source, a.url, a.dup_group,"
            " a.language, COUNT(c.rowid) AS n"
            " FROM articles a LEFT JOIN chunks c ON c.article_id = a.id GROUP BY a.id"
            " ORDER BY a.published IS NULL, a.published DESC, a.title"
        ).fetchall()
        return [
            SourceInfo(
                r["id"],
                r["title"],
                r["outlet"],
                date.fromisoformat(r["published"]) if r["published"] else None,
                r["source"],
                r["url"],
                r["n"],
                r["dup_group"],
                r["language"],
            )
            for r in rows
        ]

    def bm25_docs(self) -> Iterator[tuple[int, str, str | None]]:
        """(row id, text, language) for BM25: the title twice and the heading weigh in beside the
        passage."""
        query = (
            "SELECT c.rowid, a.title, c.heading, c.text, a.language"
            " FROM chunks c JOIN articles a ON a.id = c.article_id ORDER BY c.rowid"
        )
        for rid, title, heading, text, language in self.conn.execute(query):
            yield rid, f"{title}\n{title}\n{heading or ''}\n{text}", language

    def vectors_by_ekey(self) -> dict[str, int]:
        return {ekey: rid for rid, ekey in self.conn.execute("SELECT rowid, ekey FROM chunks")}

    def date_range(self) -> tuple[date | None, date | None]:
        """The first and last publication dates of the indexed articles."""
        row = self.conn.execute("SELECT min(published), max(published) FROM articles").fetchone()
        first, last = row
        return (
            date.fromisoformat(first) if first else None,
            date.fromisoformat(last) if last else None,
        )

    def counts(self) -> tuple[int, int]:
        a = self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        c = self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return int(a), int(c)

    def copy_to(self, path: Path) -> MetaDB:
        target = sqlite3.connect(path)
        with target:
            self.conn.backup(target)
        target.close()
        return MetaDB(path, writable=True)
