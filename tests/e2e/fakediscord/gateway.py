"""The fake gateway: one websocket session at a time, with sequence numbers and RESUME replay.

discord.py asks for `compress=zstd-stream` when `zstandard` is importable, else `zlib-stream`.
Either way frames are one compression stream per connection, each message flushed on its own
(zlib: ending in Z_SYNC_FLUSH 00 00 ff ff; zstd: a flushed block). Anything else, or zstd without
the library here, gets plain text frames — which discord.py also accepts.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .models import INTENT_GUILD_MEMBERS, PRIVILEGED_INTENTS, Cast
from .records import Notifier

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, RESUME = 0, 1, 2, 3, 6
RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 7, 8, 9, 10, 11
APPLICATION_FLAGS = (1 << 15) | (1 << 19)  # members / message-content intents, "limited"


@dataclass
class GatewayEvent:
    seq: int
    type: str
    data: dict[str, Any]
    on_sent: Callable[[], None] | None = None


@dataclass
class Session:
    id: str
    intents: int
    events: list[GatewayEvent] = field(default_factory=list)
    resumable: bool = True

    def add(self, kind: str, data: dict[str, Any], on_sent: Callable[[], None] | None) -> int:
        event = GatewayEvent(len(self.events) + 1, kind, data, on_sent)
        self.events.append(event)
        return event.seq


def stream_compressor(kind: str | None) -> Callable[[bytes], bytes] | None:
    """One message in, its frame out, sharing one compression context per connection."""
    if kind == "zlib-stream":
        z = zlib.compressobj()
        return lambda data: z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)
    if kind == "zstd-stream":
        try:
            import zstandard
        except ImportError:
            return None
        c = zstandard.ZstdCompressor().compressobj()
        return lambda data: c.compress(data) + c.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
    return None


class Connection:
    """One websocket from the bot; sends every session event it has not yet sent, in order."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, compress: str | None):
        self.ws, self.request = ws, request
        self._compress = stream_compressor(compress)
        self.mode: str = compress if compress and self._compress else "text"
        self._lock = asyncio.Lock()
        self.session: Session | None = None
        self.sent_seq = 0
        self.ready = False

    async def _write(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        if self._compress is None:
            await self.ws.send_str(text)
        else:
            await self.ws.send_bytes(self._compress(text.encode()))

    async def send(self, payload: dict[str, Any]) -> None:
        async with self._lock:
            await self._write(payload)

    async def flush(self) -> None:
        async with self._lock:
            if self.session is None or self.ws.closed:
                return
            for event in self.session.events[self.sent_seq :]:
                frame = {"op": DISPATCH, "t": event.type, "s": event.seq, "d": event.data}
                await self._write(frame)
                self.sent_seq = event.seq
                if event.on_sent:
                    event.on_sent()


class Gateway:
    def __init__(
        self,
        cast: Cast,
        token: str,
        notifier: Notifier,
        ws_url: Callable[[], str],
        *,
        heartbeat_interval_ms: int = 41250,
        grant_privileged: bool = True,
    ) -> None:
        self.cast, self.token, self.notifier, self.ws_url = cast, token, notifier, ws_url
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.grant_privileged = grant_privileged
        self.sessions: dict[str, Session] = {}
        self.current: Connection | None = None
        self.connections: set[Connection] = set()
        self.identify_payloads: list[dict[str, Any]] = []
        self.resume_payloads: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.compression: list[str] = []  # each connection's frames: zlib-/zstd-stream or text
        self.presence_updates: list[dict[str, Any]] = []

    # -- state the test reads -------------------------------------------------------------
    @property
    def session(self) -> Session | None:
        return self.current.session if self.current else None

    @property
    def intents(self) -> int:
        return self.identify_payloads[-1].get("intents", 0) if self.identify_payloads else 0

    @property
    def ready(self) -> bool:
        return self.current is not None and self.current.ready and not self.current.ws.closed

    # -- the websocket handler -----------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws, request, request.query.get("compress"))
        self.compression.append(conn.mode)
        self.connections.add(conn)
        try:
            await conn.send({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_op(conn, json.loads(msg.data))
        finally:
            self.connections.discard(conn)
            if self.current is conn:
                self.current = None
            self.notifier.notify()
        return ws

    async def _on_op(self, conn: Connection, msg: dict[str, Any]) -> None:
        op, raw = msg.get("op"), msg.get("d")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if op == HEARTBEAT:
            self.heartbeats += 1
            await conn.send({"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(conn, data)
        elif op == RESUME:
            await self._resume(conn, data)
        elif op == REQUEST_MEMBERS:
            await self._members_chunk(conn, data)
        elif op == PRESENCE:
            self.presence_updates.append(data)
        else:
            log.debug("fake gateway ignores op %s", op)

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        self.identify_payloads.append(data)
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS and not self.grant_privileged:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        session = Session(uuid.uuid4().hex, intents)
        self.sessions[session.id] = session
        session.add("READY", self._ready_payload(session), None)
        session.add("GUILD_CREATE", self.cast.guild.to_api(), None)
        await self._go_live(conn, session, sent_seq=0)

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        self.resume_payloads.append(data)
        session = self.sessions.get(data.get("session_id", ""))
        seq = data.get("seq") or 0
        if session is None or not session.resumable or data.get("token") != self.token:
            await conn.send({"op": INVALID_SESSION, "d": False})
            return
        session.add("RESUMED", {}, None)
        await self._go_live(conn, session, sent_seq=min(seq, len(session.events)))

    async def _go_live(self, conn: Connection, session: Session, *, sent_seq: int) -> None:
        old, self.current = self.current, conn
        if old is not None and old is not conn:
            old.ready = False
            await old.ws.close(code=4009)
        conn.session, conn.sent_seq = session, sent_seq
        await conn.flush()
        conn.ready = True
        self.notifier.notify()

    async def _members_chunk(self, conn: Connection, data: dict[str, Any]) -> None:
        if self.session is None or not self.session.intents & INTENT_GUILD_MEMBERS:
            return
        members = [m.member_api() for m in self.cast.guild.members.values()]
        payload = {
            "guild_id": str(self.cast.guild.id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "presences": [],
        }
        if data.get("nonce"):
            payload["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", payload)

    def _ready_payload(self, session: Session) -> dict[str, Any]:
        user = self.cast.bot.to_api() | {"verified": True, "mfa_enabled": False, "email": None}
        return {
            "v": 10,
            "user": user,
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.ws_url(),
            "shard": [0, 1],
            "guilds": [{"id": str(self.cast.guild.id), "unavailable": True}],
            "application": {"id": str(self.cast.bot.id), "flags": APPLICATION_FLAGS},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
        }

    # -- what the test drives ------------------------------------------------------------
    async def dispatch(
        self, kind: str, data: dict[str, Any], on_sent: Callable[[], None] | None = None
    ) -> int:
        """Queue an event on the live session; it is sent now, or replayed after a RESUME."""
        session = self.session or self._latest_session()
        seq = session.add(kind, data, on_sent)
        if self.current is not None and self.current.session is session:
            await self.current.flush()
        return seq

    def _latest_session(self) -> Session:
        if not self.sessions:
            raise RuntimeError("the bot has not identified on the fake gateway yet")
        return list(self.sessions.values())[-1]

    async def drop(
        self, *, code: int = 4000, abnormal: bool = False, resumable: bool = True
    ) -> None:
        conn = self.current
        if conn is None:
            raise RuntimeError("no live gateway connection to drop")
        if conn.session is not None:
            conn.session.resumable = resumable
        conn.ready = False
        self.current = None
        if abnormal and conn.request.transport is not None:
            conn.request.transport.abort()
        else:
            await conn.ws.close(code=code, message=b"fake_discord drop")
        self.notifier.notify()

    async def send_op(self, op: int, data: Any = None) -> None:
        """Raw op to the live connection, e.g. RECONNECT (7) or INVALID_SESSION (9)."""
        if self.current is None:
            raise RuntimeError("no live gateway connection")
        if op in (RECONNECT, INVALID_SESSION):
            self.current.ready = False
        await self.current.send({"op": op, "d": data})

    async def close_all(self) -> None:
        for conn in list(self.connections):
            await conn.ws.close(code=1001)
