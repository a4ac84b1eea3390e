"""Measuring commands: eval (answer quality) and bench (speed and scale)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bot.cli.app import app, engine, err, fail, out, progress_bar, settings, user_errors
from bot.engine.engine import Engine
from bot.evaluate import EvalReport, evaluate, load_qa
from bot.evaluate.bench import BenchReport, CorpusSpec, Plan, Save, run_bench, step_count
from bot.evaluate.quality import answer_modes, misses, report_dict
from bot.evaluate.report import targets, write
from bot.settings import Settings

QA_DIR = Path("tests/quality")
SHARED_DATA = Path("../shared/data")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def eval_tables(report: EvalReport) -> list[Table]:
    k = report.k
    retrieval = Table("retrieval", "recall@1", f"recall@{k}", "MRR", title="Right article")
    for mode, f in report.retrieval.items():
        retrieval.add_row(mode, _pct(f.recall_1), _pct(f.recall_k), f"{f.mrr:.3f}")
    answers = Table("answers", "value", title=f"Answers ({report.mode})")
    for label, value in (
        ("fact coverage", _pct(report.fact_coverage)),
        ("citation precision", _pct(report.citation_precision)),
        ("cited sentence stands in its source", _pct(report.sentence_support)),
        ("abstention precision", _pct(report.abstention_precision)),
        ("abstention recall", _pct(report.abstention_recall)),
        ("false declines (answerable)", _pct(report.false_decline_rate)),
        ("latency p50 (ask)", f"{report.latency_p50_ms:.0f} ms"),
    ):
        answers.add_row(label, value)
    if report.written is not None:
        answers.add_row("written by the model (rest fell back)", _pct(report.written))
    per_style = Table("style", "n", f"recall@{k}", "facts", "right decision", title="By style")
    for style, s in report.styles.items():
        per_style.add_row(
            style, str(s.n), _pct(s.recall_k), _pct(s.fact_coverage), _pct(s.correct_decisions)
        )
    return [retrieval, answers, per_style]


@app.command("eval")
def eval_(
    qa_file: Annotated[Path, typer.Argument(help="Question set (.jsonl).")],
    k: Annotated[int, typer.Option("--k", min=1, max=20, help="Cut-off for recall@k.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Score the indexed articles' answers to a question set: retrieval, facts, citations."""
    with user_errors():
        items = load_qa(qa_file)
    eng = engine(settings())
    with user_errors():
        reports = [evaluate(eng, items, k, mode=m) for m in answer_modes(eng)]
    first = reports[0]
    if as_json:  # the extractive figures at the top, as before; generated ones under their key
        figures = report_dict(first) | {r.mode: report_dict(r) for r in reports[1:]}
        print(json.dumps(figures, ensure_ascii=False))
        return
    out.print(f"{len(first.questions)} questions, {len(first.answerable)} answerable")
    for i, report in enumerate(reports):
        for table in eval_tables(report)[1 if i else 0 :]:  # retrieval is the same for both
            out.print(table)
        for line in misses(report):
            err.print(
                f"[yellow]miss ({report.mode}):[/yellow] {line}", markup=True, highlight=False
            )


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise fail(f"--chunks takes sizes separated by commas, not {text!r}.") from None
    if any(n < 100 for n in sizes):
        raise fail("--chunks sizes must be at least 100.")
    return sizes


def _corpora(s: Settings, corpus: Path | None, qa: Path | None) -> list[CorpusSpec]:
    if corpus is not None:
        if not corpus.exists():
            raise fail(f"No corpus at {corpus}.")
        return [CorpusSpec(corpus.stem or "corpus", corpus, qa)]
    specs = [CorpusSpec("bundled", s.corpus_dir, QA_DIR / "qa_bundled.jsonl")]
    if SHARED_DATA.is_dir():
        specs.append(CorpusSpec("official-statements", SHARED_DATA, QA_DIR / "qa_official.jsonl"))
    return specs


def _run_with_bar(plan: Plan, s: Settings, eng: Engine, save: Save) -> BenchReport:
    with progress_bar() as bar:
        task = bar.add_task("bench", total=step_count(plan))
        started = [False]

        def step(label: str) -> None:
            bar.update(task, description=label, advance=1 if started[0] else 0)
            started[0] = True

        return run_bench(plan, s, eng.embedder, step, save)


@app.command()
def bench(
    chunks: Annotated[
        str, typer.Option(help="Synthetic corpus sizes for the search side, comma-separated.")
    ] = "10000,100000,1000000",
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the report.")] = Path(
        "docs/BENCHMARKS.md"
    ),
    corpus: Annotated[
        Path | None,
        typer.Option(help="Measure this corpus (folder or file) instead of the defaults."),
    ] = None,
    qa: Annotated[Path | None, typer.Option(help="Question set for --corpus.")] = None,
    peer: Annotated[bool, typer.Option(help="Run the LangChain pipeline beside ours.")] = True,
    onnx: Annotated[bool, typer.Option(help="Measure the ONNX encoders.")] = True,
    pipeline_max: Annotated[
        int, typer.Option(help="Largest synthetic size at which the full ask is measured.")
    ] = 100_000,
    threads: Annotated[
        int, typer.Option(min=0, help="Threads for torch/FAISS/onnxruntime (0: their defaults).")
    ] = 0,
) -> None:
    """Measure build speed, query latency, memory and scale; write a Markdown report and plot."""
    s = settings()
    sizes = _sizes(chunks)
    specs = _corpora(s, corpus, qa)
    eng = engine(s)
    command = f"talks bench --chunks {chunks} --out {out_file}" + (
        f" --corpus {corpus} --qa {qa}" if corpus else ""
    )
    command += f" --threads {threads}" if threads else ""
    with tempfile.TemporaryDirectory(prefix="talks-bench-") as work:
        plan = Plan(specs, sizes, Path(work), pipeline_max, peer, onnx, threads=threads)
        with user_errors():
            report = _run_with_bar(
                plan, s, eng, lambda r: write(r, out_file, command + " (partial)")
            )
            png = write(report, out_file, command)
    table = Table("target", "measured", "", title="Targets (issue 5)")
    for row in targets(report):
        table.add_row(*row)
    out.print(table)
    out.print(
        f"Report written to {out_file}"
        + (f" with plot {png}" if png else " (no matplotlib: no plot)")
    )
