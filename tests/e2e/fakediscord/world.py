"""The fake's shared state: records, messages, interactions, files — and message validation.

REST handlers, the gateway side and the test-facing facade all read and write this one object.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from .commands import CommandRegistry
from .models import (
    EPHEMERAL,
    LOADING,
    PUBLIC_THREAD,
    Cast,
    FakeAttachment,
    FakeChannel,
    FakeUser,
    Snowflakes,
    build_cast,
)
from .records import FakeMessage, InteractionRecord, Notifier, SentFile, SentPayload, Violation
from .rules import Problem, check_message, check_not_empty


@dataclass
class Config:
    token: str = "fake-bot-token"
    strict: bool = True
    response_deadline: float = 3.0
    grant_privileged_intents: bool = True
    channel_names: tuple[str, ...] = ("general", "peace-talks", "bot-admin")
    heartbeat_interval_ms: int = 41250


@dataclass
class World:
    config: Config
    ids: Snowflakes = field(default_factory=Snowflakes)
    notifier: Notifier = field(default_factory=Notifier)
    base_url: str = ""
    sent: list[SentPayload] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    unexpected: list[SentPayload] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    messages: dict[int, FakeMessage] = field(default_factory=dict)
    interactions: dict[int, InteractionRecord] = field(default_factory=dict)
    attachments: dict[int, FakeAttachment] = field(default_factory=dict)
    typing: list[int] = field(default_factory=list)
    # Gateway echo of the bot's own messages (MESSAGE_CREATE/UPDATE/DELETE), as Discord does.
    publish: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None
    # Guild events (THREAD_CREATE), sent to every session whatever its message intents.
    publish_guild: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None
    _outbox: list[tuple[str, FakeMessage]] = field(default_factory=list)
    _guild_outbox: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cast: Cast = build_cast(self.ids, channel_names=self.config.channel_names)
        self.commands = CommandRegistry(self.ids, self.cast.bot.id)

    # -- records --------------------------------------------------------------------------
    def violate(self, rule: str, detail: str, route: str, payload: Any = None) -> None:
        self.violations.append(Violation(rule, detail, route, payload))
        self.notifier.notify()

    def record_problems(
        self, problems: Sequence[Problem], route: str, payload: Any
    ) -> list[Problem]:
        """Record every problem; return the ones that make the request fail (strict mode)."""
        for p in problems:
            self.violate(p.rule, p.detail, route, payload)
        return [p for p in problems if p.hard] if self.config.strict else []

    def interaction_by_token(self, token: str) -> InteractionRecord | None:
        return next((r for r in self.interactions.values() if r.token == token), None)

    # -- files ----------------------------------------------------------------------------
    def register_attachment(self, attachment: FakeAttachment) -> FakeAttachment:
        attachment_id = self.ids.next()
        url = f"{self.base_url}/attachments/{attachment_id}/{attachment.filename}"
        stored = replace(attachment, id=attachment_id, url=url)
        self.attachments[attachment_id] = stored
        return stored

    def _uploaded(self, payload: dict[str, Any], files: Sequence[SentFile]) -> list[dict[str, Any]]:
        described = {str(a.get("id")): a for a in payload.get("attachments") or []}
        out = []
        for index, f in enumerate(files):
            stored = self.register_attachment(FakeAttachment(f.filename, f.data, f.content_type))
            meta = described.get(str(index), {})
            out.append(stored.to_api() | {"description": meta.get("description")})
        return out

    # -- messages -------------------------------------------------------------------------
    def new_message(self, channel_id: int, author: FakeUser, **fields: Any) -> FakeMessage:
        guild_id = self.cast.guild.id
        message = FakeMessage(self.ids.next(), channel_id, guild_id, author, **fields)
        self.messages[message.id] = message
        return message

    def validate_write(
        self,
        target: FakeMessage | None,
        payload: dict[str, Any],
        files: Sequence[SentFile],
        route: str,
    ) -> list[Problem]:
        """Check a create (target None) or edit; returns hard problems the fake must reject."""
        problems = check_message(payload, files)
        preview = copy.deepcopy(target) if target else FakeMessage(0, 0, 0, self.cast.bot)
        preview.apply(payload, [{"id": "new"}] * len(files))
        problems += check_not_empty(preview)
        return self.record_problems(problems, route, payload)

    def write(
        self,
        target: FakeMessage,
        payload: dict[str, Any],
        files: Sequence[SentFile],
        *,
        editing: bool,
    ) -> FakeMessage:
        before = target.flags
        target.apply(payload, self._uploaded(payload, files))
        target.files += list(files)
        self.queue_event("MESSAGE_UPDATE" if editing else "MESSAGE_CREATE", target)
        if editing:
            # An edit cannot toggle ephemeral; it does end the "thinking…" state.
            extra = int(payload.get("flags") or 0) & ~(EPHEMERAL | LOADING)
            target.flags = (before & EPHEMERAL) | extra
            target.edits += 1
            target.edited_at = datetime.now(UTC)
        self.notifier.notify()
        return target

    def delete(self, message: FakeMessage) -> None:
        message.deleted = True
        self.queue_event("MESSAGE_DELETE", message)
        self.notifier.notify()

    def queue_event(self, kind: str, message: FakeMessage) -> None:
        self._outbox.append((kind, message))

    def start_thread(self, message: FakeMessage, name: str) -> FakeChannel:
        """A public thread on `message`; like Discord, the thread's id is the message's."""
        thread = FakeChannel(
            message.id,
            name,
            self.cast.guild.id,
            type=PUBLIC_THREAD,
            parent_id=message.channel_id,
            owner_id=self.cast.bot.id,
        )
        self.cast.guild.channels[thread.id] = thread
        message.thread_id = thread.id
        self._guild_outbox.append(("THREAD_CREATE", thread.to_api() | {"newly_created": True}))
        self.notifier.notify()
        return thread

    async def flush_events(self) -> None:
        """Publish queued message events; ephemeral messages never reach the gateway."""
        guild_events, self._guild_outbox = self._guild_outbox, []
        for kind, data in guild_events:
            if self.publish_guild is not None:
                await self.publish_guild(kind, data)
        outbox, self._outbox = self._outbox, []
        for kind, message in outbox:
            if self.publish is None or message.ephemeral:
                continue
            if kind == "MESSAGE_DELETE":
                data = {
                    "id": str(message.id),
                    "channel_id": str(message.channel_id),
                    "guild_id": str(message.guild_id),
                }
            else:
                data = message.to_api() | {"member": message.author.member_api(with_user=False)}
            await self.publish(kind, data)
