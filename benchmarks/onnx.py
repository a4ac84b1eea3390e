"""An optional faster encoder: the same model exported to ONNX and run by onnxruntime.

sentence-transformers' own ONNX backend needs optimum, whose releases pin transformers < 5 and so
cannot be installed beside this project's transformers; exporting with torch.onnx and pooling
here gives the same vectors. int8 is onnxruntime's dynamic quantisation of the weights.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.engine.index.embed import Progress, model_label

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export(model: str, folder: Path) -> tuple[Path, Path]:
    """Write model.onnx (fp32) and model-int8.onnx for a local sentence-transformers model."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(model, device="cpu")
    bert: Any = st[0].auto_model

    class Bare(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            out = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types)
            return out.last_hidden_state

    folder.mkdir(parents=True, exist_ok=True)
    fp32, int8 = folder / "model.onnx", folder / "model-int8.onnx"
    sample = st.tokenizer(["a b", "c"], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "seq"} for name in (*INPUTS, "hidden")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shapes: the axes are dynamic
        torch.onnx.export(
            Bare().eval(),
            tuple(sample[n] for n in INPUTS),
            str(fp32),
            input_names=list(INPUTS),
            output_names=["hidden"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return fp32, int8


class OnnxEmbedder:
    """Mean-pooled, normalised vectors from an exported model; an Embedder like the torch one."""

    def __init__(
        self, path: Path, model: str, *, variant: str, batch_size: int = 32, threads: int = 0
    ) -> None:
        import onnxruntime as ort
        from transformers import AutoTokenizer

        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = AutoTokenizer.from_pretrained(model)
        self.name = f"{model_label(model)}+onnx-{variant}"
        self.dim = int(self._session.get_outputs()[0].shape[-1])
        self.max_tokens = 256
        self.batch_size = batch_size

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    def _batch(self, texts: list[str]) -> np.ndarray:
        enc = self._tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_tokens, return_tensors="np"
        )
        feed = {n: enc[n].astype(np.int64) for n in INPUTS}
        hidden = self._session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Batches of similar length (as sentence-transformers does), returned in input order."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._batch([texts[i] for i in rows])
            if progress:
                progress(min(start + self.batch_size, len(texts)), len(texts))
        return out

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts)  # MiniLM is symmetric: no query prompt
