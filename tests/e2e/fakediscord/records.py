"""What the fake remembers: every payload the bot sent, the messages it made, its interactions.

Tests read these; the waiting helpers poll a shared Notifier that the server pokes on every change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from .models import EPHEMERAL, LOADING, FakeUser, iso

T = TypeVar("T")

# Interaction callback types
PONG, CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 1, 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
HAS_THREAD = 1 << 5  # message flag


class Notifier:
    """Wakes every waiter whenever the fake's records change."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        try:
            async with asyncio.timeout(timeout):
                while (result := predicate()) is None or result is False:
                    await self._event.wait()
        except TimeoutError:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}") from None
        return result


@dataclass(frozen=True)
class SentFile:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class SentPayload:
    """One request the bot made; `route` is e.g. 'POST /channels/{channel_id}/messages'."""

    method: str
    route: str
    path: str
    json: Any
    files: tuple[SentFile, ...] = ()
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Violation:
    rule: str
    detail: str
    route: str
    payload: Any = None

    def __str__(self) -> str:
        return f"[{self.rule}] {self.detail} ({self.route})"


@dataclass(eq=False)
class FakeMessage:
    id: int
    channel_id: int
    guild_id: int
    author: FakeUser
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    mentions: list[FakeUser] = field(default_factory=list)
    message_reference: dict[str, Any] | None = None
    webhook_id: int | None = None
    interaction_id: int | None = None
    allowed_mentions: dict[str, Any] | None = None
    files: list[SentFile] = field(default_factory=list)
    edits: int = 0
    deleted: bool = False
    thread_id: int | None = None  # the thread started on it
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    edited_at: datetime | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & LOADING)

    @property
    def text(self) -> str:
        """Everything a reader sees as text: content, then each embed's title/description/fields."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            for f in embed.get("fields", []):
                parts += [f.get("name") or "", f.get("value") or ""]
            parts.append((embed.get("footer") or {}).get("text") or "")
        return "\n".join(p for p in parts if p)

    def apply(self, payload: dict[str, Any], new_attachments: list[dict[str, Any]]) -> None:
        """Create/edit semantics: keys present replace; `attachments` lists the ones to keep."""
        if "content" in payload:
            self.content = payload["content"] or ""
        if "embeds" in payload:
            self.embeds = list(payload["embeds"] or [])
        if "components" in payload:
            self.components = list(payload["components"] or [])
        if payload.get("flags") is not None:
            self.flags = (self.flags & LOADING) | int(payload["flags"])
        if "allowed_mentions" in payload:
            self.allowed_mentions = payload["allowed_mentions"]
        if "attachments" in payload:
            keep = {str(a.get("id")) for a in payload["attachments"] or []}
            self.attachments = [a for a in self.attachments if a["id"] in keep]
        self.attachments += new_attachments
        if payload.get("message_reference"):
            self.message_reference = payload["message_reference"]

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "guild_id": str(self.guild_id),
            "type": 19 if self.message_reference else 0,
            "author": self.author.to_api(),
            "content": self.content,
            "embeds": self.embeds,
            "attachments": self.attachments,
            "components": self.components,
            "flags": self.flags,
            "tts": False,
            "pinned": False,
            "mention_everyone": False,
            "mentions": [u.to_api() for u in self.mentions],
            "mention_roles": [],
            "timestamp": iso(self.created_at),
            "edited_timestamp": iso(self.edited_at) if self.edited_at else None,
        }
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
            data["application_id"] = str(self.webhook_id)
        if self.message_reference:
            data["message_reference"] = self.message_reference
        if self.thread_id is not None:
            data["flags"] = self.flags | HAS_THREAD
        return data


@dataclass(frozen=True)
class CallbackRecord:
    type: int
    data: dict[str, Any]
    delay: float | None
    accepted: bool


@dataclass(eq=False)
class InteractionRecord:
    """One INTERACTION_CREATE the fake sent, and everything the bot did in answer to it."""

    id: int
    token: str
    type: int
    name: str
    user: FakeUser
    channel_id: int
    payload: dict[str, Any]
    notifier: Notifier
    seq: int | None = None  # gateway sequence number of the INTERACTION_CREATE
    dispatched_at: float | None = None
    callbacks: list[CallbackRecord] = field(default_factory=list)
    original: FakeMessage | None = None
    followups: list[FakeMessage] = field(default_factory=list)
    last_activity: float = field(default_factory=time.monotonic)

    @property
    def response(self) -> CallbackRecord | None:
        return next((c for c in self.callbacks if c.accepted), None)

    @property
    def response_type(self) -> int | None:
        return self.response.type if self.response else None

    @property
    def callback_delay(self) -> float | None:
        return self.response.delay if self.response else None

    @property
    def deferred(self) -> bool:
        return self.response_type == DEFERRED_MESSAGE

    @property
    def ephemeral(self) -> bool:
        return bool(self.original and self.original.ephemeral)

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        if self.response_type != AUTOCOMPLETE_RESULT:
            return None
        return list(self.response.data.get("choices", [])) if self.response else []

    @property
    def modal(self) -> dict[str, Any] | None:
        return self.response.data if self.response and self.response.type == MODAL else None

    @property
    def messages(self) -> list[FakeMessage]:
        """The visible outcome: the original response (once loaded) and the follow-ups."""
        found = [self.original] if self.original and not self.original.loading else []
        return [m for m in found + self.followups if not m.deleted]

    def touch(self) -> None:
        self.last_activity = time.monotonic()
        self.notifier.notify()

    def _answered(self) -> bool:
        kind = self.response_type
        if kind is None:
            return False
        if kind in (CHANNEL_MESSAGE, DEFERRED_MESSAGE, UPDATE_MESSAGE):
            return self.original is not None and not self.original.loading
        return True

    async def wait_response(self, timeout: float = 5.0) -> CallbackRecord:
        """The first accepted interaction callback (defer, message, modal, choices…)."""
        what = f"a response to /{self.name}"
        return await self.notifier.wait_for(lambda: self.response, timeout, what)

    async def wait_choices(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        await self.wait_response(timeout)
        return self.choices or []

    async def wait_final(self, timeout: float = 10.0, settle: float = 0.3) -> list[FakeMessage]:
        """Wait until the answer is visible (not 'thinking…') and nothing changed for `settle` s."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = max(deadline - time.monotonic(), 0.0)
            what = f"the final answer to /{self.name}"
            await self.notifier.wait_for(self._answered, remaining, what)
            quiet_until = self.last_activity + settle
            if time.monotonic() >= quiet_until:
                return self.messages
            if quiet_until > deadline:
                return self.messages
            await asyncio.sleep(quiet_until - time.monotonic())
