"""index/ on disk: atomic generations, a crash mid-save, and the model check on load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.engine.engine import Engine
from bot.engine.store.sparse import SparseIndex
from bot.errors import IndexMismatch, IndexMissing
from bot.settings import Settings
from tests.conftest import GRAIN, WordHashEmbedder


def test_build_writes_one_live_generation(engine: Engine) -> None:
    root = engine.settings.index_dir
    live = (root / "CURRENT").read_text().strip()
    assert (root / live / "manifest.json").exists()
    assert (root / live / "meta.sqlite").exists() and (root / live / "dense.faiss").exists()
    assert not list(root.glob(".tmp-*"))
    assert not list(root.rglob("*.pkl")) and not list(root.rglob("*.pickle"))


def test_crash_while_saving_leaves_the_old_index_whole(
    engine: Engine, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = engine.ask("What does the Kremlin insist on?")
    live = (engine.settings.index_dir / "CURRENT").read_text()
    (corpus / "grain2.md").write_text(
        GRAIN.replace("Grain corridor", "Second corridor"), encoding="utf-8"
    )

    def crash(self: SparseIndex, folder: Path) -> None:
        (folder / "sparse").mkdir()
        (folder / "sparse" / "half-written").write_text("x")
        raise OSError("disk full")

    monkeypatch.setattr(SparseIndex, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        engine.rebuild()
    monkeypatch.undo()

    assert (engine.settings.index_dir / "CURRENT").read_text() == live
    assert not list(engine.settings.index_dir.glob(".tmp-*"))
    fresh = Engine(engine.settings, WordHashEmbedder())
    assert fresh.ask("What does the Kremlin insist on?").text == before.text
    assert len(fresh.sources()) == 3


def test_an_index_from_another_model_is_refused(engine: Engine) -> None:
    class OtherModel(WordHashEmbedder):
        name = "test:another-model"

    with pytest.raises(
        IndexMismatch, match=r"built with model test:word-hash .*; rebuild the index\.$"
    ):
        Engine(engine.settings, OtherModel()).ask("anything at all?")


def test_an_index_of_another_dimension_is_refused(engine: Engine) -> None:
    class Wider(WordHashEmbedder):
        dim = 512

    with pytest.raises(IndexMismatch, match="512"):
        Engine(engine.settings, Wider()).ask("anything at all?")


def test_asking_before_indexing_says_what_to_do(make_settings: Callable[..., Settings]) -> None:
    with pytest.raises(IndexMissing, match="build it first"):
        Engine(make_settings(), WordHashEmbedder()).ask("What does the Kremlin require?")


def test_rebuild_reuses_vectors_of_unchanged_passages(engine: Engine, corpus: Path) -> None:
    (corpus / "grain.md").unlink()
    report = engine.rebuild()
    assert report.articles == 2 and report.embedded == 0
    gens = [p for p in engine.settings.index_dir.glob("gen-*")]
    assert len(gens) <= 2  # the live one and the one before it
