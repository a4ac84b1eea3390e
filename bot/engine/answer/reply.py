"""The model's reply as sentences with the `[n]` markers they carry. Pure.

Links, mentions and markup that no shown source contains are removed first: a model (or an
article that talked it into something) must not make the bot ping `@everyone` or link elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.engine.text import sentence_spans

MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")  # "[1]", "[1, 3]": the numbers grouped
_LEADING_MARKERS = re.compile(r"^(?:[\s,]*\[\d+(?:\s*,\s*\d+)*\])+")
_MASKED_LINK = re.compile(r"\[([^\]\n]+)\]\((\S+?)\)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]+", re.I)
_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b|(?<![\w.])@\w+")
_MARKUP = re.compile(r"\*{1,3}|_{2,}|~~|`+|\|\||</?[a-zA-Z][^>]*>")
_LINE_MARK = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*•]\s+|\d+[.)]\s+)", re.M)


@dataclass(frozen=True)
class Unit:
    """A sentence of the reply, without its markers, and the source numbers it cites."""

    text: str
    cites: tuple[int, ...]


def clean(text: str, sources: Iterable[str]) -> str:
    """Links, mentions and markup the sources do not contain, removed; one line."""
    shown = "\n".join(sources)
    text = _MASKED_LINK.sub(lambda m: m.group(0) if m.group(1).isdigit() else m.group(1), text)
    text = _URL.sub(lambda m: m.group(0) if m.group(0) in shown else "", text)
    text = _MENTION.sub(lambda m: m.group(0) if m.group(0) in shown else "", text)
    text = _LINE_MARK.sub("", text)
    text = _MARKUP.sub("", text)
    text = re.sub(r"\(\W*\)", "", text)  # brackets left empty by a removed link
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split()))


def units(text: str) -> list[Unit]:
    """Sentences with the markers they carry; markers after a full stop ("… talks. [1]")
    belong to the sentence before them."""
    pieces = [text[a:b] for a, b in sentence_spans(text)]
    out: list[list[str]] = []
    for piece in pieces:
        lead = _LEADING_MARKERS.match(piece)
        if lead and out:
            out[-1].append(lead.group(0))
            piece = piece[lead.end() :]
        if piece.strip():
            out.append([piece])
    result = []
    for parts in out:
        joined = " ".join(parts)
        cites = tuple(int(n) for m in MARKERS.findall(joined) for n in re.split(r"\s*,\s*", m))
        bare = " ".join(re.sub(rf",?\s*{MARKERS.pattern}", " ", joined).split())
        result.append(Unit(re.sub(r"\s+([.,;:!?])", r"\1", bare), tuple(dict.fromkeys(cites))))
    return result
