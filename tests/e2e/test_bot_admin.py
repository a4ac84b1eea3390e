"""/talks through the fake Discord: who may use it, reindex under load, add, remove, list, stats."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Sequence

import discord
import numpy as np
import pytest

from bot.engine.engine import Engine
from bot.engine.index.embed import Embedder
from bot.engine.index.embed import Progress as EncodeProgress

from .conftest import StartBot, embed_text
from .fakediscord import FakeAttachment, FakeDiscord, InteractionRecord
from .talks_corpus import ASK_KREMLIN, TRUCE, filler_articles

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]
REFUSED = "You need the Manage Server permission to use this command."
CONTENT = discord.Intents(message_content=True).value


def current(engine: Engine) -> str:
    return (engine.settings.index_dir / "CURRENT").read_text()


def status(rec: InteractionRecord) -> str:
    return rec.original.content if rec.original else ""


async def test_member_is_refused_and_the_index_is_untouched(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    before = current(shared_engine)
    async with start_bot(shared_engine):
        rec = await fake.slash("talks reindex", user=fake.member_user)
        [refusal] = await rec.wait_final()
        typed = await fake.autocomplete(
            "talks remove", {"source": "kr"}, focused="source", user=fake.member_user
        )
        choices = await typed.wait_choices()
    assert refusal.ephemeral and refusal.content == REFUSED
    assert choices == []  # autocomplete skips interaction_check; titles stay hidden anyway
    assert current(shared_engine) == before
    [talks] = [c for c in fake.synced_commands if c["name"] == "talks"]
    assert int(talks["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    fake.assert_clean()


async def test_the_admin_role_setting_lets_a_member_in(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine, admin_role="reader"):
        rec = await fake.slash("talks stats", user=fake.member_user)
        [stats] = await rec.wait_final(timeout=30)
    fields = {f["name"]: f["value"] for f in stats.embeds[0]["fields"]}
    assert fields["Articles"] == "8" and fields["Model"] == shared_engine.embedder.name
    assert {"Passages", "Index size", "Last reindex", "Uptime"} <= set(fields)
    fake.assert_clean()


class GatedEmbedder:
    """The real model, except that a rebuild's embedding waits for the test's go-ahead: questions
    are then provably answered while the reindex is under way, however fast the machine is."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens
        self.entered, self.go = threading.Event(), threading.Event()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def encode(self, texts: Sequence[str], progress: EncodeProgress | None = None) -> np.ndarray:
        if progress is not None:  # only a rebuild reports progress
            self.entered.set()
            self.go.wait(timeout=30)
        return self.inner.encode(texts, progress)

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_query(texts)


async def test_reindex_shows_progress_while_questions_keep_being_answered(
    fake: FakeDiscord, start_bot: StartBot, fresh_engine: Engine
) -> None:
    for name, text in filler_articles(5).items():
        (fresh_engine.settings.corpus_dir / name).write_text(text, encoding="utf-8")
    gated = GatedEmbedder(fresh_engine.embedder)
    fresh_engine.embedder = gated
    before = current(fresh_engine)
    async with start_bot(fresh_engine):
        reindex = await fake.slash("talks reindex", user=fake.admin_user)
        assert await asyncio.to_thread(gated.entered.wait, 30)
        again = await fake.slash("talks reindex", user=fake.admin_user)
        asks = [await fake.slash("ask", {"question": ASK_KREMLIN}) for _ in range(3)]
        answers = [await r.wait_final(timeout=30) for r in asks]
        [refusal] = await again.wait_final()
        # The passage counts are reported before the embedding starts, and the paced relay shows
        # them within a second: wait for that edit rather than on how long the questions took.
        await fake.world.notifier.wait_for(
            lambda: "passages" in status(reindex), 30, "progress with passage counts"
        )
        during = status(reindex)
        gated.go.set()
        await fake.world.notifier.wait_for(
            lambda: status(reindex).startswith(("Reindexed", "Reindex failed")), 60, "the summary"
        )
    assert during.startswith("Reindexing…") and current(fresh_engine) != before
    assert status(reindex).startswith("Reindexed 13 articles"), status(reindex)
    assert refusal.ephemeral and "already running" in refusal.content
    assert all("NATO" in embed_text(messages[0]) for messages in answers)
    edits = [s for s in fake.sent if s.method == "PATCH" and reindex.token in s.path]
    progress = [s for s in edits if s.json["content"].startswith("Reindexing…")]
    assert progress and "passages" in progress[-1].json["content"]
    gaps = [b.at - a.at for a, b in itertools.pairwise(progress)]
    assert all(gap >= 0.9 for gap in gaps), gaps  # at most one edit a second
    fake.assert_clean()


async def test_admin_adds_an_attachment_and_it_is_answered_from(
    fake: FakeDiscord, start_bot: StartBot, fresh_engine: Engine
) -> None:
    admin = fake.admin_user
    upload = FakeAttachment("riyadh-truce.md", TRUCE.encode(), "text/markdown")
    async with start_bot(fresh_engine):
        rec = await fake.slash("talks add", {"file": upload}, user=admin)
        [added] = await rec.wait_final(timeout=30)
        ask = await fake.slash("ask", {"question": "What does the Black Sea maritime truce bar?"})
        [answer] = await ask.wait_final(timeout=30)
        bad = await fake.slash("talks add", {"file": FakeAttachment("x.exe", b"MZ")}, user=admin)
        [wrong_type] = await bad.wait_final()
        empty = await fake.slash("talks add", {}, user=admin)
        [neither] = await empty.wait_final()
    assert added.ephemeral
    assert added.content.startswith("Added “Black Sea maritime truce agreed in Riyadh”")
    assert any(
        p.name.startswith("riyadh-truce") for p in fresh_engine.settings.corpus_dir.iterdir()
    )
    body = embed_text(answer)
    assert "merchant shipping" in body
    assert "[Black Sea maritime truce agreed in Riyadh](https://example.org/riyadh-truce)" in body
    assert wrong_type.content.startswith("x.exe: only .md") and wrong_type.ephemeral
    assert neither.content == "Give either a file or a url."
    fake.assert_clean()


async def test_admin_lists_removes_by_autocomplete_and_counts(
    fake: FakeDiscord, start_bot: StartBot, fresh_engine: Engine
) -> None:
    admin = fake.admin_user
    async with start_bot(fresh_engine):
        typed = await fake.autocomplete(
            "talks remove", {"source": "grain"}, focused="source", user=admin
        )
        [choice] = await typed.wait_choices()
        rec = await fake.slash("talks remove", {"source": choice["value"]}, user=admin)
        [removed] = await rec.wait_final(timeout=30)
        listing = await fake.slash("talks sources", {"page": 1}, user=admin)
        [page] = await listing.wait_final(timeout=30)
        unknown = await fake.slash("talks remove", {"source": "no-such-id"}, user=admin)
        [not_found] = await unknown.wait_final(timeout=30)
    assert choice["name"] == "“Grain corridor reopens in the Black Sea” (2022-08-01)"
    assert removed.content == "Removed “Grain corridor reopens in the Black Sea” (2022-08-01)."
    assert page.embeds[0]["title"] == "Sources (7)" and "Grain" not in embed_text(page)
    assert page.embeds[0]["footer"]["text"] == "Page 1/1"
    assert not_found.content.startswith("No indexed article has that id")
    fake.assert_clean()


async def test_a_marked_qa_channel_is_read_after_a_restart(
    fake: FakeDiscord, start_bot: StartBot, fresh_engine: Engine
) -> None:
    channel = fake.channel("peace-talks")
    async with start_bot(fresh_engine):
        assert not fake.intents & CONTENT
        rec = await fake.slash(
            "talks qa-channel", {"enabled": True, "channel": channel}, user=fake.admin_user
        )
        [told] = await rec.wait_final()
    assert told.ephemeral and "Restart the bot" in told.content
    async with start_bot(fresh_engine):
        assert fake.intents & CONTENT  # now it needs to read every message there
        question = await fake.message(ASK_KREMLIN, channel_id=channel.id)
        reply = await fake.wait_message(reply_to=question, timeout=30)
    assert "NATO" in embed_text(reply)
    fake.assert_clean()
