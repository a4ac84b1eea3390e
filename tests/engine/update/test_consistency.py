"""A full rebuild and incremental updates of the same corpus answer alike; crashes lose nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.engine.engine import Engine
from bot.engine.ingest import corpus as corpus_files
from bot.engine.models import Answer
from bot.engine.store.files import FileStore
from bot.engine.store.sparse import SparseIndex
from bot.settings import Settings
from tests.conftest import GRAIN, KREMLIN, UMEROV

from .conftest import RecordingEmbedder, snapshot, story, wire_copy

QUESTIONS = [
    "What does the Kremlin insist on?",
    "Where would the talks with Umerov take place?",
    "Why did the grain corridor talks stall?",
    "Who supports the energy truce?",
    "What was agreed in the second round in Istanbul?",
    "What did the EU ambassadors discuss about sanctions?",
    "What about the nuclear power plant?",
    "When did the prisoner exchange happen?",
]
FILES = {
    "kremlin.md": KREMLIN,
    "umerov.md": UMEROV,
    "grain.md": GRAIN,
    "grain-talks.md": story("grain", published="2025-04-03"),
    "energy.md": story("energy", published="2025-03-18"),
    "nuclear.md": story("nuclear"),
    "sanctions.md": story("sanctions", outlet="EU Observer"),
    "wire.md": wire_copy(),
    "wire-ankara.md": wire_copy(intro="ANKARA (Wire) —", title="Talks end in Istanbul"),
}


def seen(answer: Answer) -> tuple[str, bool, list[tuple[str, str]]]:
    return answer.text, answer.abstained, [(c.article.id, c.quote) for c in answer.citations]


def engine_for(tmp_path: Path, name: str, make: Callable[..., Settings]) -> Engine:
    root = tmp_path / name
    (root / "corpus").mkdir(parents=True)
    settings = make(corpus_dir=root / "corpus", index_dir=root / "index")
    return Engine(settings, RecordingEmbedder())


def test_full_and_incremental_builds_answer_alike(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    full = engine_for(tmp_path, "full", make_settings)
    for name, text in FILES.items():
        (full.settings.corpus_dir / name).write_text(text, encoding="utf-8")
    full.rebuild()
    step = engine_for(tmp_path, "step", make_settings)
    names = list(FILES)
    for name in names[:3]:
        (step.settings.corpus_dir / name).write_text(FILES[name], encoding="utf-8")
    step.rebuild()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in names[3:]:
        (inbox / name).write_text(FILES[name], encoding="utf-8")
    step.add([inbox / n for n in names[3:6]])
    for name in names[6:]:
        step.add([inbox / name])

    assert snapshot(step.settings.corpus_dir) == snapshot(full.settings.corpus_dir)
    assert _sources(step) == _sources(full)
    assert len([s for s in _sources(full) if s[3]]) == 2  # the wire copies, grouped alike
    for question in QUESTIONS:
        assert seen(step.ask(question)) == seen(full.ask(question)), question

    for source in full.sources():
        if source.source in ("energy.md", "wire.md"):
            step.remove(source.id)
            (full.settings.corpus_dir / source.source).unlink()
    full.rebuild()
    assert snapshot(step.settings.corpus_dir) == snapshot(full.settings.corpus_dir)
    assert _sources(step) == _sources(full)
    for question in QUESTIONS:
        assert seen(step.ask(question)) == seen(full.ask(question)), question


def _sources(eng: Engine) -> list[tuple[str, str, int, str | None]]:
    return sorted((s.id, s.source, s.chunks, s.dup_group) for s in eng.sources())


def test_a_crash_while_embedding_changes_nothing(
    local_engine: Engine, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = local_engine.ask("What does the Kremlin insist on?")
    live = (local_engine.settings.index_dir / "CURRENT").read_text()
    corpus = snapshot(local_engine.settings.corpus_dir)
    (inbox / "energy.md").write_text(story("energy"), encoding="utf-8")

    def crash(*args: object, **kwargs: object) -> None:
        raise MemoryError("out of memory while embedding")

    monkeypatch.setattr(local_engine.embedder, "encode", crash)
    with pytest.raises(MemoryError):
        local_engine.add([inbox / "energy.md"])
    monkeypatch.undo()

    assert (local_engine.settings.index_dir / "CURRENT").read_text() == live
    assert snapshot(local_engine.settings.corpus_dir) == corpus
    assert not list(local_engine.settings.index_dir.glob(".tmp-*"))
    fresh = Engine(local_engine.settings, RecordingEmbedder())
    assert seen(fresh.ask("What does the Kremlin insist on?")) == seen(before)


def test_a_crash_while_saving_puts_corpus_back(
    local_engine: Engine, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = (local_engine.settings.index_dir / "CURRENT").read_text()
    corpus = snapshot(local_engine.settings.corpus_dir)
    (inbox / "energy.md").write_text(story("energy"), encoding="utf-8")

    def crash(self: SparseIndex, folder: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(SparseIndex, "save", crash)  # after corpus/ was written
    with pytest.raises(OSError, match="disk full"):
        local_engine.add([inbox / "energy.md"])
    monkeypatch.undo()

    assert (local_engine.settings.index_dir / "CURRENT").read_text() == live
    assert snapshot(local_engine.settings.corpus_dir) == corpus
    assert not local_engine.ask("What does the Kremlin insist on?").abstained


def test_a_hard_crash_before_the_swap_is_repaired_by_talks_index(
    local_engine: Engine, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies after writing corpus/ and before swapping the index: no undo runs."""
    live = (local_engine.settings.index_dir / "CURRENT").read_text()
    (inbox / "energy.md").write_text(story("energy"), encoding="utf-8")

    def die(*args: object, **kwargs: object) -> str:
        raise SystemExit("killed")

    monkeypatch.setattr(FileStore, "swap_in", die)
    monkeypatch.setattr(corpus_files, "undo", lambda changes: None)  # a dead process undoes nothing
    with pytest.raises(SystemExit):
        local_engine.add([inbox / "energy.md"])
    monkeypatch.undo()

    restarted = Engine(local_engine.settings, RecordingEmbedder())
    assert (local_engine.settings.index_dir / "CURRENT").read_text() == live
    assert not restarted.ask("What does the Kremlin insist on?").abstained  # old index answers
    assert restarted.is_stale()  # and `talks index --if-stale` knows to rebuild
    restarted.rebuild()
    assert "Energy truce proposal gains support" in {s.title for s in restarted.sources()}


def test_a_crash_while_removing_keeps_the_file(
    local_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = snapshot(local_engine.settings.corpus_dir)
    target = next(s for s in local_engine.sources() if s.source == "grain.md")

    def crash(*args: object, **kwargs: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(FileStore, "swap_in", crash)
    with pytest.raises(OSError):
        local_engine.remove(target.id)
    monkeypatch.undo()

    assert snapshot(local_engine.settings.corpus_dir) == corpus
    assert target.id in {s.id for s in local_engine.sources()}
