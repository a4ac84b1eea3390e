"""The fake refuses a command sync that Discord would refuse (400 Invalid Form Body)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord.http import Route

from .fake_discord import FakeDiscord, discord_py_globals, running
from .fakediscord import rules
from .test_fake_discord import MiniBot

pytestmark = pytest.mark.timeout(30)


def option(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": f"The {name}", "type": 3} | extra


def command(*options: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": "ask", "description": "Ask", "type": 1, "options": list(options)} | extra


def found(*commands: dict[str, Any]) -> set[str]:
    return {p.rule for p in rules.check_commands(commands)}


def test_a_valid_command_with_optional_and_autocomplete_options_passes() -> None:
    good = command(
        option("question", required=True), option("since"), option("outlet", autocomplete=True)
    )
    assert found(good) == set()


def test_discords_command_rules() -> None:
    assert found(command(option("since"), option("question", required=True))) == {"options_order"}
    assert found(command(description="x" * 101)) == {"command_description"}
    assert found(command(option("Since"))) == {"command_name"}
    assert found(command(option("outlet", description=""))) == {"command_description"}
    choices = [{"name": "a", "value": "a"}]
    assert found(command(option("outlet", autocomplete=True, choices=choices))) == {
        "option_autocomplete"
    }
    assert found(command(*(option(f"o{i}") for i in range(26)))) == {"options_count"}


def test_translations_are_held_to_the_same_rules() -> None:
    uk = {"name_localizations": {"uk": "питання"}, "description_localizations": {"uk": "Що"}}
    assert found(command(option("question", **uk))) == set()
    assert found(command(name_localizations={"uk": "Запитати"})) == {"command_name"}
    assert found(command(name_localizations={"uk": "два слова"})) == {"command_name"}
    assert found(command(description_localizations={"ru": "x" * 101})) == {"command_description"}
    assert found(command(name_localizations={"ua": "запитати"})) == {"locale"}
    since = option("since", name_localizations={"uk": "до"})
    until = option("until", name_localizations={"uk": "до"})
    assert found(command(since, until)) == {"option_name_duplicate"}


@pytest.fixture
async def server() -> AsyncIterator[FakeDiscord]:
    with discord_py_globals():
        async with FakeDiscord() as fake:
            Route.BASE = fake.api_base  # what the bot does with settings.discord_api_base
            yield fake


async def test_a_bad_sync_is_rejected_and_recorded(server: FakeDiscord) -> None:
    fake = server
    async with running(MiniBot(fake.guild_id), fake) as bot:
        bad = command(option("since"), option("question", required=True))
        assert bot.application_id is not None
        with pytest.raises(discord.HTTPException) as refused:
            await bot.http.bulk_upsert_global_commands(bot.application_id, [bad])
    assert refused.value.status == 400
    assert fake.violations_of("options_order")
