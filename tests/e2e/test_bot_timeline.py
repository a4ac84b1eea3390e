"""/timeline and /talks parties through the fake Discord, over the real engine and model."""

from __future__ import annotations

import pytest

from bot.engine.engine import Engine

from .conftest import StartBot, embed_text
from .fakediscord import FakeDiscord

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]


async def test_timeline_lists_dated_statements_with_their_sources(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        rec = await fake.slash("timeline", {"party": "Ukraine"})
        [reply] = await rec.wait_final(timeout=30)
        rec = await fake.slash("timeline", {"party": "Ukraine", "since": "2025-07-01"})
        [later] = await rec.wait_final(timeout=30)
    body = embed_text(reply)
    assert not reply.ephemeral and reply.embeds[0]["title"] == "Ukraine"
    assert "**2025-06-02** · Zelenskyy" in body and "We will not trade land for peace" in body
    assert body.index("2025-06-02") < body.index("2025-07-19")  # oldest first
    assert "[Kremlin sets terms for a ceasefire](https://example.org/kremlin-terms)" in body
    assert "2025-06-02" not in embed_text(later) and "Rustem Umerov" in embed_text(later)
    fake.assert_clean()


async def test_party_autocomplete_and_a_wrong_date(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        typed = await fake.autocomplete("timeline", {"party": "ru"}, focused="party")
        choices = await typed.wait_choices()
        rec = await fake.slash("timeline", {"party": "Russia", "until": "June"})
        [wrong] = await rec.wait_final()
    assert [c["value"] for c in choices][:2] == ["Russia", "Rustem Umerov"]
    assert wrong.ephemeral and wrong.content.startswith("until must be a date as YYYY-MM-DD")
    fake.assert_clean()


async def test_admins_list_the_parties(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        rec = await fake.slash("talks parties", user=fake.admin_user)
        [reply] = await rec.wait_final(timeout=30)
    assert reply.ephemeral, reply.content
    assert "**Russia**: Putin, Peskov, Lavrov" in embed_text(reply), reply.content
    fake.assert_clean()
