"""Text → unit vectors. The engine depends on the Embedder protocol; tests pass a small fake."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.errors import ConfigError

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (done, total)


class Embedder(Protocol):
    name: str  # recorded in the index manifest; an index is only loaded by the same model
    dim: int
    max_tokens: int

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """float32 array (len(texts), dim), each row L2-normalised."""
        ...

    def count_tokens(self, text: str) -> int: ...


def model_label(model: str) -> str:
    """A stable name for a model: a local directory is named by its folder, not its full path."""
    path = Path(model)
    if path.is_dir():
        card = path / "config_sentence_transformers.json"
        label = path.name if path.name != "model" else path.parent.name
        return f"local:{label}" if card.exists() else f"local:{path.name}"
    return model


def use_threads(n: int) -> None:
    """Size torch's and FAISS's thread pools for this process."""
    import faiss
    import torch

    torch.set_num_threads(max(1, n))
    faiss.omp_set_num_threads(max(1, n))


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded once; encodes in batches on the CPU (or GPU if any)."""

    def __init__(self, model: str, *, batch_size: int = 32, backend: str = "torch") -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()

        kwargs: dict[str, Any] = {"backend": backend}
        if backend == "onnx":
            kwargs["model_kwargs"] = {"file_name": "onnx/model.onnx"}
        try:
            self._model = SentenceTransformer(model, **kwargs)
        except Exception as exc:  # the library raises many kinds; all mean "cannot load"
            raise ConfigError(
                f"Cannot load embedding model {model!r} ({type(exc).__name__}). Check "
                "TALKS_EMBEDDING_MODEL: a local folder, or a hub name already in the cache."
            ) from exc
        self.name = model_label(model)
        if backend != "torch":
            self.name += f"+{backend}"
        dim, max_tokens = self._model.get_embedding_dimension(), self._model.max_seq_length
        if not dim or not max_tokens:
            raise ConfigError(f"Model {model!r} does not report its dimension or sequence length.")
        self.dim, self.max_tokens = int(dim), int(max_tokens)
        self.batch_size = batch_size
        self._tokenizer = self._model.tokenizer

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        step = max(self.batch_size * 4, 64)
        for start in range(0, len(texts), step):
            batch = list(texts[start : start + step])
            vectors = self._model.encode(
                batch,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            parts.append(np.asarray(vectors, dtype=np.float32))
            if progress:
                progress(min(start + step, len(texts)), len(texts))
        return np.vstack(parts)
