"""What happens around an answer in Discord: its feedback record, its thread, its turn.

An answer outside a thread gets a public thread started on it (TALKS_DISCORD_THREADS, where the
bot has Create Public Threads), seeded with that question and answer; an answer inside a thread the
bot started becomes that conversation's next turn. Both stores are SQLite files beside the index,
used from a worker thread so the gateway never waits on the disk.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

import discord

from bot.chat.conversations import Conversations
from bot.chat.render import shorten
from bot.engine import Answer, Turn
from bot.feedback import Feedback
from bot.settings import Settings

log = logging.getLogger(__name__)
THREAD_NAME_MAX = 100
ARCHIVE_MINUTES: Final = 1440  # a day idle; Discord's choices: 60, 1440, 4320, 10080


def thread_name(question: str) -> str:
    """The question, cut to what Discord allows for a name."""
    return shorten(question, THREAD_NAME_MAX) or "Follow-up questions"


def turn_of(answer: Answer) -> Turn:
    return Turn(answer.question, answer.understood_as, answer.text)


class AnswerLog:
    """The conversation and feedback side of answering; the Ask cog calls it around the engine."""

    def __init__(self, settings: Settings, conversations: Conversations, feedback: Feedback):
        self.settings, self.conversations, self.feedback = settings, conversations, feedback

    async def is_conversation(self, channel_id: int) -> bool:
        """A thread the bot started, still remembered."""
        return await asyncio.to_thread(self.conversations.started, channel_id)

    async def history(self, channel_id: int) -> list[Turn]:
        return await asyncio.to_thread(self.conversations.history, channel_id)

    async def after(self, sent: discord.Message, answer: Answer, *, may_thread: bool) -> None:
        """Keep the answer for its buttons, then continue or start its conversation."""
        guild_id = sent.guild.id if sent.guild else None
        await asyncio.to_thread(self.feedback.record, sent.id, answer, guild_id, sent.channel.id)
        if await self.is_conversation(sent.channel.id):
            await asyncio.to_thread(self.conversations.add, sent.channel.id, turn_of(answer))
            return
        if not (self.settings.discord_threads and may_thread) or _in_thread(sent):
            return
        try:
            thread = await sent.create_thread(
                name=thread_name(answer.question), auto_archive_duration=ARCHIVE_MINUTES
            )
        except discord.HTTPException:
            log.warning("could not start a thread on message %s", sent.id, exc_info=True)
            return
        await asyncio.to_thread(self.conversations.start, thread.id, turn_of(answer))


def _in_thread(message: discord.Message) -> bool:
    return isinstance(message.channel, discord.Thread) or getattr(
        message.channel, "type", None
    ) in (discord.ChannelType.public_thread, discord.ChannelType.private_thread)


def may_start_thread(channel: object, permissions: discord.Permissions) -> bool:
    """Only a text channel's messages can carry a public thread, and only with the permission."""
    return isinstance(channel, discord.TextChannel) and permissions.create_public_threads


def may_thread_on(message: discord.Message) -> bool:
    """For a reply to `message`: the bot's own permissions in its channel, from the cache."""
    channel, me = message.channel, message.guild.me if message.guild else None
    if me is None or not isinstance(channel, discord.TextChannel):
        return False
    return may_start_thread(channel, channel.permissions_for(me))
