"""The next PostgreSQL generation while it is written: one transaction on the writer's own
connection, opened at the first write.

Everything before the first write — planning, reading the live generation's vectors for reuse,
and above all embedding, minutes for a large corpus — runs with no transaction open, so a
server's idle_in_transaction_session_timeout cannot end it, and no row or table lock is held
while the model runs. From the first write to COMMIT the writer only computes between statements
(grouping near-duplicates, building BM25); for that stretch it sets its own, generous timeouts
for its session (WRITER_SESSION), since a server-wide value is meant for forgotten sessions.
A draft that loses its connection says so at its next statement, and `alive` lets the writer
ask between embedding batches, so a lost server is noticed within one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import psycopg

from bot.engine.index.dedup import canonical_url, signature, text_key
from bot.engine.models import Article, Chunk
from bot.engine.store import pgschema
from bot.engine.store.base import Manifest, SentenceRow
from bot.engine.store.pgerrors import LOST_WRITE, translated
from bot.engine.store.pgrows import VECTOR_DTYPE, Catalog
from bot.engine.store.pgsparse import save_sparse
from bot.engine.store.sparse import SparseIndex
from bot.errors import Busy

if TYPE_CHECKING:
    from bot.engine.store.postgres import PgStore

T = TypeVar("T")
Conn = psycopg.Connection[Any]
DRAFT_LOCK = 0x74616C6C + 1  # session advisory lock of the one draft (the writer's is 0x74616C6C)
# Up to this many passages a generation is searched exactly, as the files store's flat index (so
# both answer alike); above it, HNSW: PostgreSQL's exact scan is a sequential scan, ≈0.5 s at
# 100k passages where HNSW takes ≈3 ms (docs/BENCHMARKS.md).
EXACT_MAX = 10_000
BUSY = "An index update is already running; try again when it has finished."
# The writer's own session settings. Between two statements of its transaction it only computes
# (the BM25 build is the longest step: seconds per 100k passages); 10 minutes cuts a writer that
# hung without ending a healthy one. Its statements (COPY of a whole rebuild, the HNSW upkeep)
# may run long, so a statement_timeout meant for questions does not apply to it.
WRITER_SESSION = {"idle_in_transaction_session_timeout": "10min", "statement_timeout": "0"}


class PgDraft(Catalog):
    """The next generation: nobody sees it until it commits."""

    def __init__(self, store: PgStore, fresh: bool, dim: int, approximate: bool) -> None:
        self._store = store
        self._fresh = fresh  # a whole new index: the live rows go at the first write
        self._writing = False
        self._approximate = approximate
        self.conn = pgschema.connect(
            store.url, autocommit=True, name=pgschema.WRITER, session=WRITER_SESSION
        )
        try:
            with self._guard():
                # A session lock of the draft's own: were the writer's lock lost with its
                # connection, a second draft still could not interleave with this one.
                row = self.conn.execute("SELECT pg_try_advisory_lock(%s)", [DRAFT_LOCK]).fetchone()
                if not row or not row[0]:
                    raise Busy(BUSY)
                pgschema.ensure_dense_index(self.conn, dim)
        except BaseException:
            self.conn.close()
            raise

    @contextmanager
    def _guard(self) -> Iterator[None]:
        with translated(lost=LOST_WRITE):
            yield

    def run(self, work: Callable[[Conn], T]) -> T:
        if self._fresh:
            self._begin_writing()  # a new index is read as empty from the start
        with self._guard():
            return work(self.conn)

    def _begin_writing(self) -> None:
        """Open the draft's transaction (and empty the tables for a new index)."""
        if self._writing:
            return
        with self._guard():
            self.conn.autocommit = False
            self._writing = True
            if self._fresh:  # old readers keep theirs (MVCC); the draft starts empty
                for table in ("sentences", "chunks", "articles"):
                    self.conn.execute(f"DELETE FROM {table}")

    def alive(self) -> None:
        """DatabaseError now, rather than at the commit, if the server is gone."""
        with self._guard():
            self.conn.execute("SELECT 1")

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
        self._begin_writing()
        with self._guard():
            self._insert(article, chunks, keys, vectors, sentences)

    def _insert(
        self,
        a: Article,
        chunks: Sequence[Chunk],
        keys: Sequence[str],
        vectors: np.ndarray,
        sentences: Sequence[SentenceRow],
    ) -> None:
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
                copy.write_row(
                    (ids[s.chunk], a.id, n, s.start, s.end, blob, s.speaker, a.published)
                )

    def remove(self, article_id: str) -> None:
        self._begin_writing()
        with self._guard():
            for table, column in (("sentences", "article_id"), ("chunks", "article_id")):
                self.conn.execute(f"DELETE FROM {table} WHERE {column} = %s", [article_id])
            self.conn.execute("DELETE FROM articles WHERE id = %s", [article_id])

    def set_dup_groups(self, groups: dict[str, str | None]) -> None:
        self._begin_writing()
        with self._guard(), self.conn.cursor() as cur:
            cur.executemany(
                "UPDATE articles SET dup_group = %s WHERE id = %s",
                [(g, a) for a, g in groups.items()],
            )

    def bm25_docs(self) -> Iterator[tuple[int, str, str | None]]:
        """(passage id, text, language) for BM25, exactly as the files store feeds it: the title
        twice and the heading beside the passage, in insertion order."""
        with self.conn.cursor(name="bm25_docs") as cur:  # server side: not all rows in memory
            cur.execute(
                "SELECT c.id, a.title, c.heading, c.text, a.language FROM chunks c"
                " JOIN articles a ON a.id = c.article_id ORDER BY c.id"
            )
            for rid, title, heading, text, language in cur:
                yield int(rid), f"{title}\n{title}\n{heading or ''}\n{text}", language

    def commit(self, manifest: Manifest) -> str:
        """Store the BM25 side, point talks_live at the new name, COMMIT: all or nothing."""
        self._begin_writing()
        with self._guard():
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
            if not self.conn.broken and self._writing:
                with suppress(psycopg.Error):  # closing ends the transaction all the same
                    self.conn.rollback()
            self.conn.close()
