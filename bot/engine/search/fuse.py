"""Reciprocal-rank fusion of ranked lists. Pure."""

from __future__ import annotations

from collections.abc import Sequence


def rrf(rankings: Sequence[tuple[Sequence[int], float]], k: int = 60) -> dict[int, float]:
    """Fuse ranked id lists, each with a weight: score(id) = Σ weight / (k + rank)."""
    fused: dict[int, float] = {}
    for ids, weight in rankings:
        for rank, item in enumerate(ids, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused
