"""Q&A channels: where every message is a question. Discord-free, so it is tested plainly.

Two sources: TALKS_QA_CHANNELS (fixed by whoever runs the bot) and the channels admins mark with
`/talks qa-channel`, kept in a small JSON file beside the index so a restart remembers them — or,
on the PostgreSQL store, in the database, where every bot process reads them (re-read at most
every REFRESH_SECONDS, in a worker thread, never on the event loop).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable
from pathlib import Path

from bot.engine import SharedIds, write_atomic

log = logging.getLogger(__name__)
FILE_NAME = "qa-channels.json"
REFRESH_SECONDS = 30.0


def read_ids(path: Path) -> set[int]:
    """A missing or damaged file means no marked channels, not a bot that will not start."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {int(x) for x in data.get("channels", [])}
    except FileNotFoundError:
        return set()
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        log.warning("ignoring %s: %s", path, exc)
        return set()


def write_ids(path: Path, ids: Iterable[int]) -> None:
    """Atomically: a crash leaves the old list or the new one, never half."""
    text = json.dumps({"channels": sorted(ids)}, indent=2) + "\n"
    write_atomic(path, text.encode("utf-8"))


class QAChannels:
    def __init__(
        self, path: Path, fixed: Iterable[int] = (), shared: SharedIds | None = None
    ) -> None:
        self.path = path
        self.fixed = frozenset(fixed)
        self.shared = shared
        self.marked = shared.read() if shared else read_ids(path)
        self._lock = asyncio.Lock()  # two admins toggling at once must not lose a write
        self._read_at = time.monotonic()
        self._refreshing: asyncio.Task[None] | None = None

    def __contains__(self, channel_id: object) -> bool:
        self._refresh_soon()
        return channel_id in self.fixed or channel_id in self.marked

    def _refresh_soon(self) -> None:
        """Start re-reading the shared list if it is old: this message is judged by the list
        as it is, the next ones by the fresh one."""
        if self.shared is None or time.monotonic() - self._read_at < REFRESH_SECONDS:
            return
        if self._refreshing is None or self._refreshing.done():
            self._read_at = time.monotonic()
            self._refreshing = asyncio.get_running_loop().create_task(self._refresh())

    async def _refresh(self) -> None:
        assert self.shared is not None
        try:
            self.marked = await asyncio.to_thread(self.shared.read)
        except Exception:
            log.exception("could not re-read the shared Q&A channels; keeping the last list")

    def __bool__(self) -> bool:
        return bool(self.fixed or self.marked)

    async def mark(self, channel_id: int, on: bool) -> bool:
        """True if that changed anything."""
        async with self._lock:
            if self.shared is not None:
                changed, self.marked = await asyncio.to_thread(self.shared.mark, channel_id, on)
                return changed
            if (channel_id in self.marked) == on:
                return False
            ids = self.marked | {channel_id} if on else self.marked - {channel_id}
            await asyncio.to_thread(write_ids, self.path, ids)
            self.marked = ids
            return True
