"""The index/ folder: generations written beside the live one and swapped in atomically.

index/CURRENT names the live generation (gen-…/), which holds manifest.json, meta.sqlite,
dense.faiss and sparse/. A draft fills a hidden temporary folder, fsyncs it, renames it into place
and only then replaces CURRENT, so a crash at any point leaves the old index whole.

Generations in use: every open snapshot holds a shared flock on its folder's `.in-use` file, so a
reader keeps its folder however many commits pass. Pruning deletes a generation only if it is not
CURRENT and an exclusive flock on it succeeds; the same rule removes orphans (a crash between the
rename and the CURRENT swap) and `.tmp-*` folders when a writer starts. A chunk's SQLite row id is
its FAISS id: that stays inside this module and the two it composes.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import threading
import time
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import IO

import numpy as np

from bot.engine.models import Article, Chunk, Sentence
from bot.engine.store.atomic import fsync_dir, fsync_tree, write_atomic
from bot.engine.store.base import FORMAT, Manifest, SentenceRow, Snapshot, SourceInfo
from bot.engine.store.dense import DenseIndex
from bot.engine.store.metadb import MetaDB
from bot.engine.store.sparse import SparseIndex
from bot.errors import Busy, IndexMismatch, IndexMissing
from bot.i18n import N_

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
DB = "meta.sqlite"
IN_USE = ".in-use"
LOCK = ".write.lock"
REBUILD = "rebuild the index"


class _Catalog:
    """The article metadata reads a snapshot and a draft share (both over a MetaDB)."""

    _db: MetaDB

    def article(self, article_id: str) -> Article | None:
        return self._db.article(article_id)

    def find_article(self, *, url: str | None, text: str) -> Article | None:
        return self._db.find_article(url=url, text=text)

    def counts(self) -> tuple[int, int]:
        return self._db.counts()

    def signatures(self, article_ids: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        return self._db.signatures(article_ids)

    def dup_groups(self, article_ids: Iterable[str] | None = None) -> dict[str, str]:
        return self._db.dup_groups(article_ids)

    def group_members(self, group: str) -> list[str]:
        return self._db.group_members(group)


class FileSnapshot(_Catalog):
    """A loaded, read-only generation; holds its folder against pruning while it lives."""

    def __init__(self, path: Path, manifest: Manifest, hold: IO[bytes]) -> None:
        self.path = path
        self.name = path.name
        self.manifest = manifest
        self._hold = hold  # the shared flock lasts as long as this file stays open
        self._db = MetaDB(path / DB)
        self._dates: tuple[date | None, date | None] | None = None
        self._speakers: dict[str, int] | None = None
        self.dense = DenseIndex.load(path)
        self.sparse = SparseIndex.load(path)

    def close(self) -> None:
        self._db.close()
        self._hold.close()

    def reading(self) -> AbstractContextManager[None]:
        """Nothing to hold: the open folder is the view, kept as long as the snapshot lives."""
        return nullcontext()

    def fork(self, folder: Path) -> tuple[MetaDB, DenseIndex]:
        """Writable copies of this generation's metadata and vectors in `folder`, for a draft."""
        return self._db.copy_to(folder / DB), self.dense.copy()

    def passages(self, ids: Iterable[int]) -> dict[int, tuple[Chunk, Article]]:
        return self._db.hits(ids)

    def articles(self) -> Iterator[Article]:
        return self._db.articles()

    def sources(self) -> list[SourceInfo]:
        return self._db.sources()

    def vectors_for(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = set(keys)
        by_key = {k: rid for k, rid in self._db.vectors_by_ekey().items() if k in wanted}
        ids = np.fromiter(by_key.values(), dtype=np.int64, count=len(by_key))
        return dict(zip(by_key.keys(), self.dense.vectors(ids), strict=True))

    def sentences_for(self, keys: Iterable[str]) -> dict[str, list[tuple[int, int, np.ndarray]]]:
        return self._db.sentences_by_ekey(keys)

    def sentences(self, article_ids: Sequence[str]) -> list[Sentence]:
        return self._db.sentences(article_ids)

    def speakers(self) -> dict[str, int]:
        if self._speakers is None:  # a snapshot never changes: one count per generation
            self._speakers = self._db.speakers()
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
        return self._db.statements(speakers, since, until, passages, newest)

    def date_range(self) -> tuple[date | None, date | None]:
        if self._dates is None:  # a snapshot never changes: one scan of the articles suffices
            self._dates = self._db.date_range()
        return self._dates

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())


class FileDraft(_Catalog):
    """The next generation, built in a hidden folder (a copy of the base, or empty)."""

    def __init__(self, store: FileStore, base: FileSnapshot | None, dim: int, approximate: bool):
        self._store = store
        self.tmp = store.root / f".tmp-{uuid.uuid4().hex[:12]}"
        self.tmp.mkdir()
        if base is not None:
            self._db, self._dense = base.fork(self.tmp)
        else:
            self._db = MetaDB(self.tmp / DB, writable=True)
            self._dense = DenseIndex.empty(dim, approximate=approximate)

    @property
    def dense_kind(self) -> str:
        return self._dense.kind

    def add(
        self,
        article: Article,
        chunks: Sequence[Chunk],
        keys: Sequence[str],
        vectors: np.ndarray,
        sentences: Sequence[SentenceRow] = (),
    ) -> None:
        rows = self._db.insert(article, list(chunks), list(keys), sentences)
        if rows:
            self._dense.add(np.asarray(rows, dtype=np.int64), vectors)

    def remove(self, article_id: str) -> None:
        rows = self._db.delete_article(article_id)
        self._dense.remove(np.asarray(rows, dtype=np.int64))

    def set_dup_groups(self, groups: dict[str, str | None]) -> None:
        self._db.set_dup_groups(groups)

    def commit(self, manifest: Manifest) -> str:
        """Write the parts, make them durable, and swap the generation in."""
        self._db.commit()
        sparse = SparseIndex.build(self._db.bm25_docs())
        self._db.close()
        self._dense.save(self.tmp)
        sparse.save(self.tmp)
        (self.tmp / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        (self.tmp / IN_USE).touch()
        fsync_tree(self.tmp)
        return self._store.swap_in(self.tmp)

    def abort(self) -> None:
        self._db.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def alive(self) -> None:
        """A folder on a local disk does not go away under a draft."""


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._write = threading.Lock()

    def current_name(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if name and (self.root / name / MANIFEST).exists() else None

    def manifest(self) -> Manifest | None:
        name = self.current_name()
        return _read_manifest(self.root / name) if name else None

    def open(self, *, model: str, dim: int) -> FileSnapshot:
        for _ in range(5):  # a writer may prune what CURRENT named a moment ago: read it again
            name = self.current_name()
            if not name:
                raise IndexMissing(N_("No index in {root}/ yet; build it first."), root=self.root)
            path = self.root / name
            hold = _hold(path)
            if hold is None:
                continue
            manifest = _read_manifest(path)
            check_compatible(manifest, model=model, dim=dim)
            return FileSnapshot(path, manifest, hold)
        raise Busy("The index is being replaced right now; try again in a moment.")

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One writer at a time, across threads and processes (the bot and a CLI add).

        Without the file lock two processes could both copy generation N and the second commit
        would drop the first one's article from the index.
        """
        busy = Busy("An index update is already running; try again when it has finished.")
        if not self._write.acquire(blocking=False):
            raise busy
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(self.root / LOCK, "a") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise busy from None
                self.prune()  # nobody else writes now: leftovers of crashed writers can go
                yield  # the lock goes with the file's closing
        finally:
            self._write.release()

    def begin(self, base: Snapshot | None, *, dim: int, approximate: bool = False) -> FileDraft:
        if base is not None and not isinstance(base, FileSnapshot):
            raise TypeError("a files draft starts from a files snapshot")
        self.root.mkdir(parents=True, exist_ok=True)
        return FileDraft(self, base, dim, approximate)

    def swap_in(self, tmp: Path) -> str:
        """Rename a complete folder into place, point CURRENT at it, prune what is unused."""
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        tmp.rename(self.root / name)
        fsync_dir(self.root)
        write_atomic(self.root / CURRENT, (name + "\n").encode())
        self.prune()
        return name

    def prune(self) -> None:
        """Remove every generation that is neither CURRENT nor held by a reader, and temp folders.

        Call only under the write lock: a `.tmp-*` folder is then no other writer's work.
        """
        live = self.current_name()
        for path in self.root.glob("gen-*"):
            if path.name != live and path.is_dir():
                _remove_unused(path)
        for path in self.root.glob(".tmp-*"):
            shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(f".{CURRENT}.*"):
            path.unlink(missing_ok=True)


def _hold(path: Path) -> IO[bytes] | None:
    """A shared flock on the generation's in-use file; None if the generation is gone."""
    fh = _in_use(path)
    if fh is None:
        return None
    fcntl.flock(fh, fcntl.LOCK_SH)
    if not (path / MANIFEST).exists():  # pruned between the open and the lock
        fh.close()
        return None
    return fh


def _in_use(path: Path) -> IO[bytes] | None:
    if not (path / MANIFEST).exists():
        return None
    try:
        (path / IN_USE).touch()  # generations written before in-use files existed lack one
        return open(path / IN_USE, "rb")
    except FileNotFoundError:
        return None


def _remove_unused(path: Path) -> None:
    fh = _in_use(path)
    if fh is None:  # half written or half deleted: nobody can be reading it
        shutil.rmtree(path, ignore_errors=True)
        return
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a reader holds it
        (path / MANIFEST).unlink(missing_ok=True)  # readers that lock after this see it gone
        shutil.rmtree(path, ignore_errors=True)


def _read_manifest(path: Path) -> Manifest:
    data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    try:
        return Manifest(**data)
    except TypeError:
        raise IndexMismatch(
            f"The index was written by another version of talks; {REBUILD}."
        ) from None


def check_compatible(manifest: Manifest, *, model: str, dim: int) -> None:
    if manifest.format != FORMAT:
        raise IndexMismatch(f"The index was written by another version of talks; {REBUILD}.")
    if manifest.model != model or manifest.dim != dim:
        raise IndexMismatch(
            f"The index was built with model {manifest.model} ({manifest.dim} dimensions), "
            f"but the configured model is {model} ({dim}); {REBUILD}."
        )
