"""Validate the quality question sets in this directory.

Usage: python tests/quality/check_sets.py   (exit status 0 when both sets are valid)

Checks, for qa_bundled.jsonl and qa_official.jsonl:
  * every line is a JSON object with exactly the keys question, facts, source, style;
  * style is one of formal / casual / typo / short / dated; questions are unique;
  * answerable lines (source is a string) name an article that exists in their corpus
    (bundled: the article's title, i.e. its first line; official: the record's url),
    have 1-3 facts, each a non-empty list of short (at most 5 words) alternatives, and
    every alternative occurs verbatim (case-insensitive) in that article's text;
  * out-of-scope lines (source is null) have facts == [].

Corpora are read from the shared directory next to the repository
(<repo>/../shared/seeds/*.txt and <repo>/../shared/data/official_statements_2021_2022.jsonl).
Nothing from the bot package is imported.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"
SEEDS_DIR = SHARED / "seeds"
OFFICIAL_JSONL = SHARED / "data" / "official_statements_2021_2022.jsonl"

BUNDLED_SET = HERE / "qa_bundled.jsonl"
OFFICIAL_SET = HERE / "qa_official.jsonl"

STYLES = {"formal", "casual", "typo", "short", "dated"}
KEYS = {"question", "facts", "source", "style"}
MAX_FACTS = 3
MAX_FACT_WORDS = 5


def load_seed_corpus(seeds_dir: Path = SEEDS_DIR) -> dict[str, str]:
    """Map each seed article's title (first line) to its body (the remaining lines)."""
    corpus: dict[str, str] = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        corpus[title.strip()] = body
    return corpus


def load_official_corpus(path: Path = OFFICIAL_JSONL) -> dict[str, str]:
    """Map each official statement's url to its text."""
    corpus: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                record = json.loads(line)
                corpus[record["url"]] = record["text"]
    return corpus


def read_set(path: Path) -> tuple[list[dict], list[str]]:
    items: list[dict] = []
    errors: list[str] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            errors.append(f"{path.name}:{lineno}: blank line")
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{path.name}:{lineno}: invalid JSON ({exc})")
            continue
        if not isinstance(item, dict):
            errors.append(f"{path.name}:{lineno}: not a JSON object")
            continue
        item["_line"] = lineno
        items.append(item)
    return items, errors


def _check_item(item: dict, corpus: dict[str, str], where: str) -> Iterable[str]:
    keys = set(item) - {"_line"}
    if keys != KEYS:
        yield f"{where}: keys {sorted(keys)} != {sorted(KEYS)}"
        return
    question, facts, source, style = (item[k] for k in ("question", "facts", "source", "style"))
    if not isinstance(question, str) or not question.strip():
        yield f"{where}: question must be a non-empty string"
    if style not in STYLES:
        yield f"{where}: style {style!r} not in {sorted(STYLES)}"
    if not isinstance(facts, list):
        yield f"{where}: facts must be a list"
        return
    if source is None:
        if facts != []:
            yield f"{where}: out-of-scope line (source null) must have facts []"
        return
    if not isinstance(source, str):
        yield f"{where}: source must be a string or null"
        return
    if source not in corpus:
        yield f"{where}: source {source!r} is not in the corpus"
        return
    if not 1 <= len(facts) <= MAX_FACTS:
        yield f"{where}: answerable line needs 1-{MAX_FACTS} facts, has {len(facts)}"
    text = corpus[source].lower()
    for alts in facts:
        if not isinstance(alts, list) or not alts:
            yield f"{where}: each fact must be a non-empty list of alternatives"
            continue
        for alt in alts:
            if not isinstance(alt, str) or not alt.strip():
                yield f"{where}: fact alternative must be a non-empty string"
                continue
            if len(alt.split()) > MAX_FACT_WORDS:
                yield f"{where}: fact {alt!r} is longer than {MAX_FACT_WORDS} words"
            if alt.lower() not in text:
                yield f"{where}: fact {alt!r} does not occur in the source text"


def check_set(path: Path, corpus: dict[str, str]) -> list[str]:
    items, errors = read_set(path)
    seen: set[str] = set()
    for item in items:
        where = f"{path.name}:{item['_line']}"
        errors.extend(_check_item(item, corpus, where))
        question = item.get("question")
        if isinstance(question, str):
            key = " ".join(question.lower().split())
            if key in seen:
                errors.append(f"{where}: duplicate question {question!r}")
            seen.add(key)
    if not items:
        errors.append(f"{path.name}: no questions")
    return errors


def summary(path: Path) -> str:
    items, _ = read_set(path)
    answerable = [i for i in items if i.get("source") is not None]
    styles: dict[str, int] = {}
    for item in items:
        styles[item.get("style", "?")] = styles.get(item.get("style", "?"), 0) + 1
    return (
        f"{path.name}: {len(items)} questions ({len(answerable)} answerable, "
        f"{len(items) - len(answerable)} out of scope); styles {dict(sorted(styles.items()))}"
    )


def main() -> int:
    if not SHARED.is_dir():
        print(f"shared data directory not found: {SHARED}", file=sys.stderr)
        return 2
    errors = check_set(BUNDLED_SET, load_seed_corpus())
    errors += check_set(OFFICIAL_SET, load_official_corpus())
    for err in errors:
        print(err, file=sys.stderr)
    print(summary(BUNDLED_SET))
    print(summary(OFFICIAL_SET))
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
