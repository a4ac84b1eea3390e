"""Adding and removing articles: only their passages change, corpus/ follows, answers at once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.engine.engine import Engine
from bot.engine.index.chunk import embedding_text
from bot.errors import BadInput, Busy, IndexMismatch
from bot.settings import Settings

from .conftest import STORIES, RecordingEmbedder, snapshot, story


def live(eng: Engine) -> str:
    return (eng.settings.index_dir / "CURRENT").read_text().strip()


def test_adding_a_file_embeds_only_its_passages(local_engine: Engine, inbox: Path) -> None:
    embedder = local_engine.embedder
    assert isinstance(embedder, RecordingEmbedder)
    before = local_engine.generation()
    old_rows = set(before.dense.ids().tolist())
    (inbox / "energy.md").write_text(story("energy", published="2025-03-18"), encoding="utf-8")
    embedder.calls.clear()

    report = local_engine.add([inbox / "energy.md"])

    [article] = report.added
    chunks = local_engine.writer.chunks(article)
    passages, sentences = embedder.calls  # a model without token embeddings encodes both
    assert passages == [embedding_text(article, c) for c in chunks]
    assert all(sentence in article.text for sentence in sentences)
    assert report.duplicates == [] and report.problems == []
    gen = local_engine.generation()
    assert gen.name != before.name and report.generation == gen.name
    assert old_rows < set(gen.dense.ids().tolist())  # old vectors kept, under their old ids
    assert gen.dense.size == before.dense.size + len(chunks) == gen.counts()[1]
    assert (local_engine.settings.corpus_dir / "energy.md").read_bytes() == (
        inbox / "energy.md"
    ).read_bytes()
    answer = local_engine.ask("Who supports the energy truce on power plants?")
    assert [c.article.id for c in answer.citations][:1] == [article.id]


def test_a_running_process_sees_the_new_article_at_once(
    local_engine: Engine, inbox: Path, make_settings: Callable[..., Settings]
) -> None:
    other = Engine(make_settings(), RecordingEmbedder())  # e.g. the bot, while the CLI adds
    assert other.ask("What about the Zaporizhzhia nuclear plant?").abstained
    (inbox / "nuclear.md").write_text(story("nuclear"), encoding="utf-8")

    local_engine.add([inbox / "nuclear.md"])

    answer = other.ask("What about the Zaporizhzhia nuclear plant?")
    assert not answer.abstained
    assert answer.citations[0].article.title == "Zaporizhzhia plant discussed in separate channel"


def test_a_taken_name_gets_a_new_one_and_nothing_is_overwritten(
    local_engine: Engine, inbox: Path
) -> None:
    corpus = local_engine.settings.corpus_dir
    original = (corpus / "grain.md").read_bytes()
    (inbox / "grain.md").write_text(story("grain"), encoding="utf-8")

    report = local_engine.add([inbox / "grain.md"])

    assert report.added[0].source == "grain-2.md"
    assert (corpus / "grain.md").read_bytes() == original
    assert (corpus / "grain-2.md").read_bytes() == (inbox / "grain.md").read_bytes()


def test_an_upload_name_cannot_leave_corpus(local_engine: Engine, tmp_path: Path) -> None:
    report = local_engine.add([("../../.evil.md", story("sanctions").encode())])

    assert [a.source for a in report.added] == ["evil.md"]
    assert (local_engine.settings.corpus_dir / "evil.md").exists()
    assert not (tmp_path / ".evil.md").exists()


def test_a_file_already_in_corpus_is_indexed_where_it_is(local_engine: Engine) -> None:
    corpus = local_engine.settings.corpus_dir
    (corpus / "energy.md").write_text(story("energy"), encoding="utf-8")
    assert local_engine.is_stale()

    report = local_engine.add([corpus / "energy.md"])

    assert [a.source for a in report.added] == ["energy.md"]
    assert sorted(p.name for p in corpus.iterdir()) == [
        "energy.md",
        "grain.md",
        "kremlin.md",
        "umerov.md",
    ]


def test_a_corpus_file_that_talks_index_skips_is_not_indexed(local_engine: Engine) -> None:
    readme = local_engine.settings.corpus_dir / "README.md"
    readme.write_text(story("energy"), encoding="utf-8")

    report = local_engine.add([readme])

    assert report.added == []
    assert report.problems == [
        "README.md: the corpus scan skips this file (hidden, README or unknown type)."
    ]


def test_added_articles_survive_a_full_rebuild(local_engine: Engine, inbox: Path) -> None:
    (inbox / "energy.md").write_text(story("energy"), encoding="utf-8")
    local_engine.add([inbox / "energy.md"])
    local_engine.add([("sanctions.md", story("sanctions").encode())])
    assert not local_engine.is_stale()  # the index knows the corpus files it wrote
    incremental = [(s.id, s.source, s.chunks) for s in local_engine.sources()]

    report = local_engine.rebuild()

    assert report.embedded == 0  # every passage was already there
    assert [(s.id, s.source, s.chunks) for s in local_engine.sources()] == incremental


def test_an_index_that_was_stale_stays_stale(local_engine: Engine, inbox: Path) -> None:
    corpus = local_engine.settings.corpus_dir
    (corpus / "nuclear.md").write_text(story("nuclear"), encoding="utf-8")  # not yet indexed
    (inbox / "energy.md").write_text(story("energy"), encoding="utf-8")

    local_engine.add([inbox / "energy.md"])

    assert local_engine.is_stale()


def test_adding_to_a_folder_without_an_index_starts_one(
    make_settings: Callable[..., Settings], inbox: Path
) -> None:
    eng = Engine(make_settings(), RecordingEmbedder())
    (inbox / "energy.md").write_text(story("energy"), encoding="utf-8")

    report = eng.add([inbox / "energy.md"])

    assert len(report.added) == 1 and len(eng.sources()) == 1
    assert not eng.is_stale()


def test_remove_deletes_its_passages_and_its_file(local_engine: Engine) -> None:
    embedder = local_engine.embedder
    assert isinstance(embedder, RecordingEmbedder)
    corpus = local_engine.settings.corpus_dir
    target = next(s for s in local_engine.sources() if s.source == "grain.md")
    before = local_engine.generation()
    embedder.calls.clear()

    removed = local_engine.remove(target.id)

    assert removed.title == "Grain corridor reopens in the Black Sea"
    assert not (corpus / "grain.md").exists()
    assert embedder.calls == []
    gen = local_engine.generation()
    assert gen.dense.size == before.dense.size - target.chunks == gen.counts()[1]
    assert target.id not in {s.id for s in local_engine.sources()}
    assert local_engine.ask("Where did the grain ships leave from?").abstained
    assert not local_engine.is_stale()


def test_removing_an_unknown_id_says_so(local_engine: Engine) -> None:
    name = live(local_engine)
    with pytest.raises(BadInput, match=r"No indexed article has the id 'nope'.*list of sources"):
        local_engine.remove("nope")
    assert live(local_engine) == name


def test_removing_a_jsonl_record_blanks_its_line(local_engine: Engine) -> None:
    corpus = local_engine.settings.corpus_dir
    keys = ["energy", "nuclear", "sanctions"]
    (corpus / "batch.jsonl").write_text("".join(json.dumps(record(k)) + "\n" for k in keys))
    local_engine.rebuild()

    local_engine.remove("rec-nuclear")

    lines = (corpus / "batch.jsonl").read_text().split("\n")
    assert lines[1] == "" and json.loads(lines[2])["id"] == "rec-sanctions"
    sources = {s.id: s.source for s in local_engine.sources()}
    assert sources["rec-sanctions"] == "batch.jsonl#3"  # its line number, still true
    local_engine.rebuild()
    assert {s.id: s.source for s in local_engine.sources()} == sources
    local_engine.remove("rec-energy")
    local_engine.remove("rec-sanctions")
    assert not (corpus / "batch.jsonl").exists()  # nothing left in it


def test_a_corpus_file_edited_since_indexing_is_not_deleted(local_engine: Engine) -> None:
    corpus = local_engine.settings.corpus_dir
    target = next(s for s in local_engine.sources() if s.source == "grain.md")
    (corpus / "grain.md").write_text(story("sanctions"), encoding="utf-8")
    name = live(local_engine)

    with pytest.raises(BadInput, match=r"grain.md no longer holds article .*rebuild the index"):
        local_engine.remove(target.id)

    assert live(local_engine) == name
    assert "shadow" in (corpus / "grain.md").read_text()


def test_a_second_writer_is_told_to_wait(
    local_engine: Engine, make_settings: Callable[..., Settings], inbox: Path
) -> None:
    other = Engine(make_settings(), RecordingEmbedder())  # as if in another process
    (inbox / "energy.md").write_text(story("energy"), encoding="utf-8")
    with local_engine.store.locked(), pytest.raises(Busy, match="already running"):
        other.add([inbox / "energy.md"])
    assert len(other.add([inbox / "energy.md"]).added) == 1


def test_changed_chunk_settings_need_a_rebuild_first(
    local_engine: Engine, make_settings: Callable[..., Settings], inbox: Path
) -> None:
    other = Engine(make_settings(chunk_tokens=64, chunk_overlap=8), RecordingEmbedder())
    (inbox / "energy.md").write_text(story("energy"), encoding="utf-8")
    corpus = snapshot(local_engine.settings.corpus_dir)

    with pytest.raises(IndexMismatch, match="chunk settings; rebuild the index"):
        other.add([inbox / "energy.md"])

    assert snapshot(local_engine.settings.corpus_dir) == corpus


def record(key: str) -> dict[str, str]:
    title, body = STORIES[key]
    return {"id": f"rec-{key}", "title": title, "text": " ".join(body.split())}
