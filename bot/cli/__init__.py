"""`talks`: parse arguments → call the engine → print. A TalksError becomes one line, exit 1.

Each feature's commands live in their own module and register on the shared typer app.
"""

from __future__ import annotations

import sys

from bot.cli import chat, core, corpus, db, feedback, measure, serve, timeline  # noqa: F401
from bot.cli.app import app as typer_app  # `bot.cli.app` stays the module (tests patch it)
from bot.cli.app import err, error_line, with_hint
from bot.errors import TalksError


def main() -> None:
    try:
        typer_app()
    except TalksError as exc:  # anything that slipped past a command's own handler
        err.print(error_line(with_hint(exc)))
        sys.exit(1)
