"""/talks add url: and /talks feeds, against a local web server (the engine's address guard
lets 127.0.0.1 through only because the test's Engine is built with allow_hosts)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.engine.engine import Engine
from tests.engine.ingest.conftest import LOCAL, LocalServer, _running_server, server
from tests.engine.update.conftest import page, rss

from .conftest import StartBot, embed_text
from .fakediscord import FakeDiscord

__all__ = ["_running_server", "server"]  # the local web server fixtures
pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

ENERGY = """
A thirty-day moratorium on strikes against power plants and substations took effect on Tuesday,
the first step both delegations agreed towards a wider ceasefire.

Monitors from the Red Cross will report violations of the energy truce to both capitals, and
engineers will use the pause to repair transformers damaged during the winter.
"""
PRISONERS = """
Ukraine and Russia exchanged three hundred and ninety prisoners of war on Friday in the largest
swap since the Istanbul talks, with the United Arab Emirates acting as mediator.

Families waited at the border crossing for hours; officials on both sides said further exchanges
were planned before the next round of negotiations in the Gulf later this summer.
"""


def serve_news(server: LocalServer) -> tuple[str, str, str]:
    energy = server.add("/news/energy-truce", page("Energy truce takes effect", ENERGY))
    swap = server.add(
        "/news/prisoner-swap", page("Largest prisoner swap since Istanbul", PRISONERS)
    )
    feed = server.add(
        "/feed.xml", rss(("Energy truce takes effect", energy)), content_type="application/rss+xml"
    )
    return energy, swap, feed


async def test_admin_adds_a_url_and_follows_and_polls_a_feed(
    fake: FakeDiscord,
    start_bot: StartBot,
    engine_copy: Callable[..., Engine],
    tmp_path: Path,
    server: LocalServer,
) -> None:
    energy, swap, feed = serve_news(server)
    engine = engine_copy(tmp_path, allow_hosts=LOCAL)
    admin = fake.admin_user
    steps = [
        ("talks feeds list", {}, fake.member_user),
        ("talks add", {"url": swap}, admin),
        ("talks feeds add", {"url": feed}, admin),
        ("talks feeds poll", {}, admin),
        ("talks feeds list", {}, admin),
        (
            "ask",
            {"question": "What will the Red Cross monitors do during the energy truce?"},
            fake.member_user,
        ),
    ]
    outcome = []
    async with start_bot(engine):
        for command, options, user in steps:
            rec = await fake.slash(command, options, user=user)
            outcome.append((await rec.wait_final(timeout=30))[0])
    refusal, url_added, following, poll, listing, answer = outcome
    assert refusal.ephemeral and refusal.content.startswith("You need the Manage Server")
    assert url_added.content.startswith("Added “Largest prisoner swap since Istanbul”")
    assert following.content.startswith(f"Following <{feed}> (1 entries)")
    assert poll.content.startswith(
        "Added 1 article(s) from 1 feed(s).\n• “Energy truce takes effect”"
    )
    assert feed in embed_text(listing)
    assert "Red Cross" in embed_text(answer) and f"]({energy})" in embed_text(answer)
    fake.assert_clean()


async def test_background_poll_announces_new_articles(
    fake: FakeDiscord,
    start_bot: StartBot,
    engine_copy: Callable[..., Engine],
    tmp_path: Path,
    server: LocalServer,
) -> None:
    energy, _, feed = serve_news(server)
    engine = engine_copy(tmp_path, allow_hosts=LOCAL)
    engine.add_feed(feed)
    channel = fake.channel("bot-admin").id
    async with start_bot(engine, announce_channel=channel, feed_poll_minutes=0.02):
        note = await fake.wait_message(channel_id=channel, timeout=30)
    assert note.embeds[0]["title"] == "1 new article(s) indexed"
    assert note.embeds[0]["description"] == f"• [Energy truce takes effect]({energy})"
    assert note.allowed_mentions is not None and note.allowed_mentions.get("parse") == []
    fake.assert_clean()
