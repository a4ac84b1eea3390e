"""Speaker attribution against hand-labelled statements (speakers.jsonl), through the whole index
path: corpus files → ingest → chunk → attribution → store → timeline.

Each line names a document (a record id of the official corpus, or "bundled"), a fragment of one
sentence, the speaker who really said it (null when nobody named speaks: a statement *about* a
person, a description, a passive) and the kind of cue. A predicted speaker is right when it names
the same person or body (same last word: "Peskov" = "Dmitry Peskov"). Floors sit a little under
the measured values, noted beside them; the targets of issue 13 are precision 95 %, recall 80 %,
dates 100 %. Lines marked `held_out` were labelled after the rules were written and were never
tuned on; their figures are printed apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.engine.engine import Engine
from bot.engine.models import Sentence
from bot.engine.parties import name_words
from bot.settings import Settings
from tests.conftest import ROOT, SHARED, WordHashEmbedder

HERE = Path(__file__).resolve().parent
OFFICIAL = SHARED / "data" / "official_statements_2021_2022.jsonl"
PRECISION_FLOOR = 0.95  # measured 1.00
RECALL_FLOOR = 0.85  # measured 0.87 (73 of 84; held-out lines alone 0.75, 12 of 16)


def gold() -> list[dict[str, str | None]]:
    lines = (HERE / "speakers.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def same(predicted: str | None, true: str | None) -> bool:
    if predicted is None or true is None:
        return predicted is true
    return name_words(predicted)[-1:] == name_words(true)[-1:]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, dict[str, dict[str, str]]]:
    if not OFFICIAL.is_file():
        pytest.skip(f"shared corpus not found: {OFFICIAL}")
    wanted = {str(g["doc"]) for g in gold()}
    records = {}
    for line in OFFICIAL.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] in wanted:
            records[record["id"]] = record
    root = tmp_path_factory.mktemp("speakers")
    corpus = root / "corpus"
    corpus.mkdir()
    rows = "\n".join(json.dumps(r, ensure_ascii=False) for r in records.values())
    (corpus / "official.jsonl").write_text(rows + "\n", encoding="utf-8")
    for article in (ROOT / "corpus").glob("*.md"):
        (corpus / article.name).write_bytes(article.read_bytes())
    engine = Engine(Settings(corpus_dir=corpus, index_dir=root / "index"), WordHashEmbedder())
    engine.rebuild()
    return engine, records


def sentences_of(engine: Engine, doc: str, records: dict[str, dict[str, str]]) -> list[Sentence]:
    snap = engine.generation()
    for a in snap.articles():
        if (doc == "bundled" and a.url is None) or (
            doc in records and a.url == records[doc]["url"]
        ):
            return snap.sentences([a.id])
    raise AssertionError(f"{doc} is not indexed")


def measure(
    engine: Engine, records: dict[str, dict[str, str]], held_out: bool | None = None
) -> tuple[float, float, list[str]]:
    right = predicted = said = 0
    wrong: list[str] = []
    for g in gold():
        if held_out is not None and bool(g.get("held_out")) != held_out:
            continue
        found = [s for s in sentences_of(engine, str(g["doc"]), records) if g["fragment"] in s.text]
        assert len(found) == 1, g["fragment"]
        guess, true = found[0].speaker, g["speaker"]
        predicted += guess is not None
        said += true is not None
        right += guess is not None and same(guess, true)
        if not same(guess, true):
            wrong.append(f"{g['kind']}: {str(g['fragment'])[:50]!r} → {guess} (true: {true})")
    return right / predicted, right / said, wrong


def test_attribution_precision_and_recall(
    indexed: tuple[Engine, dict[str, dict[str, str]]],
) -> None:
    engine, records = indexed
    assert len(gold()) >= 60
    precision, recall, wrong = measure(engine, records)
    print(f"\nattribution: precision {precision:.3f}, recall {recall:.3f}")
    print("\n".join(wrong))
    for part in (False, True):
        p, r, _ = measure(engine, records, held_out=part)
        print(f"{'held out' if part else 'developed on'}: precision {p:.3f}, recall {r:.3f}")
    assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR


def test_every_timeline_entry_carries_its_articles_date(
    indexed: tuple[Engine, dict[str, dict[str, str]]],
) -> None:
    engine, records = indexed
    by_url = {r["url"]: r["published"][:10] for r in records.values()}
    entries = [
        e
        for party in ("Russia", "Ukraine", "Turkey", "Orban")
        for e in engine.timeline(party, limit=200).entries
    ]
    assert len(entries) >= 40
    assert all(e.date.isoformat() == by_url[e.article.url or ""] for e in entries)
    assert all(e.statement in e.article.text for e in entries)
