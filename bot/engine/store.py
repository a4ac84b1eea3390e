"""The index/ folder: generations written beside the live one and swapped in atomically.

index/CURRENT names the live generation (gen-…/), which holds manifest.json, meta.sqlite,
dense.faiss and sparse/. A writer fills a hidden temporary folder, fsyncs it, renames it into place
and only then replaces CURRENT (os.replace), so a crash at any point leaves the old index whole.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from bot.engine.dense import DenseIndex
from bot.engine.models import Article, Chunk
from bot.engine.sparse import SparseIndex
from bot.errors import IndexMismatch, IndexMissing

FORMAT = 1
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
DB = "meta.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, source TEXT NOT NULL,
    url TEXT, outlet TEXT, published TEXT, language TEXT, added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, article_id TEXT NOT NULL REFERENCES articles(id),
    ord INTEGER NOT NULL, heading TEXT, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, ekey TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE INDEX IF NOT EXISTS chunks_ekey ON chunks(ekey);
"""


@dataclass(frozen=True)
class Manifest:
    format: int
    model: str
    dim: int
    chunker: str
    chunk_tokens: int
    chunk_overlap: int
    corpus_fingerprint: str
    built_at: str
    articles: int
    chunks: int
    dense: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


@dataclass(frozen=True)
class SourceInfo:
    id: str
    title: str
    outlet: str | None
    published: date | None
    source: str
    url: str | None
    chunks: int


def _article_row(a: Article, added_at: str) -> tuple[object, ...]:
    published = a.published.isoformat() if a.published else None
    return (a.id, a.title, a.text, a.source, a.url, a.outlet, published, a.language, added_at)


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

    def insert(self, article: Article, chunks: list[Chunk], ekeys: list[str]) -> list[int]:
        """Store an article and its chunks; returns the chunks' row ids (the FAISS ids)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        cur = self.conn.execute(
            "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?)", _article_row(article, now)
        )
        rows = []
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
        return rows

    def delete_article(self, article_id: str) -> list[int]:
        rows = [
            r[0]
            for r in self.conn.execute("SELECT rowid FROM chunks WHERE article_id=?", (article_id,))
        ]
        self.conn.execute("DELETE FROM chunks WHERE article_id=?", (article_id,))
        self.conn.execute("DELETE FROM articles WHERE id=?", (article_id,))
        return rows

    def commit(self) -> None:
        self.conn.commit()

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
        """An indexed article with the same URL or the same text (ignoring spacing and case)."""
        if url:
            row = self.conn.execute("SELECT * FROM articles WHERE url=?", (url,)).fetchone()
            if row:
                return _article(row)
        return None

    def articles(self) -> Iterator[Article]:
        for row in self.conn.execute("SELECT * FROM articles ORDER BY published DESC, title"):
            yield _article(row)

    def sources(self) -> list[SourceInfo]:
        rows = self.conn.execute(
            "SELECT a.id, a.title, a.outlet, a.published, a.source, a.url, COUNT(c.rowid) AS n"
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
            )
            for r in rows
        ]

    def bm25_docs(self) -> Iterator[tuple[int, str]]:
        """(row id, text) for BM25: the title twice and the heading weigh in beside the passage."""
        query = (
            "SELECT c.rowid, a.title, c.heading, c.text"
            " FROM chunks c JOIN articles a ON a.id = c.article_id ORDER BY c.rowid"
        )
        for rid, title, heading, text in self.conn.execute(query):
            yield rid, f"{title}\n{title}\n{heading or ''}\n{text}"

    def vectors_by_ekey(self) -> dict[str, int]:
        return {ekey: rid for rid, ekey in self.conn.execute("SELECT rowid, ekey FROM chunks")}

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


@dataclass
class Generation:
    """A loaded, read-only index generation."""

    path: Path
    manifest: Manifest
    db: MetaDB
    dense: DenseIndex
    sparse: SparseIndex

    @property
    def name(self) -> str:
        return self.path.name


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root

    def current_name(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if name and (self.root / name / MANIFEST).exists() else None

    def manifest(self) -> Manifest | None:
        name = self.current_name()
        if not name:
            return None
        data = json.loads((self.root / name / MANIFEST).read_text(encoding="utf-8"))
        try:
            return Manifest(**data)
        except TypeError:
            raise IndexMismatch(
                "The index was written by another version of talks; run `talks index`."
            ) from None

    def load(self, *, model: str, dim: int) -> Generation:
        name = self.current_name()
        if not name:
            raise IndexMissing(f"No index in {self.root}/ yet; run `talks index` to build it.")
        manifest = self.manifest()
        assert manifest is not None
        check_compatible(manifest, model=model, dim=dim)
        path = self.root / name
        return Generation(
            path=path,
            manifest=manifest,
            db=MetaDB(path / DB),
            dense=DenseIndex.load(path),
            sparse=SparseIndex.load(path),
        )

    def begin(self) -> Path:
        """A fresh hidden folder to write a generation into."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-{uuid.uuid4().hex[:12]}"
        tmp.mkdir()
        return tmp

    def commit(
        self, tmp: Path, db: MetaDB, dense: DenseIndex, sparse: SparseIndex, manifest: Manifest
    ) -> str:
        """Write the parts, make them durable, and swap the generation in."""
        db.commit()
        db.close()
        dense.save(tmp)
        sparse.save(tmp)
        (tmp / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        _fsync_tree(tmp)
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        os.rename(tmp, self.root / name)
        _fsync_dir(self.root)
        pointer = self.root / f".{CURRENT}.{uuid.uuid4().hex[:6]}"
        with open(pointer, "w", encoding="utf-8") as fh:
            fh.write(name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(pointer, self.root / CURRENT)
        _fsync_dir(self.root)
        self.prune(keep={name})
        return name

    def abort(self, tmp: Path) -> None:
        shutil.rmtree(tmp, ignore_errors=True)

    def prune(self, keep: set[str]) -> None:
        """Drop all but the live and the previous generation (a running reader may still use it)."""
        gens = sorted(
            (p for p in self.root.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime
        )
        spare = [p for p in gens if p.name not in keep]
        for path in spare[:-1]:
            shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(".tmp-*"):
            if time.time() - path.stat().st_mtime > 3600:
                shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(f".{CURRENT}.*"):
            path.unlink(missing_ok=True)


def check_compatible(manifest: Manifest, *, model: str, dim: int) -> None:
    if manifest.format != FORMAT:
        raise IndexMismatch("The index was written by another version of talks; run `talks index`.")
    if manifest.model != model or manifest.dim != dim:
        raise IndexMismatch(
            f"The index was built with model {manifest.model} ({manifest.dim} dimensions), "
            f"but the configured model is {model} ({dim}); run `talks index` to rebuild it."
        )
