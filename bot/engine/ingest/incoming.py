"""What an admin hands in — a file, an attachment, a URL, an Article — made ready to add.

Everything here happens before the write lock is taken (fetching can take seconds) and changes
nothing: an input either becomes an `Incoming` or a one-line problem. The articles of an Incoming
are parsed from the very bytes that will be stored in corpus/, so what the incremental update
indexes is what a later full rebuild reads back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from bot.engine.ingest import corpus_files, read_bytes
from bot.engine.ingest.common import check_size
from bot.engine.ingest.corpus import markdown_name, safe_name, to_markdown
from bot.engine.ingest.feeds import FeedEntry, fetch_feed
from bot.engine.ingest.fetch import fetch_article
from bot.engine.models import Article
from bot.engine.store.base import Catalog
from bot.errors import BadInput

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
Input = str | Path | tuple[str, bytes] | Article  # a URL or path, an upload, a ready Article


@dataclass(frozen=True)
class Fetcher:
    """The web fetch limits, set once: every page and feed is fetched through the guard."""

    timeout: float
    max_bytes: int
    allow_hosts: frozenset[str] = frozenset()  # tests fetch from a local server; production: none

    def article(self, url: str) -> Incoming:
        return from_url(url, self)

    def feed(self, url: str) -> list[FeedEntry]:
        return fetch_feed(
            url, timeout=self.timeout, max_bytes=self.max_bytes, allow_hosts=self.allow_hosts
        )


@dataclass(frozen=True)
class Incoming:
    """Articles from one input, with the corpus file that will hold them."""

    label: str  # what the admin named (path, attachment, URL): used in messages
    name: str  # corpus file name, relative to corpus/ (may still gain a -2 suffix)
    data: bytes  # the file's content
    articles: list[Article]  # as a full rebuild reads them from `data` stored under `name`
    problems: list[str] = field(default_factory=list)  # broken .jsonl records, skipped
    in_place: bool = False  # the file is already in corpus/: index it, copy nothing

    def renamed(self, name: str) -> Incoming:
        """The same input stored under another name (article sources follow)."""
        articles = [replace(a, source=name + a.source[len(self.name) :]) for a in self.articles]
        return replace(self, name=name, articles=articles)


def is_url(target: str) -> bool:
    return bool(_URL.match(target.strip()))


def from_bytes(name: str, data: bytes) -> Incoming:
    """An uploaded file (a Discord attachment): stored under a cleaned-up version of its name."""
    clean = safe_name(name)
    articles, problems = read_bytes(data, clean)
    return Incoming(name, clean, data, articles, problems)


def from_file(path: Path, corpus_root: Path) -> Incoming:
    """A file on disk; one already inside corpus/ is indexed where it is."""
    try:
        if path.is_dir():
            raise BadInput(f"{path}: is a folder; name the files in it.")
        if not path.is_file():
            raise BadInput(f"{path}: no such file.")
        check_size(str(path), path.stat().st_size)
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror}).") from None
    resolved, root = path.resolve(), corpus_root.resolve()
    if resolved.is_relative_to(root):
        name = resolved.relative_to(root).as_posix()
        if resolved not in {p.resolve() for p in corpus_files(root)}:
            raise BadInput(
                f"{name}: the corpus scan skips this file (hidden, README or unknown type)."
            )
        articles, problems = read_bytes(data, name)
        return Incoming(str(path), name, data, articles, problems, in_place=True)
    incoming = from_bytes(path.name, data)
    return replace(incoming, label=str(path))


def from_article(
    article: Article,
    retrieved: datetime | None = None,
    label: str = "",
    fetched_from: str | None = None,
) -> Incoming:
    """An Article (fetched, or built by a caller): stored as Markdown with front matter."""
    name = markdown_name(article)
    data = to_markdown(article, retrieved, fetched_from)
    articles, _ = read_bytes(data, name)
    return Incoming(label or article.url or article.title, name, data, articles)


def from_url(url: str, fetcher: Fetcher) -> Incoming:
    """Fetch through the guarded fetcher; the file records when it was retrieved."""
    f = fetcher
    try:
        got = fetch_article(
            url, timeout=f.timeout, max_bytes=f.max_bytes, allow_hosts=f.allow_hosts
        )
    except BadInput as exc:
        message = str(exc)  # keep the type: a FetchError may pass, a page that is no article won't
        raise type(exc)(message if url in message else f"{url}: {message}") from None
    return from_article(got.article, got.retrieved, label=url, fetched_from=got.fetched_from)


def read_inputs(
    inputs: Sequence[Input], corpus_root: Path, fetcher: Fetcher, known: Catalog | None
) -> tuple[list[Incoming], list[str], list[str]]:
    """Read, fetch and check every input: (incoming, duplicate lines, problem lines).

    An input that cannot be used becomes a problem line; URLs already indexed are not fetched.
    """
    items: list[Incoming] = []
    duplicates: list[str] = []
    problems: list[str] = []
    for item in inputs:
        try:
            if isinstance(item, Article):
                items.append(from_article(item))
            elif isinstance(item, tuple):
                items.append(from_bytes(*item))
            elif isinstance(item, Path) or not is_url(item):
                items.append(from_file(Path(item), corpus_root))
            elif found := (known.find_article(url=item, text="") if known else None):
                duplicates.append(f"{item}: already indexed as {found.id} ({found.title})")
            else:
                items.append(fetcher.article(item))
        except BadInput as exc:
            problems.append(str(exc))
    return items, duplicates, problems
