"""Markdown tables for the benchmark report. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.bench import CorpusBench, SizeBench
    from benchmarks.onnx_bench import OnnxReport
    from bot.evaluate.quality import EvalReport


def table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def corpus_table(corpora: Sequence[CorpusBench]) -> str:
    head = [
        "corpus", "articles", "chunks", "build chunks/s", "bare encode chunks/s",
        "overhead (wall / CPU)",
        "ask p50 ms", "ask p95 ms", "ask p50 CPU ms", "embed p50", "search p50", "cold start s",
        "cold RSS MiB", "index MiB",
    ]  # fmt: skip
    rows = []
    for c in corpora:
        b, lat = c.build, c.latency
        cold = f"{c.cold.seconds:.1f}" if c.cold.ok else f"failed: {c.cold.note}"
        rows.append([
            c.name, str(b.articles), str(b.chunks), f"{b.build_rate:.1f}", f"{b.encode_rate:.1f}",
            f"{100 * b.overhead:+.1f}% / {100 * b.cpu_overhead:+.1f}%", f"{lat.p50_ms:.0f}", f"{lat.p95_ms:.0f}",
            f"{lat.cpu_p50_ms:.0f}", f"{lat.embed_p50_ms:.1f}", f"{lat.search_p50_ms:.1f}", cold,
            f"{c.cold.peak_rss_mb:.0f}", f"{c.index_mb:.1f}",
        ])  # fmt: skip
    return table(head, rows)


def _quality_rows(name: str, q: EvalReport) -> list[list[str]]:
    rows = []
    for mode, r in q.retrieval.items():
        rows.append([name, mode, pct(r.recall_1), pct(r.recall_k), f"{r.mrr:.3f}"])
    return rows


def _answer_row(name: str, q: EvalReport) -> list[str]:
    return [
        name, str(len(q.questions)), pct(q.fact_coverage), pct(q.citation_precision),
        pct(q.sentence_support), pct(q.abstention_precision), pct(q.abstention_recall),
        pct(q.false_decline_rate),
    ]  # fmt: skip


def quality_table(corpora: Sequence[CorpusBench]) -> str:
    graded = [(c.name, c.quality) for c in corpora if c.quality is not None]
    if not graded:
        return "No question set was given for these corpora."
    k = graded[0][1].k
    ranks = table(
        ["corpus", "retrieval", "recall@1", f"recall@{k}", "MRR"],
        [row for name, q in graded for row in _quality_rows(name, q)],
    )
    answers = table(
        [
            "corpus", "questions", "fact coverage", "citation precision", "cited sentence in source",
            "abstention precision", "abstention recall", "false declines",
        ],
        [_answer_row(name, q) for name, q in graded],
    )  # fmt: skip
    return f"{ranks}\n\n{answers}"


def peer_table(corpora: Sequence[CorpusBench]) -> str:
    rows = []
    for c in corpora:
        if c.peer is None:
            continue
        p, q = c.peer, c.quality
        ours = q.retrieval["hybrid"] if q else None
        lat = c.latency
        rows.append([
            c.name, "talks (hybrid + answer)", f"{c.build.build_rate:.1f}",
            f"{lat.p50_ms:.0f} / {lat.p95_ms:.0f} (embed+search {lat.embed_p50_ms + lat.search_p50_ms:.0f})",
            pct(ours.recall_1) if ours else "-", pct(ours.recall_k) if ours else "-",
            f"{ours.mrr:.3f}" if ours else "-",
        ])  # fmt: skip
        rows.append([
            c.name, p.name + (f" — {p.note}" if p.note else ""), f"{p.build_rate:.1f}",
            f"{p.p50_ms:.0f} / {p.p95_ms:.0f} (embed+search only)", pct(p.recall_1),
            pct(p.recall_k), f"{p.mrr:.3f}",
        ])  # fmt: skip
    head = [
        "corpus",
        "pipeline",
        "build chunks/s",
        "query p50 / p95 ms",
        "recall@1",
        "recall@5",
        "MRR",
    ]
    return table(head, rows) if rows else "Not run (--no-peer)."


def onnx_table(onnx: OnnxReport | None) -> str:
    if onnx is None:
        return "Not run (--no-onnx)."
    if not onnx.encoders:
        return onnx.note
    base = onnx.encoders[0].rate
    rows = []
    for e in onnx.encoders:
        q = e.quality
        rows.append([
            e.variant, f"{e.rate:.1f}", f"×{e.rate / base:.2f}", f"{e.cosine_mean:.4f} / {e.cosine_min:.4f}",
            f"{e.build_rate:.1f}" if e.build_rate else "-",
            pct(q.retrieval["hybrid"].recall_k) if q else "-", pct(q.fact_coverage) if q else "-",
            pct(q.abstention_recall) if q else "-", pct(q.false_decline_rate) if q else "-",
        ])  # fmt: skip
    head = [
        "encoder", f"chunks/s ({onnx.sample} passages)", "speed", "cosine to torch mean / min",
        "full build chunks/s", "recall@5", "fact coverage", "abstention recall", "false declines",
    ]  # fmt: skip
    return table(head, rows)


def ann_table(sizes: Sequence[SizeBench]) -> str:
    head = [
        "chunks", "index", "params", "build s", "recall@10", "p50 ms", "p95 ms",
        "p50 ms, 1 thread", "MiB",
    ]  # fmt: skip
    rows = [
        [f"{a.n:,}", a.kind, a.params, f"{a.build_s:.1f}", f"{a.recall_10:.3f}",
         f"{a.p50_ms:.2f}", f"{a.p95_ms:.2f}", f"{a.p50_1t_ms:.2f}", f"{a.mb:.0f}"]
        for s in sizes for a in s.ann
    ]  # fmt: skip
    return table(head, rows) if rows else "No sizes measured."


def pipeline_table(sizes: Sequence[SizeBench]) -> str:
    head = [
        "chunks", "index write s", "ask p50 ms", "ask p95 ms", "ask p50 CPU ms", "embed p50",
        "search p50",
        "cold start s", "peak RSS MiB", "index MiB",
    ]  # fmt: skip
    rows = []
    for s in sizes:
        p, c = s.pipeline, s.cold
        if p is None or c is None:
            continue
        cold = f"{c.seconds:.1f}" if c.ok else f"failed: {c.note}"
        rows.append([
            f"{s.n:,}", f"{s.write_s or 0:.0f}", f"{p.p50_ms:.0f}", f"{p.p95_ms:.0f}", f"{p.cpu_p50_ms:.0f}",
            f"{p.embed_p50_ms:.1f}", f"{p.search_p50_ms:.1f}", cold, f"{c.peak_rss_mb:.0f}",
            f"{s.index_mb or 0:.0f}",
        ])  # fmt: skip
    if not rows:
        return "Full pipeline (ask) at synthetic sizes: not measured."
    return "Full `ask` on a complete synthetic index (SQLite + FAISS + BM25):\n\n" + table(
        head, rows
    )


def timeline_table(sizes: Sequence[SizeBench]) -> str:
    head = [
        "chunks",
        "attributed sentences",
        "statements of the party (median)",
        "timeline p50 ms",
        "timeline p95 ms",
    ]
    rows = [
        [f"{s.n:,}", f"{t.statements:,}", f"{t.party_p50:,}", f"{t.p50_ms:.0f}", f"{t.p95_ms:.0f}"]
        for s in sizes
        if (t := s.timeline) is not None
    ]
    if not rows:
        return "`talks timeline` at synthetic sizes: not measured."
    return (
        "`talks timeline` on the same synthetic index (party with and without a topic):\n\n"
        + table(head, rows)
    )
