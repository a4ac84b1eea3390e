"""Writes against a PostgreSQL server that does what servers do: a server-wide
idle_in_transaction_session_timeout, a server that dies while the writer embeds, a writer killed
after its article files reached corpus/."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import psycopg
import pytest

from bot.engine.engine import Engine
from bot.engine.index.embed import Progress
from bot.engine.store.files import FileStore
from bot.engine.store.pgerrors import LOST_WRITE
from bot.errors import DatabaseError
from bot.settings import Settings
from tests.conftest import WordHashEmbedder, article_md
from tests.ops.server import OwnServer, own_pg  # noqa: F401  (the fixture)
from tests.throwaway_pg import fresh_database

TOPICS = ["grain", "prisoners", "energy", "ports", "ceasefire", "sanctions", "monitors"]


def articles(folder: Path, n: int = 25, paragraphs: int = 1) -> list[str]:
    """n distinct articles as Markdown files; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        body = "\n\n".join(
            f"Delegation {i} discussed {topic} in round {i * 7 + p} of talks held in city {p}, "
            f"officials said, adding that {topic} item {i}-{p} stays open."
            for p in range(paragraphs)
        )
        path = folder / f"note-{i:02d}.md"
        path.write_text(article_md(f"Talks note {i} on {topic}", body), encoding="utf-8")
        paths.append(str(path))
    return paths


def in_transaction(url: str) -> int:
    """The writer's sessions idling inside a transaction right now."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'talks-writer'"
            " AND datname = current_database() AND state LIKE 'idle in transaction%%'"
        ).fetchone()
    return int(row[0]) if row else -1


class Watching(WordHashEmbedder):
    """Looks at the database each time the model would run."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: list[int] = []

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        self.seen.append(in_transaction(self.url))
        return super().encode(texts, progress)


def test_adds_tolerate_a_server_wide_idle_in_transaction_timeout(
    make_settings: Callable[..., Settings], corpus: Path, tmp_path: Path
) -> None:
    """With the timeout at 1 ms any transaction left idle for a moment is cut: the writer embeds
    with none open, and every talks session sets the timeout it needs for itself."""
    url = fresh_database()
    with psycopg.connect(url, autocommit=True) as admin:
        name = admin.execute("SELECT current_database()").fetchone()
        assert name is not None
        admin.execute(f"ALTER DATABASE {name[0]} SET idle_in_transaction_session_timeout = '1ms'")
    embedder = Watching(url)
    eng = Engine(make_settings(store="postgres", database_url=url), embedder)
    eng.rebuild()
    report = eng.add(articles(tmp_path / "incoming"))
    assert len(report.added) == 25 and not report.problems
    assert embedder.seen and set(embedder.seen) == {0}
    assert eng.ask("Which delegation discussed grain in round 7?").citations


class Batches(WordHashEmbedder):
    """Encodes two texts at a time, reporting each batch; runs `at_batch` before batch n."""

    def __init__(self, n: int, at_batch: Callable[[], None]) -> None:
        self.batches, self.n, self.at_batch = 0, n, at_batch

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = []
        for start in range(0, len(texts), 2):
            self.batches += 1
            if self.batches == self.n:
                self.at_batch()
            out.append(super().encode(texts[start : start + 2]))
            if progress:
                progress(min(start + 2, len(texts)), len(texts))
        return np.vstack(out) if out else np.zeros((0, self.dim), dtype=np.float32)


def test_a_server_lost_while_embedding_stops_the_rebuild_within_a_batch(
    make_settings: Callable[..., Settings],
    corpus: Path,
    own_pg: OwnServer,  # noqa: F811
) -> None:
    url = own_pg.database()
    settings = make_settings(store="postgres", database_url=url)
    Engine(settings, WordHashEmbedder()).rebuild()
    before = Engine(settings, WordHashEmbedder()).generation().name
    articles(corpus, n=20, paragraphs=2)
    embedder = Batches(2, own_pg.stop)
    try:
        with pytest.raises(DatabaseError) as failed:
            Engine(settings, embedder).rebuild()
    finally:
        own_pg.start()
    assert str(failed.value) == LOST_WRITE
    assert embedder.batches <= 3  # of > 20: it stopped at the next batch, not at the end
    assert Engine(settings, WordHashEmbedder()).generation().name == before


def _add_then_die(settings: Settings, paths: list[str]) -> None:
    """`talks add` killed after corpus/ was written, before the new generation went live."""
    from bot.engine.store.postgres import PgStore

    def die(*_: object) -> None:
        os._exit(3)

    PgStore.swap_in = die  # type: ignore[method-assign]
    FileStore.swap_in = die  # type: ignore[method-assign]
    Engine(settings, WordHashEmbedder()).add(paths)


@pytest.mark.parametrize("store", ["files", "postgres"])
def test_an_add_killed_after_writing_corpus_is_stored_once_when_run_again(
    store: str, make_settings: Callable[..., Settings], corpus: Path, tmp_path: Path
) -> None:
    url = fresh_database() if store == "postgres" else None
    settings = make_settings(store=store, database_url=url)
    eng = Engine(settings, WordHashEmbedder())
    eng.rebuild()
    paths = articles(tmp_path / "incoming", n=25)
    child = multiprocessing.get_context("spawn").Process(
        target=_add_then_die, args=(settings, paths)
    )
    child.start()
    child.join()
    assert child.exitcode == 3
    left = sorted(p.name for p in corpus.glob("note-*.md"))
    assert len(left) == 25  # the interrupted add's files
    assert len(eng.sources()) == 3  # …and nothing of it in the index
    report = eng.add(paths)
    assert len(report.added) == 25 and not report.duplicates
    assert sorted(p.name for p in corpus.glob("note-*.md")) == left  # no note-00-2.md
    assert len(eng.sources()) == 28
    rebuilt = eng.rebuild()
    assert rebuilt.articles == 28 and not rebuilt.problems  # no skipped duplicates
