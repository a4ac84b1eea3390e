"""Streaming a generated answer into a Discord message: drafts become edits, at most about one
per second. Discord rate-limits message edits (roughly five per five seconds per channel), and a
model streams tens of pieces a second, so most drafts are skipped; the final embed replaces the
last one anyway. No Discord objects here: the caller passes the coroutine that edits.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)
EDIT_INTERVAL = 1.0  # seconds between edits of one message
Send = Callable[[str], Awaitable[None]]
Clock = Callable[[], float]


class Pacer:
    """Drafts in (from any thread, through the callback `start` returns), paced edits out.

    A draft is sent when the previous edit is at least `interval` old by `clock` (the first one
    at once); drafts arriving in between are skipped, and only the newest of a backlog counts.
    There are no timers: pacing is decided when a draft arrives, so a test can drive it with a
    clock it sets by hand.
    """

    def __init__(
        self, send: Send, *, clock: Clock = time.monotonic, interval: float = EDIT_INTERVAL
    ):
        self.send = send
        self.clock = clock
        self.interval = interval
        self.sent = 0
        self._last: float | None = None
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._failed = False

    def start(self) -> Callable[[str], None]:
        """Begin consuming; returns the callback a worker thread calls with each draft."""
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._run())

        def offer(text: str) -> None:
            loop.call_soon_threadsafe(self._queue.put_nowait, text)

        return offer

    async def close(self) -> None:
        """Stop after any edit in flight, so the final message is not overwritten by a draft."""
        self._queue.put_nowait(None)
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while True:
            text = await self._queue.get()
            while text is not None and not self._queue.empty():
                text = self._queue.get_nowait()  # only the newest draft matters
            if text is None:
                return
            if self._failed or not self._due():
                continue
            try:
                await self.send(text)
            except Exception:  # a failed draft edit must not cost the user the answer
                log.warning("could not show a draft; the final answer follows", exc_info=True)
                self._failed = True
                continue
            self._last = self.clock()
            self.sent += 1

    def _due(self) -> bool:
        return self._last is None or self.clock() - self._last >= self.interval
