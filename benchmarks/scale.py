"""Search at sizes beyond the real corpus: exact vs approximate FAISS indexes on synthetic vectors."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import faiss
import numpy as np

from benchmarks.speed import ms_percentiles
from bot.engine.store.dense import DenseIndex

K = 10
HNSW_EF = (64, 128, 256)  # 64 is the engine's setting
IVF_NPROBE = (8, 16, 32, 64)


@dataclass(frozen=True)
class AnnFigures:
    n: int
    kind: str  # "flat", "hnsw", "ivf"
    params: str
    build_s: float
    recall_10: float  # overlap of the top 10 with exact search's top 10
    p50_ms: float
    p95_ms: float
    mb: float  # serialised index size (≈ its memory)
    p50_1t_ms: float = 0.0  # the same searches with FAISS limited to one OpenMP thread


def search_each(index: Any, queries: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """One query at a time, as the bot searches: ids (len(queries), K) and seconds per query."""
    ids, seconds = [], []
    for q in queries:
        started = time.perf_counter()
        _, found = index.search(q.reshape(1, -1), K)
        seconds.append(time.perf_counter() - started)
        ids.append(found[0])
    return np.vstack(ids), seconds


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    hits = sum(len(set(f.tolist()) & set(t.tolist())) for f, t in zip(found, truth, strict=True))
    return hits / truth.size


def _mb(index: Any) -> float:
    return float(faiss.serialize_index(index).nbytes) / 2**20


def figures(
    n: int, kind: str, params: str, build_s: float, index: Any, queries: np.ndarray, truth: Any
) -> tuple[AnnFigures, np.ndarray]:
    found, seconds = search_each(index, queries)
    p50, p95 = ms_percentiles(seconds)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        single = ms_percentiles(search_each(index, queries)[1])[0]
    finally:
        faiss.omp_set_num_threads(threads)
    rec = 1.0 if truth is None else recall(found, truth)
    return AnnFigures(n, kind, params, build_s, rec, p50, p95, _mb(index), single), found


def measure_flat(vectors: np.ndarray, queries: np.ndarray) -> tuple[AnnFigures, np.ndarray]:
    started = time.perf_counter()
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return figures(
        len(vectors), "flat", "exact", time.perf_counter() - started, index, queries, None
    )


def measure_hnsw(vectors: np.ndarray, queries: np.ndarray, truth: np.ndarray) -> list[AnnFigures]:
    """The engine's own approximate index (DenseIndex, HNSW), at several search depths."""
    started = time.perf_counter()
    dense = DenseIndex.empty(vectors.shape[1], approximate=True)
    dense.add(np.arange(len(vectors), dtype=np.int64), vectors)
    build_s = time.perf_counter() - started
    inner: Any = faiss.downcast_index(dense.index.index)
    out = []
    for ef in HNSW_EF:
        inner.hnsw.efSearch = ef
        params = f"M=32 efSearch={ef}"
        out.append(figures(len(vectors), "hnsw", params, build_s, dense.index, queries, truth)[0])
    return out


def measure_ivf(vectors: np.ndarray, queries: np.ndarray, truth: np.ndarray) -> list[AnnFigures]:
    n, dim = vectors.shape
    nlist = max(8, min(2 ** round(math.log2(4 * math.sqrt(n))), n // 40))
    started = time.perf_counter()
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    sample = vectors[np.random.default_rng(1).permutation(n)[: min(n, nlist * 50)]]
    index.train(sample)
    index.add(vectors)
    build_s = time.perf_counter() - started
    out = []
    for nprobe in IVF_NPROBE:
        index.nprobe = min(nprobe, nlist)
        params = f"nlist={nlist} nprobe={index.nprobe}"
        out.append(figures(n, "ivf", params, build_s, index, queries, truth)[0])
    return out


def measure_size(vectors: np.ndarray, queries: np.ndarray, approximate: bool) -> list[AnnFigures]:
    """Exact search always; the approximate indexes where asked (they are slow to build)."""
    flat, truth = measure_flat(vectors, queries)
    if not approximate:
        return [flat]
    return [flat, *measure_hnsw(vectors, queries, truth), *measure_ivf(vectors, queries, truth)]
