"""Quality gate with the real model: the engine must keep finding, answering, citing and declining
at least as well as when these floors were set (a little under the measured values, noted
beside each floor). Slow: the official-statements corpus is indexed once per session.

The official corpus is indexed once, with the bundled article, as a fixed seeded subset — every
article a question names plus 600 others — so that the gate stays within a few minutes on 2
cores; the full corpus is measured by `make bench` (docs/BENCHMARKS.md). The train and dev sets
(issue 9) are checked by kind: answerable (facts and the right citation), near-misses, dates the
articles do not reach and off-topic questions declined. Dev is never tuned on.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import date
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.engine.engine import Engine
from bot.engine.index.embed import Embedder
from bot.evaluate import EvalReport, evaluate, load_qa
from bot.evaluate.quality import misses
from bot.settings import load_settings
from tests.conftest import ROOT, SHARED
from tests.throwaway_pg import fresh_database

# Indexing the subset takes a few minutes on 2 cores, counted against the first test that uses it.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
HERE = Path(__file__).resolve().parent
SEALED = HERE / "sealed"
OFFICIAL = SHARED / "data" / "official_statements_2021_2022.jsonl"
DISTRACTORS = 600
SEED = 20220224
TODAY = date(2026, 12, 1)  # the day the sets were written


def run(engine: Engine, qa: Path) -> EvalReport:
    report = evaluate(engine, load_qa(qa))
    print(f"\n{qa.name}:", {m: vars(r) for m, r in report.retrieval.items()})
    print(f"facts {report.fact_coverage:.3f} citations {report.citation_precision}")
    print(f"answered right {report.answered_right} by kind {report.kinds}")
    print(f"abstention P {report.abstention_precision} R {report.abstention_recall}")
    print(f"false declines {report.false_decline_rate}")
    print("\n".join(misses(report)))
    return report


def sources(*sets: Path) -> set[str]:
    return {
        json.loads(line)["source"]
        for qa in sets
        for line in qa.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }


def combined_corpus(target: Path) -> Path:
    """The bundled article, every official article a question names (the sealed set's too), and
    a seeded sample of 600 others (drawn beside the official set's articles, as when the floors
    were measured). The sealed set's own articles (written for the tests, 2014–2022) are added
    only for its run: one tells of an event an older set's question must decline."""
    named = sources(HERE / "qa_official.jsonl")
    also = sources(HERE / "qa_train.jsonl", HERE / "qa_dev.jsonl", SEALED / "qa_sealed.jsonl")
    also -= named
    lines = OFFICIAL.read_text(encoding="utf-8").splitlines()
    urls = [json.loads(line)["url"] for line in lines]
    first = [line for line, url in zip(lines, urls, strict=True) if url in named]
    others = [line for line, url in zip(lines, urls, strict=True) if url not in named]
    sample = random.Random(SEED).sample(others, min(DISTRACTORS, len(others)))
    extra = [line for line, url in zip(lines, urls, strict=True) if url in also]
    keep = list(dict.fromkeys(first + sample + extra))
    target.mkdir(parents=True)
    (target / "official.jsonl").write_text("\n".join(keep) + "\n", encoding="utf-8")
    for article in (ROOT / "corpus").glob("*.md"):
        shutil.copy(article, target / article.name)
    return target


@pytest.fixture(scope="module")
def bundled(real_embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> EvalReport:
    index = tmp_path_factory.mktemp("bundled") / "index"
    engine = Engine(load_settings(corpus_dir=ROOT / "corpus", index_dir=index), real_embedder)
    engine.rebuild()
    return run(engine, HERE / "qa_bundled.jsonl")


@pytest.fixture(scope="module")
def combined(real_embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    if not OFFICIAL.is_file():
        pytest.skip(f"shared corpus not found: {OFFICIAL}")
    root = tmp_path_factory.mktemp("combined")
    settings = load_settings(corpus_dir=combined_corpus(root / "corpus"), index_dir=root / "index")
    engine = Engine(settings, real_embedder)
    engine.today = lambda: TODAY  # "last week" in the sets means the week before this day
    engine.rebuild()
    return engine


@pytest.fixture(scope="module")
def official(combined: Engine) -> EvalReport:
    return run(combined, HERE / "qa_official.jsonl")


@pytest.fixture(scope="module")
def train(combined: Engine) -> EvalReport:
    return run(combined, HERE / "qa_train.jsonl")


@pytest.fixture(scope="module")
def dev(combined: Engine) -> EvalReport:
    return run(combined, HERE / "qa_dev.jsonl")


def share(report: EvalReport, *groups: str) -> float:
    """Right outcomes (answered right, or declined) over the given kinds, both typings."""
    right = n = 0
    for key, (r, count) in report.kinds.items():
        if key.split("/")[0] in groups:
            right, n = right + r, n + count
    return right / n if n else 1.0


def test_bundled_corpus_answers_and_declines(bundled: EvalReport) -> None:
    assert bundled.retrieval["hybrid"].recall_k == 1.0
    assert bundled.citation_precision == 1.0
    assert bundled.fact_coverage >= FLOORS["bundled_facts"]
    assert (bundled.abstention_precision or 0.0) >= FLOORS["bundled_abstention_precision"]
    assert bundled.abstention_recall == 1.0
    assert (bundled.false_decline_rate or 0.0) <= FLOORS["bundled_false_declines"]


def test_official_corpus_retrieval(official: EvalReport) -> None:
    hybrid = official.retrieval["hybrid"]
    assert hybrid.recall_k >= FLOORS["official_recall_5"]
    assert hybrid.recall_1 >= FLOORS["official_recall_1"]


@pytest.mark.parametrize("name", ["train", "dev"])
def test_answers_and_declines_by_kind(name: str, request: pytest.FixtureRequest) -> None:
    report: EvalReport = request.getfixturevalue(name)
    floors = KIND_FLOORS[name]
    assert report.citation_precision == 1.0
    assert (report.answered_right or 0.0) >= floors["answered_right"]
    assert share(report, "dated") >= floors["dated_right"]
    assert share(report, "near_miss") >= floors["near_miss_declined"]
    assert share(report, "off_topic") >= floors["off_topic_declined"]
    assert (report.false_decline_rate or 0.0) <= floors["false_declines"]


def test_official_corpus_answers(official: EvalReport) -> None:
    assert official.citation_precision == 1.0
    assert official.fact_coverage >= FLOORS["official_facts"]
    assert (official.abstention_precision or 0.0) >= FLOORS["official_abstention_precision"]
    assert (official.abstention_recall or 0.0) >= FLOORS["official_abstention_recall"]
    assert (official.false_decline_rate or 0.0) <= FLOORS["official_false_declines"]


# Measured 2026-12-01 on the combined index (715 official articles + the bundled one, 4,0xx
# passages) with the fitted answer step; the bundled set on its own one-article index:
# Answers of at most three sentences (the default).
# bundled: recall@5 1.00, facts 0.84, citations 1.00, abstention P/R 0.91/1.00, false declines 0.06.
# official: hybrid recall@1 0.712, recall@5 0.833, facts 0.465, answered right 0.42, citations
# 1.00, abstention precision 0.85, recall 0.85, false declines 0.045 (3 of 66).
# train: answered right 0.704 (every fact + right article), dated right 23/27, near-misses
# declined 19/23, off-topic 7/7, false declines 0.014. dev: answered right 0.542, dated right
# 10/18, near-misses 10/16, off-topic 4/4, false declines 0.021 (2026-12-02; dev was looked at for
# the chat shortenings and the advice rule, see the issue 9 note).
FLOORS = {
    "bundled_facts": 0.80,
    "bundled_false_declines": 0.12,  # measured 0.059 (1 of 17: "what's umerov's job")
    "bundled_abstention_precision": 0.9,  # measured 0.91 (10 of 11 declines right)
    "official_recall_5": 0.80,
    "official_recall_1": 0.68,
    "official_facts": 0.42,
    # Declining near-misses costs some precision: 0.95 before issue 9, when recall was 0.70.
    "official_abstention_precision": 0.80,
    "official_abstention_recall": 0.80,
    "official_false_declines": 0.07,
}
KIND_FLOORS = {
    "train": {
        "answered_right": 0.65,
        "dated_right": 0.75,
        "near_miss_declined": 0.75,
        "off_topic_declined": 0.85,
        "false_declines": 0.05,
    },
    "dev": {
        "answered_right": 0.48,
        "dated_right": 0.50,
        "near_miss_declined": 0.55,
        "off_topic_declined": 0.70,
        "false_declines": 0.07,
    },
}


def test_postgres_answers_every_question_as_the_files_store(combined: Engine) -> None:
    """The same corpus in PostgreSQL (vectors moved, not re-encoded) answers every question of
    every set word for word as the files store does: same text, citations and declines."""
    pg_settings = combined.settings.model_copy(
        update={"store": "postgres", "database_url": SecretStr(fresh_database())}
    )
    pg = Engine(pg_settings, combined.embedder)
    pg.today = combined.today
    pg.rebuild(reuse=combined.generation())
    questions = [
        item.question
        for qa in ("qa_bundled.jsonl", "qa_official.jsonl", "qa_train.jsonl", "qa_dev.jsonl")
        for item in load_qa(HERE / qa)
    ]
    differ = [q for q in questions if _answer(pg, q) != _answer(combined, q)]
    assert differ == [], f"{len(differ)} of {len(questions)} answers differ"


def _answer(engine: Engine, question: str) -> tuple[object, ...]:
    a = engine.ask(question)
    return a.text, [(c.n, c.article.id, c.chunk_id, c.quote) for c in a.citations], a.abstained
