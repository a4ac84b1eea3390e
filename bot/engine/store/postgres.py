"""The index in PostgreSQL + pgvector, shared by any number of processes and machines.

Generations map onto PostgreSQL's own snapshots. A draft is one transaction on its own connection:
it starts from the live rows (or deletes them all, for a rebuild), adds and removes articles,
stores the BM25 side it built, and in the same transaction points `talks_live` at its new name;
COMMIT is the swap. A crash, an abort or a lost connection rolls all of it back. A snapshot is a
READ ONLY REPEATABLE READ transaction: it keeps seeing its generation, however many commits pass,
until it is closed — so a reader neither waits for nor sees half of a write, exactly as with the
files store. Engine.generation() compares `talks_live.name` on every question and opens the new
generation when another process committed one.

Writers: a session advisory lock (one per database) plays the files store's flock; the unique
text key stops a second copy of an article even if something bypassed the lock.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import numpy as np
import psycopg
from psycopg import IsolationLevel

from bot.engine.index.dedup import canonical_url, signature, text_key
from bot.engine.models import Article, Chunk, Sentence
from bot.engine.store import pgsaid, pgschema
from bot.engine.store.base import Manifest, SentenceRow, Snapshot
from bot.engine.store.files import check_compatible
from bot.engine.store.pgrows import VECTOR_DTYPE, Catalog
from bot.engine.store.pgsparse import load_sparse, save_sparse
from bot.engine.store.said import Wanted
from bot.engine.store.sparse import SparseIndex
from bot.errors import Busy, IndexMismatch, IndexMissing

WRITE_LOCK = 0x74616C6C  # advisory lock key of the one writer ("tall")
DRAFT_LOCK = WRITE_LOCK + 1  # taken by each draft's transaction as well
EF_SEARCH = 100  # HNSW candidates per query: recall@10 in docs/BENCHMARKS.md
EXACT_ABOVE = 2_000  # a larger k (a filter widening its pool) scans exactly: HNSW stops early
# Up to this many passages a generation is searched exactly, as the files store's flat index (so
# both answer alike); above it, HNSW: PostgreSQL's exact scan is a sequential scan, ≈0.5 s at
# 100k passages where HNSW takes ≈3 ms (docs/BENCHMARKS.md).
EXACT_MAX = 10_000


def _read_manifest(data: dict[str, Any]) -> Manifest:
    try:
        return Manifest(**data)
    except TypeError:
        raise IndexMismatch(
            "The index was written by another version of talks; rebuild the index."
        ) from None


class PgDense:
    """Nearest passages by inner product (= cosine on unit vectors), in the snapshot's view."""

    def __init__(self, catalog: Catalog, kind: str, dim: int) -> None:
        self._conn = catalog.conn
        self.kind = kind
        self.dim = int(dim)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Passage ids and cosine scores of the k nearest passages, best first.

        HNSW with iterative scans, so a k above ef_search still gets k rows; a very large k (a
        filter's widening pool) is answered exactly, which is then also the faster plan.
        """
        d, vector = self.dim, np.asarray(query, dtype=np.float32).reshape(-1)
        if self.kind == "hnsw" and k <= EXACT_ABOVE:
            distance = f"(embedding::vector({d})) <#> %b::vector({d})"
            where = f"WHERE vector_dims(embedding) = {d}"
        else:  # no index matches the bare column: a sequential, exact scan
            distance, where = "embedding <#> %b", ""
        rows = self._conn.execute(
            f"SELECT id, -({distance}) FROM chunks {where} ORDER BY {distance} LIMIT %s",
            [vector, vector, int(k)],
        ).fetchall()
        rows.sort(key=lambda r: (-r[1], r[0]))  # relaxed order: HNSW may return them unsorted
        ids = np.asarray([r[0] for r in rows], dtype=np.int64)
        return ids, np.asarray([r[1] for r in rows], dtype=np.float32)


class PgSnapshot(Catalog):
    """One committed generation, read through a REPEATABLE READ transaction held open."""

    def __init__(self, conn: psycopg.Connection[Any], name: str, manifest: Manifest) -> None:
        super().__init__(conn)
        self._name = name
        self.manifest = manifest
        self._closer = weakref.finalize(self, conn.close)  # an engine may just drop it
        self._dates: tuple[date | None, date | None] | None = None
        self._speakers: dict[str, int] | None = None
        self.dense = PgDense(self, manifest.dense, manifest.dim)
        self.sparse = load_sparse(conn, name)

    @property
    def name(self) -> str:
        """The generation's name; another once the connection is lost (a server restart), so
        Engine.generation opens the live generation again instead of failing every question."""
        return self._name if not self.conn.broken else f"{self._name} (connection lost)"

    def close(self) -> None:
        self._closer()

    def date_range(self) -> tuple[date | None, date | None]:
        if self._dates is None:  # a snapshot never changes: one scan suffices
            self._dates = super().date_range()
        return self._dates

    def speakers(self) -> dict[str, int]:
        if self._speakers is None:  # a snapshot never changes: one count per generation
            self._speakers = pgsaid.speakers(self.conn)
        return self._speakers

    def statements(
        self,
        speakers: Collection[str],
        *,
        since: date | None = None,
        until: date | None = None,
        passages: Collection[int] | None = None,
        newest: int | None = None,
    ) -> list[Sentence]:
        wanted = Wanted(speakers, since, until, passages, newest)
        return pgsaid.statements(self.conn, wanted, self.passages)

    def size_bytes(self) -> int:
        row = self.conn.execute(
            "SELECT sum(pg_total_relation_size(t)) FROM unnest(ARRAY['articles', 'chunks',"
            " 'sentences', 'sparse_files']::regclass[]) AS t"
        ).fetchone()
        return int(row[0]) if row and row[0] else 0


class PgDraft(Catalog):
    """The next generation: one open transaction; nobody sees it until it commits."""

    def __init__(self, store: PgStore, base: Snapshot | None, dim: int, approximate: bool):
        super().__init__(pgschema.connect(store.url))
        self._store = store
        # Held by the draft's own transaction too: were the session lock lost with its
        # connection, a second draft still could not interleave with this one.
        row = self.conn.execute("SELECT pg_try_advisory_xact_lock(%s)", [DRAFT_LOCK]).fetchone()
        if not row or not row[0]:
            self.conn.close()
            raise Busy("An index update is already running; try again when it has finished.")
        if base is None:  # a whole new index: old readers keep theirs (MVCC), we start empty
            for table in ("sentences", "chunks", "articles"):
                self.conn.execute(f"DELETE FROM {table}")
        pgschema.ensure_dense_index(self.conn, dim)
        self._approximate = approximate or (base is not None and base.manifest.dense == "hnsw")

    @property
    def dense_kind(self) -> str:
        """How the generation will be searched: asked for, or by its size (EXACT_MAX)."""
        return "hnsw" if self._approximate or self.counts()[1] > EXACT_MAX else "flat"

    def add(
        self,
        article: Article,
        chunks: Sequence[Chunk],
        keys: Sequence[str],
        vectors: np.ndarray,
        sentences: Sequence[SentenceRow] = (),
    ) -> None:
        a = article
        self.conn.execute(
            "INSERT INTO articles (id, title, text, source, url, outlet, published, language,"
            " url_key, text_key, minhash) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            [a.id, a.title, a.text, a.source, a.url, a.outlet, a.published, a.language,
             canonical_url(a.url), text_key(a.text), signature(a.text).tobytes()],
        )  # fmt: skip
        if not chunks:
            return
        ids = [r[0] for r in self.conn.execute(
            "SELECT nextval('chunks_id_seq') FROM generate_series(1, %s)", [len(chunks)]
        )]  # fmt: skip
        cols = 'id, chunk_id, article_id, ord, heading, start, "end", text, ekey, embedding'
        with self.conn.cursor().copy(f"COPY chunks ({cols}) FROM STDIN") as copy:
            for rid, c, key, vec in zip(ids, chunks, keys, vectors, strict=True):
                copy.write_row((rid, c.id, a.id, c.ord, c.heading, c.start, c.end, c.text, key,
                                np.asarray(vec, dtype=np.float32)))  # fmt: skip
        cols = 'chunk, article_id, ord, start, "end", vector, speaker, published'
        with self.conn.cursor().copy(f"COPY sentences ({cols}) FROM STDIN") as copy:
            for n, s in enumerate(sentences):
                blob = np.asarray(s.vector, dtype=VECTOR_DTYPE).tobytes()
                row = (ids[s.chunk], a.id, n, s.start, s.end, blob, s.speaker, a.published)
                copy.write_row(row)

    def remove(self, article_id: str) -> None:
        self.conn.execute("DELETE FROM sentences WHERE article_id = %s", [article_id])
        self.conn.execute("DELETE FROM chunks WHERE article_id = %s", [article_id])
        self.conn.execute("DELETE FROM articles WHERE id = %s", [article_id])

    def set_dup_groups(self, groups: dict[str, str | None]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(
                "UPDATE articles SET dup_group = %s WHERE id = %s",
                [(g, a) for a, g in groups.items()],
            )

    def commit(self, manifest: Manifest) -> str:
        """Store the BM25 side, point talks_live at the new name, COMMIT: all or nothing."""
        sparse = SparseIndex.build(self.bm25_docs())
        row = self.conn.execute("SELECT nextval('talks_generation')").fetchone()
        name = f"pg-{int(row[0]) if row else 0:06d}"
        save_sparse(self.conn, name, sparse)
        self._store.swap_in(self.conn, name, manifest)
        self.conn.commit()
        self.conn.close()
        return name

    def abort(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


class PgStore:
    """The index in one PostgreSQL database (URL from TALKS_DATABASE_URL; never logged)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._write = threading.Lock()
        self._reader: psycopg.Connection[Any] | None = None
        self._reader_lock = threading.Lock()

    def _live(self) -> tuple[str, Manifest] | None:
        """The live generation's name and manifest, on a shared autocommit connection."""
        with self._reader_lock:
            for attempt in (1, 2):  # a connection the server dropped is opened again once
                conn = self._reader
                if conn is None or conn.closed:
                    conn = self._reader = pgschema.connect(self.url, autocommit=True)
                try:
                    row = conn.execute("SELECT name, manifest FROM talks_live").fetchone()
                    return (row[0], _read_manifest(row[1])) if row else None
                except psycopg.OperationalError:
                    conn.close()
                    if attempt == 2:
                        raise
        return None

    def current_name(self) -> str | None:
        live = self._live()
        return live[0] if live else None

    def manifest(self) -> Manifest | None:
        live = self._live()
        return live[1] if live else None

    def open(self, *, model: str, dim: int) -> PgSnapshot:
        conn = pgschema.connect(self.url)
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        try:
            row = conn.execute("SELECT name, manifest FROM talks_live").fetchone()
            if row is None:
                raise IndexMissing("No index in the database yet; build it first.")
            manifest = _read_manifest(row[1])
            check_compatible(manifest, model=model, dim=dim)
            # The snapshot's transaction stays open while idle: a server-wide timeout must not
            # end it under a bot that is waiting for the next question.
            conn.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
            conn.execute(f"SET LOCAL hnsw.ef_search = {EF_SEARCH}")
            conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            return PgSnapshot(conn, row[0], manifest)
        except BaseException:
            conn.close()
            raise

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One writer at a time across processes and machines: a session advisory lock."""
        busy = Busy("An index update is already running; try again when it has finished.")
        if not self._write.acquire(blocking=False):
            raise busy
        try:
            with pgschema.connect(self.url, autocommit=True) as conn:
                row = conn.execute("SELECT pg_try_advisory_lock(%s)", [WRITE_LOCK]).fetchone()
                if not row or not row[0]:
                    raise busy
                yield  # the lock ends with the session
        finally:
            self._write.release()

    def begin(self, base: Snapshot | None, *, dim: int, approximate: bool = False) -> PgDraft:
        if base is not None and not isinstance(base, PgSnapshot):
            raise TypeError("a postgres draft starts from a postgres snapshot")
        return PgDraft(self, base, dim, approximate)

    def swap_in(self, conn: psycopg.Connection[Any], name: str, manifest: Manifest) -> None:
        """Point talks_live at `name`, inside the draft's transaction (visible at its COMMIT)."""
        conn.execute(
            "INSERT INTO talks_live (one, name, manifest) VALUES (TRUE, %s, %s)"
            " ON CONFLICT (one) DO UPDATE SET name = excluded.name, manifest = excluded.manifest",
            [name, manifest.to_json()],
        )
