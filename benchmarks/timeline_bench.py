"""Timeline latency: `Engine.timeline` over a complete index, warm, the way /timeline calls it.

The queries mix the heaviest case (a whole party, no topic: every statement of the party is read
to find the newest) with topics (stored sentence vectors scored against one encoded topic).
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
    read_p50: int  # statements a query read (party and period), median


def measure_timeline(engine: Engine, samples: int = SAMPLES) -> TimelineLatency:
    for party, topic in QUERIES:  # warm: SQLite pages, the model's first encode
        engine.timeline(party, topic=topic)
    snap = engine.generation()
    seconds, read = [], []
    for i in range(samples):
        party, topic = QUERIES[i % len(QUERIES)]
        started = time.perf_counter()
        result = engine.timeline(party, topic=topic)
        seconds.append(time.perf_counter() - started)
        counts = snap.speakers()
        read.append(sum(counts[name] for name in result.speakers))
    p50, p95 = ms_percentiles(seconds)
    read.sort()
    return TimelineLatency(
        p50, p95, len(seconds), sum(snap.speakers().values()), read[len(read) // 2]
    )
