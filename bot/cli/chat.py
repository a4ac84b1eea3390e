"""`talks chat`: a conversation in the terminal, where follow-ups are read with earlier turns.

Interactive on a terminal (line editing and history from the standard library's readline);
with `--json` it reads one question per line from stdin and prints one JSON object per line, so a
script can hold a conversation: `talks ask --json`'s object plus `understood_as`.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.text import Text

from bot.cli.app import (
    Outlet,
    Since,
    Until,
    app,
    days,
    engine,
    err,
    error_line,
    out,
    settings,
    user_errors,
    with_hint,
)
from bot.engine import Answer, Engine, Filters, Turn
from bot.errors import TalksError
from bot.i18n import tr
from bot.render_text import answer_json, answer_text

PROMPT = "you> "
NEW = "/new"  # typed alone: start a new conversation


class Session:
    """The turns so far, bounded: resolution only reads the latest ones."""

    def __init__(self, eng: Engine, filters: Filters, keep: int) -> None:
        self.engine, self.filters, self.keep = eng, filters, keep
        self.turns: list[Turn] = []

    def ask(self, question: str) -> Answer:
        f = self.filters
        answer = self.engine.ask_stream(
            question, since=f.since, until=f.until, outlet=f.outlet, history=self.turns
        )
        self.turns = [*self.turns, Turn(answer.question, answer.understood_as, answer.text)]
        self.turns = self.turns[-self.keep :]
        return answer


def typed_lines() -> Iterator[str]:
    """Questions typed at the prompt, with readline's editing and history when available."""
    with contextlib.suppress(ImportError):  # Windows without pyreadline: plain input works
        import readline  # noqa: F401  (input() gains line editing and ↑ history)
    while True:
        try:
            yield input(PROMPT)
        except EOFError:
            out.print()
            return


def run_interactive(session: Session) -> None:
    """The greeting is in the server's language (TALKS_LANGUAGE); each answer and each error
    about a question in the question's."""
    server = session.engine.settings.language
    err.print(
        Text(tr(server, "Ask about the peace talks. {new} starts over; Ctrl-D leaves.", new=NEW))
    )
    for line in typed_lines():
        question = line.strip()
        if question == NEW:
            session.turns = []
            continue
        if not question:
            continue
        try:
            answer = session.ask(question)
        except TalksError as exc:
            asked_in = session.engine.language_of(question)
            err.print(error_line(with_hint(exc, asked_in), asked_in))
            continue
        out.print(Text(answer_text(answer)))
        out.print()


def run_json(session: Session) -> int:
    """One object per non-empty line; an unusable question becomes {"question", "error"} and the
    conversation goes on. Returns the exit code: 1 if any line failed."""
    failed = False
    for line in sys.stdin:
        question = line.strip()
        if not question:
            continue
        try:
            print(answer_json(session.ask(question), conversation=True), flush=True)
        except TalksError as exc:
            failed = True
            message = with_hint(exc, session.engine.language_of(question))
            print(json_error(question, message), flush=True)
    return 1 if failed else 0


def json_error(question: str, message: str) -> str:
    return json.dumps({"question": question, "error": message}, ensure_ascii=False)


@app.command()
def chat(
    json_lines: Annotated[
        bool, typer.Option("--json", help="Questions from stdin, one JSON answer per line.")
    ] = False,
    since: Since = None,
    until: Until = None,
    outlet: Outlet = None,
) -> None:
    """A conversation: follow-ups ("and what did kyiv say to that?") use the earlier turns."""
    s = settings()
    with user_errors(bad_input=2):
        first, last = days(since, until)
    eng = engine(s)
    with user_errors(bad_input=2):
        filters = eng.filters(first, last, outlet)
    session = Session(eng, filters, s.conversation_turns)
    if json_lines:
        raise typer.Exit(run_json(session))
    with user_errors():
        run_interactive(session)
