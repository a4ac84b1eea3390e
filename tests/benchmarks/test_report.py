"""The benchmark report's prose follows the measured numbers; it is never a fixed verdict."""

from __future__ import annotations

from benchmarks.bench import BenchReport, SizeBench
from benchmarks.report import why_latency
from benchmarks.speed import Latency
from bot.engine.answer.extractive import CANDIDATE_ARTICLES


def report(p50: float, embed: float, search: float) -> BenchReport:
    latency = Latency(
        p50_ms=p50, p95_ms=p50 * 1.5, embed_p50_ms=embed, search_p50_ms=search, samples=9
    )
    return BenchReport({}, sizes=[SizeBench(100_000, [], pipeline=latency)])


def test_a_met_latency_target_gets_no_excuse() -> None:
    assert why_latency(report(20, 5, 5)) == []


def test_the_largest_share_is_named_from_the_figures() -> None:
    [answer_heavy] = why_latency(report(300, 10, 20))
    assert "largest share is the answer step (90%)" in answer_heavy
    assert f"up to {CANDIDATE_ARTICLES} candidate articles" in answer_heavy
    [search_heavy] = why_latency(report(300, 10, 250))
    assert "largest share is search (83%)" in search_heavy
