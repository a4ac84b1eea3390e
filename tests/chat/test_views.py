"""A click that comes before its answer's feedback record waits for it, briefly."""

from __future__ import annotations

import asyncio

from bot.chat.views import Recording


async def test_a_waiting_click_is_released_when_the_record_is_written() -> None:
    recording = Recording()
    waiter = asyncio.create_task(recording.wait(42, timeout=30))
    await asyncio.sleep(0)  # the waiter registers itself
    recording.done(42)
    await asyncio.wait_for(waiter, timeout=30)  # released by done(), long before its timeout
    assert recording._events == {}


async def test_a_click_on_an_answer_never_recorded_stops_waiting() -> None:
    recording = Recording()
    await recording.wait(7, timeout=0)
    recording.done(8)  # another answer: nothing waits on it, nothing kept
    assert recording._events == {}
