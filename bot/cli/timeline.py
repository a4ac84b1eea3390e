"""Positions over time: `talks timeline` and `talks parties`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.text import Text

from bot.cli.app import Since, Until, app, days, engine, out, settings, user_errors
from bot.engine import Timeline
from bot.i18n import tr, trn
from bot.render_text import CHANGED, meta_tail, party_on


def timeline_text(t: Timeline, language: str) -> str:
    """A dated list, oldest first: date and speaker, the verbatim statement, its source. The
    labels are in `language` (the asker's); statements stay in their article's."""
    who = party_on(t.party, t.topic, language)
    if not t.entries:
        if t.speakers:
            return tr(language, "No statements by {party} in the indexed articles.", party=who)
        return tr(
            language,
            "No statements by {party} in the indexed articles (no indexed statement is"
            " attributed to it).",
            party=who,
        )
    count = len(t.entries)
    head = trn(
        language,
        "{party}: {count} statement, oldest first",
        "{party}: {count} statements, oldest first",
        count,
        party=who,
    )
    lines = [head, ""]
    for e in t.entries:
        mark = f"  [{tr(language, CHANGED)}]" if e.changes else ""
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
    language = eng.language_of(" ".join(filter(None, (party, topic))))
    with user_errors(bad_input=2, language=language):
        result = eng.timeline(party, topic=topic, since=first, until=last, limit=limit)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
    else:
        out.print(Text(timeline_text(result, language)))


@app.command()
def parties() -> None:
    """The parties a timeline can name, with the names that speak for each."""
    eng = engine(settings())
    with user_errors():
        known = eng.parties()
    for p in known:
        out.print(Text.assemble((p.name, "bold"), ": ", ", ".join(p.aliases)))
