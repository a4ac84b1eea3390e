"""Pieces every reader shares: stable article ids, text clean-up, date parsing."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date, datetime

from bot.errors import BadInput

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """Normalise Unicode and whitespace but keep paragraph breaks (blank lines) and line breaks."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def make_article_id(*, url: str | None, text: str, explicit: str | None = None) -> str:
    """A short id that stays the same when the same article is read again.

    An explicit id (from a .jsonl record or front matter) wins; then the URL; then the text.
    """
    if explicit:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", explicit.strip()).strip("-")
        if safe:
            return safe[:64]
    basis = url.strip() if url and url.strip() else " ".join(text.split()).lower()
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:12]


def parse_date(value: object, where: str) -> date | None:
    """Accept an ISO date or datetime (string, date or datetime); None for empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        raw = value.strip()
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
        except ValueError:
            pass
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            pass
    raise BadInput(f"{where}: 'published' is not an ISO date: {value!r}.")


def optional_str(value: object, field: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(f"{where}: '{field}' must be text.")
    return value.strip() or None


MAX_FILE_BYTES = 20_000_000


def check_size(name: str, size: int) -> None:
    """The one limit on an article file's size, wherever it comes from (disk, upload)."""
    if size > MAX_FILE_BYTES:
        raise BadInput(f"{name}: the file is larger than {MAX_FILE_BYTES // 1_000_000} MB.")
