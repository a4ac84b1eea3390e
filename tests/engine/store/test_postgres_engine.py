"""The Engine over PostgreSQL: the same answers as over files, shared by several processes, and
writes that are all or nothing (a killed writer leaves no row behind)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg
import pytest

from bot.engine.engine import Engine
from bot.engine.models import Article
from bot.engine.store.pgstate import PgFeedList
from bot.engine.store.postgres import PgStore
from bot.errors import Busy, DatabaseError
from bot.settings import Settings
from tests.conftest import KREMLIN, WordHashEmbedder, article_md
from tests.throwaway_pg import fresh_database

QUESTIONS = [
    "What does the Kremlin demand?",
    "Where would the talks take place?",
    "When did the grain ships leave Odesa?",
    "Who proposed a new round of talks?",
    "What about the moon landing?",
]
TRUCE = article_md(
    "Energy truce agreed for power plants",
    """
    Both sides agreed to stop striking power plants and substations for thirty days, the
    mediators said after the talks in Riyadh.
    """,
    outlet="Wire",
    published="2025-03-25",
)


@pytest.fixture
def pg_settings(make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    url = fresh_database()
    return lambda **kw: make_settings(store="postgres", database_url=url, **kw)


@pytest.fixture
def pg_engine(pg_settings: Callable[..., Settings], corpus: Path) -> Engine:
    eng = Engine(pg_settings(), WordHashEmbedder())
    eng.rebuild()
    return eng


def answer_of(engine: Engine, question: str, **filters: object) -> tuple[object, ...]:
    a = engine.ask(question, **filters)  # type: ignore[arg-type]
    return a.text, [(c.article.id, c.chunk_id, c.quote) for c in a.citations], a.abstained


def test_the_same_answers_as_the_files_store(engine: Engine, pg_engine: Engine) -> None:
    assert isinstance(pg_engine.store, PgStore)
    for question in QUESTIONS:
        assert answer_of(pg_engine, question) == answer_of(engine, question)
        files_hits = [(h.chunk.id, round(h.score, 6)) for h in engine.search(question)]
        assert [(h.chunk.id, round(h.score, 6)) for h in pg_engine.search(question)] == files_hits
    for filters in ({"outlet": "Wire"}, {"since": date(2025, 6, 1)}, {"until": date(2023, 1, 1)}):
        assert answer_of(pg_engine, QUESTIONS[1], **filters) == answer_of(
            engine, QUESTIONS[1], **filters
        )
    assert pg_engine.sources() == engine.sources()
    assert isinstance(pg_engine.feed_list, PgFeedList) and pg_engine.feeds() == []


def _add_in_another_process(settings: Settings, path: str) -> None:
    Engine(settings, WordHashEmbedder()).add([path])


def test_an_add_by_another_process_is_answered_at_once(
    pg_engine: Engine, pg_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    before = pg_engine.generation().name
    assert not any("Riyadh" in c.quote for c in pg_engine.ask("power plants truce").citations)
    (tmp_path / "truce.md").write_text(TRUCE, encoding="utf-8")
    other = pg_settings(corpus_dir=tmp_path / "corpus-of-the-other-machine")
    child = multiprocessing.get_context("spawn").Process(
        target=_add_in_another_process, args=(other, str(tmp_path / "truce.md"))
    )
    child.start()
    child.join()
    assert child.exitcode == 0
    answer = pg_engine.ask("Which power plants does the truce cover?")
    assert pg_engine.generation().name != before
    assert any("Riyadh" in c.quote for c in answer.citations)


def test_concurrent_adds_of_one_article_store_it_once(
    pg_engine: Engine, pg_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    (tmp_path / "truce.md").write_text(TRUCE, encoding="utf-8")
    start = threading.Barrier(3)
    outcomes: list[str] = []

    def add(n: int) -> None:
        eng = Engine(pg_settings(corpus_dir=tmp_path / f"corpus-{n}"), WordHashEmbedder())
        start.wait()
        try:
            report = eng.add([str(tmp_path / "truce.md")])
            outcomes.append("added" if report.added else "duplicate")
        except Busy:
            outcomes.append("busy")

    workers = [threading.Thread(target=add, args=(n,)) for n in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(outcomes).count("added") <= 1 and len(outcomes) == 3
    pg_engine.add([str(tmp_path / "truce.md")])  # whoever lost: adding again stores nothing new
    titles = [s.title for s in pg_engine.sources()]
    assert titles.count("Energy truce agreed for power plants") == 1


def _die_mid_write(url: str) -> None:
    store = PgStore(url)
    with store.locked():
        snap = store.open(model=WordHashEmbedder.name, dim=WordHashEmbedder.dim)
        draft = store.begin(snap, dim=WordHashEmbedder.dim)
        draft.remove(next(iter(snap.articles())).id)
        draft.add(*_one_passage_article())
        os._exit(3)  # a crash: no abort, no commit, no clean-up


def _one_passage_article() -> tuple[Article, list, list[str], object]:
    import numpy as np

    from bot.engine.models import Chunk

    text = "A half-written article that must never be seen."
    art = Article("half", "Half", text, "half.md")
    vectors = np.zeros((1, WordHashEmbedder.dim), dtype=np.float32)
    vectors[0, 0] = 1.0
    return art, [Chunk("half-0", "half", 0, text, None, 0, len(text))], ["key-half"], vectors


def rows(url: str) -> tuple[int, int, int]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM chunks),"
            " (SELECT count(*) FROM sentences)"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def test_a_writer_killed_mid_add_leaves_nothing_and_frees_the_lock(
    pg_engine: Engine, pg_settings: Callable[..., Settings]
) -> None:
    url = pg_settings().database_url.get_secret_value()  # type: ignore[union-attr]
    before, name = rows(url), pg_engine.generation().name
    child = multiprocessing.get_context("spawn").Process(target=_die_mid_write, args=(url,))
    child.start()
    child.join()
    assert child.exitcode == 3
    assert rows(url) == before and pg_engine.store.current_name() == name
    with pg_engine.store.locked():  # the dead writer's lock went with its connection
        pass
    assert pg_engine.ask("What does the Kremlin demand?").citations


def test_a_duplicate_that_slips_past_the_lock_is_refused_by_the_database(
    pg_engine: Engine,
) -> None:
    kremlin = pg_engine.generation().find_article(url="https://example.org/kremlin-terms", text="")
    assert kremlin is not None and KREMLIN
    store = pg_engine.store
    assert isinstance(store, PgStore)
    draft = store.begin(pg_engine.generation(), dim=WordHashEmbedder.dim)
    copy = Article("copy", kremlin.title, kremlin.text, "copy.md")
    with pytest.raises(DatabaseError, match="refused a duplicate"):
        draft.add(copy, [], [], _one_passage_article()[3])  # type: ignore[arg-type]
    draft.abort()


def test_lost_connections_are_replaced_at_the_next_question(pg_engine: Engine) -> None:
    snap = pg_engine.generation()
    assert pg_engine.ask("What does the Kremlin demand?").citations  # the pool holds one now
    url = pg_engine.settings.database_url.get_secret_value()  # type: ignore[union-attr]
    with psycopg.connect(url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'talks' AND datname = current_database()"
        ).fetchone()
    assert ended and ended[0] >= 1
    assert pg_engine.ask("What does the Kremlin demand?").citations
    assert pg_engine.generation() is snap  # same generation: its BM25 side is not loaded again


def test_a_second_draft_is_busy_even_without_the_write_lock(pg_engine: Engine) -> None:
    store = pg_engine.store
    assert isinstance(store, PgStore)
    first = store.begin(pg_engine.generation(), dim=WordHashEmbedder.dim)
    with pytest.raises(Busy):
        PgStore(store.url).begin(pg_engine.generation(), dim=WordHashEmbedder.dim)
    first.abort()
    PgStore(store.url).begin(None, dim=WordHashEmbedder.dim).abort()  # free again


def test_past_exact_max_a_generation_is_searched_through_hnsw(
    pg_settings: Callable[..., Settings], corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.engine.store import pgdraft, postgres

    monkeypatch.setattr(pgdraft, "EXACT_MAX", 2)
    eng = Engine(pg_settings(), WordHashEmbedder())
    eng.rebuild()
    snap = eng.generation()
    assert snap.manifest.dense == eng.stats().dense == "hnsw"
    query = eng.embedder.encode(["Kremlin demands NATO withdrawal"])[0]
    exact = postgres.PgDense(snap, "flat", WordHashEmbedder.dim)  # type: ignore[arg-type]
    found, scores = snap.dense.search(query, 3)
    assert found.tolist() == exact.search(query, 3)[0].tolist()
    assert list(scores) == sorted(scores, reverse=True)
