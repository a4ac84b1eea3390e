"""Thread conversations: kept across a restart, bounded to the last turns, forgotten when idle."""

from __future__ import annotations

from pathlib import Path

from bot.chat.conversations import Conversations
from bot.engine import Turn


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_turns_survive_a_restart_and_only_the_last_are_kept(tmp_path: Path) -> None:
    clock, path = Clock(), tmp_path / "conversations.sqlite"
    convs = Conversations(path, keep=3, ttl_seconds=3600, clock=clock)
    convs.start(7, Turn("q0", "q0", "a0"))
    for n in range(1, 5):
        convs.add(7, Turn(f"q{n}", f"q{n} (ctx)", f"a{n}"))
    convs.add(8, Turn("not started by the bot"))  # ignored
    again = Conversations(path, keep=3, ttl_seconds=3600, clock=clock)
    assert [t.question for t in again.history(7)] == ["q2", "q3", "q4"]
    assert again.history(7)[-1].understood_as == "q4 (ctx)"
    assert again.started(7) and not again.started(8) and again.history(8) == []


def test_an_idle_thread_expires_and_activity_keeps_it(tmp_path: Path) -> None:
    clock = Clock()
    convs = Conversations(tmp_path / "c.sqlite", keep=5, ttl_seconds=100, clock=clock)
    convs.start(1, Turn("q"))
    convs.start(2, Turn("q"))
    clock.now += 90
    convs.add(1, Turn("still here"))
    clock.now += 20
    assert convs.started(1) and not convs.started(2) and convs.history(2) == []
    assert convs.expire() == 1 and convs.started(1)
