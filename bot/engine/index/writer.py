"""The one write path: every index generation is built here, under one lock.

A `Batch` is the life of one generation: begin from the live snapshot (or empty), add articles
(chunk → embed, reusing the vectors of passages already indexed → store), remove articles, regroup
near-duplicates, then commit or abort. A full rebuild, an incremental add or removal, a feed poll
and the synthetic benchmark corpora all go through it.

Commit order, so that a crash at any point leaves index and corpus consistent or recoverable:
1. the new generation is complete in the store's draft;
2. corpus/ is written (each file atomically);
3. the draft is swapped in.
A failure in 1 changes nothing. A failure in 2 or 3 undoes the corpus writes and drops the draft.
A hard crash between 2 and 3 leaves corpus/ ahead of the index, which the engine then reports as
stale; the old index keeps answering meanwhile. (The other order could leave an article in the
index that a rebuild would silently lose.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import numpy as np

from bot.engine.index.chunk import CHUNKER_VERSION, chunk_article
from bot.engine.index.dedup import NearDupIndex, components, group_names
from bot.engine.index.embed import Embedder, encode_units
from bot.engine.index.passages import (
    PlannedArticle,
    PlannedPassage,
    Pooled,
    Vectors,
    needed_passages,
)
from bot.engine.ingest import corpus
from bot.engine.models import Article, Chunk, Progress
from bot.engine.store.base import FORMAT, Draft, Manifest, SentenceRow, Snapshot, Store
from bot.errors import IndexMismatch, IndexMissing
from bot.settings import Settings

ProgressFn = Callable[[Progress], None]


def _quiet(_: Progress) -> None:
    pass


class IndexWriter:
    """Owns the write lock; hands out one Batch at a time."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings

    def live(self) -> Snapshot | None:
        """The live snapshot, or None before the first index."""
        try:
            return self.store.open(model=self.embedder.name, dim=self.embedder.dim)
        except IndexMissing:
            return None

    @contextmanager
    def batch(
        self, *, empty: bool = False, approximate: bool = False, check_chunking: bool = True
    ) -> Iterator[Batch]:
        """Lock, begin a draft (from the live snapshot unless `empty`); abort unless committed."""
        with self.store.locked():
            live = self.live() if not empty else None
            if live is not None and check_chunking:
                self.check_chunking(live)
            draft = self.store.begin(live, dim=self.embedder.dim, approximate=approximate)
            batch = Batch(self, draft, live if not empty else self._reusable(), full=empty)
            try:
                yield batch
            finally:
                if not batch.committed:
                    draft.abort()

    def check_chunking(self, live: Snapshot) -> None:
        """An incremental change must cut passages as the live generation did."""
        m, s = live.manifest, self.settings
        if (m.chunk_tokens, m.chunk_overlap) != (s.chunk_tokens, s.chunk_overlap):
            raise IndexMismatch(
                "The index was built with other chunk settings; rebuild the index before adding "
                "or removing articles."
            )

    def _reusable(self) -> Snapshot | None:
        try:
            return self.live()
        except IndexMismatch:  # built by another model: nothing to reuse
            return None

    def rebuild(
        self, articles: list[Article], fingerprint: str, progress: ProgressFn = _quiet
    ) -> tuple[str, int, int]:
        """A complete new generation of these articles; (name, embedded, chunks)."""
        with self.batch(empty=True, approximate=self.approximate(articles)) as batch:
            embedded, chunks = batch.add(articles, progress)
            progress(Progress("saving", 1, 1, len(articles), chunks))
            return batch.commit(fingerprint), embedded, chunks

    def approximate(self, articles: list[Article]) -> bool:
        estimate = sum(max(1, len(a.text) // 900) for a in articles)
        return estimate >= self.settings.ann_min_chunks

    def chunks(self, article: Article) -> list[Chunk]:
        budget = min(self.settings.chunk_tokens, self.embedder.max_tokens - 48)
        overlap = min(self.settings.chunk_overlap, budget // 2)
        return chunk_article(
            article, budget=budget, overlap=overlap, count=self.embedder.count_tokens
        )

    def manifest(self, fingerprint: str, draft: Draft) -> Manifest:
        articles, chunks = draft.counts()
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
            dense=draft.dense_kind,
        )


class Batch:
    """One generation in the making."""

    def __init__(
        self, writer: IndexWriter, draft: Draft, base: Snapshot | None, *, full: bool
    ) -> None:
        self.writer = writer
        self.draft = draft
        self.base = base  # the live snapshot: vectors are reused from it
        self.full = full  # a whole new index: group near-duplicates from scratch
        self.added: list[str] = []
        self.removed: list[str] = []
        self.touched: set[str] = set()
        self.groups: dict[str, str] = {}  # near-duplicate groups of the added articles
        self.committed = False

    def add(self, articles: Sequence[Article], progress: ProgressFn = _quiet) -> tuple[int, int]:
        """Chunk, embed (reusing vectors by content) and store; (embedded, chunks).

        Each passage's forward pass also gives its sentences their vectors (pooled from its
        token embeddings), so the answer step never runs the model on sentences.
        """
        plan: list[PlannedArticle] = []
        for i, article in enumerate(articles, 1):
            plan.append(PlannedArticle.of(article, self.writer.chunks(article)))
            if i % 50 == 0 or i == len(articles):
                chunks = sum(len(p.chunks) for p in plan)
                progress(Progress("chunking", i, len(articles), i, chunks))
        total = sum(len(p.chunks) for p in plan)
        needed = needed_passages(plan)
        vectors, sentences = self._reusable(needed)
        todo = {key: needed[key] for key in needed if key not in vectors}
        if todo:

            def on_batch(done: int, _total: int) -> None:
                self.draft.alive()  # a lost database stops the embedding now, not at the end
                progress(Progress("embedding", done, len(todo), len(articles), total))

            texts = [p.text for p in todo.values()]
            spans = [sorted(p.spans) for p in todo.values()]
            fresh, pooled = encode_units(self.writer.embedder, texts, spans, on_batch)
            for key, vector, rows, pool in zip(todo, fresh, spans, pooled, strict=True):
                vectors[key] = vector
                sentences[key] = dict(zip(rows, pool, strict=True))
        for p in plan:
            passage_vectors = [vectors[k] for k in p.keys]
            self.add_embedded(p.article, p.chunks, p.keys, passage_vectors, p.rows(sentences))
        return len(todo), total

    def _reusable(self, needed: dict[str, PlannedPassage]) -> tuple[Vectors, Pooled]:
        """Vectors of passages the live generation already holds, with all their sentences."""
        if self.base is None:
            return {}, {}
        vectors = self.base.vectors_for(needed)
        stored = self.base.sentences_for(vectors)
        sentences: Pooled = {}
        for key in list(vectors):
            head = needed[key].head
            rows = {(a + head, b + head): v for a, b, v in stored.get(key, [])}
            if needed[key].spans <= rows.keys():
                sentences[key] = rows
            else:
                del vectors[key]  # stored without these sentences: embed it again
        return vectors, sentences

    def add_embedded(
        self,
        article: Article,
        chunks: Sequence[Chunk],
        keys: Sequence[str],
        vectors: Sequence[np.ndarray] | np.ndarray,
        sentences: Sequence[SentenceRow] = (),
    ) -> None:
        """Store an article whose passages (and sentences) already have vectors; the synthetic
        corpora's seam."""
        dim = self.writer.embedder.dim
        matrix = np.vstack(list(vectors)) if len(vectors) else np.zeros((0, dim), np.float32)
        self.draft.add(article, chunks, keys, matrix, sentences)
        self.added.append(article.id)

    def remove(self, article_id: str) -> None:
        group = self.draft.dup_groups([article_id]).get(article_id)
        self.touched.update(self.draft.group_members(group) if group else ())
        self.draft.remove(article_id)
        self.removed.append(article_id)

    def commit(
        self,
        fingerprint: str | None,
        files: Sequence[corpus.FileChange] = (),
        *,
        group: bool = True,
    ) -> str:
        """Regroup, write corpus/ (undone on failure), swap the generation in; its name.

        `fingerprint` is corpus/'s as indexed; None keeps the live one's standing: fresh if corpus/
        matched it before this change, stale otherwise (an index that lagged behind must still
        look stale after an add). `group=False` skips near-duplicate grouping (synthetic corpora).
        """
        if group:
            self._regroup()
        self.groups = self.draft.dup_groups(self.added)
        root = self.writer.settings.corpus_dir
        before = self.base.manifest.corpus_fingerprint if self.base else corpus.EMPTY_FINGERPRINT
        was_fresh = fingerprint is None and corpus.fingerprint(root) == before
        corpus.apply(files)
        try:
            after = fingerprint or (corpus.fingerprint(root) if was_fresh else before)
            name = self.draft.commit(self.writer.manifest(after, self.draft))
        except BaseException:
            corpus.undo(files)
            raise
        self.committed = True
        return name

    def _regroup(self) -> None:
        if self.full:
            self.draft.set_dup_groups(dict(group_names(components(self.draft.signatures()))))
        else:
            regroup(self.draft, self.added, self.touched - set(self.removed))


def regroup(draft: Draft, new_ids: list[str], touched: set[str]) -> None:
    """Recompute the near-duplicate groups around articles just added (or left by a removal).

    A group is closed under "near-duplicate of", so the component of any affected article lies
    within the new articles, their near-duplicates and those articles' groups: recomputing just
    those gives the groups a full rebuild would.
    """
    affected = set(touched) | set(new_ids)
    if new_ids:
        sigs, groups, index = draft.signatures(), draft.dup_groups(), NearDupIndex()
        for article_id, sig in sigs.items():
            index.add(article_id, sig)
        for article_id in new_ids:
            for other in index.similar(sigs[article_id]):
                affected.add(other)
                if other in groups:
                    affected.update(draft.group_members(groups[other]))
    sigs = draft.signatures(affected)
    names = group_names(components(sigs))
    draft.set_dup_groups({article_id: names.get(article_id) for article_id in sigs})
