"""`talks eval --cv`: figures that tuning cannot fool.

The question sets are pooled and split into folds by *article*: every question about one article
falls in one fold, so weights are never fitted on the article a question is scored on. Questions
without an article (near-misses, off-topic, uncovered periods) are spread over the folds by a hash
of their wording. For each fold the answer step's weights are fitted on the other folds and the
fold's questions are answered with them; a figure is reported as its mean over the folds and the
spread (standard deviation) between them. A feature or a rule earns its place when switching it
off lowers the mean by more than the spread of the paired differences.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.engine import Engine
from bot.engine.answer.extractive import ALL_RULES, Rules
from bot.engine.answer.features import FEATURES, Weights
from bot.evaluate.fit import Rows, case, fit_cases
from bot.evaluate.metrics import norm
from bot.evaluate.qa import QAItem
from bot.evaluate.quality import QuestionResult, run_question

FOLDS = 5
Progress = Callable[[int, int], None]


def group_of(item: QAItem) -> str:
    return (
        f"article:{norm(item.source).rstrip('/')}" if item.source else f"question:{item.question}"
    )


def _stable(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


def assign_folds(items: Sequence[QAItem], folds: int = FOLDS) -> list[int]:
    """A fold per question, by article: the largest groups first, each to the smallest fold so
    far (as scikit-learn's GroupKFold), ties broken by a hash so the split never changes."""
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        groups.setdefault(group_of(item), []).append(i)
    sizes = [0] * folds
    fold = [0] * len(items)
    for name in sorted(groups, key=lambda g: (-len(groups[g]), _stable(g))):
        target = min(range(folds), key=lambda f: (sizes[f], f))
        for i in groups[name]:
            fold[i] = target
        sizes[target] += len(groups[name])
    return fold


def kind_of(item: QAItem) -> str:
    """answerable/formal, answerable/chat, dated (with an article), dated-, near_miss, off_topic."""
    if item.group == "answerable":
        return f"answerable/{'formal' if item.style == 'formal' else 'chat'}"
    if item.group == "dated":
        return "dated" if item.answerable else "dated-"
    return item.group


@dataclass(frozen=True)
class Figure:
    """A share per fold, read as mean ± spread."""

    per_fold: tuple[float, ...]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.per_fold) if self.per_fold else 0.0

    @property
    def spread(self) -> float:
        return statistics.stdev(self.per_fold) if len(self.per_fold) > 1 else 0.0

    def __str__(self) -> str:
        return f"{100 * self.mean:.1f} ± {100 * self.spread:.1f}"


@dataclass(frozen=True)
class CVReport:
    folds: int
    results: tuple[QuestionResult, ...]  # each answered with weights fitted on other folds
    fold_of: tuple[int, ...]  # results[i] was in fold fold_of[i]
    weights: tuple[Weights, ...]  # fitted per fold

    def share(
        self, keep: Callable[[QuestionResult], bool], score: Callable[[QuestionResult], bool]
    ) -> Figure:
        per_fold = []
        for f in range(self.folds):
            group = [
                r for r, g in zip(self.results, self.fold_of, strict=True) if g == f and keep(r)
            ]
            if group:
                per_fold.append(sum(map(score, group)) / len(group))
        return Figure(tuple(per_fold))

    def by_kind(self) -> dict[str, Figure]:
        kinds = sorted({kind_of(r.item) for r in self.results})
        return {k: self.share(_of_kind(k), _right) for k in kinds}

    @property
    def overall(self) -> Figure:
        """Right outcomes over every question: answered with its facts, or declined."""
        return self.share(lambda r: True, _right)

    @property
    def false_declines(self) -> Figure:
        return self.share(lambda r: r.item.answerable, lambda r: r.answer.abstained)

    def counts(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for r in self.results:
            right, n = out.get(kind_of(r.item), (0, 0))
            out[kind_of(r.item)] = (right + _right(r), n + 1)
        return dict(sorted(out.items()))


def _right(r: QuestionResult) -> bool:
    return r.right


def _of_kind(kind: str) -> Callable[[QuestionResult], bool]:
    return lambda r: kind_of(r.item) == kind


@dataclass(frozen=True)
class Variant:
    """A choice to measure: the features the weights may use and the decline rules in force."""

    features: tuple[str, ...] = FEATURES
    rules: Rules = ALL_RULES


def crossvalidate(
    engine: Engine,
    items: Sequence[QAItem],
    variant: Variant = Variant(),
    *,
    folds: int = FOLDS,
    progress: Progress | None = None,
) -> CVReport:
    """Fit on four folds, answer the fifth, for each fold in turn. The engine's weights and rules
    are restored afterwards."""
    fold = assign_folds(items, folds)
    saved = engine.answer_weights, engine.answer_rules
    engine.answer_rules = variant.rules
    try:
        cases = [case(engine, item) for item in items]
        results: list[QuestionResult | None] = [None] * len(items)
        fitted = []
        done = 0
        for f in range(folds):
            train = [c for c, g in zip(cases, fold, strict=True) if g != f]
            weights = fit_cases(train, variant.features)
            fitted.append(weights)
            engine.answer_weights = weights
            for i, item in enumerate(items):
                if fold[i] == f:
                    results[i] = run_question(engine, item)
                    done += 1
                    if progress:
                        progress(done, len(items))
    finally:
        engine.answer_weights, engine.answer_rules = saved
    return CVReport(folds, tuple(r for r in results if r is not None), tuple(fold), tuple(fitted))


@dataclass(frozen=True)
class Gain:
    """What a variant changes against the baseline, fold by fold (paired)."""

    name: str
    diff: Figure  # variant minus baseline, overall right share

    @property
    def earns_place(self) -> bool:
        """Removing the thing lowered the mean by more than the spread of the differences."""
        return -self.diff.mean > self.diff.spread


def ablations() -> dict[str, Variant]:
    """The baseline minus one feature or one rule at a time."""
    out = {f"-{f}": Variant(tuple(x for x in FEATURES if x != f)) for f in FEATURES}
    for rule in vars(ALL_RULES):
        out[f"-rule:{rule}"] = Variant(rules=replace(ALL_RULES, **{rule: False}))
    return out


def gains(baseline: CVReport, others: dict[str, CVReport]) -> list[Gain]:
    base = baseline.overall.per_fold
    return [
        Gain(name, Figure(tuple(a - b for a, b in zip(r.overall.per_fold, base, strict=True))))
        for name, r in others.items()
    ]


def pooled(sets: Sequence[Sequence[QAItem]]) -> list[QAItem]:
    """Several sets as one, each question once."""
    seen: dict[str, QAItem] = {}
    for items in sets:
        for item in items:
            seen.setdefault(item.question, item)
    return list(seen.values())


__all__ = ["CVReport", "Figure", "Gain", "Rows", "Variant", "crossvalidate"]
