"""/ask with since, until and outlet through the fake Discord: autocomplete, filtered citations,
and a wrong filter answered by an ephemeral line before anything else happens."""

from __future__ import annotations

import pytest

from bot.engine.engine import Engine

from .conftest import StartBot, embed_text
from .fakediscord import FakeDiscord
from .talks_corpus import ASK_KREMLIN

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]


async def test_outlet_autocomplete_offers_the_indexed_outlets_in_time(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        typed = await fake.autocomplete(
            "ask", {"question": ASK_KREMLIN, "outlet": "wi"}, focused="outlet"
        )
        choices = await typed.wait_choices()
        empty = await fake.autocomplete("ask", {"outlet": ""}, focused="outlet")
        every = await empty.wait_choices()
    assert [c["value"] for c in choices] == ["Wire", "Atom Wire"]  # starting with it first
    assert typed.callback_delay is not None and typed.callback_delay < 3
    assert [c["name"] for c in every] == shared_engine.outlets() and len(every) == 7
    fake.assert_clean()  # the fake's validator checked the ≤ 25 choices of ≤ 100 chars


async def test_ask_with_filters_cites_only_what_passes_them(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    window = {"since": "2025-06-01", "until": "2025-06-30"}
    async with start_bot(shared_engine):
        rec = await fake.slash("ask", {"question": ASK_KREMLIN, "outlet": "example news", **window})
        [answer] = await rec.wait_final(timeout=30)
        rec = await fake.slash(
            "ask", {"question": ASK_KREMLIN, "since": "2024-01-01", "until": "2024-02-01"}
        )
        [empty] = await rec.wait_final(timeout=30)
    body = embed_text(answer)
    assert not answer.ephemeral and "NATO" in body
    assert "(Example News, 2025-06-02)" in body and "**[2]**" not in body
    assert embed_text(empty) == "No indexed article from 2024-01-01 to 2024-02-01 answers this."
    fake.assert_clean()


async def test_a_wrong_filter_is_an_ephemeral_line_and_costs_no_question(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine, cooldown_rate=1, cooldown_seconds=60):
        replies = []
        for options in ({"since": "2025-13-01"}, {"until": "June"}, {"outlet": "Reuters"},
                        {"since": "2025-07-01", "until": "2025-06-01"}):  # fmt: skip
            rec = await fake.slash("ask", {"question": ASK_KREMLIN, **options})
            [reply] = await rec.wait_final()
            assert not rec.deferred and reply.ephemeral and not reply.embeds
            replies.append(reply.content)
        good = await fake.slash("ask", {"question": ASK_KREMLIN})
        [answer] = await good.wait_final(timeout=30)
    assert replies[0] == "since must be a date as YYYY-MM-DD, e.g. 2025-06-01; got '2025-13-01'."
    assert replies[1].startswith("until must be a date as YYYY-MM-DD")
    assert replies[2].startswith("No indexed article is from outlet 'Reuters';")
    assert "is after the end date" in replies[3]
    assert "NATO" in embed_text(answer)  # the cooldown of one question was not spent
    assert [m for m in fake.bot_messages() if not m.ephemeral] == [answer]
    fake.assert_clean()
