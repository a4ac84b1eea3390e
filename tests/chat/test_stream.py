"""Draft pacing: at most one edit per interval of the clock, the newest draft wins, no sleeps."""

from __future__ import annotations

import asyncio
import threading

from bot.chat.render import CONTENT_MAX, draft
from bot.chat.stream import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_drafts_become_edits_at_most_once_per_interval() -> None:
    clock, sent = Clock(), []
    settled = asyncio.Event()

    async def send(text: str) -> None:
        sent.append(text)
        settled.set()

    pacer = Pacer(send, clock=clock, interval=1.0)
    offer = pacer.start()
    offer("The")  # the first draft shows at once
    await settled.wait()
    for text in ("The Kremlin", "The Kremlin insists"):
        clock.now += 0.4  # within the interval: skipped
        offer(text)
    clock.now += 0.4  # 1.2 s after the first edit
    settled.clear()
    offer("The Kremlin insists on")
    await settled.wait()
    await pacer.close()
    assert sent == ["The", "The Kremlin insists on"] and pacer.sent == 2


async def test_a_backlog_collapses_to_its_newest_draft_and_close_waits_for_the_edit() -> None:
    sent: list[str] = []
    started, release = asyncio.Event(), asyncio.Event()

    async def send(text: str) -> None:
        sent.append(text)
        started.set()
        await release.wait()  # an edit in flight when the answer is done

    pacer = Pacer(send, clock=Clock())
    offer = pacer.start()
    worker = threading.Thread(target=lambda: [offer(f"draft {i}") for i in range(50)])
    worker.start()
    worker.join()
    await started.wait()
    closing = asyncio.create_task(pacer.close())
    await asyncio.sleep(0)
    assert not closing.done()  # the final message must not race the draft edit
    release.set()
    await closing
    assert sent == ["draft 49"]


async def test_a_failed_edit_stops_the_drafts_but_not_the_answer() -> None:
    tried = asyncio.Event()
    calls = 0

    async def send(text: str) -> None:
        nonlocal calls
        calls += 1
        tried.set()
        raise RuntimeError("Discord said no")

    clock = Clock()
    pacer = Pacer(send, clock=clock)
    offer = pacer.start()
    offer("one")
    await tried.wait()
    clock.now += 5
    offer("two")
    for _ in range(10):
        await asyncio.sleep(0)  # let the pacer take "two" (a few loop turns; no time passes)
    await pacer.close()
    assert calls == 1 and pacer.sent == 0


def test_a_draft_is_inert_and_fits_in_a_message() -> None:
    text = draft("@everyone **look** " + "word " * 1000)
    assert len(text) <= CONTENT_MAX and text.endswith(" …")
    assert "@everyone" not in text and "**" not in text
