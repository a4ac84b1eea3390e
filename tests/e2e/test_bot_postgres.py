"""The bot over the PostgreSQL store, sharded: it answers as over files, and an article another
process adds to the shared database is cited at the next question."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.chat.client import ShardedTalksBot, bot_class
from bot.engine.engine import Engine
from tests.conftest import article_md
from tests.throwaway_pg import fresh_database

from .conftest import embed_text
from .fakediscord import FakeDiscord, running
from .talks_corpus import ASK_KREMLIN

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
TRUCE = article_md(
    "Energy truce agreed for power plants",
    "Both sides agreed to stop striking power plants and substations for thirty days, the"
    " mediators said after the talks in Riyadh.",
    outlet="Wire",
    published="2025-03-25",
)


def pg_engine(files: Engine, url: str) -> Engine:
    settings = files.settings.model_copy(
        update={"store": "postgres", "database_url": SecretStr(url)}
    )
    return Engine(settings, files.embedder)


async def test_a_sharded_bot_on_postgres_answers_what_another_process_adds(
    fake: FakeDiscord, shared_engine: Engine, tmp_path: Path
) -> None:
    url = fresh_database()
    serving = pg_engine(shared_engine, url)
    serving.rebuild(reuse=shared_engine.generation())
    settings = serving.settings.model_copy(
        update={"discord_api_base": fake.api_base, "sharded": True}
    )
    bot = bot_class(settings)(serving, settings)
    assert isinstance(bot, ShardedTalksBot)
    async with running(bot, fake):
        first = await fake.slash("ask", {"question": ASK_KREMLIN})
        [answer] = await first.wait_final(timeout=30)
        assert "NATO" in embed_text(answer)
        elsewhere = pg_engine(shared_engine, url).settings.model_copy(
            update={"corpus_dir": tmp_path / "other-machine"}
        )
        (tmp_path / "truce.md").write_text(TRUCE, encoding="utf-8")
        Engine(elsewhere, shared_engine.embedder).add([str(tmp_path / "truce.md")])
        later = await fake.slash("ask", {"question": "Which power plants does the truce cover?"})
        [reply] = await later.wait_final(timeout=30)
    assert "thirty days" in embed_text(reply)
    fake.assert_clean()
