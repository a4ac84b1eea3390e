"""Incremental updates: add or remove articles without re-indexing the rest.

The live generation is copied (SQLite backup, FAISS clone), only the changed articles' chunks are
inserted or deleted (embedding only new passages), BM25 is rebuilt from SQLite (cheap), and the
result is committed as a new generation, exactly as a full rebuild would be.

Order, so that a crash at any point leaves index and corpus consistent or recoverable:
1. read and check every input, and build the new generation in a temporary folder;
2. write corpus/ (each file atomically);
3. swap the generation in (Store.commit).
A failure in 1 changes nothing. A failure in 2 or 3 undoes the corpus writes and drops the temporary
generation. A hard crash between 2 and 3 leaves corpus/ ahead of the index, which `is_stale()` then
reports and `talks index` repairs; the old index keeps answering meanwhile. (The other order could
leave an article in the index that a rebuild would silently lose.)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.engine import corpus, incoming
from bot.engine.dedup import NearDupIndex, canonical_url, components, group_names, text_key
from bot.engine.dense import DenseIndex
from bot.engine.incoming import Incoming
from bot.engine.ingest.site import same_site
from bot.engine.models import Article
from bot.engine.sparse import SparseIndex
from bot.engine.store import DB, Generation, MetaDB
from bot.errors import BadInput, IndexMismatch, IndexMissing

if TYPE_CHECKING:
    from bot.engine.engine import Engine

Input = str | Path | tuple[str, bytes]  # a URL, a file, or an upload's name and bytes


@dataclass(frozen=True)
class AddReport:
    added: list[Article]
    duplicates: list[str]  # "<input>: already indexed as <id> (<title>)"
    problems: list[str]  # inputs (or records) that could not be read; nothing was stored for them
    grouped: list[str] = field(default_factory=list)  # added articles that are near-copies
    chunks: int = 0
    seconds: float = 0.0
    generation: str | None = None


@dataclass
class Plan:
    articles: list[Article] = field(default_factory=list)
    files: list[corpus.FileChange] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


class Seen:
    """Canonical URLs and texts already taken, with the article that took them.

    The same text is a duplicate unless both articles have URLs on different sites
    (registrable domains): anyone can copy an article's text onto their own site, and that
    copy must not block the real one. Copies from two sites are both indexed and grouped as
    near-copies, each with its own outlet and URL. (The index returns one article per text;
    if that one is from another site, a copy from this site is indexed and grouped too.)
    """

    def __init__(self, db: MetaDB | None = None) -> None:
        self.db = db
        self._by_url: dict[str, Article] = {}
        self._by_text: dict[str, list[Article]] = {}

    def original(self, article: Article) -> Article | None:
        if self.db is not None:
            found = self.db.find_article(url=article.url, text=article.text)
            if found is not None and _same_place(found, article):
                return found
        url = canonical_url(article.url)
        if url and url in self._by_url:
            return self._by_url[url]
        copies = self._by_text.get(text_key(article.text), [])
        return next((a for a in copies if _same_place(a, article)), None)

    def add(self, article: Article) -> None:
        url = canonical_url(article.url)
        if url:
            self._by_url.setdefault(url, article)
        self._by_text.setdefault(text_key(article.text), []).append(article)


def _same_place(a: Article, b: Article) -> bool:
    return not (a.url and b.url) or same_site(a.url, b.url)


def unique(articles: list[Article], problems: list[str]) -> list[Article]:
    """For a full rebuild: the first of each set of exact duplicates, in corpus order."""
    seen, kept = Seen(), []
    for article in articles:
        original = seen.original(article)
        if original is None:
            seen.add(article)
            kept.append(article)
        else:
            problems.append(
                f"{article.source}: same article as {original.id} ({original.title}); skipped."
            )
    return kept


def add_inputs(eng: Engine, inputs: Sequence[Input]) -> AddReport:
    """Read, fetch and check every input, then add what is new in one update.

    An input that cannot be used becomes a line in `problems` and changes nothing; errors of
    the index itself (Busy, IndexMismatch, disk) raise. URLs already indexed are not fetched.
    """
    items: list[Incoming] = []
    duplicates: list[str] = []
    problems: list[str] = []
    gen = live(eng)
    s = eng.settings
    for item in inputs:
        try:
            if isinstance(item, tuple):
                items.append(incoming.from_bytes(*item))
            elif isinstance(item, Path):
                items.append(incoming.from_file(item, s.corpus_dir))
            elif known := (gen.db.find_article(url=item, text="") if gen else None):
                duplicates.append(f"{item}: already indexed as {known.id} ({known.title})")
            else:
                items.append(
                    incoming.from_url(
                        item,
                        timeout=s.fetch_timeout,
                        max_bytes=s.fetch_max_bytes,
                        allow_hosts=eng.allow_hosts,
                    )
                )
        except BadInput as exc:
            problems.append(str(exc))
    return add_items(eng, items, duplicates, problems)


def plan_adds(db: MetaDB | None, items: list[Incoming], root: Path) -> Plan:
    """Drop duplicates (of the index and of each other) and pick the corpus file of each input."""
    plan, seen, taken = Plan(), Seen(db), set[str]()
    for item in items:
        kept: list[Article] = []
        for article in item.articles:
            original = seen.original(article)
            if original is not None:
                where = article.source if len(item.articles) > 1 else item.label
                plan.duplicates.append(
                    f"{where}: already indexed as {original.id} ({original.title})"
                )
                continue
            seen.add(article)
            kept.append(article)
        if not kept:
            continue
        if item.in_place:
            plan.articles.extend(kept)
            continue
        path = corpus.unique_path(root, item.name, taken)
        stored = item.renamed(path.relative_to(root).as_posix())
        data = item.data
        if len(kept) < len(item.articles) or item.problems:
            data = _only_records(item, {a.id for a in kept})
        plan.articles.extend(a for a in stored.articles if a.id in {k.id for k in kept})
        plan.files.append(corpus.FileChange(path, None, data))
    return plan


def _only_records(item: Incoming, keep: set[str]) -> bytes:
    """A .jsonl file with the lines of duplicates and broken records blanked."""
    keep_lines = {int(a.source.rpartition("#")[2]) for a in item.articles if a.id in keep}
    text = item.data.decode("utf-8-sig")
    drop = set(range(1, len(text.splitlines()) + 1)) - keep_lines
    return corpus.blank_lines(text, drop).encode()


def add_items(
    eng: Engine, items: list[Incoming], duplicates: list[str], problems: list[str]
) -> AddReport:
    started = time.monotonic()
    problems = problems + [p for item in items for p in item.problems]
    if not any(item.articles for item in items):
        return AddReport([], duplicates, problems)
    with eng._writing():
        gen = live(eng)
        plan = plan_adds(gen.db if gen else None, items, eng.settings.corpus_dir)
        duplicates = duplicates + plan.duplicates
        if not plan.articles:
            return AddReport([], duplicates, problems)
        name, chunks = commit(eng, gen, plan.articles, [], plan.files)
    groups = eng.generation().db.dup_groups(a.id for a in plan.articles)
    grouped = [
        f"{a.id} ({a.title}) is a near-copy of {groups[a.id]}"
        for a in plan.articles
        if a.id in groups
    ]
    return AddReport(
        plan.articles, duplicates, problems, grouped, chunks, time.monotonic() - started, name
    )


def remove(eng: Engine, article_id: str) -> Article:
    with eng._writing():
        gen = eng.generation()
        article = gen.db.article(article_id.strip())
        if article is None:
            raise BadInput(
                f"No indexed article has the id {article_id!r}; `talks sources` lists them."
            )
        change = corpus.removal(eng.settings.corpus_dir, article)
        commit(eng, gen, [], [article.id], [change] if change else [])
    return article


def live(eng: Engine) -> Generation | None:
    """The live generation, or None before the first index; refuses one built differently."""
    try:
        gen = eng.generation()
    except IndexMissing:
        return None
    m, s = gen.manifest, eng.settings
    if (m.chunk_tokens, m.chunk_overlap) != (s.chunk_tokens, s.chunk_overlap):
        raise IndexMismatch(
            "The index was built with other chunk settings; run `talks index` before adding or "
            "removing articles."
        )
    return gen


def commit(
    eng: Engine,
    gen: Generation | None,
    adds: list[Article],
    removes: list[str],
    files: list[corpus.FileChange],
) -> tuple[str, int]:
    """Build the next generation from `gen` plus the changes, write corpus/, swap; (name, chunks)."""
    root = eng.settings.corpus_dir
    before = gen.manifest.corpus_fingerprint if gen else corpus.EMPTY_FINGERPRINT
    was_fresh = corpus.fingerprint(root) == before
    tmp = eng.store.begin()
    try:
        db = gen.db.copy_to(tmp / DB) if gen else MetaDB(tmp / DB, writable=True)
        dense = gen.dense.copy() if gen else DenseIndex.empty(eng.embedder.dim)
        touched: set[str] = set()
        for article_id in removes:
            group = db.dup_groups([article_id]).get(article_id)
            touched.update(db.group_members(group) if group else ())
            dense.remove(np.asarray(db.delete_article(article_id), dtype=np.int64))
        _, chunks = eng._index_articles(db, dense, adds, lambda p: None)
        regroup(db, [a.id for a in adds], touched - set(removes))
        sparse = SparseIndex.build(db.bm25_docs())
        corpus.apply(files)
        try:
            # An index that lagged behind corpus/ before this change must still look stale.
            after = corpus.fingerprint(root) if was_fresh else before
            name = eng.store.commit(tmp, db, dense, sparse, eng._manifest(after, db, dense))
        except BaseException:
            corpus.undo(files)
            raise
    except BaseException:
        eng.store.abort(tmp)
        raise
    eng._gen = None
    eng.generation()
    return name, chunks


def regroup(db: MetaDB, new_ids: list[str], touched: set[str]) -> None:
    """Recompute the near-duplicate groups around articles just added (or left by a removal).

    A group is closed under "near-duplicate of", so the component of any affected article lies
    within the new articles, their near-duplicates and those articles' groups: recomputing just
    those gives the groups a full rebuild would.
    """
    affected = set(touched) | set(new_ids)
    if new_ids:
        sigs, groups, index = db.signatures(), db.dup_groups(), NearDupIndex()
        for article_id, sig in sigs.items():
            index.add(article_id, sig)
        for article_id in new_ids:
            for other in index.similar(sigs[article_id]):
                affected.add(other)
                if other in groups:
                    affected.update(db.group_members(groups[other]))
    sigs = db.signatures(affected)
    names = group_names(components(sigs))
    db.set_dup_groups({article_id: names.get(article_id) for article_id in sigs})
