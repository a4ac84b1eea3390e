"""Interaction callbacks and the interaction webhook (follow-ups, @original edits).

Mirrors Discord's rules: one callback per interaction, within the deadline (3 s), of a type that
fits the interaction; follow-ups only after that callback; after a deferral the first follow-up
fills the "thinking…" original message.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from .models import EPHEMERAL, LOADING
from .records import (
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_MESSAGE,
    DEFERRED_UPDATE,
    MODAL,
    UPDATE_MESSAGE,
    CallbackRecord,
    FakeMessage,
    InteractionRecord,
    SentFile,
)
from .rest import API, BODY, FILES, ROUTE, json_error, json_response, payload_of
from .rules import Problem, check_choices, check_modal, form_errors
from .world import World

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}


class InteractionApi:
    def __init__(self, world: World) -> None:
        self.world = world
        self.bot = world.cast.bot

    def register(self, app: web.Application) -> None:
        r = app.router
        r.add_post(f"{API}/interactions/{{interaction_id}}/{{token}}/callback", self.callback)
        r.add_post(f"{API}/webhooks/{{app}}/{{token}}", self.followup)
        r.add_route("*", f"{API}/webhooks/{{app}}/{{token}}/messages/{{message_id}}", self.message)

    # -- the callback ---------------------------------------------------------------------
    async def callback(self, request: web.Request) -> web.Response:
        rec = self.world.interactions.get(int(request.match_info["interaction_id"]))
        if rec is None or rec.token != request.match_info["token"]:
            return json_error(404, 10062, "Unknown interaction")
        body, files = payload_of(request), request[FILES]
        kind, data = int(body.get("type", 0)), body.get("data") or {}
        delay = None if rec.dispatched_at is None else time.monotonic() - rec.dispatched_at
        refusal = self._refuse(rec, request[ROUTE], kind, data, delay, files)
        if refusal is not None:
            rec.callbacks.append(CallbackRecord(kind, data, delay, accepted=False))
            rec.touch()
            return refusal
        if kind in (CHANNEL_MESSAGE, DEFERRED_MESSAGE):
            self._open_original(rec, kind, data, files)
        rec.callbacks.append(CallbackRecord(kind, data, delay, accepted=True))
        rec.touch()
        return json_response(self._callback_response(rec, kind))

    def _open_original(
        self, rec: InteractionRecord, kind: int, data: dict[str, Any], files: tuple[SentFile, ...]
    ) -> None:
        """The response message: filled now (type 4), or "thinking…" until edited (type 5)."""
        rec.original = self.world.new_message(
            rec.channel_id, self.bot, webhook_id=self.bot.id, interaction_id=rec.id
        )
        if kind == CHANNEL_MESSAGE:
            self.world.write(rec.original, data, files, editing=False)
        else:
            self.world.queue_event("MESSAGE_CREATE", rec.original)
        flags = LOADING if kind == DEFERRED_MESSAGE else 0
        flags |= int(data.get("flags") or 0) & EPHEMERAL
        rec.original.flags = flags | (rec.original.flags & ~EPHEMERAL & ~LOADING)

    def _refuse(
        self,
        rec: InteractionRecord,
        route: str,
        kind: int,
        data: dict[str, Any],
        delay: float | None,
        files: tuple[SentFile, ...],
    ) -> web.Response | None:
        world, strict = self.world, self.world.config.strict
        if rec.response is not None:
            world.violate("double_response", f"interaction {rec.id} answered twice", route, data)
            return json_error(400, 40060, "Interaction has already been acknowledged.")
        deadline = world.config.response_deadline
        if delay is not None and delay > deadline:
            world.violate(
                "late_response", f"answered after {delay:.2f}s (max {deadline}s)", route, data
            )
            if strict:
                return json_error(404, 10062, "Unknown interaction")
        if kind not in ALLOWED_CALLBACKS.get(rec.type, set()):
            world.violate(
                "callback_type",
                f"callback type {kind} for interaction type {rec.type}",
                route,
                data,
            )
            return json_error(400, 50035, "Invalid Form Body")
        problems: list[Problem] = []
        if kind == CHANNEL_MESSAGE:
            return self._rejection(world.validate_write(None, data, files, route))
        if kind == AUTOCOMPLETE_RESULT:
            problems = check_choices(data)
        elif kind == MODAL:
            problems = check_modal(data)
        return self._rejection(world.record_problems(problems, route, data))

    @staticmethod
    def _rejection(hard: list[Problem]) -> web.Response | None:
        return json_response(form_errors(hard), status=400) if hard else None

    @staticmethod
    def _callback_response(rec: InteractionRecord, kind: int) -> dict[str, Any]:
        interaction: dict[str, Any] = {"id": str(rec.id), "type": rec.type}
        out: dict[str, Any] = {"interaction": interaction}
        if rec.original is not None and kind in (CHANNEL_MESSAGE, DEFERRED_MESSAGE, UPDATE_MESSAGE):
            interaction |= {
                "response_message_id": str(rec.original.id),
                "response_message_loading": rec.original.loading,
                "response_message_ephemeral": rec.original.ephemeral,
            }
            out["resource"] = {"type": kind, "message": rec.original.to_api()}
        elif kind not in (DEFERRED_UPDATE, AUTOCOMPLETE_RESULT):
            out["resource"] = {"type": kind}
        return out

    # -- the webhook ----------------------------------------------------------------------
    def _webhook(self, request: web.Request) -> InteractionRecord | web.Response:
        rec = self.world.interaction_by_token(request.match_info["token"])
        if int(request.match_info["app"]) != self.bot.id or rec is None:
            return json_error(404, 10015, "Unknown Webhook")
        if rec.response is None:
            self.world.violate(
                "followup_before_response",
                f"webhook used before interaction {rec.id} was answered",
                request[ROUTE],
                request.get(BODY),
            )
            return json_error(404, 10015, "Unknown Webhook")
        return rec

    async def followup(self, request: web.Request) -> web.Response:
        rec = self._webhook(request)
        if isinstance(rec, web.Response):
            return rec
        payload, files, route = payload_of(request), request[FILES], request[ROUTE]
        fills_original = rec.original is not None and rec.original.loading
        target = rec.original if fills_original else None
        hard = self.world.validate_write(target, payload, files, route)
        if hard:
            return json_response(form_errors(hard), status=400)
        if target is None:
            target = self.world.new_message(
                rec.channel_id, self.bot, webhook_id=self.bot.id, interaction_id=rec.id
            )
            self.world.write(target, payload, files, editing=False)
            rec.followups.append(target)
        else:
            self.world.write(target, payload, files, editing=True)
        rec.touch()
        if request.query.get("wait") in ("true", "1", "True"):
            return json_response(target.to_api())
        return web.Response(status=204)

    async def message(self, request: web.Request) -> web.Response:
        rec = self._webhook(request)
        if isinstance(rec, web.Response):
            return rec
        target = self._find(rec, request.match_info["message_id"])
        if target is None:
            return json_error(404, 10008, "Unknown Message")
        if request.method == "GET":
            return json_response(target.to_api())
        if request.method == "DELETE":
            self.world.delete(target)
            rec.touch()
            return web.Response(status=204)
        if request.method != "PATCH":
            return json_error(405, 0, "405: Method Not Allowed")
        payload, files = payload_of(request), request[FILES]
        hard = self.world.validate_write(target, payload, files, request[ROUTE])
        if hard:
            return json_response(form_errors(hard), status=400)
        self.world.write(target, payload, files, editing=True)
        rec.touch()
        return json_response(target.to_api())

    @staticmethod
    def _find(rec: InteractionRecord, message_id: str) -> FakeMessage | None:
        if message_id == "@original":
            found = rec.original
        else:
            candidates = [rec.original, *rec.followups]
            found = next((m for m in candidates if m and str(m.id) == message_id), None)
        return None if found is None or found.deleted else found
