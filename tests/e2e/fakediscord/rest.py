"""REST routes under /api/v10 that discord.py 2.7 calls for a bot: login, app info, gateway,
command sync, channel messages, typing — plus a catch-all that records anything else as
unexpected and answers 404, and the attachment files the fake serves.

No X-RateLimit-* headers are ever sent, so discord.py never waits on a bucket.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import BodyPartReader, hdrs, web
from aiohttp.typedefs import Middleware

from .components import check_thread
from .models import CREATE_PUBLIC_THREADS
from .records import SentFile, SentPayload
from .rules import Problem, check_commands, form_errors
from .world import World

API = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TOKEN_ROUTES = (f"{API}/interactions/", f"{API}/webhooks/")


ROUTE = web.RequestKey("route", str)
BODY: web.RequestKey[Any] = web.RequestKey("body", object)
FILES: web.RequestKey[tuple[SentFile, ...]] = web.RequestKey("files", tuple)


def json_response(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": discord.py's json_or_text() returns a str for anything else.
    body = json.dumps(data, separators=(",", ":")).encode()
    return web.Response(body=body, status=status, content_type="application/json")


def payload_of(request: web.Request) -> dict[str, Any]:
    body = request.get(BODY)
    return body if isinstance(body, dict) else {}


def json_error(status: int, code: int, message: str, **extra: Any) -> web.Response:
    return json_response({"code": code, "message": message, **extra}, status=status)


async def read_body(request: web.Request) -> tuple[Any, tuple[SentFile, ...]]:
    """JSON body, or a multipart body's `payload_json` plus its `files[n]` parts."""
    if request.content_type.startswith("multipart/"):
        payload, files = None, []
        async for part in await request.multipart():
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                payload = json.loads(await part.text())
                continue
            kind = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
            data = bytes(await part.read())
            files.append(SentFile(part.name or "", part.filename or "", kind, data))
        return payload, tuple(files)
    text = await request.text() if request.can_read_body else ""
    return (json.loads(text) if text else None), ()


def _route_of(request: web.Request) -> str:
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else request.path
    return canonical.removeprefix(API) if canonical.startswith(API) else request.path


def make_middleware(world: World) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        world.requests.append((request.method, request.path))
        needs_auth = request.path.startswith(API) and not request.path.startswith(TOKEN_ROUTES)
        if needs_auth and request.headers.get("Authorization") != f"Bot {world.config.token}":
            return json_error(401, 0, "401: Unauthorized")
        request[ROUTE] = f"{request.method} {_route_of(request)}"
        if request.method != "GET":
            body, files = await read_body(request)
            request[BODY], request[FILES] = body, files
            world.sent.append(
                SentPayload(request.method, request[ROUTE], request.path, body, files)
            )
            world.notifier.notify()
        response = await handler(request)
        await world.flush_events()
        return response

    return middleware


class RestApi:
    def __init__(self, world: World, gateway_url: Callable[[], str]) -> None:
        self.world, self.gateway_url = world, gateway_url
        self.cast = world.cast

    def register(self, app: web.Application) -> None:
        r = app.router
        r.add_get(f"{API}/users/@me", self.me)
        r.add_get(f"{API}/gateway", self.gateway)
        r.add_get(f"{API}/gateway/bot", self.gateway_bot)
        r.add_get(f"{API}/oauth2/applications/@me", self.application)
        r.add_route("*", f"{API}/applications/{{app}}/commands", self.commands)
        r.add_route("*", f"{API}/applications/{{app}}/guilds/{{guild}}/commands", self.commands)
        r.add_get(f"{API}/channels/{{channel_id}}", self.channel)
        r.add_post(f"{API}/channels/{{channel_id}}/typing", self.typing)
        r.add_post(f"{API}/channels/{{channel_id}}/messages", self.create_message)
        r.add_route("*", f"{API}/channels/{{channel_id}}/messages/{{message_id}}", self.message)
        threads = f"{API}/channels/{{channel_id}}/messages/{{message_id}}/threads"
        r.add_post(threads, self.start_thread)
        r.add_get("/attachments/{attachment_id}/{filename}", self.attachment)

    # -- identity -------------------------------------------------------------------------
    async def me(self, request: web.Request) -> web.Response:
        return json_response(self.cast.bot.to_api() | {"verified": True, "mfa_enabled": False})

    async def gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.gateway_url()})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": self.gateway_url(), "shards": 1, "session_start_limit": limit})

    async def application(self, request: web.Request) -> web.Response:
        bot = self.cast.bot
        return json_response(
            {
                "id": str(bot.id),
                "name": bot.username,
                "description": "fake talks bot",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": self.cast.owner.to_api(),
                "verify_key": "0" * 64,
                "team": None,
                "flags": (1 << 15) | (1 << 19),
                "summary": "",
                "rpc_origins": [],
                "interactions_endpoint_url": None,
                "bot": bot.to_api(),
                "redirect_uris": [],
                "approximate_guild_count": 1,
            }
        )

    # -- commands -------------------------------------------------------------------------
    async def commands(self, request: web.Request) -> web.Response:
        if int(request.match_info["app"]) != self.cast.bot.id:
            return json_error(403, 50001, "Missing Access")
        guild = request.match_info.get("guild")
        scope = int(guild) if guild is not None else None
        if scope is not None and scope != self.cast.guild.id:
            return json_error(403, 50001, "Missing Access")
        if request.method == "GET":
            return json_response(self.world.commands.get(scope))
        if request.method == "PUT":
            body = request[BODY] or []
            hard = self.world.record_problems(check_commands(body), request[ROUTE], body)
            if hard:
                return self._rejected(hard)
            stored = self.world.commands.put(scope, body)
            self.world.notifier.notify()
            return json_response(stored)
        return await self.unknown(request)

    # -- channels -------------------------------------------------------------------------
    def _channel_or_404(self, request: web.Request) -> int | web.Response:
        channel_id = int(request.match_info["channel_id"])
        if channel_id not in self.cast.guild.channels:
            return json_error(404, 10003, "Unknown Channel")
        return channel_id

    async def channel(self, request: web.Request) -> web.Response:
        found = self._channel_or_404(request)
        if isinstance(found, web.Response):
            return found
        return json_response(self.cast.guild.channels[found].to_api())

    async def typing(self, request: web.Request) -> web.Response:
        found = self._channel_or_404(request)
        if isinstance(found, web.Response):
            return found
        self.world.typing.append(found)
        return web.Response(status=204)

    async def create_message(self, request: web.Request) -> web.Response:
        found = self._channel_or_404(request)
        if isinstance(found, web.Response):
            return found
        payload, files = payload_of(request), request[FILES]
        hard = self.world.validate_write(None, payload, files, request[ROUTE])
        if hard:
            return self._rejected(hard)
        reference = payload.get("message_reference")
        message = self.world.new_message(found, self.cast.bot)
        self.world.write(message, payload, files, editing=False)
        if reference:
            message.message_reference = reference | {"channel_id": str(found)}
        return json_response(message.to_api())

    async def message(self, request: web.Request) -> web.Response:
        found = self._channel_or_404(request)
        if isinstance(found, web.Response):
            return found
        message = self.world.messages.get(int(request.match_info["message_id"]))
        if message is None or message.channel_id != found or message.deleted:
            return json_error(404, 10008, "Unknown Message")
        if request.method == "GET":
            return json_response(message.to_api())
        if message.author is not self.cast.bot:
            return json_error(403, 50005, "Cannot edit a message authored by another user")
        if request.method == "DELETE":
            self.world.delete(message)
            return web.Response(status=204)
        if request.method != "PATCH":
            return await self.unknown(request)
        payload, files = payload_of(request), request[FILES]
        hard = self.world.validate_write(message, payload, files, request[ROUTE])
        if hard:
            return self._rejected(hard)
        return json_response(self.world.write(message, payload, files, editing=True).to_api())

    async def start_thread(self, request: web.Request) -> web.Response:
        """Needs Create Public Threads; one thread per message; only in a text channel."""
        found = self._channel_or_404(request)
        if isinstance(found, web.Response):
            return found
        channel, route = self.cast.guild.channels[found], request[ROUTE]
        message = self.world.messages.get(int(request.match_info["message_id"]))
        if message is None or message.channel_id != found or message.deleted:
            return json_error(404, 10008, "Unknown Message")
        if not self.cast.guild.permissions_of(self.cast.bot) & CREATE_PUBLIC_THREADS:
            self.world.violate("missing_permission", "Create Public Threads", route)
            return json_error(403, 50013, "Missing Permissions")
        if channel.is_thread:
            self.world.violate("thread_in_thread", f"message {message.id} is in a thread", route)
            return json_error(400, 50024, "Cannot execute action on this channel type")
        if message.thread_id is not None:
            self.world.violate("thread_exists", f"message {message.id} has a thread", route)
            return json_error(400, 160004, "A thread has already been created for this message")
        body = payload_of(request)
        hard = self.world.record_problems(check_thread(body), route, body)
        if hard:
            return self._rejected(hard)
        return json_response(self.world.start_thread(message, body["name"]).to_api(), 201)

    def _rejected(self, problems: list[Problem]) -> web.Response:
        return json_response(form_errors(problems), status=400)

    # -- files and the rest -----------------------------------------------------------------
    async def attachment(self, request: web.Request) -> web.Response:
        stored = self.world.attachments.get(int(request.match_info["attachment_id"]))
        if stored is None or stored.filename != request.match_info["filename"]:
            return web.Response(status=404, text="not found")
        return web.Response(body=stored.data, content_type=stored.content_type.split(";")[0])

    async def unknown(self, request: web.Request) -> web.Response:
        body = request.get(BODY)
        self.world.unexpected.append(
            SentPayload(request.method, request.path, request.path, body, request.get(FILES, ()))
        )
        self.world.notifier.notify()
        return json_error(404, 0, "404: Not Found")
