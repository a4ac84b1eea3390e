"""Several processes on one PostgreSQL index: queries per second with 1, 4 and 8 clients, and how
long one process's `talks add` takes to reach another process's answers."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.pg_bench import Throughput
from benchmarks.speed import ms_percentiles
from bot.engine.engine import Engine
from bot.settings import Settings

PER_CLIENT = 24  # questions each client asks once all are warm

ADD_SCRIPT = """
import sys, time
from bot.engine import open_engine
from bot.settings import load_settings
engine = open_engine(load_settings())
engine.generation()
started = time.perf_counter()
report = engine.add([sys.argv[1]])
print(time.perf_counter() - started, report.generation)
"""


def _client(settings: Settings, questions: Sequence[str], start: Any, results: Any) -> None:
    from bot.engine import open_engine

    engine = open_engine(settings)
    for q in questions[:3]:
        engine.ask(q)
    start.wait()
    began, seconds = time.perf_counter(), []
    for i in range(PER_CLIENT):
        t = time.perf_counter()
        engine.ask(questions[i % len(questions)])
        seconds.append(time.perf_counter() - t)
    results.put((time.perf_counter() - began, seconds))


def throughput(settings: Settings, questions: Sequence[str], clients: int) -> Throughput:
    """`clients` processes, each with its own model and connections, asking at once."""
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(clients), ctx.Queue()
    env = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # one thread per client, as the bot answers
    try:
        procs = [
            ctx.Process(target=_client, args=(settings, questions, start, results))
            for _ in range(clients)
        ]
        for p in procs:
            p.start()
        got = [results.get(timeout=600) for _ in procs]
        for p in procs:
            p.join()
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    wall = max(g[0] for g in got)
    every = [s for g in got for s in g[1]]
    return Throughput(clients, len(every) / wall, ms_percentiles(every)[0])


def add_visibility(engine: Engine, article: Path, corpus: Path) -> tuple[float, float]:
    """Another process runs `add`; then this engine's next question: (add seconds in the other
    process, ms this process needs to answer from the new generation)."""
    engine.ask("warm up")
    s = engine.settings
    assert s.database_url is not None
    env = {
        **os.environ,
        "TALKS_STORE": "postgres",
        "TALKS_DATABASE_URL": s.database_url.get_secret_value(),
        "TALKS_CORPUS_DIR": str(corpus),
        "TALKS_EMBEDDING_MODEL": s.embedding_model,
    }
    run = subprocess.run(
        [sys.executable, "-c", ADD_SCRIPT, str(article)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    add_s, generation = run.stdout.split()[-2:]
    started = time.perf_counter()
    snap = engine.generation()  # what the next question does first
    switched = time.perf_counter() - started
    assert snap.name == generation, "the other process's add is not visible"
    return float(add_s), switched * 1000
