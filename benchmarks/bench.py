"""Speed and scale figures, all measured in one run (`make bench`); __main__ renders them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks import onnx_bench
from benchmarks.machine import machine
from benchmarks.peer import PeerFigures, run_peer
from benchmarks.pg_bench import PgBench
from benchmarks.pg_run import run_postgres
from benchmarks.prompt_bench import PromptLatency, measure_prompt
from benchmarks.scale import AnnFigures, measure_size
from benchmarks.speed import (
    Build,
    Latency,
    Process,
    cold_start,
    index_mb,
    indexed,
    measure_build,
    measure_latency,
    set_threads,
    thread_env,
)
from benchmarks.synth import synth_articles, synth_vectors, write_index
from benchmarks.timeline_bench import TimelineLatency, measure_timeline
from bot.engine.engine import Engine
from bot.engine.index.embed import Embedder
from bot.engine.models import Article, Chunk
from bot.engine.store.files import FileSnapshot
from bot.evaluate.qa import QAItem, load_qa
from bot.evaluate.quality import EvalReport, evaluate
from bot.settings import Settings

Step = Callable[[str], None]  # called as each measurement starts
Save = Callable[["BenchReport"], object]  # called with the figures so far after each part
ARTICLE_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm", ".jsonl"}


@dataclass(frozen=True)
class CorpusSpec:
    name: str
    path: Path  # a corpus folder or a single corpus file
    qa: Path | None = None


@dataclass(frozen=True)
class Plan:
    corpora: list[CorpusSpec]
    sizes: list[int]
    work: Path
    pipeline_max: int = 100_000  # full ask (BM25 + SQLite + answer) measured up to this size
    peer: bool = True
    onnx: bool = True
    queries: int = 200  # synthetic-scale queries
    threads: int = 0  # torch / FAISS / onnxruntime threads; 0 = the libraries' defaults
    postgres: bool = True  # the same figures on PostgreSQL + pgvector (benchmarks/pg_run.py)
    postgres_max: int = 100_000  # largest synthetic size written into PostgreSQL

    @property
    def env(self) -> dict[str, str]:
        return thread_env(self.threads)


@dataclass
class CorpusBench:
    name: str
    build: Build
    latency: Latency
    cold: Process
    index_mb: float
    quality: EvalReport | None = None
    peer: PeerFigures | None = None


@dataclass
class SizeBench:
    n: int
    ann: list[AnnFigures]
    pipeline: Latency | None = None
    cold: Process | None = None
    index_mb: float | None = None
    write_s: float | None = None  # SQLite + FAISS + BM25 build from synthetic parts
    timeline: TimelineLatency | None = None  # `talks timeline` on the same synthetic index
    prompt: PromptLatency | None = None  # a language model's prompt built, after the answer


@dataclass
class BenchReport:
    machine: dict[str, str]
    corpora: list[CorpusBench] = field(default_factory=list)
    onnx: onnx_bench.OnnxReport | None = None
    sizes: list[SizeBench] = field(default_factory=list)
    parent_cosine: float | None = None  # mean cosine of a synthetic vector to its real parent
    loads: list[float] = field(default_factory=list)  # 1-minute load average at each step
    seconds: float = 0.0
    postgres: PgBench | None = None


def link_corpus(spec: CorpusSpec, work: Path) -> Path:
    """A folder holding only the corpus's article files (a README beside them is no article)."""
    target = work / f"corpus-{spec.name}"
    target.mkdir(parents=True, exist_ok=True)
    files = [spec.path] if spec.path.is_file() else sorted(spec.path.iterdir())
    for f in files:
        if f.suffix.lower() in ARTICLE_SUFFIXES and not f.name.lower().startswith("readme"):
            (target / f.name).symlink_to(f.resolve())
    return target


def questions_for(items: Sequence[QAItem], passages: Sequence[tuple[Chunk, Article]]) -> list[str]:
    """The question set's questions, or, lacking one, passages' opening words as queries."""
    if items:
        return [i.question for i in items]
    rng = np.random.default_rng(0)
    picks = rng.choice(len(passages), size=min(30, len(passages)), replace=False)
    return [" ".join(passages[int(i)][0].text.split()[:12]) for i in picks]


def bench_corpus(
    plan: Plan, spec: CorpusSpec, settings: Settings, embedder: Embedder, step: Step
) -> tuple[CorpusBench, Engine, list[QAItem]]:
    folder = link_corpus(spec, plan.work)
    s = settings.model_copy(update={"corpus_dir": folder, "index_dir": plan.work / spec.name})
    engine = Engine(s, embedder)
    step(f"{spec.name}: build and bare encode")
    build = measure_build(engine)
    items = load_qa(spec.qa) if spec.qa and spec.qa.is_file() else []
    passages = indexed(engine.generation())
    step(f"{spec.name}: warm query latency")
    latency = measure_latency(engine, questions_for(items, passages))
    step(f"{spec.name}: cold start")
    cold = cold_start(s, questions_for(items, passages)[0], plan.env)
    result = CorpusBench(spec.name, build, latency, cold, index_mb(engine))
    if items:
        step(f"{spec.name}: quality")
        result.quality = evaluate(engine, items)
    if plan.peer:
        step(f"{spec.name}: LangChain peer")
        result.peer = run_peer(s, embedder, passages, items)
    return result, engine, items


def bench_size(
    plan: Plan, n: int, engine: Engine, questions: Sequence[str], step: Step
) -> tuple[SizeBench, float]:
    """ANN figures at n synthetic vectors; the full ask too when n is small enough."""
    gen = engine.generation()
    assert isinstance(gen, FileSnapshot)  # the scale figures measure the files store's FAISS
    passages = indexed(gen)
    base = gen.dense.vectors(np.asarray(sorted(int(i) for i in gen.dense.ids())))
    step(f"{n:,} chunks: synthetic vectors")
    vectors, parents = synth_vectors(base, n)
    cosine = float(np.mean(np.sum(vectors[:2000] * base[parents[:2000]], axis=1)))
    real_q = engine.embedder.encode(list(questions))
    fake_q, _ = synth_vectors(base, max(0, plan.queries - len(real_q)), seed=1)
    queries = np.ascontiguousarray(np.vstack([real_q, fake_q])[: plan.queries])
    step(f"{n:,} chunks: flat / HNSW / IVF")
    result = SizeBench(n, measure_size(vectors, queries, approximate=True))
    if n <= plan.pipeline_max:
        step(f"{n:,} chunks: full pipeline")
        full_pipeline(plan, result, engine, vectors, parents, passages, questions)
    return result, cosine


def full_pipeline(
    plan: Plan,
    result: SizeBench,
    engine: Engine,
    vectors: np.ndarray,
    parents: np.ndarray,
    passages: Sequence[tuple[Chunk, Article]],
    questions: Sequence[str],
) -> None:
    s = engine.settings.model_copy(update={"index_dir": plan.work / f"synthetic-{result.n}"})
    texts = [c.text for c, _ in passages]
    titles = [a.title for _, a in passages]
    started = time.perf_counter()
    approximate = result.n >= s.ann_min_chunks
    dates = [a.published for _, a in passages]
    articles = synth_articles(texts, titles, parents, dates)
    write_index(s, engine.embedder, vectors, articles, approximate)
    result.write_s = time.perf_counter() - started
    synthetic = Engine(s, engine.embedder)
    result.pipeline = measure_latency(synthetic, questions)
    result.timeline = measure_timeline(synthetic)
    result.prompt = measure_prompt(synthetic, questions)
    result.index_mb = index_mb(synthetic)
    result.cold = cold_start(s, questions[0], plan.env)
    synthetic.generation().close()


def run_bench(
    plan: Plan, settings: Settings, embedder: Embedder, step: Step, save: Save | None = None
) -> BenchReport:
    """Every measurement in one run; `save` gets the figures so far after each part, so a long
    run that is stopped still leaves a report of what it finished."""
    started = time.perf_counter()
    set_threads(plan.threads)
    report = BenchReport(machine())
    report.machine["threads per process"] = str(plan.threads or "library defaults")

    def mark(label: str) -> None:
        report.loads.append(os.getloadavg()[0])
        report.seconds = time.perf_counter() - started
        if save and label != "done":
            save(report)
        step(label)

    largest: tuple[Engine, list[QAItem]] | None = None
    built: list[tuple[str, Engine, list[QAItem]]] = []
    for spec in plan.corpora:
        figures, engine, items = bench_corpus(plan, spec, settings, embedder, mark)
        report.corpora.append(figures)
        built.append((spec.name, engine, items))
        if largest is None or figures.build.chunks >= largest[0].stats().chunks:
            largest = (engine, items)
    if largest is None:
        return report
    engine, items = largest
    passages = indexed(engine.generation())
    questions = questions_for(items, passages)
    if plan.onnx:
        mark("ONNX encoders")
        report.onnx = onnx_bench.run(plan.work, engine, passages, items, mark, plan.threads)
    for n in plan.sizes:
        size, report.parent_cosine = bench_size(plan, n, engine, questions, mark)
        report.sizes.append(size)
    if plan.postgres:
        built.sort(key=lambda b: b[1].stats().chunks)  # the largest corpus last: its vectors
        sizes = [n for n in plan.sizes if n <= plan.postgres_max]
        report.postgres = run_postgres(built, sizes, questions, plan.work, mark)
    mark("done")
    report.seconds = time.perf_counter() - started
    return report


def step_count(plan: Plan) -> int:
    """How many times run_bench calls step (for a progress bar)."""
    corpora = sum(3 + bool(c.qa and c.qa.is_file()) + plan.peer for c in plan.corpora)
    sizes = sum(3 if n <= plan.pipeline_max else 2 for n in plan.sizes)
    postgres = 0
    if plan.postgres:
        pg_sizes = sum(n <= plan.postgres_max for n in plan.sizes)
        postgres = len(plan.corpora) + pg_sizes + (4 if pg_sizes else 0)
    return corpora + 2 * plan.onnx + sizes + postgres + 1
