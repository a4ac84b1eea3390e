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
from dataclasses import dataclass, replace

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
    min_probability: float
    min_meaning: float


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


@dataclass(frozen=True)
class Case:
    """One question as the answer step saw it, for fitting: the features of its candidate
    sentences, which of them hold each fact asked for, and which are from the right article.
    `x` is None when the question was declined before ranking (no weight changes that)."""

    item: QAItem
    x: np.ndarray | None
    facts: np.ndarray  # (sentences, facts) bool
    source: np.ndarray  # (sentences,) bool

    @property
    def meaning(self) -> np.ndarray:
        assert self.x is not None
        return self.x[:, FEATURES.index("meaning")]

    def right_if_answered(self, probability: np.ndarray, limit: int = 3) -> bool:
        """Would the best `limit` sentences hold every fact, one of them from the right article?"""
        if not self.item.answerable or not len(probability):
            return False
        top = np.argsort(-probability)[:limit]
        return bool(self.source[top].any() and self.facts[top].any(axis=0).all())


def case(engine: Engine, item: QAItem) -> Case:
    ranked = engine.rank(item.question)
    if isinstance(ranked, Answer):
        return Case(item, None, np.zeros((0, len(item.facts)), bool), np.zeros(0, bool))
    units = ranked.units
    facts = np.array(
        [[any(norm(a) in norm(u.text) for a in alts) for alts in item.facts] for u in units],
        dtype=bool,
    ).reshape(len(units), len(item.facts))
    source = np.array(
        [bool(item.source) and is_source(u.article, item.source or "") for u in units]
    )
    return Case(item, ranked.features.astype(np.float64), facts, source)


def question_rows(c: Case) -> Rows | None:
    """The ranked sentences of one question, weighted so that the question weighs 1; None when it
    was declined before ranking or (answerable) its facts were not among the candidates."""
    if c.x is None:
        return None  # declined before ranking: nothing to learn from here
    y = (c.facts.any(axis=1) & c.source).astype(np.float64)
    if c.item.answerable and not y.any():
        return None  # the right sentence was not among the candidates: a retrieval miss
    positives, negatives = max(1.0, y.sum()), max(1.0, len(y) - y.sum())
    share = 0.5 if c.item.answerable else 1.0
    w = np.where(y == 1, 0.5 / positives, share / negatives)
    return Rows(c.x, y, w, 1)


# A false decline costs this much more than a wrong answer: an answer that misses a fact still
# points at the article, a decline leaves the asker with nothing.
FALSE_DECLINE_COST = 1.0


def choose_bars(cases: Sequence[Case], weights: Weights) -> Weights:
    """The probability and meaning bars that get the most questions right on these cases (an
    answer with every fact, or a decline where one is due), less FALSE_DECLINE_COST per answerable
    question declined."""
    ranked = [c for c in cases if c.x is not None and len(c.x)]
    if not ranked:
        return weights
    best_p = np.array([weights.probability(c.x).max() for c in ranked])  # type: ignore[arg-type]
    best_m = np.array([c.meaning.max() for c in ranked])
    right = np.array([c.right_if_answered(weights.probability(c.x)) for c in ranked])  # type: ignore[arg-type]
    due = np.array([not c.item.answerable for c in ranked])
    answerable = ~due

    def score(p_bar: float, m_bar: float) -> float:
        answered = (best_p >= p_bar) & (best_m >= m_bar)
        gained = (answered & right).sum() + (~answered & due).sum()
        return float(gained - FALSE_DECLINE_COST * (~answered & answerable).sum())

    p_grid = np.unique(np.concatenate([[0.0], best_p]))
    m_grid = np.unique(np.concatenate([[-1.0], best_m]))
    chosen = max(((score(p, m), -p, -m) for p in p_grid for m in m_grid), key=lambda t: t[:3])
    # The bar sits halfway to the next lower case, not on the case itself.
    p_bar, m_bar = -chosen[1], -chosen[2]
    return replace(
        weights, min_probability=_below(p_bar, best_p), min_meaning=_below(m_bar, best_m)
    )


def _below(bar: float, values: np.ndarray) -> float:
    lower = values[values < bar]
    return round(float((bar + lower.max()) / 2) if len(lower) else bar, 4)


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
    return stack([question_rows(case(engine, item)) for item in items])


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


def fit_cases(cases: Sequence[Case], features: Sequence[str] = FEATURES) -> Weights:
    """Weights by logistic regression, then the bars that decide best with them."""
    weights = fit_rows(stack([question_rows(c) for c in cases]), features)
    return choose_bars(cases, weights)


def fit(engine: Engine, items: Sequence[QAItem]) -> Fitted:
    cases = [case(engine, item) for item in items]
    data = stack([question_rows(c) for c in cases])
    weights = choose_bars(cases, fit_rows(data))
    return Fitted(
        weights.by_feature,
        weights.bias,
        data.questions,
        len(data.x),
        weights.min_probability,
        weights.min_meaning,
    )
