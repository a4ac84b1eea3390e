"""Answer → terminal text and JSON lines. Pure.

The labels are the bot's own words, in the answer's language (Answer.language: the asker's);
the answer's quotes stay in their article's. JSON keys are an interface, so they stay English.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from bot.engine import Answer, Citation
from bot.i18n import N_, tr

CHANGED = N_("position changes")  # a timeline entry where the party's position moved


def party_on(party: str, topic: str | None, language: str) -> str:
    """The party, and the topic if one was asked about: `Russia on “ceasefire”`."""
    return tr(language, "{party} on “{topic}”", party=party, topic=topic) if topic else party


def citation_dict(c: Citation) -> dict[str, object]:
    a = c.article
    return {
        "n": c.n,
        "title": a.title,
        "outlet": a.outlet,
        "published": a.published.isoformat() if a.published else None,
        "url": a.url,
        "source": a.source,
        "quote": c.quote,
    }


def answer_json(answer: Answer, *, conversation: bool = False) -> str:
    """`talks ask --json`'s object; in a conversation also `understood_as`, the question as it
    was answered (a follow-up with the context it borrowed; else exactly as typed). `language`
    is the language the bot's own words were in (en, uk, ru), so a script can tell them apart
    from the quotes."""
    data: dict[str, object] = {
        "question": answer.question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "mode": answer.mode,
        "language": answer.language,
        "citations": [citation_dict(c) for c in answer.citations],
    }
    if conversation:
        data["understood_as"] = answer.understood_as or answer.question
    return json.dumps(data, ensure_ascii=False)


def meta_tail(outlet: str | None, published: date | None, clean: Callable[[str], str] = str) -> str:
    """`Outlet, 2025-06-02`: the one way a source's outlet and date are shown ("" if neither).

    `clean` escapes the outlet for a front door's markup (the date needs none).
    """
    meta = [clean(outlet) if outlet else None, published.isoformat() if published else None]
    return ", ".join(m for m in meta if m)


def source_line(c: Citation) -> str:
    a = c.article
    tail = meta_tail(a.outlet, a.published)
    where = a.url or a.source
    return f"[{c.n}] {a.title}" + (f" ({tail})" if tail else "") + f" — {where}"


def understood_line(answer: Answer) -> str | None:
    """The "Understood as" line, only when a follow-up was read with context it did not type."""
    meant = " ".join(answer.understood_as.split())
    if not meant or meant == " ".join(answer.question.split()):
        return None
    return tr(answer.language, "Understood as: {question}", question=meant)


def answer_text(answer: Answer) -> str:
    head = [line, ""] if (line := understood_line(answer)) else []
    if answer.abstained:
        return "\n".join([*head, answer.text])
    lines = [*head, answer.text, "", tr(answer.language, "Sources:")]
    for c in answer.citations:
        lines.append(source_line(c))
        lines.append(f'    "{" ".join(c.quote.split())}"')
    return "\n".join(lines)
