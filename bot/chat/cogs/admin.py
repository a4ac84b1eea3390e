"""/talks: what admins use to manage the index. One group, hidden from members by default.

`default_permissions` only hides the group in the client (a server can change that), so
`interaction_check` re-checks every call on the bot's side. Writes (reindex, add, remove) run in a
worker thread behind the engine's lock; questions keep being answered from the live index.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import PurePath
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.chat.checks import admin_choices, reply, require_admin
from bot.chat.cogs.admin_feeds import Feeds
from bot.chat.cogs.admin_index import rebuild_with_progress
from bot.chat.render import NO_PINGS, notice
from bot.chat.render_admin import (
    add_summary,
    article_label,
    source_choices,
    sources_embed,
    stats_embed,
)
from bot.chat.render_feedback import feedback_embed
from bot.chat.render_timeline import parties_embed
from bot.chat.tree import describe
from bot.engine import Engine
from bot.errors import BadInput, Busy

if TYPE_CHECKING:
    from bot.chat.client import TalksBot

log = logging.getLogger(__name__)


def check_upload(attachment: discord.Attachment, max_bytes: int) -> str:
    """The file name to store, or BadInput before anything is downloaded."""
    name = PurePath(attachment.filename).name
    suffixes = Engine.accepted_suffixes
    if PurePath(name).suffix.lower() not in suffixes:
        raise BadInput(f"{name}: only {', '.join(suffixes)} files can be added.")
    if attachment.size > max_bytes:
        raise BadInput(f"{name} is too large ({attachment.size:,} bytes; limit {max_bytes:,}).")
    return name


class Talks(
    app_commands.Group,
    name="talks",
    description="Manage what the bot knows (admins only)",
    guild_only=True,
    default_permissions=discord.Permissions(manage_guild=True),
):
    def __init__(self, bot: TalksBot) -> None:
        super().__init__()
        self.bot = bot
        self.engine = bot.engine
        self._reindexing = False
        self.add_command(Feeds(bot))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        language = await self.bot.language_for(interaction)
        return require_admin(interaction, self.bot.settings.admin_role, language)

    @app_commands.command()
    async def reindex(self, interaction: discord.Interaction) -> None:
        """Rebuild the index from corpus/; answers come from the old one until it is done."""
        if self._reindexing:
            raise Busy("A reindex is already running; its message shows the progress.")
        self._reindexing = True
        try:
            await interaction.response.send_message("Reindex starting…", allowed_mentions=NO_PINGS)
            await self._run_reindex(interaction)
        finally:
            self._reindexing = False

    async def _run_reindex(self, interaction: discord.Interaction) -> None:
        async def edit(text: str) -> None:
            await interaction.edit_original_response(
                content=notice(text), allowed_mentions=NO_PINGS
            )

        try:
            text = await rebuild_with_progress(self.engine, edit)
        except Exception as exc:
            text = f"Reindex failed: {describe(exc)}"
        try:
            await edit(text)
        except discord.HTTPException:  # the interaction token lasts 15 minutes
            if isinstance(interaction.channel, discord.abc.Messageable):
                await interaction.channel.send(notice(text), allowed_mentions=NO_PINGS)

    @app_commands.command()
    @app_commands.describe(
        file="An article file: .md, .txt, .html or .jsonl", url="The web address of an article"
    )
    async def add(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        url: str | None = None,
    ) -> None:
        """Add an article to the corpus and the index, from a file or a web address."""
        if (file is None) == (url is None):
            raise BadInput("Give either a file or a url.")
        name = check_upload(file, self.bot.settings.fetch_max_bytes) if file else None
        await interaction.response.defer(ephemeral=True, thinking=True)
        source: str | tuple[str, bytes] = (url or "").strip()
        if file and name:
            source = (name, await file.read())
        report = await asyncio.to_thread(self.engine.add, [source])
        await reply(interaction, add_summary(report))

    @app_commands.command()
    @app_commands.describe(source="The article to remove (start typing its title)")
    async def remove(self, interaction: discord.Interaction, source: str) -> None:
        """Remove an article from the corpus and the index."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        rows = await asyncio.to_thread(self.engine.sources)
        found = next((s for s in rows if s.id == source), None)
        if found is None:
            raise BadInput("No indexed article has that id; pick one from the list.")
        await asyncio.to_thread(self.engine.remove, source)
        await reply(interaction, f"Removed {article_label(found)}.")

    @remove.autocomplete("source")
    async def _source_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        role = self.bot.settings.admin_role
        return await admin_choices(interaction, role, self.engine.sources, source_choices, current)

    @app_commands.command()
    @app_commands.describe(page="Which page of the list")
    async def sources(
        self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 10_000] = 1
    ) -> None:
        """List the indexed articles, ten per page."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        rows = await asyncio.to_thread(self.engine.sources)
        embed = sources_embed(rows, page)
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)

    @app_commands.command()
    async def stats(self, interaction: discord.Interaction) -> None:
        """Articles, passages, index size, model, last reindex and uptime."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        stats = await asyncio.to_thread(self.engine.stats)
        await interaction.followup.send(
            embed=stats_embed(stats), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command()
    async def feedback(self, interaction: discord.Interaction) -> None:
        """Votes on this server's answers: counts, rate and the latest 👎 with their reasons."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        summary = await asyncio.to_thread(self.bot.feedback.summary, 5, interaction.guild_id)
        await interaction.followup.send(
            embed=feedback_embed(summary), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command()
    async def parties(self, interaction: discord.Interaction) -> None:
        """The parties /timeline knows, with the names that speak for each."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        known = await asyncio.to_thread(self.engine.parties)
        await interaction.followup.send(
            embed=parties_embed(known), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="qa-channel")
    @app_commands.describe(
        enabled="Treat every message there as a question", channel="Default: this channel"
    )
    async def qa_channel(
        self,
        interaction: discord.Interaction,
        enabled: bool,
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Make a channel a Q&A channel, where every message is a question, or stop that."""
        target = channel.id if channel else interaction.channel_id
        if target is None:
            raise BadInput("Pick a channel.")
        qa = self.bot.qa_channels
        if not enabled and target in qa.fixed:
            raise BadInput("That channel is set in TALKS_QA_CHANNELS; remove it there.")
        await qa.mark(target, enabled)
        text = f"<#{target}> is {'now' if enabled else 'no longer'} a Q&A channel."
        if enabled and not self.bot.reads_all_messages:
            text += (
                " Restart the bot to start reading it; the application needs the Message Content"
                " intent for that (Developer Portal → Bot)."
            )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)


async def setup(bot: TalksBot) -> None:
    bot.tree.add_command(Talks(bot))


async def teardown(bot: TalksBot) -> None:
    bot.tree.remove_command("talks")
