"""Positions over time: `talks timeline` and `talks parties`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.text import Text

from bot.cli.app import Since, Until, app, days, engine, out, settings, user_errors
from bot.engine import Timeline
from bot.render_text import meta_tail

CHANGED = "position changes"


def timeline_text(t: Timeline) -> str:
    """A dated list, oldest first: date and speaker, the verbatim statement, its source."""
    about = f" on “{t.topic}”" if t.topic else ""
    if not t.entries:
        who = "" if t.speakers else " (no indexed statement is attributed to it)"
        return f"No statements by {t.party}{about} in the indexed articles{who}."
    count = len(t.entries)
    lines = [f"{t.party}{about}: {count} statement{'s' if count > 1 else ''}, oldest first", ""]
    for e in t.entries:
        mark = f"  [{CHANGED}]" if e.changes else ""
        a = e.article
        tail = meta_tail(a.outlet, None)
        lines.append(f"{e.date.isoformat()}  {e.speaker}{mark}")
        lines.append(f"    “{' '.join(e.statement.split())}”")
        lines.append(f"    — {a.title}" + (f" ({tail})" if tail else "") + f" {a.url or a.source}")
    return "\n".join(lines)


@app.command()
def timeline(
    party: Annotated[str, typer.Argument(help="A party (see `talks parties`) or a speaker.")],
    topic: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Only statements about this.")
    ] = None,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, typer.Option(metavar="N", help="At most N statements.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """What a party (or one speaker) said over time, with the article each statement is from."""
    with user_errors(bad_input=2):
        first, last = days(since, until)
    eng = engine(settings())
    with user_errors(bad_input=2):
        result = eng.timeline(party, topic=topic, since=first, until=last, limit=limit)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
    else:
        out.print(Text(timeline_text(result)))


@app.command()
def parties() -> None:
    """The parties a timeline can name, with the names that speak for each."""
    eng = engine(settings())
    with user_errors():
        known = eng.parties()
    for p in known:
        out.print(Text.assemble((p.name, "bold"), ": ", ", ".join(p.aliases)))
