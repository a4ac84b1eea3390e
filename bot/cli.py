"""`talks`: parse arguments → call the engine → print. A TalksError becomes one line, exit 1."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.engine.engine import Engine, Progress as BuildProgress, open_engine
from bot.errors import TalksError
from bot.render_text import answer_json, answer_text
from bot.settings import Settings, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)
T = TypeVar("T")


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except TalksError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None


def settings() -> Settings:
    with user_errors():
        s = load_settings()
    logging.basicConfig(level=s.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("sentence_transformers", "transformers", "httpx", "faiss", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return s


def engine(s: Settings) -> Engine:
    with user_errors():
        return open_engine(s)


def with_progress(label: str, work: Callable[[Callable[[BuildProgress], None]], T]) -> T:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(label, total=None)

        def update(p: BuildProgress) -> None:
            bar.update(task, description=f"{label}: {p.stage}", completed=p.done, total=p.total or None)

        return work(update)


@app.command()
def index(
    if_stale: Annotated[bool, typer.Option("--if-stale", help="Do nothing if corpus/ is unchanged.")] = False,
) -> None:
    """(Re)build index/ from the articles in corpus/."""
    s = settings()
    eng = engine(s)
    if if_stale and not eng.is_stale():
        out.print(f"Index is up to date with {s.corpus_dir}/.")
        return
    with user_errors():
        report = with_progress("Indexing", eng.rebuild)
    for line in report.problems:
        err.print(f"[yellow]skipped:[/yellow] {line}")
    out.print(
        f"Indexed {report.articles} articles as {report.chunks} passages "
        f"({report.embedded} embedded, {report.chunks - report.embedded} reused) "
        f"in {report.seconds:.1f}s → {s.index_dir}/{report.generation}"
    )
    if report.problems:
        out.print(f"{len(report.problems)} file(s) or record(s) skipped; see above.")


@app.command()
def ask(
    questions: Annotated[list[str], typer.Argument(help="One or more questions.")],
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON object per question per line.")] = False,
) -> None:
    """Answer questions from the indexed articles, with numbered sources."""
    eng = engine(settings())
    for i, question in enumerate(questions):
        with user_errors():
            answer = eng.ask(question)
        if json_lines:
            print(answer_json(answer), flush=True)
        else:
            if i:
                out.print()
            if len(questions) > 1:
                out.print(f"Q: {question}", style="bold")
            out.print(answer_text(answer), markup=False)


@app.command()
def sources() -> None:
    """List what is indexed: id, title, outlet, date, passages."""
    eng = engine(settings())
    with user_errors():
        rows = eng.sources()
    table = Table("id", "title", "outlet", "published", "chunks", box=None)
    for r in rows:
        table.add_row(r.id, r.title, r.outlet or "", r.published.isoformat() if r.published else "", str(r.chunks))
    out.print(table)
    out.print(f"{len(rows)} articles")


def main() -> None:
    try:
        app()
    except TalksError as exc:  # anything that slipped past a command's own handler
        err.print(f"error: {exc}")
        sys.exit(1)
