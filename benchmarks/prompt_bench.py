"""Building a language model's prompt, warm: what generation adds to an answer besides the
model's own time. Measured after each question is answered (Engine.asked), as Engine.ask_stream
does: choosing the sources (the answer step's ranking again, the articles' sentences, the budget)
and writing the messages. No model is called.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.speed import ms_percentiles
from bot.engine.answer.generate import messages
from bot.engine.engine import Engine

SAMPLES = 60


@dataclass(frozen=True)
class PromptLatency:
    p50_ms: float
    p95_ms: float
    samples: int
    tokens_p50: int  # estimated tokens of sources in the prompt
    sources_p50: int
    budget: int  # TALKS_LLM_CONTEXT_TOKENS


def measure_prompt(
    engine: Engine, questions: Sequence[str], samples: int = SAMPLES
) -> PromptLatency:
    from bot.engine.answer.evidence import estimate_tokens

    for q in questions[:3]:  # warm: SQLite pages, the model's first encode
        engine.evidence(q)
    seconds, tokens, counts = [], [], []
    for i in range(samples):
        asked = engine.asked(questions[i % len(questions)])
        started = time.perf_counter()
        sources = engine.evidence(asked)
        chat = messages(asked.answer.question, sources, asked.answer.language)
        seconds.append(time.perf_counter() - started)
        tokens.append(estimate_tokens("\n".join(s.line for s in sources)))
        counts.append(len(sources))
        del chat
    p50, p95 = ms_percentiles(seconds)
    tokens.sort()
    counts.sort()
    return PromptLatency(
        p50, p95, len(seconds), tokens[len(tokens) // 2], counts[len(counts) // 2],
        engine.settings.llm_context_tokens,
    )  # fmt: skip
