"""Who said each sentence: speaker attribution, found once at index time. Pure: no model, no I/O.

A sentence is attributed when its own words name the one speaking — the subject of a speech verb
("Peskov told reporters …", "“…,” said Dmitry Peskov"), "according to X", a transcript label
("Vladimir Putin: …") — or when it refers to a speaker named just before it: a pronoun or a role
("he said", "the Head of State stressed"), a quotation that continues the previous one, or a
sentence under a transcript label. A name the sentence speaks *about* is not its speaker: only the
subject of the speech verb counts, passives ("was told", "has been accused") are skipped, and
verbs inside quotation marks belong to the quotation. When in doubt nothing is attributed: a
timeline may miss a statement, but it must not put words in someone's mouth.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.engine.index.speech import (
    LABEL,
    OPENS_QUOTE,
    STATED_BY,
    TOKEN,
    label_ref,
    masked,
    name_of,
    quoted,
    right,
    sentence_ref,
)


@dataclass
class _Context:
    """What the sentences before have established: the last named speaker (of this paragraph
    and the one before), the last transcript label, the last quotation's speaker."""

    speaker: str | None = None
    previous: str | None = None  # the last named speaker of the paragraph before
    label: str | None = None
    quoted: str | None = None
    subject: str | None = None  # the person a sentence of this paragraph opened with


def _opening_name(sentence: str) -> str | None:
    """The person a sentence opens with, after any titles: "President of Ukraine Volodymyr
    Zelenskyy met …" → "Volodymyr Zelenskyy"; what "the Head of State" refers to later."""
    tokens: list[str] = []
    for token in TOKEN.findall(sentence.split(",")[0][:120]):
        if not (token[:1].isupper() or token == "of"):
            break
        tokens.append(token)
    ref = name_of(tokens) if len(tokens) >= 2 else None
    return ref.name if ref and ref.name and len(ref.name.split()) >= 2 else None


def attribute(text: str, spans: Sequence[tuple[int, int]]) -> list[str | None]:
    """The speaker of each sentence (offsets into `text`, in article order), as the article
    names them, or None."""
    out: list[str | None] = []
    ctx = _Context()
    last_para = -1
    for start, end in spans:
        para = text.count("\n\n", 0, start)
        if para != last_para:
            ctx.previous = ctx.speaker if para == last_para + 1 else None
            ctx.speaker, ctx.quoted, ctx.subject, last_para = None, None, None, para
        sentence = text[start:end]
        stated = STATED_BY.match(sentence)
        if stated:
            _stated_by(sentence, stated.end(), out, ctx)
        else:
            out.append(_resolve(sentence, ctx))
    return _quotation_runs([text[a:b] for a, b in spans], out)


def _stated_by(sentence: str, at: int, out: list[str | None], ctx: _Context) -> None:
    """ "… . This was stated by X.": X said it, and the unattributed sentences just before."""
    ref = right(masked(sentence), at)
    name = ref.name if ref else None
    if name is None:
        out.append(None)
        return
    j = len(out)
    while j > 0 and out[j - 1] is None:
        j -= 1
    out[j:] = [name] * (len(out) - j)
    out.append(name)
    ctx.speaker = name


def _quotation_runs(sentences: list[str], speakers: list[str | None]) -> list[str | None]:
    """A quotation of several sentences is said by whoever its first or last sentence names:
    "He said: “A. B. C,” …" or "“A. B. C,” Peskov said."."""
    out = list(speakers)
    opened: int | None = None
    for i, sentence in enumerate(sentences):
        _, closes, left_open = quoted(sentence)
        if opened is not None and closes:
            who = out[opened] or out[i]
            if who:
                for j in range(opened, i + 1):
                    out[j] = out[j] or who
            opened = None
        if left_open:
            opened = i
        elif opened is not None and re.search('["“”«»]', sentence):
            opened = None  # marks that do not fit: leave the run alone
    return out


def _resolve(sentence: str, ctx: _Context) -> str | None:
    label = LABEL.match(sentence)
    if label:  # a transcript turn: this speaker until the next label ("Question:" → nobody)
        named = label_ref(label.group(1))
        ctx.label = named.name if named else None
        return ctx.label
    ref = sentence_ref(sentence)
    if ref is not None:
        name = ref.name or ctx.speaker or ctx.previous or ctx.subject
        if name:
            ctx.speaker = name
        ctx.quoted = name if OPENS_QUOTE.match(sentence) or "”" in sentence else None
        return name
    if OPENS_QUOTE.match(sentence) and ctx.quoted:
        ctx.speaker = ctx.quoted
        return ctx.quoted  # a quotation going on after "…,” he said."
    ctx.subject = _opening_name(sentence) or ctx.subject
    return ctx.label
