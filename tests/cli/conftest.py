"""CLI tests run the real commands in-process with the fast fake embedder passed in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import bot.cli.app
from bot.cli import typer_app
from bot.engine.engine import Engine
from bot.settings import Settings
from tests.conftest import WordHashEmbedder

Run = Callable[..., Result]


@pytest.fixture
def talks(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("TALKS_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("TALKS_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("TALKS_ABSTAIN_THRESHOLD", "0.3")
    monkeypatch.chdir(tmp_path)  # no stray .env from the checkout

    def fake_engine(settings: Settings, *, bulk: bool = False) -> Engine:
        return Engine(settings, WordHashEmbedder())

    monkeypatch.setattr(bot.cli.app, "open_engine", fake_engine)
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(typer_app, list(args), input=stdin, catch_exceptions=False)

    return run
