"""Slash commands' names and descriptions in Ukrainian and Russian, from the catalogues: complete
for what a member sees, and within Discord's rules, or the whole sync would be refused."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.chat import translator
from bot.chat.cogs.ask import Ask
from bot.chat.cogs.timeline import Timelines
from bot.chat.translator import NAMES, CatalogueTranslator, localised, shown_name
from tests.e2e.fakediscord import rules


async def payloads() -> list[dict[str, Any]]:
    """What the bot sends Discord for its members' commands, translations included."""
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(
        discord.Client(intents=discord.Intents.none())
    )
    return [
        await command.get_translated_payload(tree, CatalogueTranslator())
        for command in (Ask.ask, Timelines.timeline)
    ]


async def test_members_commands_are_translated_within_discords_rules() -> None:
    commands = await payloads()
    assert rules.check_commands(commands) == []
    for command in commands:
        for item in (command, *command["options"]):
            assert set(item["name_localizations"]) == {"uk", "ru"}, item["name"]
            assert set(item["description_localizations"]) == {"uk", "ru"}, item["name"]
    ask = commands[0]
    assert ask["name_localizations"] == {"uk": "запитати", "ru": "спросить"}
    assert ask["description_localizations"]["uk"].startswith("Запитайте про мирні переговори")
    assert [o["name_localizations"]["ru"] for o in ask["options"]] == [
        "вопрос",
        "с",
        "по",
        "издание",
    ]


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_every_translated_name_is_a_valid_lower_case_name(language: str) -> None:
    for name in NAMES:
        for where in (Where.command_name, Where.parameter_name):
            text = localised(name, language, where)
            if text is not None:
                assert text == text.lower() and " " not in text and len(text) <= 32


async def test_other_locales_and_choices_keep_the_default() -> None:
    t = CatalogueTranslator()
    ask = app_commands.locale_str("ask")
    context: Any = app_commands.TranslationContext(Where.command_name, Ask.ask)
    assert await t.translate(ask, discord.Locale.german, context) is None
    assert await t.translate(ask, discord.Locale.ukrainian, context) == "запитати"
    choice: Any = app_commands.TranslationContext(Where.choice_name, None)
    assert (
        await t.translate(app_commands.locale_str("Sources"), discord.Locale.russian, choice)
        is None
    )


def test_a_translation_that_breaks_discords_rules_is_left_out(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(translator, "trc", lambda language, context, message: "Два слова")
    assert localised("question", "uk", Where.parameter_name) is None
    assert "breaks Discord's rules" in caplog.text
    monkeypatch.setattr(translator, "tr", lambda language, message: "x" * 101)
    assert localised("Only statements about this", "uk", Where.parameter_description) is None


def test_an_option_is_named_as_the_users_discord_shows_it() -> None:
    assert shown_name(discord.Locale.ukrainian, "since") == "від"
    assert shown_name(discord.Locale.russian, "until") == "по"
    assert shown_name(discord.Locale.british_english, "since") == "since"
