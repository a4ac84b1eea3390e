"""Writing to corpus/, so that a later full rebuild reads back exactly what was added.

Every change is one `FileChange` (the bytes before and after), written atomically: a hidden temp
file beside the target (the corpus scan skips hidden files, so a leftover is never indexed),
fsynced, then linked or renamed into place. Keeping the old bytes lets a failed update put the
corpus back as it was.

Removing one record of a .jsonl file blanks its line instead of deleting it: the other records'
sources (`file.jsonl#7`) are line numbers, and they must stay true for the index to match the file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from bot.engine.ingest import corpus_files, read_bytes
from bot.engine.models import Article
from bot.engine.store.atomic import write_atomic
from bot.errors import BadInput

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^\w.-]+")
_SLUG_CHARS = 60


def fingerprint(root: Path) -> str:
    """Changes whenever a corpus file is added, removed or edited (names, sizes, mtimes)."""
    digest = hashlib.sha256()
    for path in corpus_files(root):
        st = path.stat()
        digest.update(f"{path.relative_to(root)}\x00{st.st_size}\x00{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


EMPTY_FINGERPRINT = hashlib.sha256().hexdigest()[:16]  # of a corpus without files


@dataclass(frozen=True)
class FileChange:
    path: Path
    before: bytes | None  # None: the file did not exist
    after: bytes | None  # None: the file is deleted


def apply(changes: Iterable[FileChange]) -> None:
    """Make the changes in order; if one fails, undo those already made and re-raise."""
    done: list[FileChange] = []
    try:
        for change in changes:
            write_atomic(change.path, change.after, exclusive=change.before is None)
            done.append(change)
    except BaseException:
        undo(done)
        raise


def undo(changes: Iterable[FileChange]) -> None:
    """Put files back as they were; best effort, as this already runs after a failure."""
    for change in reversed(list(changes)):
        try:
            write_atomic(change.path, change.before)
        except OSError:
            log.exception("could not restore %s; rebuild the index to resync", change.path)


def safe_name(name: str) -> str:
    """A plain file name from a user-supplied one: no folders, no leading dot, no odd characters."""
    base = _UNSAFE.sub("-", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(".-")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem.strip(".-") or "article"
    if stem.lower() == "readme":
        stem = "readme-article"  # the corpus scan skips README.md
    return f"{stem}.{suffix.lower()}" if suffix else stem


def unique_path(root: Path, name: str, taken: set[str]) -> Path:
    """root/name, or root/name-2, -3 … when a file of that name exists (never overwrite)."""
    stem, suffix = os.path.splitext(name)
    candidate, n = name, 1
    while (root / candidate).exists() or candidate.lower() in taken:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    taken.add(candidate.lower())
    return root / candidate


def taken_paths(root: Path, name: str) -> list[Path]:
    """The files `unique_path` would step over for `name`: root/name, root/name-2 …"""
    stem, suffix = os.path.splitext(name)
    found, n = [], 1
    while (root / (candidate := name if n == 1 else f"{stem}-{n}{suffix}")).exists():
        found.append(root / candidate)
        n += 1
    return found


def markdown_name(article: Article) -> str:
    text = unicodedata.normalize("NFKD", article.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:_SLUG_CHARS].rstrip("-")
    slug = slug or article.id
    return f"{article.published.isoformat()}-{slug}.md" if article.published else f"{slug}.md"


def to_markdown(
    article: Article, retrieved: datetime | None = None, fetched_from: str | None = None
) -> bytes:
    """Markdown with YAML front matter; `published` only if known, never invented.

    `fetched_from` (where a page was actually read) is provenance: `url` may be the page's
    canonical link, which a reader should be able to check against it.
    """
    fields: dict[str, str | None] = {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "fetched_from": fetched_from,
        "outlet": article.outlet,
        "published": article.published.isoformat() if article.published else None,
        "retrieved": retrieved.isoformat(timespec="seconds") if retrieved else None,
        "language": article.language,
    }
    head = yaml.safe_dump(
        {k: v for k, v in fields.items() if v}, allow_unicode=True, sort_keys=False, width=10**6
    )
    return f"---\n{head}---\n\n{article.text}\n".encode()


def blank_lines(text: str, numbers: set[int]) -> str:
    """The text with the given (1-based) lines emptied; line endings and numbering kept."""
    lines = text.splitlines(keepends=True)  # the same split read_jsonl numbers lines by
    for n in numbers:
        body = lines[n - 1].rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        lines[n - 1] = lines[n - 1][len(body) :]
    return "".join(lines)


def removal(root: Path, article: Article) -> FileChange | None:
    """How corpus/ changes when `article` is removed; None if its file is already gone.

    Refuses (BadInput) when the file no longer holds that article: it was edited since the index
    was built, and deleting it could lose something else.
    """
    name, _, line = article.source.partition("#")
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    data = path.read_bytes()
    stale = BadInput(
        f"{name} no longer holds article {article.id} (it changed since it was indexed); "
        "rebuild the index, then remove it again."
    )
    try:
        found, _ = read_bytes(data, name)
    except BadInput:
        raise stale from None
    if article.id not in {a.id for a in found if a.source == article.source}:
        raise stale
    if not line:
        return FileChange(path, data, None)
    kept = blank_lines(data.decode("utf-8-sig"), {int(line)})
    return FileChange(path, data, kept.encode() if kept.strip() else None)
