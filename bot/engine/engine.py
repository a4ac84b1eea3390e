"""Engine: the one service object both front doors (CLI, Discord) call.

It owns the embedding model and the loaded index generation. Questions are answered from whatever
generation is live; writers (rebuild, add, remove) work on a new generation behind a lock and swap
it in only when it is complete, so queries never wait for, or see half of, a re-index.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bot.engine import feeds_registry, incoming, update
from bot.engine.answer.extractive import build_answer
from bot.engine.answer.generate import OnText, Writer
from bot.engine.chunk import CHUNKER_VERSION, chunk_article, embedding_text
from bot.engine.corpus import fingerprint as corpus_fingerprint
from bot.engine.dedup import components, group_names
from bot.engine.dense import DenseIndex
from bot.engine.embed import Embedder
from bot.engine.feeds_registry import Feed, PollReport
from bot.engine.ingest import read_corpus
from bot.engine.models import Answer, Article, Chunk
from bot.engine.retrieve import make_query, retrieve
from bot.engine.sparse import SparseIndex
from bot.engine.store import DB, FORMAT, Generation, Manifest, MetaDB, SourceInfo, Store
from bot.engine.update import AddReport
from bot.errors import BadInput, Busy, IndexMissing
from bot.settings import Settings

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 500


@dataclass(frozen=True)
class Progress:
    stage: str  # "reading", "chunking", "embedding", "saving", "done"
    done: int
    total: int
    articles: int = 0
    chunks: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 100.0


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class BuildReport:
    articles: int
    chunks: int
    embedded: int  # chunks that needed the model (the rest reused vectors from the old index)
    seconds: float
    problems: list[str] = field(default_factory=list)
    generation: str = ""


@dataclass(frozen=True)
class Stats:
    articles: int
    chunks: int
    index_bytes: int
    model: str
    dense: str
    built_at: str | None
    generation: str | None
    uptime_seconds: float


def _ekey(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class Engine:
    def __init__(
        self, settings: Settings, embedder: Embedder, *, allow_hosts: frozenset[str] = frozenset()
    ) -> None:
        """`allow_hosts` lets tests fetch from a local server; production passes nothing."""
        self.settings = settings
        self.embedder = embedder
        self.allow_hosts = allow_hosts
        self.store = Store(settings.index_dir)
        self._gen: Generation | None = None
        self._write = threading.Lock()
        self._started = time.monotonic()
        self.writer = Writer.from_settings(settings, embedder.encode)  # None: generation off

    # ---- reading -------------------------------------------------------------------------
    def generation(self) -> Generation:
        """The live generation, reloaded if another process swapped in a newer one."""
        name = self.store.current_name()
        gen = self._gen
        if gen is None or (name is not None and name != gen.name):
            gen = self.store.load(model=self.embedder.name, dim=self.embedder.dim)
            self._gen = gen
        return gen

    def ask(self, question: str) -> Answer:
        question = " ".join(question.split())
        if not question:
            raise BadInput("Please ask a question; it was empty.")
        if len(question) > MAX_QUESTION_CHARS:
            raise BadInput(f"Please keep the question under {MAX_QUESTION_CHARS} characters.")
        gen = self.generation()
        query = make_query(question, gen, self.embedder.encode)
        hits = retrieve(
            gen,
            query,
            max(self.settings.top_k, 8),
            dense_weight=self.settings.dense_weight,
            sparse_weight=self.settings.sparse_weight,
        )
        return build_answer(
            query,
            hits,
            self.embedder.encode,
            gen.sparse.df,
            max(1, gen.sparse.size),
            max_sentences=self.settings.max_answer_sentences,
            threshold=self.settings.abstain_threshold,
        )

    def ask_stream(self, question: str, on_text: OnText | None = None) -> Answer:
        """`ask`, then written by the configured language model when there is one (see
        answer/generate.py): `on_text` sees the unchecked draft as it streams; the Answer
        returned holds only checked sentences, or is the extractive one (its `mode` says which)."""
        started = time.monotonic()
        answer = self.ask(question)
        return self.writer.write(answer, on_text, started) if self.writer else answer

    def sources(self) -> list[SourceInfo]:
        return self.generation().db.sources()

    def stats(self) -> Stats:
        try:
            gen = self.generation()
        except IndexMissing:
            gen = None
        size = sum(p.stat().st_size for p in gen.path.rglob("*") if p.is_file()) if gen else 0
        articles, chunks = gen.db.counts() if gen else (0, 0)
        return Stats(
            articles=articles,
            chunks=chunks,
            index_bytes=size,
            model=self.embedder.name,
            dense=gen.dense.kind if gen else "-",
            built_at=gen.manifest.built_at if gen else None,
            generation=gen.name if gen else None,
            uptime_seconds=time.monotonic() - self._started,
        )

    def is_stale(self) -> bool:
        """True if the corpus changed since the index was built (or no usable index exists)."""
        manifest = self.store.manifest()
        if manifest is None or manifest.model != self.embedder.name or manifest.format != FORMAT:
            return True
        return manifest.corpus_fingerprint != corpus_fingerprint(self.settings.corpus_dir)

    # ---- writing -------------------------------------------------------------------------
    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer at a time, across threads and processes (the bot and a CLI `talks add`).

        Without the file lock two processes could both copy generation N and the second commit
        would drop the first one's article from the index.
        """
        busy = Busy("An index update is already running; try again when it has finished.")
        if not self._write.acquire(blocking=False):
            raise busy
        try:
            self.settings.index_dir.mkdir(parents=True, exist_ok=True)
            with open(self.settings.index_dir / ".write.lock", "a") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise busy from None
                yield  # the lock goes with the file's closing
        finally:
            self._write.release()

    def rebuild(self, progress: ProgressFn | None = None) -> BuildReport:
        """Re-index corpus/ into a new generation; vectors of unchanged passages are reused."""
        with self._writing():
            return self._rebuild(progress or (lambda p: None))

    # ---- incremental changes (see update.py) ----------------------------------------------
    def add_articles(self, articles: Sequence[Article]) -> AddReport:
        """Add Articles built by the caller; each is stored in corpus/ as Markdown."""
        return update.add_items(self, [incoming.from_article(a) for a in articles], [], [])

    def add_bytes(self, name: str, data: bytes) -> AddReport:
        """Add an uploaded file (e.g. a Discord attachment), stored in corpus/ under its name."""
        return self.add_inputs([(name, data)])

    def add_files(self, paths: Sequence[Path]) -> AddReport:
        return self.add_inputs(list(paths))

    def add_url(self, url: str) -> AddReport:
        return self.add_inputs([url])

    def add(self, targets: Sequence[str]) -> AddReport:
        """URLs and file paths, mixed (the CLI's `talks add`); one new generation for all."""
        return self.add_inputs([t if incoming.is_url(t) else Path(t) for t in targets])

    def add_inputs(self, inputs: Sequence[update.Input]) -> AddReport:
        """Paths, URLs and (name, bytes) uploads, mixed; see update.add_inputs."""
        return update.add_inputs(self, inputs)

    def remove(self, source_id: str) -> Article:
        """Remove an article from the index and its file (or .jsonl line) from corpus/."""
        return update.remove(self, source_id)

    # ---- feeds (see feeds_registry.py) ------------------------------------------------------
    def add_feed(self, url: str) -> Feed:
        """Follow an RSS/Atom feed; it is fetched and parsed once to check it."""
        return feeds_registry.add_feed(self, url)

    def feeds(self) -> list[Feed]:
        return feeds_registry.FeedList(self.settings.index_dir).load()

    def remove_feed(self, url: str) -> Feed:
        return feeds_registry.remove_feed(self, url)

    def poll_feeds(self) -> PollReport:
        """Fetch every feed and add the articles of entries not seen before, in one update."""
        return feeds_registry.poll(self)

    def _rebuild(self, progress: ProgressFn) -> BuildReport:
        started = time.monotonic()
        fingerprint = corpus_fingerprint(self.settings.corpus_dir)
        progress(Progress("reading", 0, 1))
        articles, problems = read_corpus(self.settings.corpus_dir)
        articles = update.unique(articles, problems)
        for line in problems:
            log.warning("skipped: %s", line)
        tmp = self.store.begin()
        try:
            db = MetaDB(tmp / DB, writable=True)
            dense = DenseIndex.empty(self.embedder.dim, approximate=self._approximate(articles))
            embedded, chunks = self._index_articles(db, dense, articles, progress)
            db.set_dup_groups(dict(group_names(components(db.signatures()))))
            progress(Progress("saving", 1, 1, len(articles), chunks))
            sparse = SparseIndex.build(db.bm25_docs())
            name = self.store.commit(tmp, db, dense, sparse, self._manifest(fingerprint, db, dense))
        except BaseException:
            self.store.abort(tmp)
            raise
        self._gen = None
        self.generation()
        progress(Progress("done", 1, 1, len(articles), chunks))
        return BuildReport(
            len(articles), chunks, embedded, time.monotonic() - started, problems, name
        )

    def _approximate(self, articles: list[Article]) -> bool:
        estimate = sum(max(1, len(a.text) // 900) for a in articles)
        return estimate >= self.settings.ann_min_chunks

    def _chunks(self, article: Article) -> list[Chunk]:
        budget = min(self.settings.chunk_tokens, self.embedder.max_tokens - 48)
        overlap = min(self.settings.chunk_overlap, budget // 2)
        return chunk_article(
            article, budget=budget, overlap=overlap, count=self.embedder.count_tokens
        )

    def _index_articles(
        self, db: MetaDB, dense: DenseIndex, articles: Iterable[Article], progress: ProgressFn
    ) -> tuple[int, int]:
        """Chunk, embed (reusing old vectors by content) and store articles; (embedded, chunks)."""
        articles = list(articles)
        plan: list[tuple[Article, list[Chunk], list[str]]] = []
        for i, article in enumerate(articles, 1):
            chunks = self._chunks(article)
            texts = [embedding_text(article, c) for c in chunks]
            plan.append((article, chunks, texts))
            if i % 50 == 0 or i == len(articles):
                progress(Progress("chunking", i, len(articles), i, sum(len(p[1]) for p in plan)))
        total = sum(len(p[1]) for p in plan)
        reuse = self._reusable({_ekey(t) for _, _, texts in plan for t in texts})
        todo = [t for _, _, texts in plan for t in texts if _ekey(t) not in reuse]
        fresh: dict[str, np.ndarray] = {}
        if todo:

            def on_batch(done: int, _total: int) -> None:
                progress(Progress("embedding", done, len(todo), len(articles), total))

            vectors = self.embedder.encode(todo, progress=on_batch)
            fresh = {_ekey(t): v for t, v in zip(todo, vectors, strict=True)}
        for article, chunks, texts in plan:
            keys = [_ekey(t) for t in texts]
            rows = db.insert(article, chunks, keys)
            vecs = [fresh[k] if k in fresh else reuse[k] for k in keys]
            if rows:
                dense.add(np.asarray(rows, dtype=np.int64), np.vstack(vecs))
        return len(todo), total

    def _reusable(self, keys: set[str]) -> dict[str, np.ndarray]:
        """Vectors of the live generation for these content keys, if it used the same model."""
        try:
            gen = self.generation()
        except Exception:  # no index, or an incompatible one: nothing to reuse
            return {}
        by_key = {k: rid for k, rid in gen.db.vectors_by_ekey().items() if k in keys}
        ids = np.fromiter(by_key.values(), dtype=np.int64, count=len(by_key))
        vectors = gen.dense.vectors(ids)
        return dict(zip(by_key.keys(), vectors, strict=True))

    def _manifest(self, fingerprint: str, db: MetaDB, dense: DenseIndex) -> Manifest:
        articles, chunks = db.counts()
        return Manifest(
            format=FORMAT,
            model=self.embedder.name,
            dim=self.embedder.dim,
            chunker=CHUNKER_VERSION,
            chunk_tokens=self.settings.chunk_tokens,
            chunk_overlap=self.settings.chunk_overlap,
            corpus_fingerprint=fingerprint,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            articles=articles,
            chunks=chunks,
            dense=dense.kind,
        )


def open_engine(settings: Settings, *, bulk: bool = False) -> Engine:
    """Load the configured embedding model (once) and wrap it in an Engine.

    `bulk` is for commands that mostly build an index: they get every core unless the settings
    fix a thread count; everything else answers questions on one thread.
    """
    from bot.engine.embed import SentenceTransformerEmbedder, use_threads

    use_threads(settings.threads or ((os.cpu_count() or 1) if bulk else 1))
    embedder = SentenceTransformerEmbedder(
        settings.embedding_model,
        batch_size=settings.embedding_batch_size,
        backend=settings.embedding_backend,
    )
    return Engine(settings, embedder)
