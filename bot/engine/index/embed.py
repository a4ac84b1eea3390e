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
Encode = Callable[[Sequence[str]], np.ndarray]  # texts → unit vectors, one row each


class Embedder(Protocol):
    name: str  # recorded in the index manifest; an index is only loaded by the same model
    dim: int
    max_tokens: int

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """float32 array (len(texts), dim), each row L2-normalised."""
        ...

    def count_tokens(self, text: str) -> int: ...


def encode_units(
    embedder: Embedder,
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]],
    progress: Progress | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Passage vectors and a vector per span of each passage.

    Models that expose their token embeddings pool each span from the passage's own forward pass;
    any other Embedder encodes the spans as texts of their own.
    """
    pooled = getattr(embedder, "encode_pooled", None)
    if pooled is not None:
        result: tuple[np.ndarray, list[np.ndarray]] = pooled(texts, spans, progress)
        return result
    passages = embedder.encode(texts, progress)
    flat = [text[a:b] for text, rows in zip(texts, spans, strict=True) for a, b in rows]
    vectors = embedder.encode(flat) if flat else np.zeros((0, embedder.dim), dtype=np.float32)
    out, at = [], 0
    for rows in spans:
        out.append(vectors[at : at + len(rows)])
        at += len(rows)
    return passages, out


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

    def encode_pooled(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        progress: Progress | None = None,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors, and a vector for each character span of each passage, in one pass.

        A span's vector is the mean of the passage's own token embeddings that fall inside it, so
        sentence vectors cost no extra forward pass (and read each sentence in its context).
        """
        import torch

        n = len(texts)
        passages = np.zeros((n, self.dim), dtype=np.float32)
        pooled: list[np.ndarray] = [np.zeros((0, self.dim), dtype=np.float32)] * n
        order = sorted(range(n), key=lambda i: -len(texts[i]))  # similar lengths pad least
        for done in range(0, n, self.batch_size):
            idx = order[done : done + self.batch_size]
            features = self._tokenizer(
                [texts[i] for i in idx],
                padding=True,
                truncation="longest_first",
                max_length=self.max_tokens,
                return_tensors="pt",
                return_offsets_mapping=True,
            )
            offsets = features.pop("offset_mapping").numpy()
            with torch.inference_mode():
                out = self._model(dict(features))
            tokens = out["token_embeddings"].float().numpy()
            vectors = out["sentence_embedding"].float().numpy()
            mask = features["attention_mask"].numpy().astype(bool)
            for j, i in enumerate(idx):
                passages[i] = _unit(vectors[j])
                pooled[i] = _pool_spans(tokens[j], offsets[j], mask[j], spans[i])
            if progress:
                progress(min(done + self.batch_size, n), n)
        self._fill_truncated(texts, spans, pooled)
        return passages, pooled

    def _fill_truncated(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        pooled: list[np.ndarray],
    ) -> None:
        """Spans past the model's sequence length got no tokens: encode those on their own."""
        missing = [
            (i, k) for i, rows in enumerate(pooled) for k in range(len(rows)) if not np.any(rows[k])
        ]
        if not missing:
            return
        vectors = self.encode([texts[i][slice(*spans[i][k])] for i, k in missing])
        for (i, k), vector in zip(missing, vectors, strict=True):
            pooled[i][k] = vector


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm else vector).astype(np.float32)


def _pool_spans(
    tokens: np.ndarray, offsets: np.ndarray, mask: np.ndarray, spans: Sequence[tuple[int, int]]
) -> np.ndarray:
    """Mean of the token vectors inside each span (special tokens have empty offsets)."""
    out = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    real = mask & (offsets[:, 1] > offsets[:, 0])
    for k, (start, end) in enumerate(spans):
        inside = real & (offsets[:, 0] >= start) & (offsets[:, 1] <= end)
        if inside.any():
            out[k] = _unit(tokens[inside].mean(axis=0))
    return out
