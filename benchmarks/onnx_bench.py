"""Encoder backends compared on the same passages: torch, ONNX fp32, ONNX int8 (with its
quality cost measured by re-indexing the corpus with it and running the same question set)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.engine.engine import Engine
from bot.engine.index.chunk import embedding_text
from bot.engine.index.embed import Embedder, SentenceTransformerEmbedder
from bot.engine.models import Article, Chunk
from bot.evaluate.qa import QAItem
from bot.evaluate.quality import EvalReport, evaluate

SAMPLE = 512


@dataclass(frozen=True)
class EncoderFigures:
    variant: str
    rate: float  # chunks/s on the sample
    cosine_mean: float  # agreement with the torch vectors
    cosine_min: float
    build_rate: float | None = None  # chunks/s of a full index build with this encoder
    quality: EvalReport | None = None


@dataclass
class OnnxReport:
    sample: int
    encoders: list[EncoderFigures] = field(default_factory=list)
    note: str = ""


def _rate(embedder: Embedder, texts: list[str]) -> tuple[float, np.ndarray]:
    embedder.encode(texts[:8])
    started = time.perf_counter()
    vectors = embedder.encode(texts)
    return len(texts) / (time.perf_counter() - started), vectors


def _sample(passages: Sequence[tuple[Chunk, Article]]) -> list[str]:
    rng = np.random.default_rng(0)
    picks = rng.choice(len(passages), size=min(SAMPLE, len(passages)), replace=False)
    return [embedding_text(passages[int(i)][1], passages[int(i)][0]) for i in sorted(picks)]


def _quality(work: Path, engine: Engine, embedder: Embedder, items: Sequence[QAItem]) -> tuple:
    s = engine.settings.model_copy(update={"index_dir": work / "onnx-int8-index"})
    other = Engine(s, embedder)
    report = other.rebuild()
    return report.chunks / report.seconds, evaluate(other, items) if items else None


def run(
    work: Path,
    engine: Engine,
    passages: Sequence[tuple[Chunk, Article]],
    items: Sequence[QAItem],
    step: Callable[[str], None],
    threads: int = 0,
) -> OnnxReport:
    if not isinstance(engine.embedder, SentenceTransformerEmbedder):
        return OnnxReport(0, note="skipped: ONNX export needs a sentence-transformers model")
    try:
        from benchmarks.onnx import OnnxEmbedder, export

        fp32, int8 = export(engine.settings.embedding_model, work / "onnx")
    except ImportError as exc:
        return OnnxReport(0, note=f"skipped: {exc}")
    except Exception as exc:  # an optional measurement: the exporter raises many kinds
        return OnnxReport(0, note=f"skipped: ONNX export failed ({type(exc).__name__}: {exc})")
    texts = _sample(passages)
    out = OnnxReport(len(texts))
    rate, reference = _rate(engine.embedder, texts)
    out.encoders.append(EncoderFigures("torch", rate, 1.0, 1.0))
    for variant, path in (("onnx-fp32", fp32), ("onnx-int8", int8)):
        model = engine.settings.embedding_model
        embedder = OnnxEmbedder(path, model, variant=variant[5:], threads=threads)
        rate, vectors = _rate(embedder, texts)
        cosine = np.sum(vectors * reference, axis=1)
        figures = EncoderFigures(variant, rate, float(cosine.mean()), float(cosine.min()))
        if variant == "onnx-int8":
            step("ONNX int8: re-index and evaluate")
            build_rate, quality = _quality(work, engine, embedder, items)
            figures = EncoderFigures(variant, rate, figures.cosine_mean, figures.cosine_min, build_rate, quality)  # fmt: skip
        out.encoders.append(figures)
    return out
