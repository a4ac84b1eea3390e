"""Core commands: index, ask, sources."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bot.cli.app import (
    Outlet,
    Since,
    Until,
    app,
    cells,
    days,
    engine,
    err,
    labelled,
    out,
    settings,
    user_errors,
    with_progress,
)
from bot.engine import describe_store as describe
from bot.i18n import tr
from bot.render_text import answer_json, answer_text


@app.command()
def index(
    if_stale: Annotated[
        bool, typer.Option("--if-stale", help="Do nothing if corpus/ is unchanged.")
    ] = False,
) -> None:
    """(Re)build index/ from the articles in corpus/."""
    s = settings()
    eng = engine(s, bulk=True)
    if if_stale and not eng.is_stale():
        out.print(Text(f"Index is up to date with {s.corpus_dir}/."))
        return
    with user_errors():
        report = with_progress("Indexing", eng.rebuild)
    for line in report.problems:
        err.print(labelled("skipped:", "yellow", line))
    out.print(
        Text(
            f"Indexed {report.articles} articles as {report.chunks} passages "
            f"({report.embedded} embedded, {report.chunks - report.embedded} reused) "
            f"in {report.seconds:.1f}s → {describe(s, report.generation)}"
        )
    )
    if report.problems:
        out.print(f"{len(report.problems)} file(s) or record(s) skipped; see above.")


@app.command()
def ask(
    questions: Annotated[list[str], typer.Argument(help="One or more questions.")],
    json_lines: Annotated[
        bool, typer.Option("--json", help="One JSON object per question per line.")
    ] = False,
    since: Since = None,
    until: Until = None,
    outlet: Outlet = None,
) -> None:
    """Answer questions from the indexed articles, with numbered sources."""
    with user_errors(bad_input=2):  # a wrong date is a usage error: exit 2, like typer's own
        first, last = days(since, until)
    eng = engine(settings())
    for i, question in enumerate(questions):
        with user_errors(bad_input=2, language=eng.language_of(question)):
            answer = eng.ask_stream(question, since=first, until=last, outlet=outlet)
        if json_lines:
            print(answer_json(answer), flush=True)
        else:
            if i:
                out.print()
            if len(questions) > 1:
                out.print(Text(tr(answer.language, "Q: {question}", question=question), "bold"))
            out.print(Text(answer_text(answer)))


@app.command()
def sources() -> None:
    """List what is indexed: id, title, outlet, date, language, passages (and near-duplicate
    groups)."""
    eng = engine(settings())
    with user_errors():
        rows = eng.sources()
    grouped = any(r.dup_group for r in rows)  # the column only appears when there are copies
    rows_text = [
        (
            r.id,
            r.title,
            r.outlet or "",
            r.published.isoformat() if r.published else "",
            r.language or "",
            str(r.chunks),
            *([r.dup_group or ""] if grouped else []),
        )
        for r in rows
    ]
    if out.is_terminal:
        table = Table(
            "id",
            "title",
            "outlet",
            "published",
            "language",
            "chunks",
            *(["copy group"] if grouped else []),
            box=None,
        )
        for row in rows_text:
            table.add_row(*cells(*row))
        out.print(table)
    else:  # piped: one tab-separated line per article, easy to grep or cut
        for row in rows_text:
            print("\t".join(row))
    out.print(f"{len(rows)} articles")
