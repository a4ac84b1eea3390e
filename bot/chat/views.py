"""👍/👎 under every answer, and the optional "what was wrong?" line after a 👎.

The buttons are one persistent view (timeout=None, fixed custom_ids) registered with
`bot.add_view` at startup, so a click on an answer sent before a restart still reaches it; the
answer is found by the id of the message the button is on (bot/feedback.py keeps it). The copy
sent with each answer is stopped once sent: discord.py would otherwise keep one view per message
in memory for ever (timeout=None), while the registered one already answers every click.

The labels are in the answer's language, set on the copy sent with it; a click carries no
question, so the reply to it is in the clicking user's Discord language when the bot speaks it
(bot/chat/language.py), else in the server's (the registered view's `language`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from functools import partial

import discord

from bot.chat.language import locale_language
from bot.chat.render import NO_PINGS, notice
from bot.feedback import REASON_CHARS, FeedbackStore
from bot.i18n import N_, tr

log = logging.getLogger(__name__)
UP_ID, DOWN_ID, REASON_ID = "talks:feedback:up", "talks:feedback:down", "talks:feedback:reason"
UNKNOWN = N_("I no longer have that answer, so the vote could not be kept.")
FRESH = timedelta(seconds=60)  # a click this soon after the answer may beat its record
RECORD_WAIT = 1.5  # seconds; Discord wants a response to the click within 3


class Recording:
    """Answers shown but not yet in the feedback store. The store learns the message id only
    once Discord returns it, so a click in that instant waits for the record instead of being
    told the answer is unknown."""

    def __init__(self) -> None:
        self._events: dict[int, asyncio.Event] = {}

    def done(self, message_id: int) -> None:
        event = self._events.pop(message_id, None)
        if event is not None:
            event.set()

    async def wait(self, message_id: int, timeout: float = RECORD_WAIT) -> None:
        event = self._events.setdefault(message_id, asyncio.Event())
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            if self._events.get(message_id) is event:
                del self._events[message_id]


class WhatWasWrong(discord.ui.Modal):
    """One optional line; closing the modal keeps the 👎 without a reason."""

    def __init__(self, feedback: FeedbackStore, message_id: int, language: str) -> None:
        super().__init__(title=tr(language, "What was wrong?"), custom_id=REASON_ID, timeout=600)
        self.reason: discord.ui.TextInput[WhatWasWrong] = discord.ui.TextInput(
            label=tr(language, "What was wrong? (optional)"),
            style=discord.TextStyle.short,
            required=False,
            max_length=REASON_CHARS,
            custom_id="talks:feedback:reason-text",
        )
        self.add_item(self.reason)
        self.feedback, self.message_id, self.language = feedback, message_id, language

    async def on_submit(self, interaction: discord.Interaction) -> None:
        text = self.reason.value or ""
        if text.strip():
            await asyncio.to_thread(
                self.feedback.reason, self.message_id, interaction.user.id, text
            )
        await interaction.response.send_message(
            notice(tr(self.language, "Thanks — noted.")), ephemeral=True, allowed_mentions=NO_PINGS
        )


class FeedbackView(discord.ui.View):
    """`language`: the labels', and the replies' to a user whose Discord is in a language the
    bot does not speak (the answer's on a copy sent with it, the server's on the registered one).
    """

    def __init__(self, feedback: FeedbackStore, recording: Recording, language: str) -> None:
        super().__init__(timeout=None)
        self.feedback, self.recording, self.language = feedback, recording, language
        self.up.label = tr(language, "Helpful")
        self.down.label = tr(language, "Not helpful")

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary, custom_id=UP_ID)
    async def up(
        self, interaction: discord.Interaction, button: discord.ui.Button[FeedbackView]
    ) -> None:
        if await self._vote(interaction, up=True):
            await self._tell(
                interaction, N_("Thanks — counted as helpful. A 👎 changes your vote.")
            )

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary, custom_id=DOWN_ID)
    async def down(
        self, interaction: discord.Interaction, button: discord.ui.Button[FeedbackView]
    ) -> None:
        if await self._vote(interaction, up=False):
            assert interaction.message is not None  # _vote checked
            await interaction.response.send_modal(
                WhatWasWrong(self.feedback, interaction.message.id, self.reader(interaction))
            )

    async def _vote(self, interaction: discord.Interaction, *, up: bool) -> bool:
        message = interaction.message
        if message is None:
            await self._tell(interaction, UNKNOWN)
            return False
        vote = partial(self.feedback.vote, message.id, interaction.user.id, up)
        known = await asyncio.to_thread(vote)
        if not known and datetime.now(UTC) - message.created_at < FRESH:
            await self.recording.wait(message.id)
            known = await asyncio.to_thread(vote)
        if not known:
            await self._tell(interaction, UNKNOWN)
        return known

    def reader(self, interaction: discord.Interaction) -> str:
        """The language of the user who clicked."""
        return locale_language(interaction.locale, self.language)

    async def _tell(self, interaction: discord.Interaction, message: str) -> None:
        """`message` (of the catalogue) in the clicking user's language, for them only."""
        text = tr(self.reader(interaction), message)
        await interaction.response.send_message(
            notice(text), ephemeral=True, allowed_mentions=NO_PINGS
        )
