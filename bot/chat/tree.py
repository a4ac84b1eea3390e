"""One fallback for every slash-command error: a short ephemeral sentence, never a traceback.

Handlers stay straight-line (defer → engine → render) and let errors rise; this is the one place
that decides what the user reads. Known errors become their own sentence; anything else is a bug,
logged in full, and the user gets a generic line.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands

from bot.chat.render import NO_PINGS, notice
from bot.errors import IndexMismatch, IndexMissing, TalksError
from bot.i18n import N_, tr

if TYPE_CHECKING:
    from bot.chat.client import TalksBot

log = logging.getLogger(__name__)
GENERIC = N_("Something went wrong on my side; it has been logged. Please try again later.")


def retry_sentence(seconds: float, language: str = "en") -> str:
    return tr(
        language,
        "You're asking too quickly; try again in {seconds} s.",
        seconds=max(1, math.ceil(seconds)),
    )


def user_message(error: Exception, language: str = "en") -> str | None:
    """The sentence for a known error in `language`, or None for a bug."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, IndexMissing | IndexMismatch):
        return tr(language, "{error} An admin can run /talks reindex.", error=error.told(language))
    if isinstance(error, TalksError):
        return error.told(language)
    if isinstance(error, app_commands.CommandOnCooldown):
        return retry_sentence(error.retry_after, language)
    if isinstance(error, app_commands.NoPrivateMessage):
        return tr(language, "This command only works in a server.")
    if isinstance(error, app_commands.CheckFailure):
        # Our own checks carry a complete sentence; discord.py's generic ones do not.
        text = str(error)
        return text if text.endswith(".") and "check functions" not in text else None
    if isinstance(error, app_commands.TransformerError):
        return tr(language, "That value is not valid for this option.")
    return None


def describe(error: BaseException, language: str = "en") -> str:
    """The sentence for any error; a bug is logged in full before the generic line."""
    message = user_message(error, language) if isinstance(error, Exception) else None
    if message is None:
        log.error("unexpected error", exc_info=error)
        return tr(language, GENERIC)
    return message


async def tell(interaction: discord.Interaction, text: str) -> None:
    """Ephemeral if Discord allows it: after a public defer the follow-up replaces 'thinking…'."""
    text = notice(text)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.warning("could not tell %s: %s", interaction.user, text, exc_info=True)


class TalksTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        autocomplete = interaction.type is discord.InteractionType.autocomplete
        bot = cast("TalksBot", self.client)  # the tree of a TalksBot, tree_cls in client.py
        language = "en" if autocomplete else await bot.language_for(interaction)
        message = user_message(error, language)
        if message is None:
            name = interaction.command.qualified_name if interaction.command else "?"
            log.error("error in /%s", name, exc_info=getattr(error, "original", error))
        else:
            log.info("/%s refused: %s", getattr(interaction.command, "name", "?"), message)
        if autocomplete:
            return  # no message can answer an autocomplete request
        await tell(interaction, message or tr(language, GENERIC))
