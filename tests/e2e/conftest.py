"""Fixtures for driving the real TalksBot against the fake Discord, over the real engine and model.

The bot is pointed at the fake only through its setting (TALKS_DISCORD_API_BASE), the way an
operator would point it at a proxy; nothing in the bot knows it is under test.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.chat.client import TalksBot
from bot.engine.engine import Engine
from bot.engine.index.embed import Embedder
from bot.settings import Settings, load_settings

from .fakediscord import FakeDiscord, discord_py_globals, running
from .fakediscord.records import FakeMessage
from .talks_corpus import write_corpus

StartBot = Callable[..., AbstractAsyncContextManager[TalksBot]]


def settings_for(root: Path) -> Settings:
    return load_settings(
        corpus_dir=root / "corpus",
        index_dir=root / "index",
        max_answer_sentences=4,
        cooldown_seconds=0,
    )


def build_engine(root: Path, embedder: Embedder, **engine_options: Any) -> Engine:
    write_corpus(root / "corpus")
    engine = Engine(settings_for(root), embedder, **engine_options)
    engine.rebuild()
    return engine


@pytest.fixture(scope="session")
def _built(real_embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test corpus indexed once; every engine below starts from a copy of it."""
    root = tmp_path_factory.mktemp("talks-template")
    build_engine(root, real_embedder)
    return root


@pytest.fixture(scope="session")
def engine_copy(real_embedder: Embedder, _built: Path) -> Callable[..., Engine]:
    """`engine_copy(root, **Engine options)`: an Engine over a private copy of corpus and index."""

    def copy(root: Path, **engine_options: Any) -> Engine:
        shutil.copytree(_built, root, dirs_exist_ok=True)
        return Engine(settings_for(root), real_embedder, **engine_options)

    return copy


@pytest.fixture(scope="module")
def shared_engine(
    engine_copy: Callable[..., Engine], tmp_path_factory: pytest.TempPathFactory
) -> Engine:
    """For tests that only ask: one per module."""
    return engine_copy(tmp_path_factory.mktemp("talks"))


@pytest.fixture
def fresh_engine(engine_copy: Callable[..., Engine], tmp_path: Path) -> Engine:
    """For tests that change the index."""
    return engine_copy(tmp_path)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    with discord_py_globals():
        async with FakeDiscord() as server:
            yield server


@pytest.fixture
def start_bot(fake: FakeDiscord) -> StartBot:
    """`async with start_bot(engine, **setting_overrides) as bot:` — connected and synced."""

    @asynccontextmanager
    async def start(engine: Engine, **overrides: Any) -> AsyncIterator[TalksBot]:
        values = {"discord_api_base": fake.api_base, **overrides}
        settings = engine.settings.model_copy(update=values)
        async with running(TalksBot(engine, settings), fake) as bot:
            yield bot

    return start


def embed_text(message: FakeMessage) -> str:
    return "\n".join(e.get("description") or "" for e in message.embeds)
