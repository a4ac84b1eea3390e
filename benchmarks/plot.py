"""The benchmark plot: latency and throughput against corpus size (needs the `bench` extra)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench import BenchReport


def _series(report: BenchReport) -> dict[str, list[tuple[int, float]]]:
    ask = [(c.build.chunks, c.latency.p50_ms) for c in report.corpora]
    ask += [(s.n, s.pipeline.p50_ms) for s in report.sizes if s.pipeline]
    lines: dict[str, list[tuple[int, float]]] = {"ask p50 (embed + hybrid search + answer)": ask}
    for kind, label in (("flat", "exact FAISS search p50"), ("hnsw", "HNSW search p50 (engine)")):
        lines[label] = [
            (s.n, next(a.p50_ms for a in s.ann if a.kind == kind))
            for s in report.sizes
            if any(a.kind == kind for a in s.ann)
        ]
    return {k: sorted(v) for k, v in lines.items() if v}


def plot(report: BenchReport, png: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, points in _series(report).items():
        left.plot(*zip(*points, strict=True), marker="o", label=label)
    left.set(xscale="log", yscale="log", xlabel="chunks", ylabel="ms per query", title="Latency")
    if left.lines:
        left.legend(fontsize=7)
    build = sorted((c.build.chunks, c.build.build_rate) for c in report.corpora)
    encode = sorted((c.build.chunks, c.build.encode_rate) for c in report.corpora)
    qps = sorted(
        (s.n, 1000 / next(a.p50_ms for a in s.ann if a.kind == "flat")) for s in report.sizes
    )
    for label, points in (
        ("index build (chunks/s)", build),
        ("bare encode (chunks/s)", encode),
        ("exact search (queries/s)", qps),
    ):
        if points:
            right.plot(*zip(*points, strict=True), marker="o", label=label)
    right.set(xscale="log", yscale="log", xlabel="chunks", ylabel="per second", title="Throughput")
    if right.lines:
        right.legend(fontsize=7)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return True
