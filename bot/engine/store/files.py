"""The index/ folder: generations written beside the live one and swapped in atomically.

index/CURRENT names the live generation (gen-…/), which holds manifest.json, meta.sqlite,
dense.faiss and sparse/. A writer fills a hidden temporary folder, fsyncs it, renames it into place
and only then replaces CURRENT (os.replace), so a crash at any point leaves the old index whole.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.engine.store.dense import DenseIndex
from bot.engine.store.metadb import MetaDB, SourceInfo
from bot.engine.store.sparse import SparseIndex
from bot.errors import IndexMismatch, IndexMissing

__all__ = [
    "CURRENT",
    "DB",
    "FORMAT",
    "MANIFEST",
    "Generation",
    "Manifest",
    "MetaDB",
    "SourceInfo",
    "Store",
    "check_compatible",
]

FORMAT = 2  # 2: articles carry dedup keys, a MinHash signature and a dup_group
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
DB = "meta.sqlite"


@dataclass(frozen=True)
class Manifest:
    format: int
    model: str
    dim: int
    chunker: str
    chunk_tokens: int
    chunk_overlap: int
    corpus_fingerprint: str
    built_at: str
    articles: int
    chunks: int
    dense: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


@dataclass
class Generation:
    """A loaded, read-only index generation."""

    path: Path
    manifest: Manifest
    db: MetaDB
    dense: DenseIndex
    sparse: SparseIndex

    @property
    def name(self) -> str:
        return self.path.name


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    fsync_dir(folder)


def fsync_dir(folder: Path) -> None:
    """Make a rename or new file in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root

    def current_name(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if name and (self.root / name / MANIFEST).exists() else None

    def manifest(self) -> Manifest | None:
        name = self.current_name()
        if not name:
            return None
        data = json.loads((self.root / name / MANIFEST).read_text(encoding="utf-8"))
        try:
            return Manifest(**data)
        except TypeError:
            raise IndexMismatch(
                "The index was written by another version of talks; run `talks index`."
            ) from None

    def load(self, *, model: str, dim: int) -> Generation:
        name = self.current_name()
        if not name:
            raise IndexMissing(f"No index in {self.root}/ yet; run `talks index` to build it.")
        manifest = self.manifest()
        assert manifest is not None
        check_compatible(manifest, model=model, dim=dim)
        path = self.root / name
        return Generation(
            path=path,
            manifest=manifest,
            db=MetaDB(path / DB),
            dense=DenseIndex.load(path),
            sparse=SparseIndex.load(path),
        )

    def begin(self) -> Path:
        """A fresh hidden folder to write a generation into."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-{uuid.uuid4().hex[:12]}"
        tmp.mkdir()
        return tmp

    def commit(
        self, tmp: Path, db: MetaDB, dense: DenseIndex, sparse: SparseIndex, manifest: Manifest
    ) -> str:
        """Write the parts, make them durable, and swap the generation in."""
        db.commit()
        db.close()
        dense.save(tmp)
        sparse.save(tmp)
        (tmp / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        _fsync_tree(tmp)
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        os.rename(tmp, self.root / name)
        fsync_dir(self.root)
        pointer = self.root / f".{CURRENT}.{uuid.uuid4().hex[:6]}"
        with open(pointer, "w", encoding="utf-8") as fh:
            fh.write(name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(pointer, self.root / CURRENT)
        fsync_dir(self.root)
        self.prune(keep={name})
        return name

    def abort(self, tmp: Path) -> None:
        shutil.rmtree(tmp, ignore_errors=True)

    def prune(self, keep: set[str]) -> None:
        """Drop all but the live and the previous generation (a running reader may still use it)."""
        gens = sorted(
            (p for p in self.root.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime
        )
        spare = [p for p in gens if p.name not in keep]
        for path in spare[:-1]:
            shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(".tmp-*"):
            if time.time() - path.stat().st_mtime > 3600:
                shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(f".{CURRENT}.*"):
            path.unlink(missing_ok=True)


def check_compatible(manifest: Manifest, *, model: str, dim: int) -> None:
    if manifest.format != FORMAT:
        raise IndexMismatch("The index was written by another version of talks; run `talks index`.")
    if manifest.model != model or manifest.dim != dim:
        raise IndexMismatch(
            f"The index was built with model {manifest.model} ({manifest.dim} dimensions), "
            f"but the configured model is {model} ({dim}); run `talks index` to rebuild it."
        )
