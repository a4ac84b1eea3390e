"""The storage contract: every store implementation must pass this suite unchanged.

Parametrised over store kinds; each store adds itself to KINDS with a factory and a way to make
its swap fail. The PostgreSQL kind runs on a throwaway server (tests/throwaway_pg.py), one fresh
database per test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from bot.engine.models import Article, Chunk
from bot.engine.store.base import FORMAT, Manifest, SentenceRow, Snapshot, Store
from bot.engine.store.files import FileStore
from bot.errors import Busy, IndexMismatch, IndexMissing, Retryable
from tests.throwaway_pg import database_for

DIM = 8
MODEL = "test:contract"


@dataclass(frozen=True)
class StoreKind:
    name: str
    make: Callable[[Path], Store]  # two calls with one path: two handles on the same store
    break_swap: Callable[[pytest.MonkeyPatch], None]  # the next commit fails before its swap


def _break_files_swap(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(self: FileStore, tmp: Path) -> str:
        raise OSError("power cut before the swap")

    monkeypatch.setattr(FileStore, "swap_in", crash)


def _postgres(root: Path) -> Store:
    from bot.engine.store.postgres import PgStore

    return PgStore(database_for(str(root)))


def _break_postgres_swap(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.engine.store.postgres import PgStore

    def crash(self: PgStore, *args: object) -> None:
        raise OSError("connection lost before the swap")

    monkeypatch.setattr(PgStore, "swap_in", crash)


KINDS = [
    StoreKind("files", FileStore, _break_files_swap),
    StoreKind("postgres", _postgres, _break_postgres_swap),
]


@pytest.fixture(params=KINDS, ids=lambda k: k.name)
def kind(request: pytest.FixtureRequest) -> StoreKind:
    return request.param


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def store(kind: StoreKind, root: Path) -> Store:
    return kind.make(root)


def article(n: int, words: str) -> tuple[Article, list[Chunk], list[str], np.ndarray]:
    """An article of two passages; passage j's vector is the unit vector on axis 2n+j."""
    aid = f"a{n}"
    texts = [f"{words} first part", f"{words} second part"]
    text = "\n\n".join(texts)
    chunks = [
        Chunk(f"{aid}-0", aid, 0, texts[0], None, 0, len(texts[0])),
        Chunk(f"{aid}-1", aid, 1, texts[1], None, len(texts[0]) + 2, len(text)),
    ]
    vectors = np.zeros((2, DIM), dtype=np.float32)
    vectors[0, (2 * n) % DIM] = vectors[1, (2 * n + 1) % DIM] = 1.0
    art = Article(aid, f"Title {n} {words}", text, f"{aid}.md", url=f"https://news.test/{aid}")
    return art, chunks, [f"key-{aid}-0", f"key-{aid}-1"], vectors


def manifest(articles: int, chunks: int) -> Manifest:
    return Manifest(FORMAT, MODEL, DIM, "v", 100, 10, "fp", "2025-01-01T00:00:00", articles, chunks, "flat")  # fmt: skip


def commit(store: Store, base: Snapshot | None, *adds: int, removes: tuple[str, ...] = ()) -> str:
    with store.locked():
        draft = store.begin(base, dim=DIM)
        for n in adds:
            draft.add(*article(n, ["grain corridor", "energy truce", "prisoner swap"][n % 3]))
        for aid in removes:
            draft.remove(aid)
        return draft.commit(manifest(*draft.counts()))


@pytest.fixture
def live(store: Store) -> Iterator[Snapshot]:
    commit(store, None, 0, 1)
    snap = store.open(model=MODEL, dim=DIM)
    yield snap
    snap.close()


def test_before_the_first_commit_there_is_no_snapshot(store: Store) -> None:
    assert store.current_name() is None and store.manifest() is None
    with pytest.raises(IndexMissing):
        store.open(model=MODEL, dim=DIM)


def test_round_trip(store: Store, live: Snapshot) -> None:
    assert live.name == store.current_name()
    assert live.manifest == store.manifest() == manifest(2, 4)
    assert live.counts() == (2, 4)
    a0 = article(0, "grain corridor")[0]
    assert live.article("a0") == a0
    assert {a.id for a in live.articles()} == {"a0", "a1"}
    assert {(s.id, s.chunks) for s in live.sources()} == {("a0", 2), ("a1", 2)}
    assert live.find_article(url="https://news.test/a0", text="") == a0
    assert live.find_article(url=None, text=a0.text) == a0
    assert live.size_bytes() > 0


def test_another_model_is_refused(store: Store, live: Snapshot) -> None:
    with pytest.raises(IndexMismatch):
        store.open(model="test:other", dim=DIM)


def test_dense_and_sparse_search_return_the_stored_passages(live: Snapshot) -> None:
    query = np.zeros(DIM, dtype=np.float32)
    query[3] = 1.0  # article 1's second passage
    ids, scores = live.dense.search(query, 2)
    (chunk, art) = live.passages([int(ids[0])])[int(ids[0])]
    assert (chunk.id, art.id) == ("a1-1", "a1") and scores[0] == pytest.approx(1.0)
    ids, _ = live.sparse.search(["truce"], 5)
    assert {live.passages(ids.tolist())[i][1].id for i in ids.tolist()} == {"a1"}
    assert live.sparse.size == 4 and live.sparse.df("truce") == 2
    assert live.sparse.correct("corridr") == "corridor"


def test_vectors_are_found_again_by_content_key(live: Snapshot) -> None:
    _, _, keys, vectors = article(1, "energy truce")
    found = live.vectors_for([*keys, "key-unknown"])
    assert set(found) == set(keys)
    assert np.allclose(np.vstack([found[k] for k in keys]), vectors)


def test_sentences_come_back_with_their_passages_and_vectors(store: Store) -> None:
    art, chunks, keys, vectors = article(4, "ceasefire talks")
    art = Article(art.id, art.title, art.text, art.source, published=date(2022, 3, 29))
    first = SentenceRow(0, 0, len(chunks[0].text), vectors[0])
    second = SentenceRow(1, chunks[1].start, chunks[1].end, vectors[1])
    with store.locked():
        draft = store.begin(None, dim=DIM)
        draft.add(art, chunks, keys, vectors, [first, second])
        draft.commit(manifest(1, 2))
    snap = store.open(model=MODEL, dim=DIM)
    try:
        got = snap.sentences(["a4", "a-missing"])
        assert [(s.chunk.id, s.text, s.index) for s in got] == [
            ("a4-0", chunks[0].text, 0),
            ("a4-1", chunks[1].text, 1),
        ]
        assert np.allclose(np.vstack([s.vector for s in got]), vectors, atol=1e-3)
        reuse = snap.sentences_for([keys[1]])
        assert [(a, b) for a, b, _ in reuse[keys[1]]] == [(0, len(chunks[1].text))]
        assert snap.date_range() == (date(2022, 3, 29), date(2022, 3, 29))
    finally:
        snap.close()


def _said(n: int, day: date | None, speakers: tuple[str | None, str | None]) -> tuple[object, ...]:
    art, chunks, keys, vectors = article(n, f"ceasefire talks, round {n}")
    art = Article(art.id, art.title, art.text, art.source, published=day)
    rows = [
        SentenceRow(j, c.start, c.end, vectors[j], who)
        for j, (c, who) in enumerate(zip(chunks, speakers, strict=True))
    ]
    return art, chunks, keys, vectors, rows


def test_statements_by_speaker_period_passages_and_recency(store: Store) -> None:
    with store.locked():
        draft = store.begin(None, dim=DIM)
        draft.add(*_said(1, date(2022, 3, 29), ("Dmitry Peskov", None)))  # type: ignore[arg-type]
        draft.add(*_said(2, date(2022, 2, 1), ("Peskov", "the Kremlin")))  # type: ignore[arg-type]
        draft.add(*_said(3, None, ("Peskov", "Zelenskyy")))  # type: ignore[arg-type]
        draft.commit(manifest(3, 6))
    snap = store.open(model=MODEL, dim=DIM)
    try:
        assert snap.speakers() == {
            "Dmitry Peskov": 1,
            "Peskov": 2,
            "the Kremlin": 1,
            "Zelenskyy": 1,
        }
        got = snap.statements(["Peskov", "Dmitry Peskov", "nobody"])
        assert [(s.article.id, s.index, s.speaker) for s in got] == [
            ("a1", 0, "Dmitry Peskov"),  # newest first
            ("a2", 0, "Peskov"),
            ("a3", 0, "Peskov"),  # undated last
        ]
        assert got[1].chunk.id == "a2-0" and got[1].text == got[1].chunk.text
        assert np.allclose(got[1].vector, article(2, "x")[3][0], atol=1e-3)
        newest = snap.statements(["Peskov", "Dmitry Peskov"], newest=1)
        assert [s.article.id for s in newest] == ["a1"]
        window = snap.statements(
            ["Peskov", "the Kremlin"], since=date(2022, 1, 1), until=date(2022, 3, 1)
        )
        assert [s.speaker for s in window] == ["Peskov", "the Kremlin"]
        query = np.zeros(DIM, dtype=np.float32)
        query[(2 * 2 + 1) % DIM] = 1.0  # article 2's second passage
        ids, _ = snap.dense.search(query, 1)
        inside = snap.statements(["Peskov", "the Kremlin"], passages=[int(i) for i in ids])
        assert [(s.article.id, s.speaker) for s in inside] == [("a2", "the Kremlin")]
        assert snap.statements(["Peskov"], passages=[]) == [] and snap.statements([]) == []
        assert snap.sentences(["a2"])[1].speaker == "the Kremlin"
    finally:
        snap.close()


def test_remove_drops_the_article_and_its_passages(store: Store, live: Snapshot) -> None:
    commit(store, live, 2, removes=("a0",))
    snap = store.open(model=MODEL, dim=DIM)
    assert snap.counts() == (2, 4) and snap.article("a0") is None
    query = np.zeros(DIM, dtype=np.float32)
    query[0] = 1.0  # a0's first passage, now gone
    ids, _ = snap.dense.search(query, 10)
    assert "a0" not in {a.id for _, a in snap.passages(ids.tolist()).values()}
    try:  # the old snapshot stands (files keep old generations)…
        with live.reading():
            assert live.counts() == (2, 4) and live.article("a0") is not None
    except Retryable:  # …or says it is gone (a database keeps only the live one): never a mix
        pass


def test_dup_groups(store: Store, live: Snapshot) -> None:
    with store.locked():
        draft = store.begin(live, dim=DIM)
        draft.set_dup_groups({"a0": "a0", "a1": "a0"})
        assert draft.dup_groups(["a1"]) == {"a1": "a0"}
        draft.commit(manifest(2, 4))
    snap = store.open(model=MODEL, dim=DIM)
    assert snap.dup_groups() == {"a0": "a0", "a1": "a0"}
    assert snap.group_members("a0") == ["a0", "a1"]
    assert set(snap.signatures()) == {"a0", "a1"}


def test_abort_leaves_the_live_snapshot(store: Store, live: Snapshot) -> None:
    with store.locked():
        draft = store.begin(live, dim=DIM)
        draft.add(*article(2, "prisoner swap"))
        draft.remove("a0")
        draft.abort()
    assert store.current_name() == live.name
    assert store.open(model=MODEL, dim=DIM).counts() == (2, 4)


def test_a_second_writer_is_busy(kind: StoreKind, store: Store, root: Path) -> None:
    other = kind.make(root)
    with store.locked():
        with pytest.raises(Busy), other.locked():
            pass
        with pytest.raises(Busy), store.locked():
            pass
    with other.locked():  # free again
        pass


def test_a_crash_before_the_swap_keeps_the_old_snapshot_live(
    kind: StoreKind, store: Store, live: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind.break_swap(monkeypatch)
    with store.locked():
        draft = store.begin(live, dim=DIM)
        draft.add(*article(2, "prisoner swap"))
        with pytest.raises(OSError):
            draft.commit(manifest(3, 6))
        draft.abort()
    monkeypatch.undo()
    assert store.current_name() == live.name
    assert store.open(model=MODEL, dim=DIM).counts() == (2, 4)
