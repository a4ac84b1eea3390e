"""What both feedback stores share: the dataclasses a summary is made of, the salted voter hash,
the export as a `talks eval` question set, and the interface (FeedbackStore) the bot and the CLI
use, whichever store keeps the votes.

What is kept is what a person needs to turn a bad answer into a test case — the question, the
answer, its citations, where it was asked and when — and nothing about who voted beyond a salted
hash, which is only there so one user has one (changeable) vote per answer.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from bot.engine import Answer, write_atomic
from bot.errors import BadInput

REASON_CHARS = 200


@dataclass(frozen=True)
class Downvote:
    question: str
    answer: str
    reason: str
    at: float


@dataclass(frozen=True)
class Summary:
    answers: int  # answers shown with buttons
    up: int
    down: int
    latest_down: tuple[Downvote, ...]

    @property
    def rate(self) -> float | None:
        """Share of votes that are 👍; None before any vote."""
        votes = self.up + self.down
        return self.up / votes if votes else None


def citations(answer: Answer) -> list[dict[str, object]]:
    """What is kept of an answer's citations: enough to find each article again."""
    return [
        {"n": c.n, "title": c.article.title, "url": c.article.url, "outlet": c.article.outlet}
        for c in answer.citations
    ]


def citations_json(answer: Answer) -> str:
    return json.dumps(citations(answer), ensure_ascii=False)


VotedRow = tuple[str, str, str, bool, list[dict[str, object]], int, int, str | None]


class FeedbackStore(ABC):
    """Votes on answers, wherever they are kept; the salt is the store's own."""

    _salt: str

    def voter(self, user_id: int) -> str:
        """The salted hash that stands for a user: the same user gets the same one, and the
        database alone does not say who it is."""
        return hashlib.sha256(f"{self._salt}:{user_id}".encode()).hexdigest()

    @abstractmethod
    def record(self, message_id: int, answer: Answer, guild_id: int | None, channel: int) -> None:
        """An answer shown with vote buttons, under the id of the message that shows it
        (recording it again forgets its votes)."""

    @abstractmethod
    def vote(self, message_id: int, user_id: int, up: bool) -> bool:
        """One vote per user per answer; a second click changes it (a 👍 clears the reason).
        False if the answer is not known (a message from before feedback was kept)."""

    @abstractmethod
    def reason(self, message_id: int, user_id: int, text: str) -> None:
        """What was wrong, on the user's 👎 of this answer (one line, cut to REASON_CHARS)."""

    @abstractmethod
    def summary(self, latest: int = 5, guild_id: int | None = None) -> Summary:
        """Counts over the answers (of one guild, if given) and the latest 👎 with reasons."""

    @abstractmethod
    def _voted(self) -> list[VotedRow]:
        """Per voted answer, oldest last vote first: question, understood as, answer,
        abstained, citations, 👍 count, 👎 count, the non-empty reasons joined by ' | '."""

    def export(self, path: Path, include_up: bool = False) -> int:
        """The voted answers (👎, and 👍 if asked) as a `talks eval` question set with empty
        facts for a person to fill in (and `source`, set to the first cited title as a guess to
        check: a 👎 answer may have cited the wrong article); returns how many it holds."""
        lines = [json.dumps(item, ensure_ascii=False) for item in self._items(include_up)]
        if not lines:
            raise BadInput("No answers have votes of that kind yet; nothing to export.")
        try:
            write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))
        except OSError as exc:
            raise BadInput(f"Cannot write {path}: {exc.strerror or exc}.") from None
        return len(lines)

    def _items(self, include_up: bool) -> list[dict[str, object]]:
        """One item per answer: its majority vote, the reasons given, the cited titles."""
        return [item for row in self._voted() if (item := _item(row, include_up)) is not None]


def _item(row: VotedRow, include_up: bool) -> dict[str, object] | None:
    question, meant, text, abstained, cited, up, down, reasons = row
    if down == 0 and not include_up:
        return None
    titles = [str(c["title"]) for c in cited]
    return {
        "question": meant,  # what was answered: a follow-up with its context
        "facts": [],
        "source": None if abstained or not titles else titles[0],
        "asked": question,
        "answer": text,
        "cited": titles,
        "votes": {"up": up, "down": down},
        "reasons": reasons or "",
    }


def clean_reason(text: str) -> str:
    """A reason as kept: one line, at most REASON_CHARS (it is shown in summaries)."""
    return " ".join(text.split())[:REASON_CHARS]
