"""Who counts as an admin, and what each kind of error tells the user."""

from __future__ import annotations

from types import SimpleNamespace

import discord
import pytest
from discord import app_commands

from bot.chat.checks import NotAdmin, is_admin
from bot.chat.language import locale_language
from bot.chat.tree import GENERIC, describe, retry_sentence, user_message
from bot.errors import BadInput, Busy, IndexMissing
from bot.i18n import N_, tr


def member(*roles: str) -> discord.abc.User:
    return SimpleNamespace(roles=[SimpleNamespace(name=r) for r in roles])  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("perms", "roles", "setting", "allowed"),
    [
        (discord.Permissions(manage_guild=True), (), None, True),
        (discord.Permissions(administrator=True), (), None, True),
        (discord.Permissions(send_messages=True), (), None, False),
        (discord.Permissions.none(), ("Talks Admins",), "talks admins", True),
        (discord.Permissions.none(), ("Readers",), "Talks Admins", False),
        (discord.Permissions.none(), ("Talks Admins",), None, False),
    ],
)
def test_is_admin(
    perms: discord.Permissions, roles: tuple[str, ...], setting: str | None, allowed: bool
) -> None:
    assert is_admin(member(*roles), perms, setting) is allowed


def test_refusal_names_the_role_when_one_is_set() -> None:
    assert str(NotAdmin(None)) == "You need the Manage Server permission to use this command."
    assert str(NotAdmin("Mods")) == (
        "You need the Manage Server permission or the Mods role to use this command."
    )


def test_known_errors_become_their_sentence() -> None:
    command = SimpleNamespace(name="ask", qualified_name="ask")
    wrapped = app_commands.CommandInvokeError(command, Busy("Busy now."))  # type: ignore[arg-type]
    assert user_message(wrapped) == "Busy now."
    assert (
        user_message(IndexMissing("No index yet."))
        == "No index yet. An admin can run /talks reindex."
    )
    assert user_message(BadInput("Bad.")) == "Bad."
    cooldown = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 10), 4.2)
    assert (
        user_message(cooldown)
        == retry_sentence(4.2)
        == ("You're asking too quickly; try again in 5 s.")
    )
    assert user_message(NotAdmin(None)) == str(NotAdmin(None))


def test_bugs_and_generic_check_failures_get_the_generic_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert user_message(app_commands.CheckFailure("The check functions for command failed")) is None
    assert user_message(RuntimeError("secret")) is None
    assert describe(RuntimeError("secret")) == GENERIC
    assert "secret" in caplog.text  # the detail goes to the log, not the user


def test_errors_are_told_in_the_askers_language() -> None:
    assert retry_sentence(4.2, "uk") == "Ви запитуєте надто часто; спробуйте ще раз через 5 с."
    missing = IndexMissing(N_("No index in the database yet; build it first."))
    assert user_message(missing, "ru") == (
        "В базе данных ещё нет индекса; сначала постройте его."
        " Администратор может выполнить /talks reindex."
    )
    assert describe(RuntimeError("secret"), "uk") == tr("uk", GENERIC) != GENERIC
    assert str(NotAdmin("Mods", "uk")) == (
        "Щоб скористатися цією командою, потрібен дозвіл «Керувати сервером» або роль Mods."
    )
    assert user_message(BadInput("Not a message of the catalogue."), "uk") == (
        "Not a message of the catalogue."
    )


@pytest.mark.parametrize(
    ("locale", "server", "language"),
    [
        (discord.Locale.ukrainian, "en", "uk"),
        (discord.Locale.russian, "uk", "ru"),
        (discord.Locale.american_english, "ru", "ru"),  # the bot's English is the server's choice
        (discord.Locale.german, "en", "en"),
        (discord.Locale.polish, "uk", "uk"),
    ],
)
def test_with_nothing_typed_the_users_discord_language_counts(
    locale: discord.Locale, server: str, language: str
) -> None:
    assert locale_language(locale, server) == language
