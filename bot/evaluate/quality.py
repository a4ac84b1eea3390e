"""`talks eval`: run a question set through the engine and score retrieval and answers."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.engine.engine import Engine
from bot.engine.models import Answer, Hit
from bot.engine.search.retrieve import make_query, retrieve
from bot.evaluate.metrics import (
    citation_checks,
    facts_found,
    facts_in,
    first_rank,
    is_source,
    mrr,
    recall_at,
)
from bot.evaluate.qa import QAItem

DEPTH = 20  # passages ranked per question for recall and MRR
MODES = ("dense", "bm25", "hybrid")
ANSWER_MODES = ("extractive", "generated")


@dataclass(frozen=True)
class QuestionResult:
    item: QAItem
    ranks: dict[str, int | None]  # per retrieval mode: first passage of the right article
    answer: Answer
    facts: int  # facts found in the answer
    markers: int
    sound: int  # markers whose quote is verbatim in a retrieved passage's article
    supported: int  # markers whose sentence stands in the cited article
    seconds: float
    prompt_facts: int | None = None  # facts in the sources a model is shown (None: not measured)

    @property
    def prompt_holds(self) -> bool | None:
        """Does the prompt hold every fact asked for? (answerable questions, when measured)"""
        if self.prompt_facts is None or not self.item.answerable:
            return None
        return self.prompt_facts == len(self.item.facts)

    @property
    def right(self) -> bool:
        """Answerable: every fact asked for, citing the right article. Otherwise: declined."""
        if not self.item.answerable:
            return self.answer.abstained
        cited = any(is_source(c.article, self.item.source or "") for c in self.answer.citations)
        return not self.answer.abstained and cited and self.facts == len(self.item.facts)


@dataclass(frozen=True)
class Retrieval:
    recall_1: float
    recall_k: float
    mrr: float


@dataclass(frozen=True)
class StyleFigures:
    n: int
    recall_k: float | None
    fact_coverage: float | None
    correct_decisions: float  # answered when answerable, declined when not
    prompt_recall: float | None = None  # answerable questions whose prompt holds every fact


@dataclass(frozen=True)
class EvalReport:
    k: int
    questions: list[QuestionResult]
    retrieval: dict[str, Retrieval]
    fact_coverage: float
    citation_precision: float | None
    sentence_support: float | None
    abstention_precision: float | None
    abstention_recall: float | None
    false_decline_rate: float | None
    latency_p50_ms: float
    styles: dict[str, StyleFigures] = field(default_factory=dict)
    mode: str = "extractive"  # how the engine was asked: "generated" goes through the model
    written: float | None = None  # share of answers the model wrote (the rest fell back)
    kinds: dict[str, tuple[int, int]] = field(default_factory=dict)  # "group/typing": (right, n)
    # Answerable questions whose prompt (the sources a language model is shown, answer/evidence.py)
    # holds every fact asked for, whether or not the model is configured or asked: a model cannot
    # cite what it is not shown.
    prompt_recall: float | None = None
    prompt_kinds: dict[str, tuple[int, int]] = field(default_factory=dict)  # as kinds, (held, n)

    @property
    def answered_right(self) -> float | None:
        """Share of answerable questions answered with every fact, citing the right article."""
        return _share(sum(r.right for r in self.answerable), len(self.answerable))

    @property
    def answerable(self) -> list[QuestionResult]:
        return [q for q in self.questions if q.item.answerable]


def mode_weights(engine: Engine) -> dict[str, tuple[float, float]]:
    s = engine.settings
    return {"dense": (1.0, 0.0), "bm25": (0.0, 1.0), "hybrid": (s.dense_weight, s.sparse_weight)}


def ranked(engine: Engine, question: str) -> dict[str, list[Hit]]:
    """The same index searched three ways: dense only, BM25 only, and as the engine fuses them."""
    gen = engine.generation()
    query = make_query(
        question, gen, engine.embedder.encode_query, language=engine.language_of(question)
    )
    out = {}
    for mode, (dw, sw) in mode_weights(engine).items():
        hits = retrieve(gen, query, DEPTH, dense_weight=dw, sparse_weight=sw)
        if mode == "dense":
            hits = [h for h in hits if h.dense is not None]
        elif mode == "bm25":
            hits = [h for h in hits if h.sparse is not None]
        out[mode] = hits
    return out


def run_question(
    engine: Engine, item: QAItem, mode: str = "extractive", *, prompt: bool = False
) -> QuestionResult:
    """`prompt`: also count the facts in the sources a model would be shown (Engine.evidence)."""
    ranks: dict[str, int | None] = dict.fromkeys(MODES)
    if item.source is not None:
        by_mode = ranked(engine, item.question)
        ranks = {m: first_rank(by_mode[m], item.source) for m in MODES}
    started = time.perf_counter()
    answer = engine.ask_stream(item.question) if mode == "generated" else engine.ask(item.question)
    seconds = time.perf_counter() - started
    markers, sound, supported = citation_checks(answer)
    found = facts_found(answer, item.facts)
    shown = None
    if prompt and item.answerable:
        shown = facts_in("\n".join(s.line for s in engine.evidence(item.question)), item.facts)
    return QuestionResult(item, ranks, answer, found, markers, sound, supported, seconds, shown)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _coverage(results: Sequence[QuestionResult]) -> float | None:
    total = sum(len(r.item.facts) for r in results if r.item.answerable)
    return _share(sum(r.facts for r in results if r.item.answerable), total)


def _prompt_recall(results: Sequence[QuestionResult]) -> float | None:
    measured = [r.prompt_holds for r in results if r.prompt_holds is not None]
    return _share(sum(measured), len(measured))


def _correct(r: QuestionResult) -> bool:
    return r.answer.abstained != r.item.answerable


def styles(results: Sequence[QuestionResult], k: int) -> dict[str, StyleFigures]:
    out = {}
    for style in sorted({r.item.style for r in results}):
        group = [r for r in results if r.item.style == style]
        answerable = [r.ranks["hybrid"] for r in group if r.item.answerable]
        out[style] = StyleFigures(
            n=len(group),
            recall_k=recall_at(answerable, k) if answerable else None,
            fact_coverage=_coverage(group),
            correct_decisions=sum(map(_correct, group)) / len(group),
            prompt_recall=_prompt_recall(group),
        )
    return out


def kinds(
    results: Sequence[QuestionResult], good: Callable[[QuestionResult], bool] | None = None
) -> dict[str, tuple[int, int]]:
    """Right outcomes (or `good` ones) per kind of question and way of typing (formal or chat)."""
    out: dict[str, tuple[int, int]] = {}
    for r in results:
        key = f"{r.item.group}/{'formal' if r.item.style == 'formal' else 'chat'}"
        right, n = out.get(key, (0, 0))
        out[key] = (right + (good(r) if good else r.right), n + 1)
    return dict(sorted(out.items()))


def prompt_kinds(results: Sequence[QuestionResult]) -> dict[str, tuple[int, int]]:
    """Prompts holding every fact, per kind and typing, where measured."""
    return kinds([r for r in results if r.prompt_holds is not None], lambda r: bool(r.prompt_holds))


def summarise(results: list[QuestionResult], k: int, mode: str = "extractive") -> EvalReport:
    answerable = [r for r in results if r.item.answerable]
    declined = [r for r in results if r.answer.abstained]
    outside = [r for r in results if not r.item.answerable]
    retrieval = {
        m: Retrieval(
            recall_at((r.ranks[m] for r in answerable), 1),
            recall_at((r.ranks[m] for r in answerable), k),
            mrr(r.ranks[m] for r in answerable),
        )
        for m in MODES
    }
    markers = sum(r.markers for r in results)
    return EvalReport(
        k=k,
        questions=results,
        retrieval=retrieval,
        fact_coverage=_coverage(results) or 0.0,
        citation_precision=_share(sum(r.sound for r in results), markers),
        sentence_support=_share(sum(r.supported for r in results), markers),
        abstention_precision=_share(sum(not r.item.answerable for r in declined), len(declined)),
        abstention_recall=_share(sum(r.answer.abstained for r in outside), len(outside)),
        false_decline_rate=_share(sum(r.answer.abstained for r in answerable), len(answerable)),
        latency_p50_ms=1000 * statistics.median(r.seconds for r in results) if results else 0.0,
        styles=styles(results, k),
        kinds=kinds(results),
        prompt_recall=_prompt_recall(results),
        prompt_kinds=prompt_kinds(results),
        mode=mode,
        written=_share(sum(r.answer.mode == "generated" for r in results), len(results))
        if mode == "generated"
        else None,
    )


def evaluate(
    engine: Engine,
    items: Sequence[QAItem],
    k: int = 5,
    progress: Callable[[int, int], None] | None = None,
    mode: str = "extractive",
) -> EvalReport:
    """`mode` "generated" asks through the configured language model (Engine.ask_stream)."""
    results = []
    for i, item in enumerate(items, 1):
        results.append(run_question(engine, item, mode, prompt=True))
        if progress:
            progress(i, len(items))
    return summarise(results, k, mode)


def answer_modes(engine: Engine) -> tuple[str, ...]:
    """Both modes when a language model is configured, so `talks eval` can compare them."""
    return ANSWER_MODES if engine.generator is not None else ANSWER_MODES[:1]


def question_dict(r: QuestionResult) -> dict[str, object]:
    return {
        "question": r.item.question,
        "style": r.item.style,
        "source": r.item.source,
        "ranks": r.ranks,
        "abstained": r.answer.abstained,
        "facts": f"{r.facts}/{len(r.item.facts)}",
        "citations_ok": f"{r.sound}/{r.markers}",
        "prompt_facts": None if r.prompt_facts is None else f"{r.prompt_facts}/{len(r.item.facts)}",
        "answer": r.answer.text,
    }


def report_dict(report: EvalReport) -> dict[str, object]:
    """Figures as plain JSON-ready values (the CLI's --json)."""
    return {
        "k": report.k,
        "questions": len(report.questions),
        "answerable": len(report.answerable),
        "retrieval": {m: vars(f) for m, f in report.retrieval.items()},
        "fact_coverage": report.fact_coverage,
        "citation_precision": report.citation_precision,
        "sentence_support": report.sentence_support,
        "abstention_precision": report.abstention_precision,
        "abstention_recall": report.abstention_recall,
        "false_decline_rate": report.false_decline_rate,
        "latency_p50_ms": report.latency_p50_ms,
        "mode": report.mode,
        "written_by_model": report.written,
        "styles": {s: vars(f) for s, f in report.styles.items()},
        "answered_right": report.answered_right,
        "prompt_recall": report.prompt_recall,
        "prompt_kinds": {key: {"held": h, "n": n} for key, (h, n) in report.prompt_kinds.items()},
        "kinds": {key: {"right": right, "n": n} for key, (right, n) in report.kinds.items()},
        "results": [question_dict(r) for r in report.questions],
    }


def misses(report: EvalReport) -> list[str]:
    """One line per question that went wrong: wrong decision, missing facts, or article not found."""
    lines = []
    for r in report.questions:
        rank = r.ranks["hybrid"]
        if not _correct(r):
            why = "declined" if r.answer.abstained else "answered (should decline)"
        elif r.item.answerable and (r.facts < len(r.item.facts) or rank is None or rank > report.k):
            why = f"facts {r.facts}/{len(r.item.facts)}, article at {rank or '-'}"
        else:
            continue
        lines.append(f"{r.item.question} — {why}")
    return lines
