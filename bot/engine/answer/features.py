"""Why one sentence answers a question better than another: a few named features and their weights.

Every candidate sentence (all sentences of the best articles) is described by the features below;
its score is the weighted sum, read as a logistic model of "this sentence holds a fact the
question asks for". The weights are fitted by `talks eval --fit` and every feature was kept only
because leaving it out lowered the share of questions answered right on held-out folds
(`talks eval --cv`, bot/evaluate/crossval.py). Seven more features of an earlier answer step —
the answer type asked for (who/when/how many), lede position, new information, speaker, date fit,
preview and outcome wording — were measured the same way and added nothing once the model read
the question (e5); they were English word lists, too. Pure: no model, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.engine.text import stem, words

FEATURES = (
    "meaning",  # cosine of the sentence's vector to the question's: says the same kind of thing
    "standing",  # its meaning against the other candidates' (z-score): a model's cosines crowd
    # into a narrow band (e5: 0.8-0.9), so the raw value says little and the order more
    "terms",  # share of the question's key-term weight (idf) the sentence holds
    "passage",  # the sentence's passage was retrieved, and how high (1 = first)
    "article",  # its article's rank among the candidate articles (1 = best)
)


@dataclass(frozen=True)
class Weights:
    """A fitted logistic model over FEATURES — how likely a sentence holds a fact asked for — and
    the two bars an answer must pass: the best sentence's probability, and the best meaning
    (cosine), which depends on the model's scale (e5's cosines run far higher than MiniLM's)."""

    by_feature: dict[str, float]
    bias: float
    min_probability: float = 0.0
    min_meaning: float = 0.0
    # For sentences in the other script than the question's (a Ukrainian question, an English
    # article): key terms cannot match across languages, so a model without "terms" reads them.
    across: Weights | None = None

    def vector(self) -> np.ndarray:
        return np.asarray([self.by_feature.get(name, 0.0) for name in FEATURES], dtype=np.float32)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Logistic score of each row of x (one row per sentence)."""
        return 1.0 / (1.0 + np.exp(-(x @ self.vector() + self.bias)))

    def answers(
        self, probability: np.ndarray, meaning: np.ndarray, strictness: float = 1.0
    ) -> bool:
        """Do the candidates pass both bars? `strictness` 1 is the fitted bars (the setting
        TALKS_ABSTAIN_THRESHOLD 0.5); it scales the probability bar, and moves the meaning bar
        by its distance to a perfect match (2: every answer declined; 0: none)."""
        if not len(probability) or strictness <= 0:
            return bool(len(probability))
        meaning_bar = 1.0 - (2.0 - strictness) * (1.0 - self.min_meaning)
        return (
            float(probability.max()) >= self.min_probability * strictness
            and float(meaning.max()) >= meaning_bar
        )


# Fitted by `talks eval --fit` on the pooled question sets (tests/quality: bundled, official,
# train, dev) over the quality corpus, one set of weights per model family: cosines differ in
# scale between models. Cross-validated figures: docs/ARCHITECTURE.md, "Answering a question".
FITTED = {
    "e5": Weights(
        {"meaning": 2.68, "standing": 1.2, "terms": 3.58, "passage": 0.78, "article": 1.78},
        -6.17,
        min_probability=0.4806,
        min_meaning=0.8241,
        # fitted on the same questions without "terms" (cross-validated: 63.0 ± 4.6 of them
        # right in English, against 67.0 with it); its meaning bar 0.8257 less 0.03, by which a
        # Ukrainian or Russian question's best cosine to English sentences falls short of the
        # same question's in English (0.03 in the measurement of "Що вимагає Кремль?";
        # median 0.02 over 15 parallel questions of tests/quality/lang)
        across=Weights(
            {"meaning": 3.63, "standing": 1.44, "terms": 0.0, "passage": 1.19, "article": 1.27},
            -6.18,
            min_probability=0.0,
            min_meaning=0.7957,
        ),
    ),
    "minilm": Weights(
        {"meaning": 2.13, "standing": 0.53, "terms": 3.04, "passage": 1.48, "article": 1.37},
        -4.26,
        min_probability=0.66,
        min_meaning=0.3962,
    ),
}


def weights_for(model: str) -> Weights:
    """The fitted weights for an embedding model: the e5 family's, or MiniLM's for any other
    (sentence-transformers models of MiniLM's kind share its cosine scale roughly)."""
    name = model.lower()
    return FITTED["e5"] if "e5" in name.replace("_", "-").split(":")[-1] else FITTED["minilm"]


def term_weights(terms: Sequence[str], df: Callable[[str], int], n_docs: int) -> dict[str, float]:
    """idf per stemmed key term; a word the corpus never uses weighs most."""
    return {t: math.log(1 + n_docs / (1 + df(t))) for t in stem(list(terms))}


# Words for a side's position stand in for each other: "what does the Kremlin require" is
# answered by "the Kremlin insists …", "what does putin want" by "Moscow demands …".
POSITION = frozenset(
    stem(
        "want demand require insist condition seek ultimatum need must push urge".split()
    )  # "push", "urge": "is pushing for talks", "urges Russia to meet"
)


def _present(term: str, present: frozenset[str]) -> bool:
    return term in present or (term in POSITION and not POSITION.isdisjoint(present))


def coverage(weights: dict[str, float], present: frozenset[str]) -> float:
    """Share of the key-term weight whose stems (or, for a position word, another) are present."""
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(w for t, w in weights.items() if _present(t, present)) / total


@dataclass(frozen=True)
class Place:
    """How a sentence's source was ranked."""

    passage_rank: int | None  # rank of its passage among the retrieved hits, if retrieved
    article_rank: int  # rank of its article among candidate articles


def describe(terms: dict[str, float], sentence: str, cosine: float, place: Place) -> np.ndarray:
    """The feature vector of one sentence, in FEATURES order ("standing" is filled in once every
    candidate is described: with_standing)."""
    passage = 0.0 if place.passage_rank is None else 1.0 / (1 + place.passage_rank)
    values = (
        cosine,
        0.0,
        coverage(terms, frozenset(stem(words(sentence)))),
        passage,
        1.0 / (1 + place.article_rank),
    )
    return np.asarray(values, dtype=np.float32)


def with_standing(x: np.ndarray) -> np.ndarray:
    """Fill the "standing" column: each candidate's meaning as a z-score among the question's."""
    if len(x):
        meaning = x[:, FEATURES.index("meaning")]
        spread = max(1e-6, float(meaning.std()))
        x[:, FEATURES.index("standing")] = (meaning - meaning.mean()) / spread
    return x
