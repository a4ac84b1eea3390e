"""Conversations and feedback through the fake Discord: threads on answers, follow-ups in them
(by /ask, mention, or plain message with the content intent), 👍/👎 before and after a restart,
the "what was wrong?" modal, and the admins' summary."""

from __future__ import annotations

import discord
import pytest

from bot.chat.views import DOWN_ID, UP_ID
from bot.engine.engine import Engine

from .conftest import StartBot, embed_text
from .fakediscord import FakeDiscord
from .fakediscord.models import CREATE_PUBLIC_THREADS
from .fakediscord.records import FakeMessage
from .talks_corpus import ASK_KREMLIN

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]
CONTENT = discord.Intents(message_content=True).value
FOLLOW_UP = "and what did kyiv say to that?"


def footer(message: FakeMessage) -> str:
    return "\n".join((e.get("footer") or {}).get("text") or "" for e in message.embeds)


def buttons(message: FakeMessage) -> list[str]:
    return [c["custom_id"] for row in message.components for c in row["components"]]


async def test_a_thread_on_the_answer_carries_the_conversation(
    fake: FakeDiscord, start_bot: StartBot, fresh_engine: Engine
) -> None:
    fake.grant_bot(CREATE_PUBLIC_THREADS)
    async with start_bot(fresh_engine):
        rec = await fake.slash("ask", {"question": ASK_KREMLIN})
        [answer] = await rec.wait_final(timeout=30)
        thread = await fake.world.notifier.wait_for(lambda: fake.thread_of(answer), 10, "a thread")
        follow = await fake.slash("ask", {"question": FOLLOW_UP}, channel_id=thread.id)
        [in_thread] = await follow.wait_final(timeout=30)
        mention = await fake.message("who else was there?", channel_id=thread.id, mention_bot=True)
        reply = await fake.wait_message(reply_to=mention, timeout=30)
    assert thread.name == ASK_KREMLIN and thread.parent_id == answer.channel_id
    assert buttons(answer) == [UP_ID, DOWN_ID] and "Understood as" not in footer(answer)
    assert in_thread.channel_id == thread.id and fake.thread_of(in_thread) is None
    assert footer(in_thread).startswith(f"Understood as: {FOLLOW_UP[:-1]} (")
    assert "kremlin" in footer(in_thread).casefold()
    assert "unacceptable" in embed_text(in_thread)  # Kyiv's answer, from the Kremlin article
    assert "Understood as: who else was there? (" not in footer(reply)  # not "else"-resolved...
    assert footer(reply).startswith("Understood as: who else was there (")  # ...but in context
    fake.assert_clean()


async def test_no_thread_without_the_permission_or_when_turned_off(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):  # the bot's role lacks Create Public Threads
        rec = await fake.slash("ask", {"question": ASK_KREMLIN})
        [answer] = await rec.wait_final(timeout=30)
    fake.grant_bot(CREATE_PUBLIC_THREADS)
    async with start_bot(shared_engine, discord_threads=False):
        question = await fake.message(ASK_KREMLIN, mention_bot=True)
        reply = await fake.wait_message(reply_to=question, timeout=30)
    assert fake.thread_of(answer) is None and fake.thread_of(reply) is None
    assert not [s for s in fake.sent if s.route.endswith("/threads")]
    fake.assert_clean()


async def test_a_plain_message_in_the_thread_is_a_followup_only_with_the_content_intent(
    fake: FakeDiscord, start_bot: StartBot, fresh_engine: Engine
) -> None:
    fake.grant_bot(CREATE_PUBLIC_THREADS)
    async with start_bot(fresh_engine):
        assert not fake.intents & CONTENT
        question = await fake.message(ASK_KREMLIN, mention_bot=True)
        answer = await fake.wait_message(reply_to=question, timeout=30)
        thread = await fake.world.notifier.wait_for(lambda: fake.thread_of(answer), 10, "a thread")
        plain = await fake.message(FOLLOW_UP, channel_id=thread.id)
        # Handled in order and without waiting: once the mention is answered, so was `plain`.
        mention = await fake.message(FOLLOW_UP, channel_id=thread.id, mention_bot=True)
        await fake.wait_message(reply_to=mention, timeout=30)
    assert not [m for m in fake.bot_messages() if (m.message_reference or {}).get(
        "message_id") == str(plain.id)]  # fmt: skip
    async with start_bot(fresh_engine, thread_messages=True):  # a restart: the thread is kept
        assert fake.intents & CONTENT
        again = await fake.message(FOLLOW_UP, channel_id=thread.id)
        reply = await fake.wait_message(reply_to=again, timeout=30)
        elsewhere = await fake.message(ASK_KREMLIN, channel_id=fake.channel("general").id)
        control = await fake.message(ASK_KREMLIN, mention_bot=True)
        await fake.wait_message(reply_to=control, timeout=30)
    assert "kremlin" in footer(reply).casefold() and "unacceptable" in embed_text(reply)
    assert not [m for m in fake.bot_messages() if (m.message_reference or {}).get(
        "message_id") == str(elsewhere.id)]  # fmt: skip
    fake.assert_clean()


async def test_votes_and_the_modal_work_before_and_after_a_restart(
    fake: FakeDiscord, start_bot: StartBot, fresh_engine: Engine
) -> None:
    async with start_bot(fresh_engine):
        rec = await fake.slash("ask", {"question": ASK_KREMLIN})
        [answer] = await rec.wait_final(timeout=30)
        up = await fake.click(answer, UP_ID)
        [thanks] = await up.wait_final()
        down = await fake.click(answer, DOWN_ID)  # the same user changes the vote
        await down.wait_response()
        submitted = await fake.submit_modal(down, {"talks:feedback:reason-text": "wrong date"})
        [noted] = await submitted.wait_final()
    assert thanks.ephemeral and thanks.content.startswith("Thanks — counted as helpful")
    assert down.modal is not None and down.modal["title"] == "What was wrong?"
    assert noted.ephemeral and noted.content == "Thanks — noted."
    async with start_bot(fresh_engine):  # persistent: the old message's buttons still work
        refused = await fake.slash("talks feedback", user=fake.member_user)
        [no] = await refused.wait_final()
        late = await fake.click(answer, UP_ID, user=fake.admin_user)
        [counted] = await late.wait_final()
        summary = await fake.slash("talks feedback", user=fake.admin_user)
        [shown] = await summary.wait_final()
    assert counted.content.startswith("Thanks — counted as helpful")
    embed = shown.embeds[0]
    assert shown.ephemeral and embed["description"] == "1 answers · 1 👍 · 1 👎 · 50% helpful"
    assert embed["fields"][0]["value"] == "wrong date" and ASK_KREMLIN in embed["fields"][0]["name"]
    assert no.ephemeral and no.content.startswith("You need the Manage Server permission")
    fake.assert_clean()


async def test_closing_the_modal_keeps_the_downvote(
    fake: FakeDiscord, start_bot: StartBot, fresh_engine: Engine
) -> None:
    async with start_bot(fresh_engine):
        question = await fake.message(ASK_KREMLIN, mention_bot=True)
        answer = await fake.wait_message(reply_to=question, timeout=30)
        down = await fake.click(answer, DOWN_ID)
        await down.wait_response()
        empty = await fake.submit_modal(down, {})
        await empty.wait_final()
        summary = await fake.slash("talks feedback", user=fake.admin_user)
        [shown] = await summary.wait_final()
    assert shown.embeds[0]["description"] == "1 answers · 0 👍 · 1 👎 · 0% helpful"
    assert shown.embeds[0]["fields"][0]["value"] == "*(no reason given)*"
    fake.assert_clean()
