"""The fake Discord works with the real discord.py client.

The client here is a minimal discord.Client + CommandTree written for these tests, not the
project's bot; it connects the way fake_discord.py's note tells the bot to.
"""

from __future__ import annotations

import asyncio
import io
import zlib
from collections.abc import AsyncIterator, Callable

import discord
import pytest
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .fake_discord import FakeAttachment, FakeDiscord, discord_py_globals, running
from .fakediscord import rules
from .fakediscord.gateway import stream_compressor
from .fakediscord.records import FakeMessage

pytestmark = pytest.mark.timeout(30)

TOPICS = ["Istanbul talks", "Black Sea grain deal", "prisoner exchange", "Geneva round"]


class Stats(app_commands.Group):
    """Admin-only commands, checked on every call."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        perms = interaction.permissions
        if perms.manage_guild:
            return True
        await interaction.response.send_message("Not allowed.", ephemeral=True)
        return False

    @app_commands.command()
    async def show(self, interaction: discord.Interaction) -> None:
        """Show index statistics."""
        await interaction.response.send_message("12 articles, 340 chunks")


class MiniBot(discord.Client):
    def __init__(self, guild_id: int, *, message_content: bool = True) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        self.seen: list[str] = []
        # guild_ready_timeout: on_ready waits this long after the last GUILD_CREATE (default 2 s).
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.2,
        )
        self.guild_obj = discord.Object(guild_id)
        self.tree = app_commands.CommandTree(self)
        self._add_commands()

    async def setup_hook(self) -> None:
        # What the project's bot must do when pointed at another API base (see fake_discord.py).
        _, url, _ = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        self.tree.copy_global_to(guild=self.guild_obj)
        await self.tree.sync(guild=self.guild_obj)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY (a rate-limit courtesy); skip it here."""

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message.content)
        if message.author.bot or self.user not in message.mentions:
            return
        question = message.content.replace(self.user.mention, "").strip()  # type: ignore[union-attr]
        async with message.channel.typing():
            await message.reply(f"echo: {question}", mention_author=False)

    def _add_commands(self) -> None:
        tree = self.tree

        @tree.command()
        async def ping(interaction: discord.Interaction) -> None:
            """Reply at once."""
            await interaction.response.send_message("pong", ephemeral=True)

        @tree.command()
        @app_commands.describe(question="What to ask")
        async def ask(
            interaction: discord.Interaction, question: app_commands.Range[str, 3, 300]
        ) -> None:
            """Defer, think, answer in a follow-up."""
            await interaction.response.defer(thinking=True)
            await asyncio.sleep(0.05)
            embed = discord.Embed(title="Answer", description=f"You asked: {question} [1]")
            embed.add_field(name="[1]", value="Reuters, 2022-03-29")
            await interaction.followup.send(embed=embed)
            original = await interaction.original_response()
            assert original.embeds[0].title == "Answer"

        @tree.command()
        async def long(interaction: discord.Interaction) -> None:
            """Break the 2000-character limit."""
            await interaction.response.send_message("x" * 2500)

        @tree.command()
        async def twice(interaction: discord.Interaction) -> None:
            """Answer the same interaction twice."""
            await interaction.response.send_message("one")
            await interaction.response.send_message("two")  # raises InteractionResponded

        @tree.command()
        async def slow(interaction: discord.Interaction) -> None:
            """Answer too late."""
            await asyncio.sleep(0.5)
            await interaction.response.send_message("finally")

        @tree.command()
        async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
            """Download an attachment and send it back."""
            await interaction.response.defer(ephemeral=True)
            data = await file.read()
            await interaction.edit_original_response(
                content=f"{file.filename}: {len(data)} bytes",
                attachments=[discord.File(io.BytesIO(data), filename="echo.txt")],
            )

        @tree.command()
        async def search(interaction: discord.Interaction, query: str) -> None:
            """Search topics."""
            await interaction.response.send_message(f"searching {query}")

        @search.autocomplete("query")
        async def _topics(
            interaction: discord.Interaction,
            current: str,
        ) -> list[app_commands.Choice[str]]:
            return [
                app_commands.Choice(name=t, value=t) for t in TOPICS if current.lower() in t.lower()
            ]

        tree.add_command(Stats(name="talks", description="Admin commands"))


async def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    with discord_py_globals():
        async with FakeDiscord() as fake:
            Route.BASE = fake.api_base  # what the bot does with settings.discord_api_base
            yield fake


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[MiniBot]:
    async with running(MiniBot(fake.guild_id), fake) as client:
        yield client


async def test_connects_syncs_and_gets_ready(fake: FakeDiscord, bot: MiniBot) -> None:
    await asyncio.wait_for(bot.wait_until_ready(), 10)
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None and {c.id for c in guild.text_channels} == set(fake.channel_ids)
    assert guild.get_role(fake.admin_user.role_ids[0]).permissions.manage_guild  # type: ignore[union-attr]
    assert bot.user is not None and bot.user.id == fake.bot_user.id
    assert fake.identify_count == 1 and fake.resume_count == 0
    assert fake.intents & discord.Intents(message_content=True).value
    # zstd-stream if `zstandard` is importable, else zlib-stream: compressed frames either way
    assert fake.gateway.compression == [discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE]
    synced = {c["name"]: c for c in fake.synced_commands}
    assert {"ping", "ask", "upload", "talks"} <= set(synced)
    assert synced["ask"]["guild_id"] == str(fake.guild_id)
    assert ("GET", "/api/v10/users/@me") in fake.requests
    fake.assert_clean()


async def test_deferred_followup_is_recorded_and_valid(fake: FakeDiscord, bot: MiniBot) -> None:
    rec = await fake.slash("ask", {"question": "Who met in Istanbul?"})
    [answer] = await rec.wait_final()
    assert rec.deferred and rec.callback_delay is not None and rec.callback_delay < 3
    assert answer is rec.original and not answer.loading  # the follow-up filled "thinking…"
    assert answer.embeds[0]["title"] == "Answer"
    assert "You asked: Who met in Istanbul?" in answer.text
    routes = [s.route for s in fake.sent]
    assert "POST /interactions/{interaction_id}/{token}/callback" in routes
    assert "POST /webhooks/{app}/{token}" in routes
    assert any(path.endswith("/messages/@original") for _, path in fake.requests)
    fake.assert_clean()


async def test_too_long_content_is_flagged_and_rejected(fake: FakeDiscord, bot: MiniBot) -> None:
    rec = await fake.slash("long")
    violation = await fake.wait_violation("content_length")
    assert "2500 chars" in violation.detail
    assert rec.response is None and not rec.callbacks[0].accepted  # Discord would answer 400
    with pytest.raises(AssertionError, match="content_length"):
        fake.assert_clean()


async def test_message_create_reaches_on_message(fake: FakeDiscord, bot: MiniBot) -> None:
    question = await fake.message("what about the grain deal?", mention_bot=True)
    reply = await fake.wait_message(reply_to=question)
    assert reply.content == "echo: what about the grain deal?"
    assert reply.allowed_mentions == {"parse": [], "replied_user": False}
    assert fake.typing_channels == [question.channel_id]
    fake.assert_clean()


async def test_channel_messages_create_edit_delete(fake: FakeDiscord, bot: MiniBot) -> None:
    channel = bot.get_channel(fake.channel("peace-talks").id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("draft", file=discord.File(io.BytesIO(b"a,b\n"), "table.csv"))
    await eventually(lambda: "draft" in bot.seen)  # Discord echoes the bot's own messages
    await sent.edit(content="final")
    [stored] = fake.bot_messages(channel.id)
    assert stored.content == "final" and stored.edits == 1 and stored.files[0].data == b"a,b\n"
    await sent.delete()
    assert fake.bot_messages(channel.id) == [] and stored.deleted
    with pytest.raises(discord.HTTPException, match="no content"):
        await channel.send()
    assert [v.rule for v in fake.violations] == ["empty_message"]


async def test_resume_after_dropped_connection(fake: FakeDiscord, bot: MiniBot) -> None:
    await fake.drop_connection(code=4000)
    await fake.wait_ready()
    assert fake.resume_count == 1 and fake.identify_count == 1
    rec = await fake.slash("ping")
    [pong] = await rec.wait_final()
    assert pong.content == "pong" and pong.ephemeral
    fake.assert_clean()


async def test_events_missed_while_down_are_replayed(fake: FakeDiscord, bot: MiniBot) -> None:
    await fake.drop_connection(abnormal=True)
    rec = await fake.slash("ping", wait_connected=None)  # queued, sent after RESUME
    [pong] = await rec.wait_final()
    assert pong.content == "pong" and fake.resume_count == 1
    assert rec.seq is not None and rec.seq > fake.gateway.resume_payloads[0]["seq"]
    fake.assert_clean()


async def test_unresumable_session_leads_to_new_identify(fake: FakeDiscord, bot: MiniBot) -> None:
    await fake.drop_connection(code=4000, resumable=False)
    await fake.wait_ready()
    assert fake.resume_count == 1 and fake.identify_count == 2
    await fake.invalidate_session()
    await fake.wait_ready()
    assert fake.identify_count == 3
    rec = await fake.slash("ask", {"question": "still there?"})
    assert "still there?" in (await rec.wait_final())[0].text
    fake.assert_clean()


async def test_attachment_option_is_downloadable(fake: FakeDiscord, bot: MiniBot) -> None:
    notes = FakeAttachment("notes.txt", b"Talks resumed in Istanbul.\n")
    rec = await fake.slash("upload", {"file": notes})
    [answer] = await rec.wait_final()
    assert answer.content == "notes.txt: 27 bytes" and answer.ephemeral
    assert [f.data for f in answer.files] == [notes.data]
    assert answer.attachments[0]["filename"] == "echo.txt"
    fake.assert_clean()


async def test_admin_group_uses_member_permissions(fake: FakeDiscord, bot: MiniBot) -> None:
    allowed = await fake.slash("talks show", user=fake.admin_user)
    refused = await fake.slash("talks show", user=fake.member_user)
    assert (await allowed.wait_final())[0].content == "12 articles, 340 chunks"
    [no] = await refused.wait_final()
    assert no.content == "Not allowed." and no.ephemeral
    fake.assert_clean()


async def test_autocomplete_choices(fake: FakeDiscord, bot: MiniBot) -> None:
    rec = await fake.autocomplete("search", {"query": "ist"}, focused="query")
    assert await rec.wait_choices() == [{"name": "Istanbul talks", "value": "Istanbul talks"}]
    fake.assert_clean()


async def test_double_response_is_flagged(fake: FakeDiscord, bot: MiniBot) -> None:
    rec = await fake.slash("twice")
    assert [m.content for m in await rec.wait_final()] == ["one"]
    # discord.py refuses the second send itself (InteractionResponded), so nothing reaches us.
    assert not fake.violations_of("double_response")
    second = await bot.http._HTTPClient__session.post(  # type: ignore[attr-defined]
        f"{fake.api_base}/interactions/{rec.id}/{rec.token}/callback",
        json={"type": 4, "data": {"content": "again", "allowed_mentions": {"parse": []}}},
    )
    assert second.status == 400 and (await second.json())["code"] == 40060
    assert fake.violations_of("double_response")


async def test_unknown_routes_are_recorded(fake: FakeDiscord, bot: MiniBot) -> None:
    with pytest.raises(discord.NotFound):
        await bot.http.request(Route("GET", "/guilds/{guild_id}/bans", guild_id=fake.guild_id))
    assert [u.path for u in fake.unexpected] == [f"/api/v10/guilds/{fake.guild_id}/bans"]
    with pytest.raises(AssertionError, match="unexpected"):
        fake.assert_clean()


async def test_bad_token_fails_login(fake: FakeDiscord) -> None:
    with pytest.raises(discord.LoginFailure):
        async with running(MiniBot(fake.guild_id), fake, token="wrong"):
            pass


async def test_message_content_needs_the_intent(fake: FakeDiscord) -> None:
    async with running(MiniBot(fake.guild_id, message_content=False), fake) as bot:
        await fake.message("plain talk")
        mention = await fake.message("hello bot", mention_bot=True)
        await fake.wait_message(reply_to=mention)
        assert bot.seen[:2] == ["", mention.content]


async def test_privileged_intents_can_be_refused() -> None:
    with discord_py_globals():
        async with FakeDiscord(grant_privileged_intents=False) as fake:
            Route.BASE = fake.api_base
            with pytest.raises(discord.PrivilegedIntentsRequired):
                async with running(MiniBot(fake.guild_id), fake):
                    pass


async def test_late_response_is_flagged() -> None:
    with discord_py_globals():
        async with FakeDiscord(response_deadline=0.2) as fake:
            Route.BASE = fake.api_base
            async with running(MiniBot(fake.guild_id), fake):
                rec = await fake.slash("slow")
                violation = await fake.wait_violation("late_response")
                assert rec.response is None and "max 0.2s" in violation.detail


async def test_builder_refuses_what_discord_would_not_send(fake: FakeDiscord, bot: MiniBot) -> None:
    with pytest.raises(ValueError, match="allowed range"):
        await fake.slash("ask", {"question": "hi"})
    with pytest.raises(ValueError, match="requires option"):
        await fake.slash("ask")
    with pytest.raises(LookupError):
        await fake.slash("nope")
    with pytest.raises(ValueError, match="has no autocomplete"):
        await fake.autocomplete("ask", {"question": "what"}, focused="question")


# -- the rules and the frames, without a client ---------------------------------------------


def test_zlib_stream_frames_end_in_sync_flush() -> None:
    compress = stream_compressor("zlib-stream")
    assert compress is not None
    inflate = zlib.decompressobj()
    for message in (b'{"op":10}', b'{"op":11}'):
        frame = compress(message)
        assert frame.endswith(b"\x00\x00\xff\xff") and inflate.decompress(frame) == message


def test_zstd_stream_frames_decode_one_by_one() -> None:
    zstandard = pytest.importorskip("zstandard")
    compress = stream_compressor("zstd-stream")
    assert compress is not None
    inflate = zstandard.ZstdDecompressor().decompressobj()
    for message in (b'{"op":10}', b'{"op":11}'):
        assert inflate.decompress(compress(message)) == message


def _rules_of(problems: list[rules.Problem]) -> set[str]:
    return {p.rule for p in problems}


def test_rules_embed_limits() -> None:
    embed = {
        "title": "t" * 257,
        "description": "d" * 4097,
        "url": "ftp://x",
        "fields": [{"name": "", "value": "v" * 1025}] * 26,
        "footer": {"text": "f" * 2049},
        "author": {"name": "a" * 257},
    }
    found = _rules_of(rules.check_message({"embeds": [embed] * 11, "allowed_mentions": {}}))
    assert {
        "embeds_count",
        "embed_title",
        "embed_description",
        "embed_fields",
        "embed_field_empty",
        "embed_field_value",
        "embed_footer",
        "embed_author",
        "embed_total",
        "embed_url",
    } <= found


def test_rules_allowed_mentions() -> None:
    assert _rules_of(rules.check_message({"content": "hi"})) == {"allowed_mentions_missing"}
    pinging = {"content": "hi", "allowed_mentions": {"parse": ["users"], "replied_user": True}}
    [problem] = rules.check_message(pinging)
    assert problem.rule == "allowed_mentions_pings" and not problem.hard
    assert rules.check_message({"content": "hi", "allowed_mentions": {"parse": []}}) == []


def test_rules_empty_message() -> None:
    from .fakediscord.models import FakeUser

    empty = FakeMessage(1, 2, 3, FakeUser(4, "bot", bot=True))
    assert _rules_of(rules.check_not_empty(empty)) == {"empty_message"}
