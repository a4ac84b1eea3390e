"""The PostgreSQL part of `make bench`, and `python -m benchmarks.pg_run` to run it alone.

Alone, it builds the files index of each corpus given (the bundled one by default), moves it into
PostgreSQL, and measures; it then rewrites only its own section of docs/BENCHMARKS.md, so a full
`make bench` report and this part can be refreshed separately.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from benchmarks.pg_bench import PgBench, Server, agreement, measure_scale
from benchmarks.pg_clients import add_visibility, throughput
from benchmarks.pg_report import SECTION_END, SECTION_START, pg_section
from benchmarks.speed import indexed
from benchmarks.synth import synth_vectors
from bot.engine.engine import Engine
from bot.engine.index.embed import model_label
from bot.evaluate.qa import QAItem, load_qa
from bot.settings import Settings

Step = Callable[[str], None]
CLIENTS = (1, 4, 8)
QUERIES = 200
ADDED = """---
title: Energy truce agreed for power plants
outlet: Wire
published: 2025-03-25
---

Both sides agreed to stop striking power plants and substations for thirty days, the mediators
said after the talks in Riyadh.
"""


def run_postgres(
    corpora: Sequence[tuple[str, Engine, list[QAItem]]],
    sizes: Sequence[int],
    questions: Sequence[str],
    work: Path,
    step: Step,
    url: str | None = None,
) -> PgBench:
    """Same answers per corpus; then, on the last corpus's vectors, each synthetic size."""
    server = Server(url)
    bench = PgBench(server.version())
    for name, engine, items in corpora:
        step(f"postgres: same answers ({name})")
        bench.agreements.append(agreement(name, engine, items, server.fresh()))
    engine = corpora[-1][1]
    settings: Settings | None = None
    for n in sizes:
        step(f"postgres: {n:,} passages")
        gen = engine.generation()
        passages = indexed(gen)
        base = gen.dense.vectors(np.asarray(sorted(int(i) for i in gen.dense.ids())))  # type: ignore[attr-defined]
        vectors, parents = synth_vectors(base, n)
        real_q = engine.embedder.encode(list(questions))
        fake_q, _ = synth_vectors(base, max(0, QUERIES - len(real_q)), seed=1)
        queries = np.ascontiguousarray(np.vstack([real_q, fake_q])[:QUERIES])
        scale, settings = measure_scale(
            engine, server.fresh(), vectors, parents, passages, queries, questions
        )
        bench.scales.append(scale)
    if settings is not None and not _loadable(settings, engine.embedder.name):
        bench.skipped = (
            f"Clients and the add in another process were not measured: they load the"
            f" configured model, and this run's vectors come from {engine.embedder.name}."
        )
    elif settings is not None:
        for clients in CLIENTS:
            step(f"postgres: {clients} concurrent clients")
            bench.throughput.append(throughput(settings, questions, clients))
        bench.load = os.getloadavg()[0]
        step("postgres: an add seen by another process")
        article = work / "pg-add" / "truce.md"
        article.parent.mkdir(parents=True, exist_ok=True)
        article.write_text(ADDED, encoding="utf-8")
        pg = Engine(settings, engine.embedder)
        bench.add_s, bench.visible_ms = add_visibility(pg, article, work / "pg-add-corpus")
    return bench


def _loadable(settings: Settings, name: str) -> bool:
    """Would another process, loading the configured model, embed as `name` does?"""
    label = model_label(settings.embedding_model)
    return name == (label if settings.embedding_backend == "torch" else f"{label}+onnx")


def replace_section(doc: Path, section: str) -> None:
    """Put `section` between its markers in `doc`, replacing an older one, or append it."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    block = f"{SECTION_START}\n{section}\n{SECTION_END}"
    if SECTION_START in text and SECTION_END in text:
        head, rest = text.split(SECTION_START, 1)
        text = head + block + rest.split(SECTION_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def main(
    corpus: Annotated[list[Path], typer.Option(help="Corpus folder or file; repeat.")] = [],  # noqa: B006
    qa: Annotated[list[Path], typer.Option(help="Question set of each --corpus, in order.")] = [],  # noqa: B006
    chunks: Annotated[str, typer.Option(help="Synthetic sizes, comma-separated.")] = "100000",
    out: Annotated[Path, typer.Option(help="Report whose PostgreSQL section is rewritten.")] = Path(
        "docs/BENCHMARKS.md"
    ),
    database_url: Annotated[
        str | None, typer.Option(help="A server to use (default: throwaway).")
    ] = None,
) -> None:
    from bot.engine import open_engine
    from bot.settings import load_settings

    started = time.perf_counter()
    corpus = corpus or [Path("corpus")]
    qa = qa or [Path("tests/quality/qa_bundled.jsonl")]
    sizes = [int(x) for x in chunks.replace("_", "").split(",") if x.strip()]
    with tempfile.TemporaryDirectory(prefix="talks-pg-bench-") as tmp:
        work = Path(tmp)
        base = load_settings()
        embedder = open_engine(base).embedder
        corpora = []
        for path, questions_file in zip(corpus, qa, strict=True):
            print(f"indexing {path} with the files store …", flush=True)
            s = base.model_copy(update={"corpus_dir": path, "index_dir": work / path.stem})
            engine = Engine(s, embedder)
            engine.rebuild()
            corpora.append((path.stem, engine, load_qa(questions_file)))
        questions = [i.question for i in corpora[-1][2]]
        bench = run_postgres(
            corpora, sizes, questions, work, lambda label: print(label, flush=True)
        )
    minutes = (time.perf_counter() - started) / 60
    command = "python -m benchmarks.pg_run " + " ".join(
        [*(f"--corpus {c} --qa {q}" for c, q in zip(corpus, qa, strict=True)), f"--chunks {chunks}"]
    )
    replace_section(out, pg_section(bench, f"`{command}`, {minutes:.1f} min"))
    print(f"PostgreSQL section written to {out}")


if __name__ == "__main__":
    typer.run(main)
