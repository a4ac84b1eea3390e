"""Timeline latency: `Engine.timeline` over a complete index, warm, the way /timeline calls it.

The queries mix a whole party without a topic (its newest statements, read through the
(speaker, published) index) with topics (the statements in the topic's passages, scored by their
stored vectors and the topic's key terms). `party_p50` says how many statements the queried
parties have in the index: what a timeline must not read one by one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from benchmarks.speed import ms_percentiles
from bot.engine import Engine

QUERIES: tuple[tuple[str, str | None], ...] = (
    ("Russia", None),
    ("Ukraine", None),
    ("Russia", "ceasefire"),
    ("Ukraine", "security guarantees"),
    ("Russia", "negotiations with Ukraine"),
    ("Zelenskyy", "prisoner exchange"),
)
SAMPLES = 60


@dataclass(frozen=True)
class TimelineLatency:
    p50_ms: float
    p95_ms: float
    samples: int
    statements: int  # attributed sentences in the index
    party_p50: int  # statements the queried party has in the index, median


def measure_timeline(engine: Engine, samples: int = SAMPLES) -> TimelineLatency:
    for party, topic in QUERIES:  # warm: SQLite pages, the model's first encode
        engine.timeline(party, topic=topic)
    snap = engine.generation()
    seconds, sizes = [], []
    for i in range(samples):
        party, topic = QUERIES[i % len(QUERIES)]
        started = time.perf_counter()
        result = engine.timeline(party, topic=topic)
        seconds.append(time.perf_counter() - started)
        counts = snap.speakers()
        sizes.append(sum(counts[name] for name in result.speakers))
    p50, p95 = ms_percentiles(seconds)
    sizes.sort()
    return TimelineLatency(
        p50, p95, len(seconds), sum(snap.speakers().values()), sizes[len(sizes) // 2]
    )
