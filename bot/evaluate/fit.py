"""`talks eval --fit`: the answer step's feature weights, fitted on a training question set.

Every candidate sentence of every answerable question is a row: its features (answer/features.py)
and whether it holds a fact the question asks for, in the right article. Sentences of questions
that must be declined but got as far as ranking are rows too, all negative. A logistic regression
(Newton's method, a little L2) is fitted with each question weighing the same and, within a
question, its positive and negative sentences weighing half each — so long articles do not
dominate and the rare fact-bearing sentence counts. The result is printed for answer/features.py;
nothing is changed in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.engine import Answer, Engine, Sentence
from bot.engine.answer.features import FEATURES, Weights
from bot.evaluate.metrics import is_source, norm
from bot.evaluate.qa import QAItem

L2 = 5e-4  # with question weights summing to 1, enough to keep a never-firing feature at 0


@dataclass(frozen=True)
class Fitted:
    weights: dict[str, float]
    bias: float
    questions: int  # questions that contributed rows
    sentences: int


def holds_fact(item: QAItem, sentence: Sentence) -> bool:
    """Is this sentence, in the article the question is about, one holding a fact asked for?"""
    if item.source is None or not is_source(sentence.article, item.source):
        return False
    text = norm(sentence.text)
    return any(any(norm(alt) in text for alt in fact) for fact in item.facts)


@dataclass(frozen=True)
class Rows:
    x: np.ndarray  # one row of features per sentence
    y: np.ndarray  # 1 where the sentence holds a fact asked for
    w: np.ndarray  # row weights, summing to 1 over the questions the rows came from
    questions: int


def question_rows(engine: Engine, item: QAItem) -> Rows | None:
    """The ranked sentences of one question, weighted so that the question weighs 1; None when it
    was declined before ranking or (answerable) its facts were not among the candidates."""
    ranked = engine.rank(item.question)
    if isinstance(ranked, Answer):
        return None  # declined before ranking: nothing to learn from here
    y = np.array([holds_fact(item, s) for s in ranked.units], dtype=np.float64)
    if item.answerable and not y.any():
        return None  # the right sentence was not among the candidates: a retrieval miss
    positives, negatives = max(1.0, y.sum()), max(1.0, len(y) - y.sum())
    share = 0.5 if item.answerable else 1.0
    w = np.where(y == 1, 0.5 / positives, share / negatives)
    return Rows(ranked.features.astype(np.float64), y, w, 1)


def stack(blocks: Sequence[Rows | None]) -> Rows:
    """Questions' rows together, row weights summing to 1."""
    kept = [b for b in blocks if b is not None]
    if not kept:
        return Rows(np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0), 0)
    w = np.concatenate([b.w for b in kept])
    x, y = np.vstack([b.x for b in kept]), np.concatenate([b.y for b in kept])
    return Rows(x, y, w / w.sum(), len(kept))


def rows(engine: Engine, items: Sequence[QAItem]) -> Rows:
    """Every ranked sentence of every question that got as far as ranking."""
    return stack([question_rows(engine, item) for item in items])


def logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2) -> np.ndarray:
    """Weighted, L2-regularised logistic regression by Newton's method; the bias is last."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(xb.shape[1])
    reg = l2 * np.eye(xb.shape[1])
    reg[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(xb @ beta)))
        grad = xb.T @ (w * (p - y)) + reg @ beta
        hessian = (xb * (w * p * (1 - p))[:, None]).T @ xb + reg
        step = np.linalg.solve(hessian, grad)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return beta


def fit_rows(data: Rows, features: Sequence[str] = FEATURES) -> Weights:
    """Weights over `features` only (the others weigh 0: a feature left out of the model)."""
    if not data.y.any():
        return Weights(dict.fromkeys(FEATURES, 0.0), 0.0)
    used = [FEATURES.index(f) for f in features]
    beta = logistic(data.x[:, used], data.y, data.w)
    weights = dict.fromkeys(FEATURES, 0.0)
    weights |= {name: round(float(b), 2) for name, b in zip(features, beta[:-1], strict=True)}
    return Weights(weights, round(float(beta[-1]), 2))


def fit(engine: Engine, items: Sequence[QAItem]) -> Fitted:
    data = rows(engine, items)
    weights = fit_rows(data)
    return Fitted(weights.by_feature, weights.bias, data.questions, len(data.x))
