"""Incremental changes: add or remove articles without re-indexing the rest.

Inputs are read and fetched before the write lock is taken (fetching can take seconds); under the
lock, what is new is planned against the live snapshot and written as one generation by the
writer, with corpus/ kept in step (see index/writer.py for the order that survives a crash).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bot.engine import lang
from bot.engine.index.plan import plan_adds
from bot.engine.index.writer import IndexWriter
from bot.engine.ingest import corpus
from bot.engine.ingest.incoming import Fetcher, Incoming, Input, read_inputs
from bot.engine.models import AddReport, Article
from bot.errors import BadInput


def add(writer: IndexWriter, fetcher: Fetcher, inputs: Sequence[Input]) -> AddReport:
    """Everything usable among `inputs`, in one new generation; the rest as report lines.

    Errors of the index itself (Busy, IndexMismatch, disk) raise.
    """
    root = writer.settings.corpus_dir
    items, duplicates, problems = read_inputs(inputs, root, fetcher, writer.live())
    return add_items(writer, items, duplicates, problems)


def add_items(
    writer: IndexWriter, items: list[Incoming], duplicates: list[str], problems: list[str]
) -> AddReport:
    started = time.monotonic()
    problems = problems + [p for item in items for p in item.problems]
    readable: frozenset[str] | None = getattr(writer.embedder, "languages", None)
    labelled = []
    for item in items:
        articles, refused = lang.label(item.articles, readable)
        problems += refused  # and the item's own: its file then keeps only the records taken
        labelled.append(replace(item, articles=articles, problems=item.problems + refused))
    items = labelled
    if not any(item.articles for item in items):
        return AddReport([], duplicates, problems)
    with writer.batch() as batch:
        plan = plan_adds(batch.draft, items, writer.settings.corpus_dir)
        duplicates = duplicates + plan.duplicates
        if not plan.articles:
            return AddReport([], duplicates, problems)
        _, chunks = batch.add(plan.articles)
        name = batch.commit(None, plan.files)
    grouped = [
        f"{a.id} ({a.title}) is a near-copy of {batch.groups[a.id]}"
        for a in plan.articles
        if a.id in batch.groups
    ]
    seconds = time.monotonic() - started
    return AddReport(plan.articles, duplicates, problems, grouped, chunks, seconds, name)


def remove(writer: IndexWriter, article_id: str) -> Article:
    """Remove an article from the index and its file (or .jsonl line) from corpus/."""
    with writer.batch(check_chunking=False) as batch:
        article = batch.draft.article(article_id.strip())
        if article is None:
            raise BadInput(
                f"No indexed article has the id {article_id!r}; the list of sources shows them."
            )
        change = corpus.removal(Path(writer.settings.corpus_dir), article)
        batch.remove(article.id)
        batch.commit(None, [change] if change else [])
    return article
