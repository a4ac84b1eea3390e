"""`talks eval`: answer quality on a question set (speed and scale live in benchmarks/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bot.cli.app import app, cells, engine, err, labelled, out, settings, user_errors
from bot.evaluate import EvalReport, evaluate, load_qa
from bot.evaluate.crossval import CVReport, crossvalidate, pooled
from bot.evaluate.fit import fit
from bot.evaluate.qa import in_english
from bot.evaluate.quality import answer_modes, misses, report_dict


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def eval_tables(report: EvalReport) -> list[Table]:
    k = report.k
    retrieval = Table("retrieval", "recall@1", f"recall@{k}", "MRR", title="Right article")
    for mode, f in report.retrieval.items():
        retrieval.add_row(*cells(mode, _pct(f.recall_1), _pct(f.recall_k), f"{f.mrr:.3f}"))
    answers = Table("answers", "value", title=f"Answers ({report.mode})")
    for label, value in (
        ("answered right (every fact, right article)", _pct(report.answered_right)),
        ("fact coverage", _pct(report.fact_coverage)),
        ("citation precision", _pct(report.citation_precision)),
        ("cited sentence stands in its source", _pct(report.sentence_support)),
        ("abstention precision", _pct(report.abstention_precision)),
        ("abstention recall", _pct(report.abstention_recall)),
        ("false declines (answerable)", _pct(report.false_decline_rate)),
        ("latency p50 (ask)", f"{report.latency_p50_ms:.0f} ms"),
        ("prompt recall (the model is shown every fact)", _pct(report.prompt_recall)),
    ):
        answers.add_row(*cells(label, value))
    if report.written is not None:
        answers.add_row("written by the model (rest fell back)", _pct(report.written))
    per_style = Table(
        "style", "n", f"recall@{k}", "facts", "right decision", "prompt recall", title="By style"
    )
    for style, s in report.styles.items():
        per_style.add_row(
            *cells(
                style,
                str(s.n),
                _pct(s.recall_k),
                _pct(s.fact_coverage),
                _pct(s.correct_decisions),
                _pct(s.prompt_recall),
            )
        )
    per_kind = Table(
        "kind / typing",
        "right",
        "n",
        "share",
        "prompt recall",
        title="By kind (answered right or declined; the prompt holds every fact)",
    )
    for key, (right, n) in report.kinds.items():
        held, asked = report.prompt_kinds.get(key, (0, 0))
        shown = f"{held}/{asked}" if asked else "-"
        per_kind.add_row(*cells(key, str(right), str(n), _pct(right / n if n else None), shown))
    return [retrieval, answers, per_style, per_kind]


@app.command("eval")
def eval_(
    qa_files: Annotated[
        list[Path], typer.Argument(help="Question sets (.jsonl), e.g. a train and a dev set.")
    ],
    k: Annotated[int, typer.Option("--k", min=1, max=20, help="Cut-off for recall@k.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    fit_weights: Annotated[
        bool,
        typer.Option(
            "--fit", help="Fit the answer step's feature weights on these sets and print them."
        ),
    ] = False,
    cv: Annotated[
        bool,
        typer.Option(
            "--cv",
            help="Pool the sets, split them by article into five folds, answer each fold with "
            "weights fitted on the others: figures by kind as mean ± spread.",
        ),
    ] = False,
) -> None:
    """Score the indexed articles' answers to question sets: retrieval, facts, citations."""
    with user_errors():
        sets = [(path, load_qa(path)) for path in qa_files]
    eng = engine(settings())
    if cv:
        with user_errors():
            folded = crossvalidate(eng, pooled([items for _, items in sets]))
        _print_cv(folded, as_json)
        return
    if fit_weights:
        with user_errors():
            fitted = fit(eng, [item for _, items in sets for item in items])
        print(json.dumps(vars(fitted), ensure_ascii=False, indent=2))
        return
    for path, items in sets:
        with user_errors():
            reports = [evaluate(eng, items, k, mode=m) for m in answer_modes(eng)]
        first = reports[0]
        if as_json:  # the extractive figures at the top; generated ones under their key
            figures = {"file": str(path), **report_dict(first)}
            figures |= {r.mode: report_dict(r) for r in reports[1:]}
            print(json.dumps(figures, ensure_ascii=False))
            continue
        out.print(f"{path}: {len(first.questions)} questions, {len(first.answerable)} answerable")
        for i, report in enumerate(reports):
            for table in eval_tables(report)[1 if i else 0 :]:  # retrieval is the same for both
                out.print(table)
            for line in misses(report):
                err.print(labelled(f"miss ({report.mode}):", "yellow", line))
        if any(item.english for item in items):
            with user_errors():
                english = evaluate(eng, in_english(items), k)
            out.print(language_table(first, english))


def language_table(asked: EvalReport, english: EvalReport) -> Table:
    """A set asked in Ukrainian and Russian beside the same questions asked in English."""
    table = Table(
        "kind", "language", "right", "n", "in English", title="By language (same questions)"
    )
    groups = sorted({(r.item.group, r.item.language) for r in asked.questions})
    for group, language in groups:
        mine = [r for r in asked.questions if (r.item.group, r.item.language) == (group, language)]
        wanted = {m.item.english for m in mine}
        twins = [
            r for r in english.questions if r.item.group == group and r.item.question in wanted
        ]
        table.add_row(
            *cells(
                group,
                language,
                str(sum(r.right for r in mine)),
                str(len(mine)),
                f"{sum(r.right for r in twins)}/{len(twins)}",
            )
        )
    return table


def _print_cv(report: CVReport, as_json: bool) -> None:
    kinds = report.by_kind()
    counts = report.counts()
    if as_json:
        figures = {
            k: {"mean": f.mean, "spread": f.spread, "right": counts[k][0], "n": counts[k][1]}
            for k, f in kinds.items()
        }
        overall = report.overall
        print(json.dumps({"folds": report.folds, "kinds": figures, "overall": overall.mean}))
        return
    table = Table(
        "kind",
        "right",
        "n",
        "mean ± spread",
        title=f"Cross-validated by article ({report.folds} folds)",
    )
    for kind, figure in kinds.items():
        right, n = counts[kind]
        table.add_row(*cells(kind, str(right), str(n), str(figure)))
    table.add_row(*cells("all", "", str(len(report.results)), str(report.overall)))
    table.add_row(*cells("false declines", "", "", str(report.false_declines)))
    out.print(table)
