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
from bot.engine.answer.features import FEATURES
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
    w: np.ndarray  # row weights, summing to 1
    questions: int


def rows(engine: Engine, items: Sequence[QAItem]) -> Rows:
    """Every ranked sentence of every question that got as far as ranking."""
    xs, ys, ws = [], [], []
    for item in items:
        ranked = engine.rank(item.question)
        if isinstance(ranked, Answer):
            continue  # declined before ranking: nothing to learn from here
        y = np.array([holds_fact(item, s) for s in ranked.units], dtype=np.float64)
        if item.answerable and not y.any():
            continue  # the right sentence was not among the candidates: a retrieval miss
        positives, negatives = max(1.0, y.sum()), max(1.0, len(y) - y.sum())
        share = 0.5 if item.answerable else 1.0
        xs.append(ranked.features.astype(np.float64))
        ys.append(y)
        ws.append(np.where(y == 1, 0.5 / positives, share / negatives))
    if not xs:
        return Rows(np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0), 0)
    w = np.concatenate(ws)
    return Rows(np.vstack(xs), np.concatenate(ys), w / w.sum(), len(xs))


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


def fit(engine: Engine, items: Sequence[QAItem]) -> Fitted:
    data = rows(engine, items)
    if not data.y.any():
        return Fitted(dict.fromkeys(FEATURES, 0.0), 0.0, data.questions, len(data.x))
    beta = logistic(data.x, data.y, data.w)
    weights = {name: round(float(b), 2) for name, b in zip(FEATURES, beta[:-1], strict=True)}
    return Fitted(weights, round(float(beta[-1]), 2), data.questions, len(data.x))
