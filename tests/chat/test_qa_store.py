"""Q&A channels survive a restart; a damaged file does not stop the bot."""

from __future__ import annotations

from pathlib import Path

from bot.chat.qa_store import QAChannels


async def test_marked_channels_persist_and_fixed_ones_always_count(tmp_path: Path) -> None:
    path = tmp_path / "index" / "qa-channels.json"
    qa = QAChannels(path, fixed=[1])
    assert 1 in qa and 2 not in qa and qa
    assert await qa.mark(2, True) and not await qa.mark(2, True)
    again = QAChannels(path)
    assert 2 in again and 1 not in again
    assert await again.mark(2, False)
    assert not QAChannels(path)
    assert [p.name for p in path.parent.iterdir()] == ["qa-channels.json"]  # no temp files left


def test_a_damaged_file_means_no_marked_channels(tmp_path: Path) -> None:
    path = tmp_path / "qa-channels.json"
    path.write_text("{not json", encoding="utf-8")
    assert not QAChannels(path)
