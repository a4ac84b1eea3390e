"""The typer app and what every command shares: settings, the engine, errors, progress.

Text from articles, questions and errors is printed as `rich.text.Text`, never as a markup
string: a title such as "[/]" would otherwise crash the print, and "[bold]" or ":flag_ua:"
would change what the user reads. Our own colours are added around it with `labelled`.

An error about a question is told in the question's language (`user_errors(language=…)`), like
its answer; the rest of the CLI (indexing, sources, the database) is an operator's, in English.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from bot.engine import Engine, open_engine, parse_day
from bot.engine import Progress as BuildProgress
from bot.errors import BadInput, IndexMismatch, IndexMissing, SchemaError, TalksError
from bot.i18n import tr
from bot.settings import Settings, load_settings

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_show_locals=False,  # a crash must not print tensors or tokens
    no_args_is_help=True,
    help="Answers questions about the Russia–Ukraine peace talks from news articles.",
)
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
T = TypeVar("T")

# The filter options `ask`, `chat` and `timeline` share.
Since = Annotated[
    str | None,
    typer.Option(metavar="YYYY-MM-DD", help="Only articles published on or after this day."),
]
Until = Annotated[
    str | None,
    typer.Option(metavar="YYYY-MM-DD", help="Only articles published on or before this day."),
]
Outlet = Annotated[
    str | None, typer.Option(metavar="NAME", help="Only articles from this outlet (any case).")
]


def days(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    """--since and --until as days (BadInput naming the option when one is not YYYY-MM-DD)."""
    first = parse_day(since, "--since") if since is not None else None
    last = parse_day(until, "--until") if until is not None else None
    return first, last


def labelled(label: str, style: str, text: str) -> Text:
    """`label` in colour, then `text` exactly as it is."""
    return Text.assemble((label, style), " ", text)


def cells(*values: str) -> list[Text]:
    """Table cells that show their text as it is."""
    return [Text(value) for value in values]


def fail(message: str, code: int = 1, language: str = "en") -> typer.Exit:
    err.print(error_line(message, language))
    return typer.Exit(code)


def error_line(message: str, language: str = "en") -> Text:
    return labelled(tr(language, "error:"), "red", message)


def with_hint(exc: TalksError, language: str = "en") -> str:
    """The engine says what to do; this front door adds which command does it."""
    if isinstance(exc, IndexMissing | IndexMismatch):
        return tr(language, "{error} Run `talks index`.", error=exc.told(language))
    if isinstance(exc, SchemaError):
        return f"{exc} Run `talks db migrate`."
    return exc.told(language)


@contextmanager
def user_errors(bad_input: int = 1, language: str = "en") -> Iterator[None]:
    """TalksError → one line on stderr, in `language` (a question's, when it is about one);
    `bad_input` is the exit code for BadInput (2 where it means the command line itself was
    wrong, as for a usage error)."""
    try:
        yield
    except TalksError as exc:
        code = bad_input if isinstance(exc, BadInput) else 1
        raise fail(with_hint(exc, language), code, language) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None


def settings() -> Settings:
    with user_errors():
        s = load_settings()
    logging.basicConfig(level=s.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("sentence_transformers", "transformers", "httpx", "faiss", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The readers' pool reports each reconnect attempt; the command reports the one failure
    # that matters, as one line (store/pgerrors.py).
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
    return s


def engine(s: Settings, *, bulk: bool = False) -> Engine:
    with user_errors():
        return open_engine(s, bulk=True) if bulk else open_engine(s)


def progress_bar() -> Progress:
    """The one progress bar style: on stderr, only on a terminal, gone when done."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    return Progress(*columns, console=err, transient=True, disable=not err.is_terminal)


def with_progress(label: str, work: Callable[[Callable[[BuildProgress], None]], T]) -> T:
    with progress_bar() as bar:
        task = bar.add_task(label, total=None)

        def update(p: BuildProgress) -> None:
            bar.update(
                task, description=f"{label}: {p.stage}", completed=p.done, total=p.total or None
            )

        return work(update)
