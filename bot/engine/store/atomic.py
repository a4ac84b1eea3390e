"""The one way talks writes a file that must survive a crash whole: temp file, fsync, rename.

Used for corpus/ files, the feed list, the Q&A channel list and index/CURRENT. A leftover temp file
is hidden (leading dot), so neither the corpus scan nor a reader ever takes it for the real one.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename or new file in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """Every file and folder below `folder`, then `folder` itself."""
    for path in sorted(folder.rglob("*"), reverse=True):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    fsync_dir(folder)


def write_atomic(path: Path, data: bytes | None, *, exclusive: bool = False) -> None:
    """Replace `path` with `data` (None deletes it); readers see the old bytes or the new.

    `exclusive` refuses to overwrite a file that appeared meanwhile (FileExistsError).
    """
    if data is None:
        path.unlink(missing_ok=True)
        fsync_dir(path.parent)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
