"""TalksBot: the discord.py client, built around one Engine that `talks serve` opened.

The engine (model + index) is passed in, never created here, so tests hand in one built over a
small corpus and the bot under test is the same class that runs in production.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.chat import conversations
from bot.chat.language import locale_language, typed_text
from bot.chat.qa_store import FILE_NAME, QAChannels
from bot.chat.render import NO_PINGS
from bot.chat.threads import AnswerLog
from bot.chat.translator import CatalogueTranslator
from bot.chat.tree import TalksTree
from bot.chat.views import FeedbackView
from bot.engine import Engine
from bot.feedback import open_feedback
from bot.settings import Settings

log = logging.getLogger(__name__)
EXTENSIONS = (
    "bot.chat.cogs.ask",
    "bot.chat.cogs.admin",
    "bot.chat.cogs.feeds",
    "bot.chat.cogs.timeline",
)


def intents_for(read_all_messages: bool) -> discord.Intents:
    """Least privilege.

    guilds: channels, roles and the bot's own member, for permission and role checks.
    guild_messages: MESSAGE_CREATE, so the bot can answer a mention (Discord includes the text of
    a message that mentions the bot even without the content intent).
    message_content (privileged): only when Q&A channels are in use, where every message is a
    question and the bot must read messages that do not mention it, or when any message in a
    thread the bot started is to be a follow-up (TALKS_THREAD_MESSAGES).
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = read_all_messages
    return intents


class TalksBot(commands.Bot):
    def __init__(self, engine: Engine, settings: Settings, **options: Any) -> None:
        self.engine = engine
        self.settings = settings
        self.qa_channels = QAChannels(
            settings.index_dir / FILE_NAME,
            settings.qa_channels,
            shared=engine.shared_ids("qa_channels"),
        )
        self.feedback = open_feedback(settings)
        turns = conversations.Conversations(
            settings.index_dir / conversations.FILE_NAME,
            settings.conversation_turns,
            settings.conversation_hours * 3600,
        )
        self.answer_log = AnswerLog(settings, turns, self.feedback)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents_for(bool(self.qa_channels) or settings.thread_messages),
            allowed_mentions=NO_PINGS,
            tree_cls=TalksTree,
            help_command=None,
            **options,
        )

    @property
    def reads_all_messages(self) -> bool:
        return self.intents.message_content

    async def language_of(self, text: str) -> str:
        """The language to answer `text` in (the engine's detection, TALKS_LANGUAGE when too short
        to tell), off the event loop: the detector loads its model on first use."""
        return await asyncio.to_thread(self.engine.language_of, text)

    async def language_for(self, interaction: discord.Interaction) -> str:
        """The language to tell this user things in (bot/chat/language.py): that of the question
        they typed, else their Discord client's, else the server's setting."""
        typed = typed_text(interaction)
        if typed:
            return await self.language_of(typed)
        return locale_language(interaction.locale, self.settings.language)

    async def login(self, token: str) -> None:
        """Route.BASE is read when each request is built, so it must change before the first."""
        if self.settings.discord_api_base:
            Route.BASE = self.settings.discord_api_base.rstrip("/")
        await super().login(token)

    async def setup_hook(self) -> None:
        """Runs once per process, before the gateway connects (unlike on_ready, which repeats)."""
        await self._gateway_of_api_base()
        # Buttons of answers sent before a restart; its language is the fallback of replies.
        self.add_view(
            FeedbackView(self.feedback, self.answer_log.recording, self.settings.language)
        )
        # Slash commands' names and descriptions in Ukrainian and Russian, sent with the sync.
        await self.tree.set_translator(CatalogueTranslator())
        for name in EXTENSIONS:
            try:
                await self.load_extension(name)
            except Exception:
                log.exception("could not load %s; the bot runs without it", name)
        try:
            synced = await self.tree.sync()
            log.info("synced %d application commands", len(synced))
        except discord.HTTPException:
            log.exception("command sync failed; Discord keeps the previously synced commands")

    async def _gateway_of_api_base(self) -> None:
        """A plain Client always connects to Discord's default gateway; another API base (a
        self-hosted proxy, a local test server) names its own."""
        if self.settings.discord_api_base:
            _, url, _ = await self.http.get_bot_gateway()
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: mentions and Q&A channels are handled by the ask cog's listener."""

    async def on_ready(self) -> None:
        log.info("connected as %s to %d server(s)", self.user, len(self.guilds))


class ShardedTalksBot(TalksBot, commands.AutoShardedBot):
    """TalksBot over as many gateway shards as Discord recommends (TALKS_SHARDED): one process
    serves many thousands of servers; the shared index is what several such processes need."""


def bot_class(settings: Settings) -> type[TalksBot]:
    return ShardedTalksBot if settings.sharded else TalksBot
