"""Titles, questions and errors that look like rich markup print as they are (issue 10, item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import bot.cli.app
from tests.cli.conftest import Run

TITLE = "[bold]Ceasefire[/] talks [/] resume :smile: in [red]Geneva"
BODY = (
    "Delegations met again in Geneva on Monday to discuss a ceasefire along the front line, "
    "prisoner exchanges and the return of deported children, officials from both sides said. "
    "The talks lasted four hours and will continue next week with military experts."
)
QUESTION = "What about the [/] ceasefire talks in [bold]Geneva?"


@pytest.fixture
def marked(corpus: Path, talks: Run) -> Run:
    head = yaml.safe_dump({"title": TITLE, "outlet": "[i]Wire[/i]"}, allow_unicode=True)
    (corpus / "geneva.md").write_text(f"---\n{head}---\n\n{BODY}\n", encoding="utf-8")
    assert talks("index").exit_code == 0
    return talks


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `talks` believe it prints to a terminal (tables instead of tab-separated lines)."""
    monkeypatch.setattr(bot.cli.app.out, "_force_terminal", True)
    monkeypatch.setattr(bot.cli.app.out, "_color_system", None)
    monkeypatch.setattr(bot.cli.app.out, "_width", 250)


def test_sources_piped_prints_the_title_as_it_is(marked: Run) -> None:
    result = marked("sources")

    assert result.exit_code == 0, result.output
    assert f"{TITLE}\t[i]Wire[/i]\t" in result.output


def test_sources_table_prints_the_title_as_it_is(marked: Run, terminal: None) -> None:
    result = marked("sources")

    assert result.exit_code == 0, result.output
    assert TITLE in result.output and "[i]Wire[/i]" in result.output


def test_ask_prints_question_and_cited_title_as_they_are(marked: Run) -> None:
    result = marked("ask", QUESTION, "What did officials say about deported children?")

    assert result.exit_code == 0, result.output
    assert f"Q: {QUESTION}" in result.output
    assert f"] {TITLE} ([i]Wire[/i])" in result.output


def test_feeds_list_prints_urls_and_errors_as_they_are(
    marked: Run, tmp_path: Path, terminal: None
) -> None:
    feed = {
        "url": "https://example.org/feed?tag=[/]",
        "added_at": "2025-06-01T10:00:00+00:00",
        "last_error": f"https://example.org/a: {TITLE} is not an article",
    }
    (tmp_path / "index" / "feeds.json").write_text(json.dumps({"feeds": [feed]}), "utf-8")

    result = marked("feeds", "list")

    assert result.exit_code == 0, result.output
    assert "https://example.org/feed?tag=[/]" in result.output
    assert TITLE in result.output


def test_add_and_remove_report_titles_as_they_are(marked: Run, tmp_path: Path) -> None:
    path = tmp_path / "second.md"
    path.write_text(f"---\ntitle: '[/] {TITLE}'\n---\n\n{BODY} More to follow.\n", "utf-8")

    added = marked("add", str(path))
    article_id = added.output.split()[1]
    removed = marked("remove", article_id)

    assert added.exit_code == 0 and f"added {article_id}  [/] {TITLE}" in added.output
    assert removed.exit_code == 0 and f"[/] {TITLE}  (second.md)" in removed.output


def test_an_error_naming_a_title_prints_as_it_is(marked: Run, tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text(f"# {TITLE}\n\ntoo short", "utf-8")

    result = marked("add", str(tmp_path / "x.md"))

    assert result.exit_code == 1
    assert "problem: x.md: the article has no text (or almost none)." in result.output
