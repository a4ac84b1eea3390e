"""Generated answers through the real bot, the fake Discord and a fake OpenAI-compatible server:
the draft streams into the reply by edits, then the checked embed replaces it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.chat.client import TalksBot
from bot.chat.cogs.ask import Ask
from bot.engine.engine import Engine
from tests.fakellm import FakeLLM, Script

from .conftest import StartBot, embed_text
from .fakediscord import FakeDiscord
from .fakediscord.records import FakeMessage, InteractionRecord
from .talks_corpus import ASK_KREMLIN
from .test_bot_ask import pings_no_one

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]
GENERATED_FOOTER = "Written by a language model"


@pytest.fixture
def generating(
    engine_copy: Callable[..., Engine], tmp_path: Path, fake_llm: FakeLLM
) -> Callable[..., Engine]:
    def build(**overrides: object) -> Engine:
        plain = engine_copy(tmp_path)
        values = {"llm_base_url": fake_llm.base_url, "llm_model": "fake", **overrides}
        return Engine(plain.settings.model_copy(update=values), plain.embedder)

    return build


def kremlin_reply(engine: Engine) -> str:
    """A faithful paraphrase, cited with the number the Kremlin article is shown under."""
    shown = engine.evidence(ASK_KREMLIN)
    n = next(s.n for s in shown if s.article.title.startswith("Kremlin sets terms"))
    return (
        f"The Kremlin demands that Ukraine withdraw from four annexed regions and renounce its "
        f"NATO aspirations [{n}]. Kyiv called the demands unacceptable [{n}]."
    )


def frozen(bot: TalksBot) -> None:
    """A clock that never moves: the first draft is shown, every later one is within 1 s."""
    cog = bot.get_cog("Ask")  # loaded as an extension: its own copy of the module's class
    assert cog is not None and type(cog).__name__ == Ask.__name__
    cog.clock = lambda: 0.0  # type: ignore[attr-defined]


def drafts_to(fake: FakeDiscord, message: FakeMessage | None) -> list[str]:
    """The text of every draft the bot wrote into `message` (plain content, no embeds)."""
    return [
        s.json["content"]
        for s in fake.sent
        if isinstance(s.json, dict) and s.json.get("content") and not s.json.get("embeds")
        and message is not None and (str(message.id) in s.path or "@original" in s.path)
    ]  # fmt: skip


async def final_of(fake: FakeDiscord, rec: InteractionRecord) -> FakeMessage:
    def done() -> FakeMessage | None:
        original = rec.original
        return original if original and original.embeds else None

    return await fake.world.notifier.wait_for(done, 30, "the final embed")


async def test_slash_answer_streams_by_edits_then_becomes_the_checked_embed(
    fake: FakeDiscord, start_bot: StartBot, generating: Callable[..., Engine], fake_llm: FakeLLM
) -> None:
    engine = generating()
    fake_llm.script = Script(kremlin_reply(engine))
    async with start_bot(engine) as bot:
        frozen(bot)
        rec = await fake.slash("ask", {"question": ASK_KREMLIN})
        final = await final_of(fake, rec)
    [draft] = drafts_to(fake, final)
    assert draft.startswith("The") and draft.endswith(" …")  # the first piece, shown at once
    assert final.content == "" and final.edits == 2  # the draft, then the final answer
    body = embed_text(final)
    assert body.startswith("The Kremlin demands that Ukraine withdraw from four annexed regions")
    assert "**[1]** [Kremlin sets terms for a ceasefire]" in body
    assert GENERATED_FOOTER in final.embeds[-1]["footer"]["text"]
    assert not rec.followups and pings_no_one(final.allowed_mentions)
    fake.assert_clean()


async def test_mention_reply_streams_then_becomes_the_checked_embed(
    fake: FakeDiscord, start_bot: StartBot, generating: Callable[..., Engine], fake_llm: FakeLLM
) -> None:
    engine = generating()
    fake_llm.script = Script(kremlin_reply(engine), stream=False)  # one piece: one draft
    async with start_bot(engine) as bot:
        frozen(bot)
        question = await fake.message(ASK_KREMLIN, mention_bot=True)
        reply = await fake.wait_message(lambda m: bool(m.embeds), reply_to=question, timeout=30)
    assert reply.content == "" and reply.edits == 1
    assert "renounce its NATO aspirations" in embed_text(reply)
    assert pings_no_one(reply.allowed_mentions)
    assert len([m for m in fake.bot_messages() if m.message_reference]) == 1
    fake.assert_clean()


async def test_a_hanging_model_leaves_the_extractive_answer_in_place_of_its_draft(
    fake: FakeDiscord, start_bot: StartBot, generating: Callable[..., Engine], fake_llm: FakeLLM
) -> None:
    engine = generating(llm_timeout=8.0)  # counted from the question: leaves the model time
    fake_llm.script = Script(kremlin_reply(engine), hang_after=2)
    async with start_bot(engine) as bot:
        frozen(bot)
        rec = await fake.slash("ask", {"question": ASK_KREMLIN})
        final = await final_of(fake, rec)
    assert drafts_to(fake, final)  # the model had started
    assert final.content == "" and "Sentences quoted" in final.embeds[-1]["footer"]["text"]
    assert "four annexed regions" in embed_text(final)
    fake.assert_clean()
