"""The BM25 side in the database: the files bm25s writes, one row each, per generation.

Keeping bm25s (rather than PostgreSQL's full-text ranking, which is not BM25) is what makes the
two stores' answers identical; the draft builds it once per commit, each snapshot loads it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import psycopg

from bot.engine.store.sparse import FOLDER, SparseIndex


def save_sparse(conn: psycopg.Connection[Any], name: str, sparse: SparseIndex) -> None:
    """The BM25 side as the files store writes it, one row per file; older ones go (readers
    that still use them loaded them when they opened)."""
    folder = Path(tempfile.mkdtemp(prefix="talks-sparse-"))
    try:
        sparse.save(folder)
        conn.execute("DELETE FROM sparse_files")
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO sparse_files (generation, name, data) VALUES (%s, %s, %s)",
                [(name, p.name, p.read_bytes()) for p in (folder / FOLDER).iterdir()],
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def load_sparse(conn: psycopg.Connection[Any], name: str) -> SparseIndex:
    folder = Path(tempfile.mkdtemp(prefix="talks-sparse-"))
    try:
        (folder / FOLDER).mkdir()
        rows = conn.execute(
            "SELECT name, data FROM sparse_files WHERE generation = %s", [name]
        ).fetchall()
        for file_name, data in rows:
            (folder / FOLDER / Path(file_name).name).write_bytes(data)
        return SparseIndex.load(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
