"""Admin views: progress lines, summaries, source pages and autocomplete stay within limits."""

from __future__ import annotations

from datetime import date

from bot.chat.render_admin import (
    PAGE_SIZE,
    build_summary,
    human_bytes,
    human_seconds,
    progress_line,
    source_choices,
    sources_embed,
)
from bot.engine.engine import BuildReport, Progress
from bot.engine.store.files import SourceInfo


def source(i: int, title: str = "") -> SourceInfo:
    return SourceInfo(
        id=f"id{i:03d}",
        title=title or f"Story {i} about the talks",
        outlet="Wire",
        published=date(2025, 1, 1 + i % 28),
        source=f"s{i}.md",
        url=f"https://e.example/{i}",
        chunks=3,
    )


def test_progress_line_shows_stage_counts_and_percent() -> None:
    line = progress_line(Progress("embedding", 50, 200, articles=12, chunks=200))
    assert line == "Reindexing… Embedding passages: 50/200 25% (12 articles, 200 passages)"
    assert progress_line(Progress("reading", 0, 1)) == "Reindexing… Reading corpus/: 0%"


def test_build_summary_mentions_reuse_and_skips() -> None:
    report = BuildReport(10, 40, 4, 2.04, ["bad.jsonl:3: no text"], "gen-1")
    assert build_summary(report) == (
        "Reindexed 10 articles as 40 passages (4 embedded, 36 reused) in 2.0 s. "
        "Skipped 1 file(s) or record(s): bad.jsonl:3: no text"
    )


def test_sources_pages_are_clamped_and_short() -> None:
    rows = [source(i, title="T" * 400) for i in range(25)]
    first, last = sources_embed(rows, 1), sources_embed(rows, 99)
    assert first.title == "Sources (25)" and first.footer.text == "Page 1/3 · use page: for more"
    assert last.footer.text and last.footer.text.startswith("Page 3/3")
    assert (first.description or "").count("\n") == PAGE_SIZE - 1
    assert len(first.description or "") <= 4096
    assert sources_embed([], 1).description == "The index is empty."


def test_source_choices_match_titles_and_fit_discord() -> None:
    rows = [source(i) for i in range(40)] + [source(99, title="Grain " + "x" * 300)]
    [grain] = source_choices(rows, "grain")
    assert grain.value == "id099" and len(grain.name) <= 100
    assert len(source_choices(rows, "")) == 25


def test_human_units() -> None:
    assert human_bytes(512) == "512 B" and human_bytes(3 * 1024 * 1024) == "3.0 MB"
    assert human_seconds(42) == "42 s" and human_seconds(3 * 86400 + 7200 + 60) == "3 d 2 h"
