"""talks eval / talks bench: metrics on hand-made answers, and tiny runs of both commands."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.__main__ import app as bench_app
from bot.cli.app import app
from bot.engine.answer.features import FEATURES
from bot.engine.engine import Engine
from bot.engine.models import Answer, Article, Chunk, Citation, Hit
from bot.errors import BadInput
from bot.evaluate import evaluate, load_qa
from bot.evaluate.metrics import citation_checks, facts_found, first_rank, mrr, recall_at
from bot.evaluate.qa import QAItem
from bot.settings import Settings
from tests.conftest import WordHashEmbedder
from tests.fakellm import FakeLLM, Script

KREMLIN = "Kremlin sets terms for a ceasefire"
UMEROV = "Umerov proposes new round of talks"
MINI_SET = [
    {"question": "What does the Kremlin insist a peace deal must include?",
     "facts": [["four annexed regions"], ["NATO"]], "source": KREMLIN, "style": "formal"},
    {"question": "where would the talks with the russian side take place",
     "facts": [["Istanbul"]], "source": UMEROV, "style": "casual"},
    {"question": "Who won the 2024 Tour de France cycling race?",
     "facts": [], "source": None, "style": "formal"},
]  # fmt: skip

ARTICLE = Article("a1", "Talks resume", "Umerov met Yermak. They agreed on Istanbul.", "a.md")
CHUNK = Chunk("c1", "a1", 0, ARTICLE.text, None, 0, len(ARTICLE.text))
OTHER = Article("a2", "Grain", "Ships left Odesa.", "b.md", url="https://x.org/grain")


def write_set(path: Path, items: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    return path


def test_load_qa_reads_items_and_rejects_malformed_lines(tmp_path: Path) -> None:
    items = load_qa(write_set(tmp_path / "ok.jsonl", MINI_SET))
    assert [i.answerable for i in items] == [True, True, False]
    assert items[0].facts == (("four annexed regions",), ("NATO",))
    bad = tmp_path / "bad.jsonl"
    for line, needle in (
        ('{"question": "q"', "bad.jsonl:1: not valid JSON"),
        ('{"question": "q", "facts": []}', "expected an object"),
        ('{"question": "q", "facts": ["x"], "source": null}', "each fact must be"),
        ('{"question": "", "facts": [], "source": null}', "'question'"),
    ):
        bad.write_text(line + "\n", encoding="utf-8")
        with pytest.raises(BadInput, match=needle):
            load_qa(bad)
    with pytest.raises(BadInput, match="Cannot read"):
        load_qa(tmp_path / "missing.jsonl")


def test_ranks_recall_and_mrr() -> None:
    hits = [Hit(CHUNK, OTHER, 0.9), Hit(CHUNK, ARTICLE, 0.5)]
    assert first_rank(hits, "talks RESUME") == 2
    assert first_rank(hits, "https://x.org/grain/") == 1
    assert first_rank(hits, "Nowhere") is None
    assert recall_at([1, 2, None, 7], 1) == 0.25
    assert recall_at([1, 2, None, 7], 5) == 0.5
    assert mrr([1, 2, None, 4]) == pytest.approx((1 + 0.5 + 0.25) / 4)


def test_facts_and_citations_are_checked_against_the_answer() -> None:
    good = Citation(1, ARTICLE, "They agreed on Istanbul.", "c1")
    invented = Citation(2, ARTICLE, "They agreed on Geneva.", "c1")
    text = "As of 2025-01-01: Umerov met Yermak. [1] They agreed on Geneva. [2] Made up. [3]"
    answer = Answer("q", text, (good, invented), hits=(Hit(CHUNK, ARTICLE, 1.0),))
    assert facts_found(answer, [["istanbul", "Geneva"], ["Yermak"], ["Paris"]]) == 2
    assert citation_checks(answer) == (3, 1, 1)  # [2] quotes text not in the article; [3] dangles
    unretrieved = Answer("q", "Umerov met Yermak. [1]", (good,), hits=())
    assert citation_checks(unretrieved) == (1, 0, 1)
    declined = Answer("q", "no", abstained=True)
    assert facts_found(declined, [["no"]]) == 0 and citation_checks(declined) == (0, 0, 0)


def test_evaluate_scores_a_mini_set(engine: Engine) -> None:
    items = [
        QAItem(i["question"], tuple(tuple(f) for f in i["facts"]), i["source"], i["style"])  # type: ignore[arg-type]
        for i in MINI_SET
    ]
    report = evaluate(engine, items, k=5)
    assert set(report.retrieval) == {"dense", "bm25", "hybrid"}
    assert report.retrieval["hybrid"].recall_k == 1.0
    assert report.citation_precision == 1.0 and report.sentence_support == 1.0
    assert report.abstention_recall == 1.0 and report.abstention_precision == 1.0
    assert report.false_decline_rate == 0.0
    assert report.fact_coverage == pytest.approx(sum(q.facts for q in report.answerable) / 3)
    assert set(report.styles) == {"formal", "casual"} and report.styles["formal"].n == 2


@pytest.fixture
def cli_env(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, make_settings: Callable[..., Settings]
) -> CliRunner:
    """The CLI pointed at the fixture's index, with the word-hash embedder instead of the model."""
    s = engine.settings
    monkeypatch.setenv("TALKS_CORPUS_DIR", str(s.corpus_dir))
    monkeypatch.setenv("TALKS_INDEX_DIR", str(s.index_dir))
    monkeypatch.setenv("TALKS_ABSTAIN_THRESHOLD", str(s.abstain_threshold))
    monkeypatch.setattr("bot.cli.app.open_engine", lambda st: Engine(st, WordHashEmbedder()))
    return CliRunner()


def test_talks_eval_prints_tables_and_json(cli_env: CliRunner, tmp_path: Path) -> None:
    qa = write_set(tmp_path / "qa.jsonl", MINI_SET)
    result = cli_env.invoke(app, ["eval", str(qa)])
    assert result.exit_code == 0, result.output
    assert "recall@5" in result.output and "hybrid" in result.output
    assert "citation precision" in result.output
    result = cli_env.invoke(app, ["eval", str(qa), "--json", "--k", "3"])
    figures = json.loads(result.stdout)
    assert figures["k"] == 3 and figures["retrieval"]["bm25"]["recall_1"] >= 0
    assert len(figures["results"]) == 3


def test_talks_eval_reports_each_set_by_kind(cli_env: CliRunner, tmp_path: Path) -> None:
    train = write_set(tmp_path / "train.jsonl", MINI_SET[:2])
    near_miss = {"question": "what was signed at the valletta summit", "facts": [],
                 "source": None, "style": "casual", "kind": "near_miss"}  # fmt: skip
    dev = write_set(tmp_path / "dev.jsonl", [MINI_SET[0], near_miss])
    result = cli_env.invoke(app, ["eval", str(train), str(dev), "--json"])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["file"] == str(train) and second["file"] == str(dev)
    assert second["kinds"]["near_miss/chat"] == {"right": 1, "n": 1}  # declined: Valletta
    assert 0.0 <= first["answered_right"] <= 1.0


def test_talks_eval_fit_prints_a_weight_per_feature(cli_env: CliRunner, tmp_path: Path) -> None:
    qa = write_set(tmp_path / "qa.jsonl", MINI_SET)
    result = cli_env.invoke(app, ["eval", str(qa), "--fit"])
    assert result.exit_code == 0, result.output
    fitted = json.loads(result.stdout)
    assert set(fitted["weights"]) == set(FEATURES) and fitted["questions"] >= 1


def test_talks_eval_reports_both_modes_when_a_model_is_configured(
    cli_env: CliRunner, tmp_path: Path, fake_llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALKS_LLM_BASE_URL", fake_llm.base_url)
    monkeypatch.setenv("TALKS_LLM_MODEL", "fake")
    # Right for the Kremlin question. The Istanbul question's prompt shows the Kremlin article
    # too, under another number: there the sentence stands, cited to that article.
    fake_llm.script = Script(
        "The Kremlin insists any peace deal must include Ukraine's withdrawal from four annexed "
        "regions and renouncing its NATO aspirations [1]."
    )
    qa = write_set(tmp_path / "qa.jsonl", MINI_SET)
    result = cli_env.invoke(app, ["eval", str(qa), "--json"])
    figures = json.loads(result.stdout)
    assert figures["mode"] == "extractive" and figures["written_by_model"] is None
    generated = figures["generated"]
    assert generated["mode"] == "generated" and generated["written_by_model"] == pytest.approx(
        2 / 3
    )
    first, second = generated["results"][:2]
    assert first["answer"].endswith("NATO aspirations. [1]") and first["facts"] == "2/2"
    assert second["answer"].startswith("The Kremlin insists") and second["facts"] == "0/1"
    assert len(fake_llm.requests) == 2  # the out-of-scope question never reaches the model
    table = cli_env.invoke(app, ["eval", str(qa)])
    assert "Answers (extractive)" in table.output and "Answers (generated)" in table.output
    assert "written by the model" in table.output


def test_talks_eval_rejects_a_malformed_set(cli_env: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    result = cli_env.invoke(app, ["eval", str(bad)])
    assert result.exit_code == 1 and "not valid JSON" in result.output


def test_make_bench_tiny_run_writes_report_and_plot(
    cli_env: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cold start would load the real model in a child process; a trivial child stands in.
    monkeypatch.setattr(
        "benchmarks.speed.cold_start_command", lambda q: [sys.executable, "-c", "print(1)"]
    )
    qa = write_set(tmp_path / "qa.jsonl", MINI_SET)
    out = tmp_path / "B.md"
    corpus = str(tmp_path / "corpus")
    args = ["--chunks", "2000", "--out", str(out), "--corpus", corpus, "--qa", str(qa)]
    result = cli_env.invoke(bench_app, args)
    assert result.exit_code == 0, result.output
    report = out.read_text(encoding="utf-8")
    for heading in (
        "## Machine",
        "## Targets",
        "## Real corpora",
        "LangChain",
        "ONNX",
        "recall@10",
    ):
        assert heading in report
    assert "| 2,000 | hnsw |" in report and "| 2,000 | ivf |" in report
    assert "Full `ask` on a complete synthetic index" in report
    assert (
        "## PostgreSQL + pgvector" in report
        and "| 2,000 |" in report.split("## PostgreSQL + pgvector")[-1]
    )
    if importlib.util.find_spec("matplotlib") is None:  # `make bench` installs it (bench extra)
        assert not (tmp_path / "bench.png").exists()
    else:
        assert (tmp_path / "bench.png").stat().st_size > 1000


def test_make_bench_rejects_bad_sizes(cli_env: CliRunner) -> None:
    result = cli_env.invoke(bench_app, ["--chunks", "10k"])
    assert result.exit_code == 1 and "--chunks" in result.output
