"""Asking the real bot through the fake Discord: /ask, mentions, Q&A channels, limits, errors."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest

from bot.chat.render import MESSAGE_MAX
from bot.chat.tree import GENERIC
from bot.engine.engine import Engine

from .conftest import StartBot, embed_text
from .fakediscord import FakeDiscord
from .talks_corpus import ASK_GENEVA, ASK_KREMLIN, ASK_NEGOTIATOR, ASK_OFF_TOPIC, ASK_PLANT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]


def pings_no_one(allowed: dict[str, Any] | None) -> bool:
    """What Discord needs to ping nobody: nothing parsed, no ids listed, no reply ping."""
    return (
        allowed is not None
        and allowed.get("parse") == []
        and not allowed.get("users")
        and not allowed.get("roles")
        and not allowed.get("replied_user")
    )


CONTENT = discord.Intents(message_content=True).value


async def test_ask_defers_then_answers_with_numbered_clickable_sources(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        rec = await fake.slash("ask", {"question": ASK_KREMLIN})
        [answer] = await rec.wait_final(timeout=30)
    assert rec.deferred and rec.callback_delay is not None and rec.callback_delay < 3
    assert not answer.ephemeral and len(answer.embeds) == 1
    embed = answer.embeds[0]
    assert embed["title"] == ASK_KREMLIN
    body = embed["description"]
    assert "NATO" in body and "[1]" in body and "**Sources**" in body
    assert (
        "**[1]** [Kremlin sets terms for a ceasefire](https://example.org/kremlin-terms)"
        " (Example News, 2025-06-02)" in body
    )
    assert pings_no_one(answer.allowed_mentions)
    fake.assert_clean()


async def test_ask_abstains_when_the_articles_do_not_cover_it(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        rec = await fake.slash("ask", {"question": ASK_OFF_TOPIC})
        [answer] = await rec.wait_final(timeout=30)
    # The question names a year no article is from: the decline says which years they cover.
    assert embed_text(answer).startswith("The indexed articles don't cover 2018 (2018-01-01")
    assert "Sources" not in answer.text
    fake.assert_clean()


async def test_mention_gets_a_reply_and_needs_no_content_intent(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        assert not fake.intents & CONTENT  # least privilege without Q&A channels
        question = await fake.message(ASK_NEGOTIATOR, mention_bot=True)
        reply = await fake.wait_message(reply_to=question, timeout=30)
        ignored = await fake.message(ASK_NEGOTIATOR)  # no mention, not a Q&A channel
        await asyncio.sleep(0.5)
    assert "Zelenskyy" in embed_text(reply) or "Umerov" in embed_text(reply)
    assert pings_no_one(reply.allowed_mentions)
    assert fake.typing_channels == [question.channel_id]
    assert not [
        m
        for m in fake.bot_messages()
        if m.message_reference and str(m.message_reference.get("message_id")) == str(ignored.id)
    ]
    fake.assert_clean()


async def test_every_message_in_a_qa_channel_is_a_question(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    qa = fake.channel("peace-talks").id
    async with start_bot(shared_engine, qa_channels=[qa]):
        assert fake.intents & CONTENT
        question = await fake.message(ASK_KREMLIN, channel_id=qa)
        reply = await fake.wait_message(reply_to=question, timeout=30)
        await fake.message(ASK_KREMLIN, channel_id=fake.channel("general").id)
        await fake.message("ok", channel_id=qa)  # too short to be a question: ignored
        await asyncio.sleep(0.5)
    assert "NATO" in embed_text(reply)
    assert len(fake.bot_messages()) == 1
    fake.assert_clean()


async def test_everyone_in_a_quote_pings_no_one(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        rec = await fake.slash("ask", {"question": ASK_GENEVA})
        [answer] = await rec.wait_final(timeout=30)
        question = await fake.message(ASK_GENEVA, mention_bot=True)
        reply = await fake.wait_message(reply_to=question, timeout=30)
    for message in (answer, reply):
        text = embed_text(message)
        assert "noon on Thursday" in text
        assert "@everyone" not in text and "@\u200beveryone" in text
        assert pings_no_one(message.allowed_mentions)
    sends = [s for s in fake.sent if isinstance(s.json, dict) and "embeds" in s.json]
    assert sends and all(pings_no_one(s.json.get("allowed_mentions")) for s in sends)
    fake.assert_clean()


async def test_oversized_answer_is_split_within_discord_limits(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        rec = await fake.slash("ask", {"question": ASK_PLANT})
        [answer] = await rec.wait_final(timeout=30)
    assert len(answer.embeds) >= 2 or answer.files
    sizes = [
        len(e.get("title") or "")
        + len(e["description"])
        + len((e.get("footer") or {}).get("text") or "")
        for e in answer.embeds
    ]
    assert sum(sizes) <= MESSAGE_MAX and all(len(e["description"]) <= 4096 for e in answer.embeds)
    text = embed_text(answer)
    for n in (1, 2, 3, 4):
        assert f"**[{n}]**" in text
    fake.assert_clean()  # the fake's validator saw every payload


async def test_cooldown_is_shared_by_slash_and_mentions_and_says_when(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine, cooldown_rate=1, cooldown_seconds=60):
        first = await fake.slash("ask", {"question": ASK_KREMLIN})
        await first.wait_final(timeout=30)
        second = await fake.slash("ask", {"question": ASK_KREMLIN})
        [refusal] = await second.wait_final()
        mention = await fake.message(ASK_KREMLIN, mention_bot=True)
        reply = await fake.wait_message(reply_to=mention)
    assert refusal.ephemeral and refusal.content.startswith("You're asking too quickly")
    assert "try again in 60 s" in refusal.content or "try again in 59 s" in refusal.content
    assert reply.content.startswith("You're asking too quickly")
    fake.assert_clean()


async def test_a_bug_becomes_one_sentence_not_a_traceback(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("internal detail that must stay in the log")

    monkeypatch.setattr(shared_engine, "asked", broken)  # where ask and ask_stream both start
    async with start_bot(shared_engine):
        rec = await fake.slash("ask", {"question": ASK_KREMLIN})
        [message] = await rec.wait_final(timeout=30)
        question = await fake.message(ASK_KREMLIN, mention_bot=True)
        reply = await fake.wait_message(reply_to=question)
    assert message.content == GENERIC and reply.content == GENERIC
    assert "internal detail" not in message.text + reply.text
    fake.assert_clean()
