"""A whole new generation in one store that reuses another store's vectors: moving an index
from files to PostgreSQL (or back) without running the model again.

It is the writer's full rebuild, except that passages and sentences already embedded in `source`
(by content key, as every rebuild reuses them) are copied rather than encoded; only passages the
source lacks are embedded. At a million passages that is hours of the model saved.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.engine.index.writer import Batch, IndexWriter
from bot.engine.models import Article, Progress
from bot.engine.store.base import Snapshot


def rebuild_reusing(
    writer: IndexWriter,
    source: Snapshot,
    articles: list[Article],
    fingerprint: str,
    progress: Callable[[Progress], None] = lambda p: None,
) -> tuple[str, int, int]:
    """A complete generation of `articles` in the writer's store; (name, embedded, chunks)."""
    if (source.manifest.model, source.manifest.dim) != (writer.embedder.name, writer.embedder.dim):
        source = None  # type: ignore[assignment]  # another model's vectors cannot be reused
    with writer.store.locked():
        approximate = writer.approximate(articles)
        draft = writer.store.begin(None, dim=writer.embedder.dim, approximate=approximate)
        batch = Batch(writer, draft, source, full=True)
        try:
            embedded, chunks = batch.add(articles, progress)
            return batch.commit(fingerprint), embedded, chunks
        finally:
            if not batch.committed:
                draft.abort()
