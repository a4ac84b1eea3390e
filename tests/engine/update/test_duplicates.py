"""The same article twice is reported, not indexed; syndicated copies are grouped and cited once."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bot.engine.engine import Engine
from bot.engine.index import dedup
from bot.engine.index.dedup import canonical_url, components, signature, similarity, text_key
from bot.engine.models import Article, Chunk, Hit
from bot.engine.store.metadb import MetaDB

from .conftest import STORIES, WIRE, snapshot, story, wire_copy

COPIES = {
    "wire.md": wire_copy(),
    "wire-ankara.md": wire_copy(intro="ANKARA (Wire) —", title="Talks end in Istanbul"),
    "wire-kyiv.md": wire_copy(
        outro="Reporting by the Kyiv bureau; editing by the night desk.",
        title="Istanbul talks agree on exchange of bodies",
    ),
}
QUESTION = "What did Umerov hand over in the second round of Istanbul talks?"


def test_canonical_urls_ignore_what_does_not_name_the_page() -> None:
    same = [
        "https://www.example.org/news/talks-resume/",
        "http://example.org/news/talks-resume?utm_source=x&utm_medium=feed#top",
        "HTTPS://EXAMPLE.ORG/news/talks-resume?fbclid=abc",
    ]
    assert {canonical_url(u) for u in same} == {"example.org/news/talks-resume"}
    assert canonical_url("https://example.org/news?id=2") != canonical_url(
        "https://example.org/news?id=3"
    )
    assert canonical_url(None) is None and canonical_url(" ") is None


def test_text_keys_ignore_case_spacing_and_punctuation() -> None:
    assert text_key("The talks, it said, resumed.") == text_key("the  talks it said\nresumed")
    assert text_key("The talks resumed.") != text_key("The talks stalled.")


def test_syndicated_copies_are_near_duplicates_and_other_stories_are_not() -> None:
    sigs = {name: signature(text) for name, text in COPIES.items()}
    assert all(similarity(sigs["wire.md"], s) >= dedup.THRESHOLD for s in sigs.values())
    other = signature(STORIES["grain"][1])
    assert similarity(sigs["wire.md"], other) < 0.2
    half = signature(WIRE[: len(WIRE) // 2])  # a shortened copy is related, not a duplicate
    assert similarity(sigs["wire.md"], half) < dedup.THRESHOLD


def test_groups_do_not_depend_on_order() -> None:
    texts = {
        f"id{i}": t for i, t in enumerate([*COPIES.values(), *(s[1] for s in STORIES.values())])
    }
    expected = [["id0", "id1", "id2"]]
    for seed in range(5):
        keys = list(texts)
        random.Random(seed).shuffle(keys)
        assert components({k: signature(texts[k]) for k in keys}) == expected


def test_collapse_keeps_the_best_copy_with_all_its_passages() -> None:
    def hit(article_id: str, n: int) -> Hit:
        article = Article(article_id, article_id, "text", "x.md")
        return Hit(Chunk(f"{article_id}-{n}", article_id, n, "text"), article, 1.0 / (n + 1))

    hits = [hit("b", 0), hit("a", 0), hit("b", 1), hit("c", 0), hit("a", 1)]
    kept = dedup.collapse_copies(hits, {"a": "a", "b": "a"})
    assert [h.chunk.id for h in kept] == ["b-0", "b-1", "c-0"]


def test_the_same_file_twice_is_reported_and_nothing_changes(
    local_engine: Engine, inbox: Path
) -> None:
    (inbox / "energy.md").write_text(story("energy"), encoding="utf-8")
    [first] = local_engine.add([inbox / "energy.md"]).added
    live = (local_engine.settings.index_dir / "CURRENT").read_text()
    corpus = snapshot(local_engine.settings.corpus_dir)
    (inbox / "energy-copy.md").write_text(
        story("energy").replace("Energy truce proposal gains support", "Another headline"),
        encoding="utf-8",
    )

    report = local_engine.add([inbox / "energy.md", inbox / "energy-copy.md"])

    assert report.added == [] and report.problems == []
    assert report.duplicates == [
        f"{inbox / 'energy.md'}: already indexed as {first.id} (Energy truce proposal gains support)",
        f"{inbox / 'energy-copy.md'}: already indexed as {first.id} "
        "(Energy truce proposal gains support)",
    ]
    assert (local_engine.settings.index_dir / "CURRENT").read_text() == live
    assert snapshot(local_engine.settings.corpus_dir) == corpus


def test_the_same_url_with_tracking_tags_is_a_duplicate(local_engine: Engine) -> None:
    title, body = STORIES["nuclear"]
    first = Article("n1", title, " ".join(body.split()), "x", url="https://www.example.org/a/")
    second = Article(
        "n2",
        "Other",
        "Entirely different words " * 20,
        "y",
        url="http://example.org/a?utm_source=rss",
    )
    report = local_engine.add([first, second])

    assert [a.title for a in report.added] == [title]
    assert report.duplicates == [
        f"http://example.org/a?utm_source=rss: already indexed as n1 ({title})"
    ]


def test_a_full_rebuild_skips_exact_duplicates(local_engine: Engine) -> None:
    corpus = local_engine.settings.corpus_dir
    grain = (corpus / "grain.md").read_text()
    copy = grain.replace("Grain corridor reopens", "Copied grain corridor reopens")
    (corpus / "a-copy.md").write_text(copy.replace("on Monday under", "on Monday, under"))

    report = local_engine.rebuild()

    [first] = [s for s in local_engine.sources() if s.source == "a-copy.md"]
    assert report.articles == 3
    assert report.problems == [
        f"grain.md: same article as {first.id} (Copied grain corridor reopens in the Black Sea);"
        " skipped."
    ]


def test_duplicate_records_are_blanked_in_a_stored_jsonl(local_engine: Engine, inbox: Path) -> None:
    title, body = STORIES["energy"]
    records = [
        {"title": title, "text": " ".join(body.split())},
        {
            "title": "Kremlin again",
            "text": (local_engine.settings.corpus_dir / "kremlin.md")
            .read_text()
            .split("---\n", 2)[2],
        },
        "not json",
    ]
    lines = [json.dumps(r) if isinstance(r, dict) else r for r in records]
    (inbox / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = local_engine.add([inbox / "batch.jsonl"])

    assert [a.source for a in report.added] == ["batch.jsonl#1"]
    assert len(report.duplicates) == 1 and report.duplicates[0].startswith("batch.jsonl#2: already")
    assert report.problems == ["batch.jsonl, line 3: not valid JSON (Expecting value)."]
    stored = (local_engine.settings.corpus_dir / "batch.jsonl").read_text()
    assert stored.split("\n") == [lines[0], "", "", ""]


def test_syndicated_copies_are_grouped_and_cited_once(
    local_engine: Engine, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, text in COPIES.items():
        (inbox / name).write_text(text, encoding="utf-8")

    report = local_engine.add([inbox / n for n in COPIES])

    ids = sorted(a.id for a in report.added)
    assert len(ids) == 3 and len(report.grouped) == 3
    groups = {s.id: s.dup_group for s in local_engine.sources() if s.id in ids}
    assert set(groups.values()) == {ids[0]}
    answer = local_engine.ask(QUESTION)
    assert not answer.abstained
    assert len([h for h in answer.hits if h.article.id in ids]) >= 1
    assert len({h.article.id for h in answer.hits if h.article.id in ids}) == 1
    assert len([c for c in answer.citations if c.article.id in ids]) == 1

    monkeypatch.setattr(MetaDB, "dup_groups", lambda self, ids=None: {})
    ungrouped = local_engine.ask(QUESTION)  # the same retrieval without groups…
    assert len({h.article.id for h in ungrouped.hits if h.article.id in ids}) == 3  # …sees all


def test_removing_copies_regroups_the_rest(local_engine: Engine, inbox: Path) -> None:
    for name, text in COPIES.items():
        (inbox / name).write_text(text, encoding="utf-8")
    ids = sorted(a.id for a in local_engine.add([inbox / n for n in COPIES]).added)

    local_engine.remove(ids[0])
    assert {s.id: s.dup_group for s in local_engine.sources() if s.id in ids} == {
        ids[1]: ids[1],
        ids[2]: ids[1],
    }
    local_engine.remove(ids[1])
    assert {s.id: s.dup_group for s in local_engine.sources() if s.id in ids} == {ids[2]: None}
