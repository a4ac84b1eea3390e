"""`talks feedback`: what Discord users said about answers, and bad answers as test cases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from bot.cli.app import app, out, settings, user_errors
from bot.feedback import FeedbackStore, open_feedback

feedback_app = typer.Typer(help="Votes on answers given in Discord (👍/👎).", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


def store() -> FeedbackStore:
    with user_errors():
        return open_feedback(settings())


@feedback_app.command("export")
def export(
    file: Annotated[Path, typer.Argument(help="The question set to write (JSON lines).")],
    include_up: Annotated[
        bool, typer.Option("--include-up", help="Also the answers voted 👍 (as regression cases).")
    ] = False,
) -> None:
    """Write the 👎 answers' questions as a `talks eval` question set with empty facts to fill in."""
    with user_errors():
        count = store().export(file, include_up=include_up)
    out.print(Text(f"Wrote {count} question(s) to {file}; fill in each one's facts and source."))


@feedback_app.command("summary")
def summary() -> None:
    """Counts of votes and the latest 👎 answers with their reasons."""
    with user_errors():
        s = store().summary()
    rate = f"{s.rate:.0%} 👍" if s.rate is not None else "no votes yet"
    out.print(Text(f"{s.answers} answers with buttons · {s.up} 👍 · {s.down} 👎 · {rate}"))
    for d in s.latest_down:
        out.print(Text(f"👎 {d.question}" + (f" — {d.reason}" if d.reason else "")))
