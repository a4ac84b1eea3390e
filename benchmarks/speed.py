"""Speed on a real corpus: build vs bare encode, warm query latency, cold start, memory, disk."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.engine.engine import Engine
from bot.engine.index.chunk import embedding_text
from bot.engine.models import Article, Chunk
from bot.engine.search.retrieve import make_query, retrieve
from bot.engine.store.base import Snapshot
from bot.engine.store.files import FileSnapshot
from bot.settings import Settings

LATENCY_SAMPLES = 60
PEAK_MARK = "peak-rss-kib:"
# The child reports its own high-water mark at exit. The kernel's figure for a child (wait4's
# ru_maxrss) also counts the parent's pages it shared between fork and exec, so it reads as large
# as the benchmark process itself; VmHWM belongs to the child's own address space alone.
_REPORT_PEAK = (
    "import atexit, sys\n"
    "def _peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    f"            sys.stderr.write('{PEAK_MARK}' + line.split()[1] + '\\n')\n"
    "atexit.register(_peak)\n"
)


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float
    embed_p50_ms: float  # the question's embedding alone
    search_p50_ms: float  # dense + BM25 + fusion + metadata, given the vector
    samples: int
    cpu_p50_ms: float = 0.0  # CPU time of the whole ask: what a quiet machine would take


@dataclass(frozen=True)
class Process:
    seconds: float
    peak_rss_mb: float
    ok: bool
    note: str = ""


@dataclass(frozen=True)
class Build:
    articles: int
    chunks: int
    build_s: float
    encode_s: float  # the bare model's encode of the very same chunk texts
    build_cpu_s: float = 0.0  # CPU time of each: unlike wall time, not inflated by other jobs
    encode_cpu_s: float = 0.0

    @property
    def build_rate(self) -> float:
        return self.chunks / self.build_s if self.build_s else 0.0

    @property
    def encode_rate(self) -> float:
        return self.chunks / self.encode_s if self.encode_s else 0.0

    @property
    def overhead(self) -> float:
        """Pipeline time beyond the bare encode, as a share of it."""
        return self.build_s / self.encode_s - 1 if self.encode_s else 0.0

    @property
    def cpu_overhead(self) -> float:
        return self.build_cpu_s / self.encode_cpu_s - 1 if self.encode_cpu_s else 0.0


def ms_percentiles(seconds: Sequence[float]) -> tuple[float, float]:
    values = np.asarray(seconds) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def indexed(gen: Snapshot) -> list[tuple[Chunk, Article]]:
    """Every indexed passage with its article, in row order (of the files store)."""
    assert isinstance(gen, FileSnapshot)
    ids = sorted(int(i) for i in gen.dense.ids())
    rows: dict[int, tuple[Chunk, Article]] = {}
    for start in range(0, len(ids), 5000):
        rows.update(gen.passages(ids[start : start + 5000]))
    return [rows[i] for i in ids if i in rows]


def measure_build(engine: Engine) -> Build:
    """A fresh rebuild, then the bare model encoding the same texts, in the same process."""
    engine.embedder.encode(["warm up the model"] * 8)
    cpu = time.process_time()
    report = engine.rebuild()
    build_cpu = time.process_time() - cpu
    texts = [embedding_text(a, c) for c, a in indexed(engine.generation())]
    started, cpu = time.perf_counter(), time.process_time()
    engine.embedder.encode(texts)
    encode_s, encode_cpu = time.perf_counter() - started, time.process_time() - cpu
    return Build(report.articles, report.chunks, report.seconds, encode_s, build_cpu, encode_cpu)


def _timed(fn: Callable[..., object], *args: object, **kwargs: object) -> float:
    started = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - started


def measure_latency(engine: Engine, questions: Sequence[str]) -> Latency:
    """Warm (a few untimed asks first), then the questions round-robin until enough samples."""
    gen = engine.generation()
    for q in questions[:3]:
        engine.ask(q)
    totals, cpu, embeds, searches = [], [], [], []
    s = engine.settings
    for i in range(LATENCY_SAMPLES):
        q = questions[i % len(questions)]
        started = time.process_time()
        totals.append(_timed(engine.ask, q))
        cpu.append(time.process_time() - started)
        embeds.append(_timed(engine.embedder.encode, [q]))
        query = make_query(q, gen, engine.embedder.encode)
        weights = {"dense_weight": s.dense_weight, "sparse_weight": s.sparse_weight}
        searches.append(_timed(retrieve, gen, query, max(s.top_k, 8), **weights))
    p50, p95 = ms_percentiles(totals)
    embed, search = ms_percentiles(embeds)[0], ms_percentiles(searches)[0]
    return Latency(p50, p95, embed, search, len(totals), ms_percentiles(cpu)[0])


def cold_start_command(question: str) -> list[str]:
    """`talks ask` in a fresh interpreter: process start to first answer."""
    code = _REPORT_PEAK + "from bot.cli import main\nmain()"
    return [sys.executable, "-c", code, "ask", question]


def run_measured(command: list[str], env: dict[str, str]) -> Process:
    """Wall time and peak RSS of one child process (wait4 reports that child alone)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    lines = [x for x in errors.strip().splitlines() if not x.startswith(PEAK_MARK)]
    peaks = [int(x[len(PEAK_MARK) :]) for x in errors.splitlines() if x.startswith(PEAK_MARK)]
    note = "" if child.returncode == 0 else (lines[-1] if lines else f"exit {child.returncode}")
    peak_kib = peaks[-1] if peaks else usage.ru_maxrss
    return Process(seconds, peak_kib / 1024, child.returncode == 0, note)


def set_threads(threads: int) -> None:
    """Limit torch and FAISS in this process (0 leaves the libraries' defaults)."""
    if threads > 0:
        import faiss
        import torch

        torch.set_num_threads(threads)
        faiss.omp_set_num_threads(threads)


def thread_env(threads: int) -> dict[str, str]:
    """The same limit for a child process."""
    return {"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)} if threads > 0 else {}


def child_env(s: Settings, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The parent's environment with this engine's index and model pinned for the child."""
    return {
        **os.environ,
        **(extra or {}),
        "TALKS_INDEX_DIR": str(s.index_dir),
        "TALKS_CORPUS_DIR": str(s.corpus_dir),
        "TALKS_EMBEDDING_MODEL": s.embedding_model,
        "TALKS_EMBEDDING_BACKEND": s.embedding_backend,
    }


def cold_start(s: Settings, question: str, extra: dict[str, str] | None = None) -> Process:
    return run_measured(cold_start_command(question), child_env(s, extra))


def index_mb(engine: Engine) -> float:
    return engine.stats().index_bytes / 2**20
