"""Who may manage the index: Manage Server, or the role named in TALKS_ADMIN_ROLE.

`default_permissions` on the /talks group only hides it in the client, and a server owner can
override that per role or channel; this check runs on the bot's side for every call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TypeVar

import discord
from discord import app_commands

from bot.chat.render import NO_PINGS, notice
from bot.i18n import tr

T = TypeVar("T")


class NotAdmin(app_commands.CheckFailure):
    """Carries the sentence the user sees, naming what would let them in, in their language."""

    def __init__(self, role: str | None, language: str = "en") -> None:
        if role:
            text = tr(
                language,
                "You need the Manage Server permission or the {role} role to use this command.",
                role=role,
            )
        else:
            text = tr(language, "You need the Manage Server permission to use this command.")
        super().__init__(text)


def has_role(user: discord.abc.User, role: str) -> bool:
    """Role names compared without case: admins type them from memory."""
    roles = getattr(user, "roles", [])
    wanted = role.casefold()
    return any(r.name.casefold() == wanted for r in roles)


def is_admin(user: discord.abc.User, permissions: discord.Permissions, role: str | None) -> bool:
    """`permissions` are the caller's resolved channel permissions, as Discord sent them."""
    if permissions.administrator or permissions.manage_guild:
        return True
    return role is not None and has_role(user, role)


def require_admin(interaction: discord.Interaction, role: str | None, language: str) -> bool:
    """For `interaction_check`: True, or NotAdmin (in `language`, the user's) for the tree's
    error handler to explain."""
    if interaction.guild is None or not is_admin(interaction.user, interaction.permissions, role):
        raise NotAdmin(role, language)
    return True


async def admin_choices(
    interaction: discord.Interaction,
    role: str | None,
    load: Callable[[], Sequence[T]],
    pick: Callable[[Sequence[T], str], list[app_commands.Choice[str]]],
    current: str,
) -> list[app_commands.Choice[str]]:
    """Autocomplete for admin commands: it skips interaction_check, so only admins see choices."""
    if not is_admin(interaction.user, interaction.permissions, role):
        return []
    return pick(await asyncio.to_thread(load), current)


async def reply(interaction: discord.Interaction, text: str) -> None:
    """The ephemeral follow-up of a deferred admin command."""
    await interaction.followup.send(notice(text), ephemeral=True, allowed_mentions=NO_PINGS)
