"""Polls the followed feeds every TALKS_FEED_POLL_MINUTES and announces what was added.

The bot is the long-running process, so it is the natural place for the schedule; the work
itself is the engine's (`poll_feeds`), run off the event loop like every other write.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands, tasks

from bot.chat.render import NO_PINGS
from bot.chat.render_admin import new_articles_embed
from bot.engine import Article
from bot.errors import Busy, TalksError

if TYPE_CHECKING:
    from bot.chat.client import TalksBot

log = logging.getLogger(__name__)


class FeedPoller(commands.Cog):
    def __init__(self, bot: TalksBot) -> None:
        self.bot = bot
        self.poll.change_interval(minutes=bot.settings.feed_poll_minutes)

    async def cog_load(self) -> None:
        self.poll.start()

    async def cog_unload(self) -> None:
        self.poll.cancel()

    @tasks.loop(minutes=30)
    async def poll(self) -> None:
        """One round; a failure is logged and the schedule goes on."""
        engine = self.bot.engine
        try:
            if not await asyncio.to_thread(engine.feeds):
                return
            report = await asyncio.to_thread(engine.poll_feeds)
        except Busy:
            log.info("feed poll skipped: an index update is running")
            return
        except TalksError as exc:
            log.warning("feed poll failed: %s", exc)
            return
        except Exception:
            log.exception("feed poll failed")
            return
        log.info("feed poll added %d article(s)", len(report.added))
        for error in (e for f in report.feeds for e in f.errors):
            log.warning("feed poll: %s", error)
        if report.added:
            await self.announce(report.added)

    @poll.before_loop
    async def _after_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def announce(self, articles: list[Article]) -> None:
        channel_id = self.bot.settings.announce_channel
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if not isinstance(channel, discord.abc.Messageable):
            return
        try:
            await channel.send(embed=new_articles_embed(articles), allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("could not announce new articles in %s", channel_id, exc_info=True)


async def setup(bot: TalksBot) -> None:
    await bot.add_cog(FeedPoller(bot))
