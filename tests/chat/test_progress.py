"""Reindex progress: reported from a worker thread, shown on the loop at most once per interval."""

from __future__ import annotations

import asyncio
import itertools
import time

import discord

from bot.chat.cogs.admin_index import ProgressRelay
from bot.engine.engine import Progress


def flood(relay: ProgressRelay, seconds: float) -> None:
    """What Engine.rebuild does from its thread: report as often as it likes."""
    end = time.monotonic() + seconds
    done = 0
    while time.monotonic() < end:
        done += 1
        relay.report(Progress("embedding", done, 10_000, articles=5, chunks=10_000))
        time.sleep(0.001)


async def test_thread_reports_become_throttled_edits_on_the_loop() -> None:
    shown: list[tuple[float, str]] = []

    async def edit(text: str) -> None:
        shown.append((time.monotonic(), text))

    relay = ProgressRelay(asyncio.get_running_loop(), edit, interval=0.2)
    task = asyncio.create_task(relay.run())
    await asyncio.to_thread(flood, relay, 0.9)
    await asyncio.sleep(0.25)
    task.cancel()
    assert 2 <= len(shown) <= 6
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(shown)]
    assert all(gap >= 0.19 for gap in gaps)
    assert shown[-1][1].startswith("Reindexing… Embedding passages:")


async def test_a_failed_edit_stops_further_edits() -> None:
    calls = 0

    async def edit(text: str) -> None:
        nonlocal calls
        calls += 1
        raise discord.HTTPException(
            type("R", (), {"status": 401, "reason": "Unauthorized"})(), "token expired"
        )

    relay = ProgressRelay(asyncio.get_running_loop(), edit, interval=0.01)
    task = asyncio.create_task(relay.run())
    for i in range(5):
        relay.report(Progress("chunking", i, 5))
        await asyncio.sleep(0.03)
    task.cancel()
    assert calls == 1


def test_reporting_after_the_loop_closed_is_harmless() -> None:
    loop = asyncio.new_event_loop()
    relay = ProgressRelay(loop, lambda text: asyncio.sleep(0))
    loop.close()
    relay.report(Progress("done", 1, 1))
