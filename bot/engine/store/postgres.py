"""The index in PostgreSQL + pgvector, shared by any number of processes and machines.

Generations map onto PostgreSQL's own MVCC. A draft is one transaction on its own connection:
it starts from the live rows (or deletes them all, for a rebuild), adds and removes articles,
stores the BM25 side it built, and in the same transaction points `talks_live` at its new name;
COMMIT is the swap. A crash, an abort or a lost connection rolls all of it back. The transaction
opens only at the draft's first write, after the embedding: a long encode holds no transaction.

A snapshot is the generation's name, manifest and BM25 side, and no connection. Every read runs
in a short READ ONLY REPEATABLE READ transaction on a pooled connection (pgpool.py) that first
checks `talks_live` still names its generation: any transaction that sees that name sees exactly
that generation's rows, so a reader never sees half of a write, and answers are those of the
files store. A question is one such transaction (`reading`); between questions a reader holds
no transaction, snapshot or lock. When another generation went live, the read raises Retryable
and the engine opens the new one and asks again.

Writers: a session advisory lock (one per database) plays the files store's flock; the unique
text key stops a second copy of an article even if something bypassed the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

import numpy as np
import psycopg

from bot.engine.models import Sentence
from bot.engine.store import pgrows, pgsaid, pgschema
from bot.engine.store.base import Manifest, Snapshot
from bot.engine.store.files import check_compatible
from bot.engine.store.pgdraft import BUSY, WRITER_SESSION, PgDraft
from bot.engine.store.pgerrors import LOST_WRITE, translated
from bot.engine.store.pgpool import POOL_SIZE, Readers
from bot.engine.store.pgrows import Catalog
from bot.engine.store.pgsparse import load_sparse
from bot.engine.store.said import Wanted
from bot.errors import Busy, IndexMismatch, IndexMissing, Retryable
from bot.i18n import N_

T = TypeVar("T")
Conn = psycopg.Connection[Any]
WRITE_LOCK = 0x74616C6C  # advisory lock key of the one writer ("tall")
EF_SEARCH = 100  # HNSW candidates per query: recall@10 in docs/BENCHMARKS.md
EXACT_ABOVE = 2_000  # a larger k (a filter widening its pool) scans exactly: HNSW stops early
OPEN_TRIES = 3
MOVED = "Another index generation went live during this read; ask again."


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
        self._catalog = catalog
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
        rows = self._catalog._all(
            f"SELECT id, -({distance}) FROM chunks {where} ORDER BY {distance} LIMIT %s",
            [vector, vector, int(k)],
        )
        rows.sort(key=lambda r: (-r[1], r[0]))  # relaxed order: HNSW may return them unsorted
        ids = np.asarray([r[0] for r in rows], dtype=np.int64)
        return ids, np.asarray([r[1] for r in rows], dtype=np.float32)


class PgSnapshot(Catalog):
    """One committed generation: its name, manifest and BM25 side; reads borrow a connection."""

    def __init__(self, readers: Readers, name: str, manifest: Manifest) -> None:
        self._readers = readers
        self.name = name
        self.manifest = manifest
        self._local = threading.local()  # the connection of the question this thread reads for
        self._dates: tuple[date | None, date | None] | None = None
        self._speakers: dict[str, int] | None = None
        self.dense = PgDense(self, manifest.dense, manifest.dim)
        self.sparse = self.run(lambda conn: load_sparse(conn, name))

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Everything read inside, in this thread, is one transaction: one question sees one
        state of the database even if a commit lands meanwhile. Re-entrant."""
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with self._readers.transaction() as conn:
            with translated():
                self._check(conn)
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def run(self, work: Callable[[Conn], T]) -> T:
        conn: Conn | None = getattr(self._local, "conn", None)
        if conn is not None:
            with translated():
                return work(conn)

        def checked(conn: Conn) -> T:
            self._check(conn)
            return work(conn)

        return self._readers.run(checked)

    def _check(self, conn: Conn) -> None:
        """Retryable unless this transaction sees this generation live: then its rows are
        exactly this generation's."""
        row = conn.execute("SELECT name FROM talks_live").fetchone()
        if row is None or row[0] != self.name:
            raise Retryable(MOVED)

    def fetch(self, query: str, params: Sequence[object] = ()) -> list[Any]:
        """Rows of any query, read in this generation's view (tools and benchmarks)."""
        return self._all(query, params)

    def close(self) -> None:
        """Nothing to let go: a snapshot holds no connection between reads."""

    def date_range(self) -> tuple[date | None, date | None]:
        if self._dates is None:  # a snapshot never changes: one scan suffices
            self._dates = super().date_range()
        return self._dates

    def speakers(self) -> dict[str, int]:
        if self._speakers is None:  # a snapshot never changes: one count per generation
            self._speakers = self.run(pgsaid.speakers)
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
        return self.run(lambda c: pgsaid.statements(c, wanted, lambda ids: pgrows.passages(c, ids)))

    def size_bytes(self) -> int:
        found = self._all(
            "SELECT sum(pg_total_relation_size(t)) FROM unnest(ARRAY['articles', 'chunks',"
            " 'sentences', 'sparse_files']::regclass[]) AS t"
        )
        return int(found[0][0]) if found and found[0][0] else 0


class PgStore:
    """The index in one PostgreSQL database (URL from TALKS_DATABASE_URL; never logged)."""

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self._write = threading.Lock()
        session = {"hnsw.ef_search": str(EF_SEARCH), "hnsw.iterative_scan": "relaxed_order"}
        self.readers = Readers(url, pool_size, session)

    def _live(self) -> tuple[str, Manifest] | None:
        """The live generation's name and manifest."""
        row = self.readers.run(
            lambda conn: conn.execute("SELECT name, manifest FROM talks_live").fetchone()
        )
        return (row[0], _read_manifest(row[1])) if row else None

    def current_name(self) -> str | None:
        live = self._live()
        return live[0] if live else None

    def manifest(self) -> Manifest | None:
        live = self._live()
        return live[1] if live else None

    def open(self, *, model: str, dim: int) -> PgSnapshot:
        for attempt in range(1, OPEN_TRIES + 1):
            live = self._live()
            if live is None:
                raise IndexMissing(N_("No index in the database yet; build it first."))
            check_compatible(live[1], model=model, dim=dim)
            try:
                return PgSnapshot(self.readers, *live)
            except Retryable:  # committed over while its BM25 side loaded: the newer one
                if attempt == OPEN_TRIES:
                    raise
        raise AssertionError("unreachable")

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One writer at a time across processes and machines: a session advisory lock."""
        busy = Busy(BUSY)
        if not self._write.acquire(blocking=False):
            raise busy
        try:
            with pgschema.connect(
                self.url, autocommit=True, name=pgschema.WRITER, session=WRITER_SESSION
            ) as conn:
                with translated(lost=LOST_WRITE):
                    row = conn.execute("SELECT pg_try_advisory_lock(%s)", [WRITE_LOCK]).fetchone()
                if not row or not row[0]:
                    raise busy
                yield  # the lock ends with the session
        finally:
            self._write.release()

    def begin(self, base: Snapshot | None, *, dim: int, approximate: bool = False) -> PgDraft:
        if base is not None and not isinstance(base, PgSnapshot):
            raise TypeError("a postgres draft starts from a postgres snapshot")
        approximate = approximate or (base is not None and base.manifest.dense == "hnsw")
        return PgDraft(self, base is None, dim, approximate)

    def swap_in(self, conn: psycopg.Connection[Any], name: str, manifest: Manifest) -> None:
        """Point talks_live at `name`, inside the draft's transaction (visible at its COMMIT)."""
        conn.execute(
            "INSERT INTO talks_live (one, name, manifest) VALUES (TRUE, %s, %s)"
            " ON CONFLICT (one) DO UPDATE SET name = excluded.name, manifest = excluded.manifest",
            [name, manifest.to_json()],
        )
