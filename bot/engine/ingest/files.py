"""Readers for the corpus formats: Markdown with front matter, plain text, HTML and JSON Lines.

Each reader turns one file into articles or raises BadInput naming the file and the problem, so a
corpus scan can report a broken file and go on with the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

from bot.engine.ingest.common import (
    check_size,
    clean_text,
    make_article_id,
    optional_str,
    parse_date,
)
from bot.engine.models import Article
from bot.errors import BadInput

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".jsonl")
MIN_TEXT_CHARS = 40
REASONS_SHOWN = 3  # of a file none of whose records could be read


def decode(data: bytes, where: str, *, by_line: bool = False) -> str:
    """UTF-8 text, or BadInput. A NUL byte means a binary file, except in a file read line by
    line (`by_line`), where it only spoils its own line and that line's reader reports it."""
    if not by_line and b"\x00" in data[:8192]:
        raise BadInput(f"{where}: looks like a binary file, not text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{where}: is not UTF-8 text; save it as UTF-8 and try again.") from None


def _article(fields: dict[str, object], text: str, where: str, source: str) -> Article:
    text = clean_text(text)
    title = optional_str(fields.get("title"), "title", where)
    if not title:
        raise BadInput(f"{where}: the article has no title.")
    if len(text) < MIN_TEXT_CHARS:
        raise BadInput(f"{where}: the article has no text (or almost none).")
    url = optional_str(fields.get("url"), "url", where)
    optional_str(fields.get("fetched_from"), "fetched_from", where)  # provenance, kept in the file
    raw_id = fields.get("id")
    return Article(
        id=make_article_id(url=url, text=text, explicit=str(raw_id) if raw_id else None),
        title=" ".join(title.split()),
        text=text,
        source=source,
        url=url,
        outlet=optional_str(fields.get("outlet"), "outlet", where),
        published=parse_date(fields.get("published", fields.get("date")), where),
        language=optional_str(fields.get("language"), "language", where),
    )


def read_markdown(text: str, where: str, source: str) -> Iterator[Article | BadInput]:
    fields: dict[str, object] = {}
    body = text
    if text.startswith("---"):
        head, sep, rest = text[3:].partition("\n---")
        if not sep:
            raise BadInput(f"{where}: the front matter (---) is not closed.")
        try:
            loaded = yaml.safe_load(head) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" (line {mark.line + 2})" if mark else ""
            raise BadInput(f"{where}: the front matter is not valid YAML{line}.") from None
        if not isinstance(loaded, dict):
            raise BadInput(f"{where}: the front matter must be 'key: value' lines.")
        fields = loaded
        body = rest.split("\n", 1)[1] if "\n" in rest else ""
    if not fields.get("title"):
        first, _, remainder = body.strip().partition("\n")
        if first.startswith("# "):
            fields["title"], body = first[2:].strip(), remainder
    yield _article(fields, body, where, source)


def read_text(text: str, where: str, source: str) -> Iterator[Article | BadInput]:
    title, _, body = text.strip().partition("\n")
    yield _article({"title": title.strip()}, body, where, source)


def read_jsonl(text: str, where: str, source: str) -> Iterator[Article | BadInput]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield _jsonl_record(line, f"{where}, line {number}", f"{source}#{number}")
        except BadInput as exc:
            yield exc  # one broken line is reported; the file's other lines still count


def _jsonl_record(line: str, at: str, source: str) -> Article:
    if "\x00" in line:
        raise BadInput(f"{at}: holds a NUL byte (binary data), not a JSON record.")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{at}: not valid JSON ({exc.msg}).") from None
    if not isinstance(record, dict):
        raise BadInput(f"{at}: each line must be a JSON object.")
    body = record.get("text")
    if not isinstance(body, str):
        raise BadInput(f"{at}: 'text' is missing or not text.")
    return _article(record, body, at, source)


def read_html(text: str, where: str, source: str) -> Iterator[Article | BadInput]:
    from bot.engine.ingest.html import article_from_html

    yield article_from_html(text, source=source)  # its errors already name the file


READERS: dict[str, Callable[[str, str, str], Iterator[Article | BadInput]]] = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".jsonl": read_jsonl,
}


def read_bytes(data: bytes, name: str) -> tuple[list[Article], list[str]]:
    """Parse one file's content; `name` (its file name) picks the reader and labels errors.

    Returns the articles and a line per skipped record (a .jsonl file may have broken lines);
    raises BadInput when the file as a whole is unusable.
    """
    suffix = Path(name).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        allowed = ", ".join(sorted(READERS))
        raise BadInput(f"{name}: unsupported file type '{suffix or 'none'}' (use {allowed}).")
    check_size(name, len(data))
    articles: list[Article] = []
    problems: list[str] = []
    for item in reader(decode(data, name, by_line=suffix == ".jsonl"), name, name):
        if isinstance(item, BadInput):
            problems.append(str(item))
        else:
            articles.append(item)
    if not articles:
        raise BadInput(_nothing_usable(name, problems))
    return articles, problems


def _nothing_usable(name: str, problems: list[str]) -> str:
    """One line for a file without a usable article that still says why (the first reasons)."""
    if len(problems) == 1:
        return problems[0]
    if not problems:
        return f"{name}: contains no articles."
    reasons = [p.removeprefix(f"{name}, ").removesuffix(".") for p in problems[:REASONS_SHOWN]]
    more = len(problems) - REASONS_SHOWN
    listed = "; ".join(reasons) + (f"; and {more} more" if more > 0 else "")
    return f"{name}: contains no usable articles ({listed})."


def read_file(path: Path, root: Path | None = None) -> tuple[list[Article], list[str]]:
    name = str(path.relative_to(root)) if root else path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadInput(f"{name}: cannot be read ({exc.strerror}).") from None
    check_size(name, size)
    return read_bytes(path.read_bytes(), name)


def corpus_files(root: Path) -> list[Path]:
    """Article files under `root`, in a stable order; hidden files and README.md are skipped."""
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and p.name.lower() != "readme.md"
    )


def read_corpus(root: Path) -> tuple[list[Article], list[str]]:
    """All articles under `root` plus one problem line per broken file (which is skipped)."""
    articles: dict[str, Article] = {}
    problems: list[str] = []
    for path in corpus_files(root):
        try:
            found, skipped = read_file(path, root)
        except BadInput as exc:
            problems.append(str(exc))
            continue
        problems.extend(skipped)
        for article in found:
            if article.id in articles:
                problems.append(
                    f"{article.source}: same article as {articles[article.id].source}; skipped."
                )
            else:
                articles[article.id] = article
    return list(articles.values()), problems
