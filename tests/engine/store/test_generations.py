"""Generations in use (files store): a reader keeps its folder however many commits pass, and a
crash between the rename and the CURRENT swap leaves an orphan that the next write removes."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bot.engine.engine import Engine
from bot.engine.store.files import FileStore
from bot.settings import Settings
from tests.conftest import GRAIN, WordHashEmbedder

T = TypeVar("T")


def generations(root: Path) -> set[str]:
    return {p.name for p in root.glob("gen-*")}


def in_a_new_thread(work: Callable[[], T]) -> T:
    """A new thread opens its own SQLite connection: the folder must still be there."""
    results: list[T] = []
    worker = threading.Thread(target=lambda: results.append(work()))
    worker.start()
    worker.join()
    assert results, "the reader failed"
    return results[0]


def ask_in_a_new_thread(engine: Engine) -> str:
    return in_a_new_thread(lambda: engine.ask("What about grain?").text)


def test_a_reader_two_commits_behind_keeps_its_generation(
    engine: Engine, corpus: Path, make_settings: Callable[..., Settings]
) -> None:
    held = Engine(engine.settings, WordHashEmbedder()).generation()
    before = held.sources()
    writer = Engine(make_settings(), WordHashEmbedder())
    (corpus / "grain2.md").write_text(GRAIN.replace("Grain corridor", "Second"), encoding="utf-8")
    writer.rebuild()
    (corpus / "grain3.md").write_text(GRAIN.replace("Grain corridor", "Third"), encoding="utf-8")
    writer.rebuild()
    root = engine.settings.index_dir
    assert held.name in generations(root)
    assert in_a_new_thread(held.sources) == before  # as a bot thread still answering from it
    # once nobody holds it, the next write removes it
    held.close()
    engine.generation()  # the fixture's engine moves on to the live one too
    writer.rebuild()
    current = (root / "CURRENT").read_text().strip()
    assert held.name not in generations(root) and current in generations(root)


def test_an_orphan_and_temp_folders_go_and_the_held_live_one_stays(engine: Engine) -> None:
    root = engine.settings.index_dir
    held = engine.generation()
    orphan = root / "gen-29991231T235959-orphan"  # renamed into place, CURRENT never swapped
    shutil.copytree(root / held.name, orphan)
    (orphan / ".in-use").unlink()
    (root / ".tmp-crashed").mkdir()
    store = FileStore(root)
    with store.locked():  # a writer starts: leftovers of crashed writers are cleaned
        pass
    assert not orphan.exists() and not (root / ".tmp-crashed").exists()
    assert generations(root) == {held.name}
    assert held.counts() == engine.generation().counts()


def test_an_orphan_is_removed_by_the_next_commit_not_the_live_one(
    engine: Engine, corpus: Path
) -> None:
    root = engine.settings.index_dir
    held = engine.generation()
    orphan = root / "gen-29991231T235959-orphan"
    shutil.copytree(root / held.name, orphan)
    (corpus / "grain2.md").write_text(GRAIN.replace("Grain corridor", "Second"), encoding="utf-8")
    report = Engine(engine.settings, WordHashEmbedder()).rebuild()
    assert generations(root) == {held.name, report.generation}  # held by `engine`: kept
    assert not orphan.exists()
    assert ask_in_a_new_thread(engine)
