"""/talks reindex: the rebuild runs in a worker thread; its progress is shown by editing one message.

The engine reports progress from its thread, but Discord calls must happen on the event loop, and
one message may only be edited about once a second. So the thread only hands the latest figures
to the loop (call_soon_threadsafe), and one task on the loop edits when something changed,
at most once per `interval`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import discord

from bot.chat.render_admin import build_summary, progress_line
from bot.engine import BuildReport, Engine, Progress

log = logging.getLogger(__name__)
Edit = Callable[[str], Awaitable[object]]


class ProgressRelay:
    def __init__(self, loop: asyncio.AbstractEventLoop, edit: Edit, interval: float = 1.0) -> None:
        self._loop = loop
        self._edit = edit
        self._interval = interval
        self._latest: Progress | None = None
        self._changed = asyncio.Event()
        self._failed = False

    def report(self, progress: Progress) -> None:
        """Called by the engine in its worker thread."""
        # RuntimeError: the loop has closed (bot shutting down), so there is nobody to tell.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._push, progress)

    def _push(self, progress: Progress) -> None:
        self._latest = progress
        self._changed.set()

    async def run(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            if self._latest is not None:
                await self._show(progress_line(self._latest))
            await asyncio.sleep(self._interval)

    async def _show(self, text: str) -> None:
        """After one failed edit (most likely the 15-minute interaction token expired), stop
        trying: the summary has its own fallback."""
        if self._failed:
            return
        try:
            await self._edit(text)
        except discord.HTTPException:
            self._failed = True
            log.warning("could not show reindex progress; no more progress edits", exc_info=True)


async def rebuild_with_progress(engine: Engine, edit: Edit, interval: float = 1.0) -> str:
    """Run the rebuild off the loop; return the summary sentence (errors propagate)."""
    relay = ProgressRelay(asyncio.get_running_loop(), edit, interval)
    shower = asyncio.create_task(relay.run(), name="reindex-progress")
    try:
        report: BuildReport = await asyncio.to_thread(engine.rebuild, relay.report)
    finally:
        shower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await shower
    return build_summary(report)
