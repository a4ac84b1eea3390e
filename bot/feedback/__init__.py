"""Feedback on answers: 👍/👎 votes with an optional reason, and their export as a `talks eval`
question set. Front-door free: Discord writes votes, the CLI exports them.

Two stores with one interface (FeedbackStore): SQLite beside the index for the files store, and
tables in the shared database (feedback.pg) with TALKS_STORE=postgres, so every bot process
counts one vote per user per answer. `open_feedback` picks the one the settings ask for.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.errors import ConfigError
from bot.feedback.base import REASON_CHARS, Downvote, FeedbackStore, Summary
from bot.feedback.sqlite import FILE_NAME, Feedback
from bot.settings import Settings

__all__ = [
    "FILE_NAME",
    "REASON_CHARS",
    "Downvote",
    "Feedback",
    "FeedbackStore",
    "Summary",
    "open_feedback",
]


def open_feedback(settings: Settings, clock: Callable[[], float] = time.time) -> FeedbackStore:
    """The votes the settings ask for: in the shared database with TALKS_STORE=postgres (every
    bot process sees every vote), else in SQLite beside the index."""
    if settings.store == "postgres" and settings.database_url is not None:
        try:
            from bot.feedback.pg import PgFeedback
        except ImportError:
            raise ConfigError(
                "TALKS_STORE=postgres needs the PostgreSQL driver: pip install 'talks[postgres]'."
            ) from None
        return PgFeedback(settings.database_url.get_secret_value(), clock)
    return Feedback(settings.index_dir / FILE_NAME, clock)
