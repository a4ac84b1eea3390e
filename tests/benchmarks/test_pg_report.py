"""The PostgreSQL section's prose follows its figures; and its place in the report is kept."""

from __future__ import annotations

from pathlib import Path

from benchmarks.pg_bench import Agreement, FilterFigures, PgBench, PgScale, Throughput
from benchmarks.pg_report import SECTION_START, pg_section
from benchmarks.pg_run import replace_section


def bench(*, differing: tuple[str, ...] = (), hnsw_hits: float = 60.0) -> PgBench:
    scale = PgScale(100_000, recall_10=0.97)
    scale.filters = [
        FilterFigures("filter first", 30.0, 40.0, 60.0, 60),
        FilterFigures("HNSW + iterative scan", 5.0, 9.0, hnsw_hits, 60),
        FilterFigures("talks: hybrid", 80.0, 120.0, 8.0, 8),
    ]
    agreed = Agreement("bundled", 27, 27 - len(differing), 0.2, differing)
    return PgBench(
        "PostgreSQL 18", [agreed], [scale], [Throughput(1, 20.0, 50), Throughput(4, 31.0, 120)]
    )


def test_identical_answers_are_claimed_only_when_measured() -> None:
    assert "Every question got the same answer" in pg_section(bench(), "run")
    text = pg_section(bench(differing=("Who met?",)), "run")
    assert "1 answers differ: Who met?" in text and "Every question" not in text


def test_the_fastest_full_filter_strategy_is_named_and_a_short_one_flagged() -> None:
    assert "**HNSW + iterative scan** returns full lists fastest (5.0 ms p50)" in pg_section(
        bench(), "run"
    )
    text = pg_section(bench(hnsw_hits=41.0), "run")
    assert "**filter first** returns full lists fastest" in text
    assert "HNSW + iterative scan came back short" in text
    assert "peaks at 31.0 asks/s with 4 client(s)" in text


def test_the_section_is_replaced_in_place(tmp_path: Path) -> None:
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text("# Benchmarks\n\nfiles figures\n", encoding="utf-8")
    replace_section(doc, "first")
    replace_section(doc, "second")
    text = doc.read_text(encoding="utf-8")
    assert text.count(SECTION_START) == 1 and "second" in text and "first" not in text
    assert text.startswith("# Benchmarks\n\nfiles figures\n")
