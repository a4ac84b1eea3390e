"""FakeDiscord: the aiohttp app on 127.0.0.1 and the API tests drive it with."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from .commands import command_data, interaction_payload
from .components import click_data, submit_data
from .gateway import INVALID_SESSION, RECONNECT, Gateway
from .models import (
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeUser,
)
from .records import FakeMessage, InteractionRecord, SentPayload, Violation
from .rest import RestApi, make_middleware
from .webhooks import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionApi,
)
from .world import Config, World


class FakeDiscord:
    """A local Discord (REST + gateway) for one bot, one guild, a few channels and users.

    `async with FakeDiscord() as fake:` starts it on a random 127.0.0.1 port.
    """

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        strict: bool = True,
        response_deadline: float = 3.0,
        grant_privileged_intents: bool = True,
        channel_names: Sequence[str] = ("general", "peace-talks", "bot-admin"),
        heartbeat_interval_ms: int = 41250,
    ) -> None:
        """`strict`: answer rule-breaking payloads with Discord's own 400/404 (they are recorded
        as violations either way). `response_deadline`: seconds an interaction may wait for its
        callback. `grant_privileged_intents=False` closes IDENTIFY asking for them with 4014."""
        self.world = World(
            Config(
                token,
                strict,
                response_deadline,
                grant_privileged_intents,
                tuple(channel_names),
                heartbeat_interval_ms,
            )
        )
        self.gateway = Gateway(
            self.world.cast,
            self.world.config.token,
            self.world.notifier,
            lambda: self.gateway_url,
            heartbeat_interval_ms=self.world.config.heartbeat_interval_ms,
            grant_privileged=self.world.config.grant_privileged_intents,
        )
        self.world.publish = self._publish_message_event
        self.world.publish_guild = self._publish_guild_event
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(middlewares=[make_middleware(self.world)], client_max_size=64 << 20)
        rest = RestApi(self.world, lambda: self.gateway_url)
        rest.register(app)
        InteractionApi(self.world).register(app)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_route("*", "/{tail:.*}", rest.unknown)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = self.world.base_url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- addresses and cast ---------------------------------------------------------------
    @property
    def api_base(self) -> str:
        """What discord.http.Route.BASE must be set to."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"{self.base_url.replace('http://', 'ws://')}/gateway"

    @property
    def token(self) -> str:
        return self.world.config.token

    @property
    def guild(self) -> FakeGuild:
        return self.world.cast.guild

    @property
    def guild_id(self) -> int:
        return self.guild.id

    @property
    def channel_ids(self) -> list[int]:
        return list(self.guild.channels)

    def channel(self, name: str) -> FakeChannel:
        return next(c for c in self.guild.channels.values() if c.name == name)

    @property
    def bot_user(self) -> FakeUser:
        return self.world.cast.bot

    @property
    def admin_user(self) -> FakeUser:
        """Holds the "Admin" role, which grants Manage Server (0x20)."""
        return self.world.cast.admin

    @property
    def member_user(self) -> FakeUser:
        """Holds only the plain "Reader" role."""
        return self.world.cast.member

    @property
    def owner_user(self) -> FakeUser:
        return self.world.cast.owner

    # -- what the bot did -----------------------------------------------------------------
    @property
    def sent(self) -> list[SentPayload]:
        """Every non-GET request the bot made, in order."""
        return self.world.sent

    @property
    def requests(self) -> list[tuple[str, str]]:
        return self.world.requests

    @property
    def unexpected(self) -> list[SentPayload]:
        """Requests to routes the fake does not know (answered 404)."""
        return self.world.unexpected

    @property
    def violations(self) -> list[Violation]:
        return self.world.violations

    def violations_of(self, rule: str) -> list[Violation]:
        return [v for v in self.world.violations if v.rule == rule]

    @property
    def synced_commands(self) -> list[dict[str, Any]]:
        """Every command the bot registered, global and guild; guild ones carry guild_id."""
        return self.world.commands.all

    @property
    def sync_calls(self) -> int:
        return len(self.world.commands.sync_calls)

    @property
    def interactions(self) -> list[InteractionRecord]:
        return list(self.world.interactions.values())

    @property
    def identify_count(self) -> int:
        return len(self.gateway.identify_payloads)

    @property
    def resume_count(self) -> int:
        return len(self.gateway.resume_payloads)

    @property
    def intents(self) -> int:
        return self.gateway.intents

    @property
    def typing_channels(self) -> list[int]:
        return self.world.typing

    def bot_messages(self, channel_id: int | None = None) -> list[FakeMessage]:
        """Visible messages the bot created (channel sends and interaction responses)."""
        return [
            m
            for m in self.world.messages.values()
            if m.author is self.bot_user
            and not m.deleted
            and not m.loading
            and (channel_id is None or m.channel_id == channel_id)
        ]

    def unanswered(self) -> list[InteractionRecord]:
        """Interactions delivered longer ago than the deadline and still without a response."""
        cutoff = time.monotonic() - self.world.config.response_deadline
        return [
            r
            for r in self.interactions
            if r.response is None and r.dispatched_at is not None and r.dispatched_at < cutoff
        ]

    def assert_clean(self, *, allow: Iterable[str] = ()) -> None:
        """Fail if a payload broke a rule (except rules in `allow`), a route was unknown, or an
        interaction went unanswered past the deadline."""
        allowed = set(allow)
        bad = [str(v) for v in self.violations if v.rule not in allowed]
        bad += [f"[unexpected] {u.method} {u.path}" for u in self.unexpected]
        bad += [f"[unanswered] /{r.name} (interaction {r.id})" for r in self.unanswered()]
        assert not bad, "fake Discord saw problems:\n  " + "\n  ".join(bad)

    # -- waiting --------------------------------------------------------------------------
    async def wait_ready(self, timeout: float = 10.0) -> None:
        """Until a gateway connection has been sent READY + GUILD_CREATE, or RESUMED."""
        await self.world.notifier.wait_for(lambda: self.gateway.ready, timeout, "gateway ready")

    async def wait_violation(self, rule: str, timeout: float = 10.0) -> Violation:
        return await self.world.notifier.wait_for(
            lambda: next(iter(self.violations_of(rule)), None), timeout, f"a {rule!r} violation"
        )

    async def wait_synced(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        return await self.world.notifier.wait_for(
            lambda: self.synced_commands or None, timeout, "a command sync"
        )

    async def wait_message(
        self,
        predicate: Callable[[FakeMessage], bool] | None = None,
        *,
        channel_id: int | None = None,
        reply_to: FakeMessage | None = None,
        timeout: float = 10.0,
    ) -> FakeMessage:
        """The first visible bot message matching every filter given."""

        def match(m: FakeMessage) -> bool:
            ref = (m.message_reference or {}).get("message_id")
            return (reply_to is None or str(ref) == str(reply_to.id)) and (
                predicate is None or predicate(m)
            )

        return await self.world.notifier.wait_for(
            lambda: next((m for m in self.bot_messages(channel_id) if match(m)), None),
            timeout,
            "a bot message",
        )

    # -- driving the bot ------------------------------------------------------------------
    async def slash(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: FakeUser | None = None,
        channel_id: int | None = None,
        locale: str = "en-US",
        wait_connected: float | None = 10.0,
    ) -> InteractionRecord:
        """Invoke `/command` (or "/group sub" as "group sub") as `user` (default member_user)."""
        return await self._interact(
            APPLICATION_COMMAND,
            command,
            options or {},
            None,
            user,
            channel_id,
            locale,
            wait_connected,
        )

    async def autocomplete(
        self,
        command: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        user: FakeUser | None = None,
        channel_id: int | None = None,
        wait_connected: float | None = 10.0,
    ) -> InteractionRecord:
        """Send the autocomplete request a user typing into option `focused` would trigger."""
        return await self._interact(
            AUTOCOMPLETE, command, options, focused, user, channel_id, "en-US", wait_connected
        )

    async def _interact(
        self,
        kind: int,
        command: str,
        values: Mapping[str, Any],
        focused: str | None,
        user: FakeUser | None,
        channel_id: int | None,
        locale: str,
        wait_connected: float | None,
    ) -> InteractionRecord:
        if wait_connected:
            await self.wait_ready(wait_connected)
        user = user or self.member_user
        channel = self.guild.channels[channel_id or self.channel_ids[0]]
        data = command_data(
            self.world.commands,
            self.guild,
            command,
            values,
            focused,
            self.world.register_attachment,
        )
        return await self._send_interaction(kind, command.lstrip("/"), data, user, channel, locale)

    async def _send_interaction(
        self,
        kind: int,
        name: str,
        data: dict[str, Any],
        user: FakeUser,
        channel: FakeChannel,
        locale: str = "en-US",
        message: FakeMessage | None = None,
    ) -> InteractionRecord:
        interaction_id, token = self.world.ids.next(), "fake-" + secrets.token_urlsafe(24)
        payload = interaction_payload(
            self.guild, self.bot_user, interaction_id, token, kind, data, user, channel, locale
        )
        if message is not None:
            payload["message"] = message.to_api()
        rec = InteractionRecord(
            interaction_id, token, kind, name, user, channel.id, payload, self.world.notifier
        )
        self.world.interactions[interaction_id] = rec
        rec.seq = await self.gateway.dispatch(
            "INTERACTION_CREATE", payload, on_sent=lambda: _sent(rec)
        )
        return rec

    async def click(
        self,
        message: FakeMessage,
        custom_id: str,
        *,
        user: FakeUser | None = None,
        locale: str = "en-US",
    ) -> InteractionRecord:
        """A user whose Discord is in `locale` clicks the button `custom_id` under `message` (a
        MESSAGE_COMPONENT)."""
        await self.wait_ready()
        data = click_data(message.components, custom_id)
        channel = self.guild.channels[message.channel_id]
        user = user or self.member_user
        return await self._send_interaction(
            MESSAGE_COMPONENT, custom_id, data, user, channel, locale, message=message
        )

    async def submit_modal(
        self, opened_by: InteractionRecord, values: Mapping[str, str]
    ) -> InteractionRecord:
        """The user who got the modal of `opened_by` fills it in with `values` and submits."""
        modal = opened_by.modal
        if modal is None:
            raise ValueError(f"interaction {opened_by.id} was not answered with a modal")
        channel = self.guild.channels[opened_by.channel_id]
        message_id = (opened_by.payload.get("message") or {}).get("id")
        message = self.world.messages.get(int(message_id)) if message_id else None
        return await self._send_interaction(
            MODAL_SUBMIT,
            modal["custom_id"],
            submit_data(modal, values),
            opened_by.user,
            channel,
            opened_by.payload.get("locale", "en-US"),  # the same user's client
            message=message,
        )

    def grant_bot(self, permissions: int) -> None:
        """Add permission bits to the bot's role (before it connects: GUILD_CREATE carries them)."""
        role = self.guild.roles[self.bot_user.role_ids[0]]
        role.permissions |= permissions

    def thread_of(self, message: FakeMessage) -> FakeChannel | None:
        """The thread started on `message`, if any."""
        return self.guild.channels.get(message.thread_id) if message.thread_id else None

    async def message(
        self,
        content: str,
        *,
        channel_id: int | None = None,
        author: FakeUser | None = None,
        mention_bot: bool = False,
        mentions: Sequence[FakeUser] = (),
        attachments: Sequence[FakeAttachment] = (),
        wait_connected: float | None = 10.0,
    ) -> FakeMessage:
        """A user posts in a channel (MESSAGE_CREATE). `mention_bot` prefixes <@bot>."""
        if wait_connected:
            await self.wait_ready(wait_connected)
        author = author or self.member_user
        mentioned = list(mentions) + ([self.bot_user] if mention_bot else [])
        text = f"{self.bot_user.mention} {content}" if mention_bot else content
        files = [self.world.register_attachment(a).to_api() for a in attachments]
        message = self.world.new_message(
            channel_id or self.channel_ids[0],
            author,
            content=text,
            attachments=files,
            mentions=mentioned,
        )
        await self._deliver_message(message)
        return message

    async def _deliver_message(self, message: FakeMessage) -> None:
        intents = self.gateway.intents
        if not intents & INTENT_GUILD_MESSAGES:
            return
        data = message.to_api() | {"member": message.author.member_api(with_user=False)}
        sees_content = intents & INTENT_MESSAGE_CONTENT or self.bot_user in message.mentions
        if not sees_content:
            data |= {"content": "", "embeds": [], "attachments": [], "components": []}
        await self.gateway.dispatch("MESSAGE_CREATE", data)

    async def _publish_guild_event(self, kind: str, data: dict[str, Any]) -> None:
        if self.gateway.sessions:
            await self.gateway.dispatch(kind, data)

    async def _publish_message_event(self, kind: str, data: dict[str, Any]) -> None:
        if self.gateway.intents & INTENT_GUILD_MESSAGES and self.gateway.sessions:
            await self.gateway.dispatch(kind, data)

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send any gateway event; returns its sequence number."""
        return await self.gateway.dispatch(event, data)

    async def drop_connection(
        self, code: int = 4000, *, abnormal: bool = False, resumable: bool = True
    ) -> None:
        """Kill the gateway socket: close `code`, or abort TCP (`abnormal`). With
        `resumable=False` the bot's RESUME is refused (op 9) and it must IDENTIFY afresh."""
        await self.gateway.drop(code=code, abnormal=abnormal, resumable=resumable)

    async def request_reconnect(self) -> None:
        """Op 7 RECONNECT: the bot should reconnect and RESUME."""
        await self.gateway.send_op(RECONNECT)

    async def invalidate_session(self) -> None:
        """Op 9 INVALID_SESSION (not resumable): the bot should IDENTIFY again."""
        if self.gateway.session is not None:
            self.gateway.session.resumable = False
        await self.gateway.send_op(INVALID_SESSION, False)


def _sent(rec: InteractionRecord) -> None:
    rec.dispatched_at = time.monotonic()
    rec.touch()
