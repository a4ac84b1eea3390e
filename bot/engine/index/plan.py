"""Which inputs an update really adds, and the corpus/ file each is kept in.

Duplicates of the index and of each other are dropped (with a line saying of what); a .jsonl input
keeps only the lines of the records it adds, blanked elsewhere so line numbers stay true.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.index.dedup import canonical_url, text_key
from bot.engine.ingest import corpus, read_bytes
from bot.engine.ingest.incoming import Incoming
from bot.engine.ingest.site import same_site
from bot.engine.models import Article
from bot.engine.store.base import Catalog
from bot.errors import BadInput


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

    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog
        self._by_url: dict[str, Article] = {}
        self._by_text: dict[str, list[Article]] = {}

    def original(self, article: Article) -> Article | None:
        if self.catalog is not None:
            found = self.catalog.find_article(url=article.url, text=article.text)
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


def plan_adds(catalog: Catalog | None, items: list[Incoming], root: Path) -> Plan:
    """Drop duplicates (of the index and of each other) and pick the corpus file of each input."""
    plan, seen, taken = Plan(), Seen(catalog), set[str]()
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
        path, before = _place(root, item.name, kept, taken, catalog)
        stored = item.renamed(path.relative_to(root).as_posix())
        data = item.data
        if len(kept) < len(item.articles) or item.problems:
            data = _only_records(item, {a.id for a in kept})
        plan.articles.extend(a for a in stored.articles if a.id in {k.id for k in kept})
        plan.files.append(corpus.FileChange(path, before, data))
    return plan


def _place(
    root: Path, name: str, kept: list[Article], taken: set[str], catalog: Catalog | None
) -> tuple[Path, bytes | None]:
    """The corpus/ file for an input, with what it holds now: the one an interrupted add of the
    same articles left behind (its file was written, its generation never committed), so that
    adding again stores nothing twice; else a free name."""
    left = _left_behind(root, name, {a.id for a in kept}, catalog)
    if left is not None and left.name.lower() not in taken:
        taken.add(left.name.lower())
        return left, left.read_bytes()
    return corpus.unique_path(root, name, taken), None


def _left_behind(root: Path, name: str, ids: set[str], catalog: Catalog | None) -> Path | None:
    """`name` (or name-2, -3 …) in corpus/ holding exactly these articles, none indexed."""
    for path in corpus.taken_paths(root, name):
        try:
            found, _ = read_bytes(path.read_bytes(), path.relative_to(root).as_posix())
        except (BadInput, OSError):
            continue
        if {a.id for a in found} != ids:
            continue
        if catalog is None or all(catalog.article(i) is None for i in ids):
            return path
    return None


def _only_records(item: Incoming, keep: set[str]) -> bytes:
    """A .jsonl file with the lines of duplicates and broken records blanked."""
    keep_lines = {int(a.source.rpartition("#")[2]) for a in item.articles if a.id in keep}
    text = item.data.decode("utf-8-sig")
    drop = set(range(1, len(text.splitlines()) + 1)) - keep_lines
    return corpus.blank_lines(text, drop).encode()
