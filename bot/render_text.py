"""Answer → terminal text and JSON lines. Pure."""

from __future__ import annotations

import json

from bot.engine.models import Answer, Citation


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


def answer_json(answer: Answer) -> str:
    return json.dumps(
        {
            "question": answer.question,
            "answer": answer.text,
            "abstained": answer.abstained,
            "mode": answer.mode,
            "citations": [citation_dict(c) for c in answer.citations],
        },
        ensure_ascii=False,
    )


def source_line(c: Citation) -> str:
    a = c.article
    meta = [x for x in (a.outlet, a.published.isoformat() if a.published else None) if x]
    where = a.url or a.source
    return f"[{c.n}] {a.title}" + (f" ({', '.join(meta)})" if meta else "") + f" — {where}"


def answer_text(answer: Answer) -> str:
    if answer.abstained:
        return answer.text
    lines = [answer.text, "", "Sources:"]
    for c in answer.citations:
        lines.append(source_line(c))
        lines.append(f'    "{" ".join(c.quote.split())}"')
    return "\n".join(lines)
