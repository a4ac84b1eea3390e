"""A local fake Discord (REST + gateway) for end-to-end tests; see tests/e2e/fake_discord.py."""

from .harness import discord_py_globals, point_discord_py_at, running
from .models import FakeAttachment, FakeChannel, FakeGuild, FakeRole, FakeUser
from .records import (
    CallbackRecord,
    FakeMessage,
    InteractionRecord,
    SentFile,
    SentPayload,
    Violation,
)
from .server import FakeDiscord

__all__ = [
    "CallbackRecord",
    "FakeAttachment",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMessage",
    "FakeRole",
    "FakeUser",
    "InteractionRecord",
    "SentFile",
    "SentPayload",
    "Violation",
    "discord_py_globals",
    "point_discord_py_at",
    "running",
]
