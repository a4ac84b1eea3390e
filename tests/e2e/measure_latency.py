"""End-to-end latency of /ask against the fake Discord: p50/p95 over 50 questions.

Run: .venv/bin/python -m tests.e2e.measure_latency [--questions 50]

Measured per question: from the moment the fake gateway sent INTERACTION_CREATE to the moment
the bot's final follow-up (the answer replacing "thinking…") reached the fake's REST API. For
comparison, the same questions are timed on Engine.ask alone, so the bot's own share shows.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.chat.client import TalksBot
from bot.engine.index.embed import load_embedder
from bot.settings import default_model

from .conftest import build_engine
from .fakediscord import FakeDiscord, discord_py_globals, running
from .talks_corpus import ASK_GENEVA, ASK_KREMLIN, ASK_NEGOTIATOR, ASK_OFF_TOPIC, ASK_PLANT

QUESTIONS = [
    ASK_KREMLIN,
    ASK_NEGOTIATOR,
    ASK_GENEVA,
    ASK_PLANT,
    ASK_OFF_TOPIC,
    "Where would the talks take place?",
    "What happened to the Black Sea grain corridor?",
    "Which regions must Ukraine withdraw from?",
    "What did the Red Cross say about the corridor?",
    "Who proposed a protection zone around the nuclear plant?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(label: str, seconds: list[float]) -> str:
    ms = [1000 * s for s in seconds]
    return (
        f"{label}: n={len(ms)} p50={percentile(ms, 0.5):.0f} ms p95={percentile(ms, 0.95):.0f} ms "
        f"mean={statistics.mean(ms):.0f} ms max={max(ms):.0f} ms"
    )


async def bot_latencies(root: Path, count: int) -> tuple[list[float], list[float]]:
    engine = build_engine(root, load_embedder(default_model()))
    for q in QUESTIONS:  # warm-up: first calls pay for lazy initialisation
        engine.ask(q)
    latencies: list[float] = []
    direct: list[float] = []
    with discord_py_globals():
        async with FakeDiscord() as fake:
            settings = engine.settings.model_copy(update={"discord_api_base": fake.api_base})
            async with running(TalksBot(engine, settings), fake):
                for i in range(count):  # interleaved, so both see the same machine load
                    question = QUESTIONS[i % len(QUESTIONS)]
                    start = time.perf_counter()
                    engine.ask(question)
                    direct.append(time.perf_counter() - start)
                    rec = await fake.slash("ask", {"question": question})
                    await rec.wait_final(timeout=60, settle=0.05)
                    assert rec.dispatched_at is not None
                    latencies.append(rec.last_activity - rec.dispatched_at)
                fake.assert_clean()
    return latencies, direct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        latencies, direct = asyncio.run(bot_latencies(Path(tmp), args.questions))
    print(summary("/ask end to end (fake Discord)", latencies))
    print(summary("Engine.ask alone              ", direct))
    overhead = [1000 * (b - d) for b, d in zip(latencies, direct, strict=True)]
    print(
        f"bot + Discord round trips (paired difference): median {statistics.median(overhead):.0f} ms"
    )


if __name__ == "__main__":
    main()
