"""What happens around an answer in Discord: its feedback record, its thread, its turn.

An answer outside a thread gets a public thread started on it (TALKS_DISCORD_THREADS, where the
bot has Create Public Threads), seeded with that question and answer; an answer inside a thread the
bot started becomes that conversation's next turn. Both stores are SQLite files beside the index,
used from a worker thread so the gateway never waits on the disk.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import Final

import discord

from bot.chat.conversations import Conversations
from bot.chat.render import shorten
from bot.chat.views import Recording
from bot.engine import Answer, Turn
from bot.feedback import FeedbackStore
from bot.i18n import tr
from bot.settings import Settings

log = logging.getLogger(__name__)
THREAD_NAME_MAX = 100
ARCHIVE_MINUTES: Final = 1440  # a day idle; Discord's choices: 60, 1440, 4320, 10080


def thread_name(question: str, language: str) -> str:
    """The question, cut to what Discord allows for a name (a name in the asker's language if
    the question has nothing that can be shown)."""
    return shorten(question, THREAD_NAME_MAX) or tr(language, "Follow-up questions")


def turn_of(answer: Answer) -> Turn:
    return Turn(answer.question, answer.understood_as, answer.text)


class AnswerLog:
    """The conversation and feedback side of answering; the Ask cog calls it around the engine."""

    def __init__(self, settings: Settings, conversations: Conversations, feedback: FeedbackStore):
        self.settings, self.conversations, self.feedback = settings, conversations, feedback
        self.recording = Recording()  # clicks that come before the record wait on it

    async def is_conversation(self, channel_id: int) -> bool:
        """A thread the bot started, still remembered."""
        return await asyncio.to_thread(self.conversations.started, channel_id)

    async def history(self, channel_id: int) -> list[Turn]:
        return await asyncio.to_thread(self.conversations.history, channel_id)

    async def after(
        self,
        sent: discord.Message,
        answer: Answer,
        *,
        guild_id: int | None,
        parent: discord.TextChannel | None,
    ) -> None:
        """Keep the answer for its buttons, then continue its conversation or start one on it
        (in `parent`, given only where the bot may start threads). The answer is already shown:
        a failure here is logged, never turned into an error for the asker."""
        try:
            await self._after(sent, answer, guild_id, parent)
        except (discord.HTTPException, sqlite3.Error):
            log.exception("answer %s was shown, but its thread or feedback record failed", sent.id)

    async def _after(
        self,
        sent: discord.Message,
        answer: Answer,
        guild_id: int | None,
        parent: discord.TextChannel | None,
    ) -> None:
        channel_id = sent.channel.id
        await asyncio.to_thread(self.feedback.record, sent.id, answer, guild_id, channel_id)
        self.recording.done(sent.id)
        if await self.is_conversation(channel_id):
            await asyncio.to_thread(self.conversations.add, channel_id, turn_of(answer))
            return
        if not self.settings.discord_threads or parent is None or parent.id != channel_id:
            return
        # A thread started on a message takes the message's id (Discord documents this), so the
        # conversation is recorded first: a follow-up typed the moment the thread appears finds it.
        await asyncio.to_thread(self.conversations.start, sent.id, turn_of(answer))
        try:
            thread = await parent.create_thread(
                name=thread_name(answer.question, answer.language),
                message=sent,
                auto_archive_duration=ARCHIVE_MINUTES,
            )
        except discord.HTTPException:
            await asyncio.to_thread(self.conversations.forget, sent.id)
            raise
        if thread.id != sent.id:
            await asyncio.to_thread(self.conversations.start, thread.id, turn_of(answer))


def thread_parent(channel: object, permissions: discord.Permissions) -> discord.TextChannel | None:
    """Where a thread may be started on an answer: a text channel (not a thread, not a DM) in
    which the bot has Create Public Threads."""
    if isinstance(channel, discord.TextChannel) and permissions.create_public_threads:
        return channel
    return None


def parent_of(message: discord.Message) -> discord.TextChannel | None:
    """For a reply to `message`: its channel, if the bot's cached permissions there allow."""
    channel, me = message.channel, message.guild.me if message.guild else None
    if me is None or not isinstance(channel, discord.TextChannel):
        return None
    return thread_parent(channel, channel.permissions_for(me))
