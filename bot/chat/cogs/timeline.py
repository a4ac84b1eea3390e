"""/timeline: what a party (or one speaker) said over time, from the stored attributions."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.chat.render import NO_PINGS
from bot.chat.render_timeline import party_choices, render_timeline
from bot.chat.translator import shown_name
from bot.engine import parse_day
from bot.errors import TalksError
from bot.i18n import N_

if TYPE_CHECKING:
    from bot.chat.client import TalksBot


class Timelines(commands.Cog):
    def __init__(self, bot: TalksBot) -> None:
        self.bot = bot

    @app_commands.command(
        description=N_(
            "What a party said over time: dated statements, oldest first, each with its source."
        )
    )
    @app_commands.describe(
        party=N_("A side (Russia, Ukraine, United States …) or one speaker (start typing)"),
        topic=N_("Only statements about this, e.g. ceasefire"),
        since=N_("Only articles published on or after this day, as YYYY-MM-DD"),
        until=N_("Only articles published on or before this day, as YYYY-MM-DD"),
    )
    async def timeline(
        self,
        interaction: discord.Interaction,
        party: app_commands.Range[str, 2, 100],
        topic: app_commands.Range[str, 2, 200] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> None:
        """The labels are in the language of the party and topic as typed (Кремль, перемир'я),
        like an answer's; the statements stay in their articles'."""
        locale = interaction.locale
        first = parse_day(since, shown_name(locale, "since")) if since is not None else None
        last = parse_day(until, shown_name(locale, "until")) if until is not None else None
        await asyncio.to_thread(self.bot.engine.filters, first, last)  # a typo costs nothing
        await interaction.response.defer(thinking=True)
        result = await asyncio.to_thread(
            self.bot.engine.timeline, party, topic=topic, since=first, until=last
        )
        language = await self.bot.language_of(" ".join(filter(None, (party, topic))))
        embeds = render_timeline(result, language)
        await interaction.followup.send(embeds=embeds, allowed_mentions=NO_PINGS)

    @timeline.autocomplete("party")
    async def _party_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        engine = self.bot.engine
        try:
            parties = [p.name for p in engine.parties()]
        except TalksError:  # a broken parties file: /timeline itself will say so
            parties = []
        try:
            speakers = await asyncio.to_thread(engine.speakers)
        except TalksError:  # no index yet: nothing but the parties to offer
            speakers = []
        return party_choices(parties, speakers, current)


async def setup(bot: TalksBot) -> None:
    await bot.add_cog(Timelines(bot))
