"""Question sets: one JSON object per line with the facts a right answer must contain."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.errors import BadInput

KEYS = ("question", "facts", "source")


@dataclass(frozen=True)
class QAItem:
    question: str
    facts: tuple[tuple[str, ...], ...]  # each fact: alternatives, any one of which counts
    source: str | None  # title or URL of the article that answers it; None = must decline
    style: str = "-"
    kind: str = ""  # answerable, dated, near_miss, off_topic ("" in older sets: by source)
    language: str = "en"  # the question's language (uk, ru in tests/quality/lang)
    english: str | None = None  # the same question asked in English, where the set gives it

    @property
    def answerable(self) -> bool:
        return self.source is not None

    @property
    def group(self) -> str:
        """What the question tests: answerable, dated, near_miss or off_topic."""
        return self.kind or ("answerable" if self.answerable else "off_topic")


def _fact(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise BadInput(f"{where}: each fact must be a non-empty list of strings.")
    return tuple(value)


def parse_item(data: Any, where: str) -> QAItem:
    if not isinstance(data, dict) or any(k not in data for k in KEYS):
        raise BadInput(f"{where}: expected an object with keys {', '.join(KEYS)}.")
    question, facts, source = data["question"], data["facts"], data["source"]
    if not isinstance(question, str) or not question.strip():
        raise BadInput(f"{where}: 'question' must be a non-empty string.")
    if source is not None and (not isinstance(source, str) or not source.strip()):
        raise BadInput(f"{where}: 'source' must be a title or URL, or null for must-decline.")
    if not isinstance(facts, list):
        raise BadInput(f"{where}: 'facts' must be a list of lists of alternatives.")
    style, kind = data.get("style") or "-", data.get("kind") or ""
    english = data.get("english")
    if english is not None and (not isinstance(english, str) or not english.strip()):
        raise BadInput(f"{where}: 'english' must be the question asked in English.")
    language = str(data.get("language") or "en")
    facts_ = tuple(_fact(f, where) for f in facts)
    return QAItem(question, facts_, source, str(style), str(kind), language, english)


def in_english(items: list[QAItem]) -> list[QAItem]:
    """The same questions as asked in English (a set's `english` parallels), to compare with."""
    return [replace(i, question=i.english, language="en") for i in items if i.english]


def load_qa(path: Path) -> list[QAItem]:
    """Read a question set; a malformed line is reported with its file and line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BadInput(f"Cannot read question set {path}: {exc.strerror or exc}.") from None
    items = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path}:{n}: not valid JSON ({exc.msg}).") from None
        items.append(parse_item(data, f"{path}:{n}"))
    if not items:
        raise BadInput(f"{path} holds no questions.")
    return items
