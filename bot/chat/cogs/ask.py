"""Asking: /ask, a mention of the bot, or any message in a Q&A channel.

All three go defer/typing → engine (in a worker thread: encoding a question and searching take
tens of milliseconds of CPU that would otherwise stall the gateway heartbeat) → render. When a
language model writes the answer, its draft streams into the reply by paced edits (stream.py)
and the final embed, holding only checked sentences, replaces it.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.chat.render import NO_PINGS, Rendered, draft, notice, outlet_choices, render_answer
from bot.chat.stream import Clock, Pacer
from bot.chat.threads import parent_of, thread_parent
from bot.chat.translator import shown_name
from bot.chat.tree import GENERIC, retry_sentence, user_message
from bot.chat.views import FeedbackView
from bot.engine import Answer, Filters, Turn, parse_day
from bot.errors import TalksError
from bot.i18n import N_, tr

if TYPE_CHECKING:
    from bot.chat.client import TalksBot

log = logging.getLogger(__name__)
MIN_QUESTION = 3
MENTION_HINT = N_("Ask me a question after the mention, or use /ask.")
QUIET: dict[str, Any] = {"mention_author": False, "allowed_mentions": NO_PINGS}


def send_kwargs(rendered: Rendered) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"embeds": rendered.embeds, "allowed_mentions": NO_PINGS}
    if rendered.file:
        name, data = rendered.file
        kwargs["file"] = discord.File(io.BytesIO(data), filename=name)
    return kwargs


def edit_kwargs(rendered: Rendered) -> dict[str, Any]:
    """The final answer over a draft: the draft's text goes, the embeds (and file) come."""
    kwargs = send_kwargs(rendered) | {"content": None}
    file = kwargs.pop("file", None)
    if file is not None:
        kwargs["attachments"] = [file]
    return kwargs


class Cooldowns:
    """One per-user budget shared by /ask, mentions and Q&A channels, so switching between them
    does not get around it. `rate` questions per `per` seconds; per=0 turns it off."""

    def __init__(self, rate: int, per: float) -> None:
        cooldown = app_commands.Cooldown(rate, per) if per > 0 else None
        self._mapping: commands.CooldownMapping[int] = commands.CooldownMapping(
            cooldown, lambda user_id: user_id
        )

    def retry_after(self, user_id: int) -> float | None:
        """Spends one question; None if allowed, else seconds until the next is."""
        if not self._mapping.valid:
            return None
        return self._mapping.update_rate_limit(user_id)

    def check(self, user_id: int) -> None:
        """For slash commands: the tree's error handler turns this into 'try again in N s'."""
        retry = self.retry_after(user_id)
        if retry is not None:
            bucket = self._mapping.get_bucket(user_id)
            assert bucket is not None
            raise app_commands.CommandOnCooldown(bucket, retry)


class Ask(commands.Cog):
    def __init__(self, bot: TalksBot, clock: Clock = time.monotonic) -> None:
        self.bot = bot
        self.clock = clock  # paces draft edits; tests set it by hand
        self.cooldowns = Cooldowns(bot.settings.cooldown_rate, bot.settings.cooldown_seconds)

    async def answer(
        self,
        question: str,
        pacer: Pacer,
        filters: Filters | None = None,
        history: list[Turn] | None = None,
    ) -> tuple[Answer, Rendered]:
        """The engine in a worker thread; drafts it streams go to `pacer` on this loop.
        `history`: the earlier turns when asked in a conversation thread."""
        f = filters or Filters()
        on_text = pacer.start()
        try:
            answer = await asyncio.to_thread(
                self.bot.engine.ask_stream,
                question,
                on_text,
                since=f.since,
                until=f.until,
                outlet=f.outlet,
                history=history or [],
            )
        finally:
            await pacer.close()
        return answer, render_answer(answer)

    async def filters(
        self,
        since: str | None,
        until: str | None,
        outlet: str | None,
        locale: discord.Locale,
    ) -> Filters:
        """The /ask filters, checked before anything else happens: a wrong one is BadInput,
        which the tree's error handler turns into an ephemeral message. It names the option as
        the user's Discord (`locale`) shows it."""
        first = parse_day(since, shown_name(locale, "since")) if since is not None else None
        last = parse_day(until, shown_name(locale, "until")) if until is not None else None
        if first is None and last is None and outlet is None:
            return Filters()
        return await asyncio.to_thread(self.bot.engine.filters, first, last, outlet)

    @app_commands.command(
        description=N_(
            "Ask about the peace talks; the answer quotes the news and cites its sources."
        )
    )
    @app_commands.describe(
        question=N_("What you want to know about the Russia–Ukraine peace talks"),
        since=N_("Only articles published on or after this day, as YYYY-MM-DD"),
        until=N_("Only articles published on or before this day, as YYYY-MM-DD"),
        outlet=N_("Only articles from this outlet (start typing its name)"),
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 3, 300],
        since: str | None = None,
        until: str | None = None,
        outlet: str | None = None,
    ) -> None:
        """A wrong filter or a spent cooldown ends here, before anything is deferred: the tree's
        error handler tells the user ephemerally, in the language of their question."""
        # A typo in a filter costs no question: checked before the cooldown is spent.
        filters = await self.filters(since, until, outlet, interaction.locale)
        self.cooldowns.check(interaction.user.id)
        await interaction.response.defer(thinking=True)

        async def show(text: str) -> None:
            await interaction.edit_original_response(content=draft(text), allowed_mentions=NO_PINGS)

        pacer = Pacer(show, clock=self.clock)
        history = await self.bot.answer_log.history(interaction.channel_id or 0)
        try:
            answer, rendered = await self.answer(question, pacer, filters, history)
        except Exception:
            if pacer.sent:  # an unchecked draft must not outlive a failed answer
                with contextlib.suppress(discord.HTTPException):
                    await interaction.delete_original_response()
            raise
        view = FeedbackView(self.bot.feedback, self.bot.answer_log.recording, answer.language)
        sent: discord.Message
        if pacer.sent:
            sent = await interaction.edit_original_response(**edit_kwargs(rendered), view=view)
        else:
            sent = await interaction.followup.send(**send_kwargs(rendered), view=view, wait=True)
        view.stop()  # the view registered at startup answers the clicks (see views.py)
        parent = thread_parent(interaction.channel, interaction.app_permissions)
        await self.bot.answer_log.after(sent, answer, guild_id=interaction.guild_id, parent=parent)

    @ask.autocomplete("outlet")
    async def _outlet_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            outlets = await asyncio.to_thread(self.bot.engine.outlets)
        except TalksError:  # no index yet: nothing to offer, and /ask itself will say why
            return []
        return outlet_choices(outlets, current)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        question = await self.question_in(message)
        if question is None:
            return
        if len(question) < MIN_QUESTION:
            if self.mentioned(message):  # too short to tell: the server's language
                await self.reply(message, tr(await self.bot.language_of(question), MENTION_HINT))
            return
        retry = self.cooldowns.retry_after(message.author.id)
        if retry is not None:
            await self.reply(message, retry_sentence(retry, await self.bot.language_of(question)))
            return
        await self.answer_message(message, question)

    async def answer_message(self, message: discord.Message, question: str) -> None:
        drafted: list[discord.Message] = []  # the reply, once the first draft created it

        async def show(text: str) -> None:
            if drafted:
                await drafted[0].edit(content=draft(text), allowed_mentions=NO_PINGS)
            else:
                drafted.append(await message.reply(draft(text), **QUIET))

        history = await self.bot.answer_log.history(message.channel.id)
        try:
            async with message.channel.typing():
                pacer = Pacer(show, clock=self.clock)
                answer, rendered = await self.answer(question, pacer, None, history)
        except Exception as exc:
            if not isinstance(exc, TalksError):
                log.exception("answering message %s failed", message.id)
            if drafted:  # an unchecked draft must not outlive a failed answer
                with contextlib.suppress(discord.HTTPException):
                    await drafted[0].delete()
            language = await self.bot.language_of(question)
            told = user_message(exc, language) if isinstance(exc, TalksError) else None
            await self.reply(message, told or tr(language, GENERIC))
            return
        view = FeedbackView(self.bot.feedback, self.bot.answer_log.recording, answer.language)
        if drafted:
            sent = await drafted[0].edit(**edit_kwargs(rendered), view=view)
        else:
            sent = await message.reply(mention_author=False, **send_kwargs(rendered), view=view)
        view.stop()  # the view registered at startup answers the clicks (see views.py)
        guild_id = message.guild.id if message.guild else None
        await self.bot.answer_log.after(sent, answer, guild_id=guild_id, parent=parent_of(message))

    async def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None if it is not talking to the bot."""
        me = self.bot.user
        if me is None or message.author.bot or message.author.id == me.id:
            return None
        if message.guild is None:
            return None
        if self.mentioned(message):
            return strip_mentions(message.content, me.id)
        if not self.bot.reads_all_messages:
            return None
        in_qa = message.channel.id in self.bot.qa_channels
        if in_qa or await self.bot.answer_log.is_conversation(message.channel.id):
            return " ".join(message.content.split())
        return None

    def mentioned(self, message: discord.Message) -> bool:
        """A mention of the bot, or of its own role (what Discord's picker often inserts)."""
        me = self.bot.user
        if me is not None and me in message.mentions:
            return True
        own_role = message.guild.self_role if message.guild else None
        return own_role is not None and own_role in message.role_mentions

    async def reply(self, message: discord.Message, text: str) -> None:
        try:
            await message.reply(notice(text), **QUIET)
        except discord.HTTPException:
            log.warning("could not reply to message %s", message.id, exc_info=True)


def strip_mentions(content: str, bot_id: int) -> str:
    """The text around the mention(s), as the question."""
    content = re.sub(rf"<@!?{bot_id}>|<@&\d+>", " ", content)
    return " ".join(content.split())


async def setup(bot: TalksBot) -> None:
    await bot.add_cog(Ask(bot))
