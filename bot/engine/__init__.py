"""The engine's face: `Engine`, `open_engine` and the records they hand out.

Front doors (bot/cli, bot/chat) import only this module (plus bot.errors and bot.settings), so
the rooms behind it — ingest/, index/, store/, search/, answer/ — can change without them.
"""

from bot.engine.conversation import Turn
from bot.engine.engine import MAX_QUESTION_CHARS, Asked, Engine, open_engine
from bot.engine.feeds import Feed, FeedPoll, PollReport
from bot.engine.models import (
    AddReport,
    Answer,
    Article,
    BuildReport,
    Chunk,
    Citation,
    Entry,
    Filters,
    Hit,
    Progress,
    Sentence,
    Stats,
    Timeline,
)
from bot.engine.parties import Party
from bot.engine.search.timeq import parse_day
from bot.engine.store.atomic import write_atomic
from bot.engine.store.base import SharedIds, SourceInfo
from bot.engine.store.choose import describe as describe_store
from bot.engine.store.choose import migrate as migrate_database

__all__ = [
    "MAX_QUESTION_CHARS",
    "AddReport",
    "Answer",
    "Article",
    "Asked",
    "BuildReport",
    "Chunk",
    "Citation",
    "Engine",
    "Entry",
    "Feed",
    "FeedPoll",
    "Filters",
    "Hit",
    "Party",
    "PollReport",
    "Progress",
    "Sentence",
    "SharedIds",
    "SourceInfo",
    "Stats",
    "Timeline",
    "Turn",
    "describe_store",
    "migrate_database",
    "open_engine",
    "parse_day",
    "write_atomic",
]
