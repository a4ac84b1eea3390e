"""A local fake OpenAI-compatible server: POST /v1/chat/completions on 127.0.0.1.

It runs in its own thread with its own event loop, so both plain tests (the engine's client runs
a private loop in the calling thread) and the async Discord tests can use it. A test sets what it
answers — a reply (streamed word by word, or in one piece), an HTTP status, a raw body, or a hang
part-way through — and reads back what was asked.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Script:
    reply: str = ""
    stream: bool = True  # False: answer in one JSON piece even when asked to stream
    status: int = 200
    raw: str | None = None  # sent as the body instead of a well-formed completion
    hang_after: int | None = None  # stream this many pieces, then never finish


@dataclass
class Request:
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def user(self) -> str:
        return str(self.body["messages"][-1]["content"])

    @property
    def system(self) -> str:
        return str(self.body["messages"][0]["content"])


@dataclass
class FakeLLM:
    script: Script = field(default_factory=Script)
    requests: list[Request] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="fake-llm", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeLLM:
        self._thread.start()
        self._ready.wait()
        return self

    def stop(self) -> None:
        if self._loop and self._stop and self._release:
            self._loop.call_soon_threadsafe(self._release.set)
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._release, self._stop = asyncio.Event(), asyncio.Event()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = runner.addresses[0][1]
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(Request(body, dict(request.headers)))
        script = self.script
        if script.status != 200:
            error = {"error": {"message": "boom", "type": "server_error"}}
            return web.json_response(error, status=script.status)
        if script.raw is not None:
            return web.Response(text=script.raw, content_type="application/json")
        if body.get("stream") and script.stream:
            return await self._stream(request, script)
        if script.hang_after is not None:
            await self._hang()
        return web.json_response(completion(script.reply, body.get("model", "")))

    async def _stream(self, request: web.Request, script: Script) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for i, piece in enumerate(pieces(script.reply)):
            if script.hang_after is not None and i >= script.hang_after:
                break
            await response.write(f"data: {json.dumps(chunk(piece))}\n\n".encode())
        if script.hang_after is not None:
            await self._hang()
            return response  # the client gave up long ago
        await response.write(b"data: [DONE]\n\n")
        return response

    async def _hang(self) -> None:
        assert self._release is not None
        await self._release.wait()  # until the test ends: the client must give up first


def pieces(text: str) -> list[str]:
    """Word-sized pieces, as a model streams tokens; joined they are `text` exactly."""
    out: list[str] = []
    for i, word in enumerate(text.split(" ")):
        out.append(word if i == 0 else " " + word)
    return [p for p in out if p]


def chunk(piece: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
    }


def completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model or "fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
    }
