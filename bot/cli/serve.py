"""`talks serve`: run the Discord bot over one Engine, opened (model + index) before connecting."""

from __future__ import annotations

import asyncio

import discord

from bot.chat.client import bot_class
from bot.cli.app import app, engine, err, fail, labelled, settings, user_errors
from bot.engine import Engine
from bot.errors import IndexMismatch, IndexMissing
from bot.settings import Settings

NO_TOKEN = (
    "no Discord token: put TALKS_DISCORD_TOKEN=<your bot token> in .env "
    "(see docs/DISCORD.md for creating the bot)."
)


async def run_bot(eng: Engine, s: Settings, token: str) -> None:
    async with bot_class(s)(eng, s) as bot:
        await bot.start(token)


def load_index(eng: Engine) -> None:
    """Load the index now, so the first question is not slow; without one, admins can still
    build it with /talks reindex."""
    try:
        eng.generation()
    except (IndexMissing, IndexMismatch) as exc:
        err.print(labelled("warning:", "yellow", f"{exc} Run `talks index` or /talks reindex."))


@app.command()
def serve() -> None:
    """Run the Discord bot (needs TALKS_DISCORD_TOKEN in .env)."""
    s = settings()
    if s.discord_token is None:
        raise fail(NO_TOKEN)
    eng = engine(s)
    load_index(eng)
    with user_errors():
        try:
            asyncio.run(run_bot(eng, s, s.discord_token.get_secret_value()))
        except discord.LoginFailure:
            raise fail("Discord refused the token; check TALKS_DISCORD_TOKEN.") from None
        except discord.PrivilegedIntentsRequired:
            raise fail(
                "Q&A channels and TALKS_THREAD_MESSAGES need the Message Content intent: enable "
                "it for the application (Developer Portal → Bot), or clear TALKS_QA_CHANNELS and "
                "TALKS_THREAD_MESSAGES."
            ) from None
