"""The gateway connection drops; the bot resumes (or identifies afresh) and answers again."""

from __future__ import annotations

import discord
import pytest

from bot.chat.client import TalksBot
from bot.engine.engine import Engine

from .conftest import StartBot, embed_text
from .fakediscord import FakeDiscord, discord_py_globals, running
from .talks_corpus import ASK_KREMLIN

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]


async def test_bot_resumes_after_the_connection_drops_and_answers_again(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        first = await fake.slash("ask", {"question": ASK_KREMLIN})
        await first.wait_final(timeout=30)
        await fake.drop_connection(code=4000)
        await fake.wait_ready()
        after = await fake.slash("ask", {"question": ASK_KREMLIN})
        [answer] = await after.wait_final(timeout=30)
    assert fake.resume_count == 1 and fake.identify_count == 1
    assert "NATO" in embed_text(answer)
    fake.assert_clean()


async def test_events_sent_while_the_socket_is_dead_are_answered_after_resume(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        await fake.drop_connection(abnormal=True)
        rec = await fake.slash("ask", {"question": ASK_KREMLIN}, wait_connected=None)
        question = await fake.message(ASK_KREMLIN, mention_bot=True, wait_connected=None)
        [answer] = await rec.wait_final(timeout=30)
        reply = await fake.wait_message(reply_to=question, timeout=30)
    assert fake.resume_count == 1
    assert "NATO" in embed_text(answer) and "NATO" in embed_text(reply)
    fake.assert_clean()


async def test_q_and_a_channels_without_the_content_intent_fail_clearly(
    shared_engine: Engine,
) -> None:
    with discord_py_globals():
        async with FakeDiscord(grant_privileged_intents=False) as strict:
            bot = TalksBot(
                shared_engine,
                shared_engine.settings.model_copy(
                    update={"discord_api_base": strict.api_base, "qa_channels": [1]}
                ),
            )
            with pytest.raises(discord.PrivilegedIntentsRequired):
                async with running(bot, strict):
                    pass
