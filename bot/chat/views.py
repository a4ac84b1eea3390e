"""👍/👎 under every answer, and the optional "what was wrong?" line after a 👎.

The buttons are one persistent view (timeout=None, fixed custom_ids) registered with
`bot.add_view` at startup, so a click on an answer sent before a restart still reaches it; the
answer is found by the id of the message the button is on (bot/feedback.py keeps it).
"""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.chat.render import NO_PINGS, notice
from bot.feedback import REASON_CHARS, Feedback

log = logging.getLogger(__name__)
UP_ID, DOWN_ID, REASON_ID = "talks:feedback:up", "talks:feedback:down", "talks:feedback:reason"
UNKNOWN = "I no longer have that answer, so the vote could not be kept."


class WhatWasWrong(discord.ui.Modal, title="What was wrong?"):
    """One optional line; closing the modal keeps the 👎 without a reason."""

    reason: discord.ui.TextInput[WhatWasWrong] = discord.ui.TextInput(
        label="What was wrong? (optional)",
        style=discord.TextStyle.short,
        required=False,
        max_length=REASON_CHARS,
        custom_id="talks:feedback:reason-text",
    )

    def __init__(self, feedback: Feedback, message_id: int) -> None:
        super().__init__(custom_id=REASON_ID, timeout=600)
        self.feedback, self.message_id = feedback, message_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        text = self.reason.value or ""
        if text.strip():
            await asyncio.to_thread(
                self.feedback.reason, self.message_id, interaction.user.id, text
            )
        await interaction.response.send_message(
            notice("Thanks — noted."), ephemeral=True, allowed_mentions=NO_PINGS
        )


class FeedbackView(discord.ui.View):
    def __init__(self, feedback: Feedback) -> None:
        super().__init__(timeout=None)
        self.feedback = feedback

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary, custom_id=UP_ID)
    async def up(self, interaction: discord.Interaction, button: discord.ui.Button[FeedbackView]):
        if await self._vote(interaction, up=True):
            await self._tell(interaction, "Thanks — counted as helpful. A 👎 changes your vote.")

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary, custom_id=DOWN_ID)
    async def down(self, interaction: discord.Interaction, button: discord.ui.Button[FeedbackView]):
        if await self._vote(interaction, up=False):
            assert interaction.message is not None  # _vote checked
            await interaction.response.send_modal(
                WhatWasWrong(self.feedback, interaction.message.id)
            )

    async def _vote(self, interaction: discord.Interaction, *, up: bool) -> bool:
        message = interaction.message
        known = message is not None and await asyncio.to_thread(
            self.feedback.vote, message.id, interaction.user.id, up
        )
        if not known:
            await self._tell(interaction, UNKNOWN)
        return known

    @staticmethod
    async def _tell(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(
            notice(text), ephemeral=True, allowed_mentions=NO_PINGS
        )
