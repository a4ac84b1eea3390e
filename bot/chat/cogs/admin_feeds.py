"""/talks feeds add|list|remove|poll: RSS/Atom feeds whose new entries join the index.

A nested group is bound to itself, so discord.py runs *its* interaction_check, not the parent's:
the admin check is repeated here, or members could manage feeds.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.chat.checks import admin_choices, reply, require_admin
from bot.chat.render import NO_PINGS
from bot.chat.render_admin import feed_choices, feeds_embed, poll_summary

if TYPE_CHECKING:
    from bot.chat.client import TalksBot


class Feeds(app_commands.Group, name="feeds", description="RSS/Atom feeds to follow"):
    def __init__(self, bot: TalksBot) -> None:
        super().__init__()
        self.bot = bot
        self.engine = bot.engine

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        language = await self.bot.language_for(interaction)
        return require_admin(interaction, self.bot.settings.admin_role, language)

    @app_commands.command()
    @app_commands.describe(url="The feed's address (RSS or Atom)")
    async def add(self, interaction: discord.Interaction, url: str) -> None:
        """Follow a feed; it is fetched once now to check it."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        feed = await asyncio.to_thread(self.engine.add_feed, url)
        minutes = self.bot.settings.feed_poll_minutes
        await reply(
            interaction,
            f"Following <{feed.url}> ({feed.entries} entries). New articles are added every "
            f"{minutes:g} min, or now with /talks feeds poll.",
        )

    @app_commands.command(name="list")
    async def list_(self, interaction: discord.Interaction) -> None:
        """The feeds followed and when each was last polled."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        feeds = await asyncio.to_thread(self.engine.feeds)
        await interaction.followup.send(
            embed=feeds_embed(feeds), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command()
    @app_commands.describe(url="The feed to stop following")
    async def remove(self, interaction: discord.Interaction, url: str) -> None:
        """Stop following a feed (articles already added stay)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        feed = await asyncio.to_thread(self.engine.remove_feed, url)
        await reply(interaction, f"Stopped following <{feed.url}>.")

    @remove.autocomplete("url")
    async def _feed_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        role = self.bot.settings.admin_role
        return await admin_choices(interaction, role, self.engine.feeds, feed_choices, current)

    @app_commands.command()
    async def poll(self, interaction: discord.Interaction) -> None:
        """Fetch every feed now and add the new articles."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await asyncio.to_thread(self.engine.poll_feeds)
        await reply(interaction, poll_summary(report))
