"""`python -m benchmarks` (what `make bench` runs): speed, scale, the LangChain peer and ONNX.

Kept out of the product: it needs the `bench` extra (LangChain, onnxruntime, matplotlib) and the
repository's question sets, which it takes as options (defaults: the repository layout).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from benchmarks.bench import BenchReport, CorpusSpec, Plan, Save, run_bench, step_count
from benchmarks.report import targets, write
from bot.cli.app import engine, fail, out, progress_bar, settings, user_errors
from bot.engine import Engine
from bot.settings import Settings

app = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise fail(f"--chunks takes sizes separated by commas, not {text!r}.") from None
    if any(n < 100 for n in sizes):
        raise fail("--chunks sizes must be at least 100.")
    return sizes


def _corpora(
    s: Settings, corpus: Path | None, qa: Path | None, qa_dir: Path, shared: Path
) -> list[CorpusSpec]:
    if corpus is not None:
        if not corpus.exists():
            raise fail(f"No corpus at {corpus}.")
        return [CorpusSpec(corpus.stem or "corpus", corpus, qa)]
    specs = [CorpusSpec("bundled", s.corpus_dir, qa_dir / "qa_bundled.jsonl")]
    if shared.is_dir():
        specs.append(CorpusSpec("official-statements", shared, qa_dir / "qa_official.jsonl"))
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
    qa_dir: Annotated[
        Path, typer.Option(help="Where qa_bundled.jsonl and qa_official.jsonl are.")
    ] = Path("tests/quality"),
    shared_data: Annotated[
        Path, typer.Option(help="The official-statements corpus, measured if present.")
    ] = Path("../shared/data"),
    peer: Annotated[bool, typer.Option(help="Run the LangChain pipeline beside ours.")] = True,
    onnx: Annotated[bool, typer.Option(help="Measure the ONNX encoders.")] = True,
    pipeline_max: Annotated[
        int, typer.Option(help="Largest synthetic size at which the full ask is measured.")
    ] = 100_000,
    postgres: Annotated[
        bool, typer.Option(help="The same figures on PostgreSQL + pgvector (a throwaway server).")
    ] = True,
    threads: Annotated[
        int, typer.Option(min=0, help="Threads for torch/FAISS/onnxruntime (0: their defaults).")
    ] = 0,
) -> None:
    """Measure build speed, query latency, memory and scale; write a Markdown report and plot."""
    s = settings()
    sizes = _sizes(chunks)
    specs = _corpora(s, corpus, qa, qa_dir, shared_data)
    eng = engine(s)
    command = f"make bench BENCH_ARGS='--chunks {chunks} --out {out_file}" + (
        f" --corpus {corpus} --qa {qa}" if corpus else ""
    )
    command += (f" --threads {threads}" if threads else "") + "'"
    with tempfile.TemporaryDirectory(prefix="talks-bench-") as work:
        plan = Plan(
            specs, sizes, Path(work), pipeline_max, peer, onnx, threads=threads, postgres=postgres
        )
        with user_errors():
            report = _run_with_bar(
                plan, s, eng, lambda r: write(r, out_file, command + " (partial)")
            )
            png = write(report, out_file, command)
    table = Table("target", "measured", "", title="Targets")
    for row in targets(report):
        table.add_row(*row)
    out.print(table)
    out.print(
        f"Report written to {out_file}"
        + (f" with plot {png}" if png else " (no matplotlib: no plot)")
    )


if __name__ == "__main__":
    app()
