"""Answer → embeds that always fit Discord's limits. Pure: no I/O, no client.

Discord rejects a whole message (400) when one limit is passed, so everything here is measured
before it is sent. Text from articles and questions is escaped: a quote containing `**`, a masked
link or "@everyone" must read as plain text and can never ping, even if allowed_mentions were lost.
The bot's own words (the Sources heading, the footer) are in the answer's language; the quotes
stay in their article's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import discord
from discord import app_commands
from discord.utils import escape_markdown, escape_mentions

from bot.engine import Answer, Citation
from bot.i18n import tr
from bot.render_text import answer_text, meta_tail, understood_line

CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FOOTER_MAX = 2048
MESSAGE_MAX = 6000  # all embeds of one message together
EMBEDS_MAX = 10
QUOTE_CHARS = 280
TITLE_CHARS = 200
URL_MAX = 512
UNDERSTOOD_CHARS = 600  # the "Understood as" line in a footer (footers take 2,048)
CHOICES_MAX = 25  # autocomplete choices Discord shows
CHOICE_CHARS = 100  # ... and the length of each one's name and value
ANSWERED = discord.Colour.blurple()
DECLINED = discord.Colour.light_grey()
FILE_NAME = "answer.txt"
NO_PINGS = discord.AllowedMentions.none()  # on every send, as well as on the client
_UNIT = re.compile(r".*?\[\d+\][.,;:!?]?(?=\s|$)|.+$", re.S)
# What would end a masked link's target or split it: whitespace (newlines too), controls,
# brackets and parentheses, angle brackets.
_LINK_BREAKERS = re.compile(r"[\s\x00-\x1f\x7f()\[\]<>]")
# A bracket not already escaped: preceded by an even number of backslashes (escape_markdown
# escapes a "[" that starts something link-like, and every backslash of the text itself).
_BARE_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]])")


@dataclass(frozen=True)
class Rendered:
    """What one message carries; `file` is (name, bytes) when the whole answer did not fit."""

    embeds: list[discord.Embed]
    file: tuple[str, bytes] | None = None


@dataclass
class _Page:
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def safe(text: str) -> str:
    """Corpus or user text made inert: no markdown, no mentions."""
    return escape_mentions(escape_markdown(text))


def shorten(text: str, limit: int) -> str:
    """Whitespace collapsed; cut at a word boundary with an ellipsis when longer than `limit`."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def fit(text: str, limit: int) -> str:
    """An already-escaped string cut to `limit` without leaving a dangling backslash."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip("\\") + "…"


def safe_url(url: str | None) -> str | None:
    """Only http(s) links, with every character that could end or split a masked link
    (whitespace and newlines, controls, brackets, parentheses, <>) percent-encoded."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    url = _LINK_BREAKERS.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), url)
    return url if len(url) <= URL_MAX else None


def link(title: str, url: str | None, limit: int = TITLE_CHARS) -> str:
    """`[Title](url)`, or the plain title when there is no usable link; brackets in the title
    are escaped (once) so they cannot end the link text early."""
    text = _BARE_BRACKET.sub(r"\1\\\2", safe(shorten(title, limit)))
    target = safe_url(url)
    return f"[{text}]({target})" if target else text


def source_line(c: Citation) -> str:
    """`**[n]** [Title](url) (Outlet, date)` — the title is the link when there is one."""
    a = c.article
    head = link(a.title, a.url)
    tail = meta_tail(a.outlet, a.published, safe)
    return f"**[{c.n}]** {head}" + (f" ({tail})" if tail else "")


def source_block(c: Citation, quote_chars: int = QUOTE_CHARS) -> str:
    quote = safe(shorten(c.quote, quote_chars))
    return f"{source_line(c)}\n> “{quote}”" if quote else source_line(c)


def answer_units(text: str) -> list[str]:
    """The answer split after each [n] marker, so a page break never separates text from its
    citation."""
    return [safe(u.strip()) for u in _UNIT.findall(text.strip()) if u.strip()]


def _split_long(text: str, limit: int) -> Iterator[str]:
    """A single unit longer than a whole embed (a runaway sentence) is cut at spaces; its [n]
    marker stays with the last piece."""
    while len(text) > limit:
        cut = text.rfind(" ", limit // 2, limit - 1)
        cut = cut if cut > 0 else limit - 1
        yield text[:cut].rstrip("\\")
        text = text[len(text[:cut].rstrip("\\")) :].lstrip()
    if text:
        yield text


def _pieces(answer: Answer, quote_chars: int) -> list[str]:
    """Every piece with its leading separator; the Sources heading travels with source [1]."""
    pieces: list[str] = []
    for unit in answer_units(answer.text):
        for piece in _split_long(unit, DESCRIPTION_MAX - 1):
            pieces.append((" " if pieces else "") + piece)
    sources = tr(answer.language, "Sources")
    heading = f"\n\n**{sources}**\n"
    for i, c in enumerate(answer.citations):
        block = source_block(c, quote_chars)
        pieces.append((heading if i == 0 else "\n") + block)
    return pieces


def _pack(pieces: Iterable[str], budget: int) -> tuple[list[_Page], list[str]]:
    """Greedy: whole pieces into pages of ≤ DESCRIPTION_MAX, within `budget` chars in all.

    Returns the pages and the pieces left over (those go to the attached file)."""
    pages: list[_Page] = [_Page()]
    used = 0
    left: list[str] = []
    for piece in pieces:
        if left:
            left.append(piece)
            continue
        page = pages[-1]
        if page.parts and len(page.text) + len(piece) > DESCRIPTION_MAX:
            if len(pages) == EMBEDS_MAX:
                left.append(piece)
                continue
            page = _Page()
            pages.append(page)
            piece = piece.lstrip()
        if used + len(piece) > budget:
            left.append(piece)
            continue
        page.parts.append(piece)
        used += len(piece)
    return [p for p in pages if p.parts], left


def _footer(answer: Answer, overflow: bool) -> str:
    language = answer.language
    parts = [tr(language, "Sentences quoted from the cited articles")]
    if answer.mode == "generated":
        parts = [
            tr(
                language,
                "Written by a language model; every sentence checked against its cited source",
            )
        ]
    if answer.as_of:
        parts.insert(0, tr(language, "As of {date}", date=answer.as_of.isoformat()))
    if line := understood_line(answer):
        parts.insert(0, shorten(line, UNDERSTOOD_CHARS))
    if overflow:
        parts.append(
            tr(language, "too long for one message: the full answer is in {file}", file=FILE_NAME)
        )
    return " · ".join(parts)


def render_answer(answer: Answer, *, quote_chars: int = QUOTE_CHARS) -> Rendered:
    """One message: the answer with [n] markers, then numbered sources with a short quote.

    Overflow goes to further embeds (up to 10 / 6,000 chars), then to a text file holding the
    whole answer; pieces are only ever moved whole, so no citation is cut."""
    title = fit(safe(shorten(answer.question, TITLE_MAX)), TITLE_MAX)
    if answer.abstained or not answer.citations:
        body = fit(safe(answer.text), DESCRIPTION_MAX)
        embed = discord.Embed(title=title, description=body, colour=DECLINED)
        if line := understood_line(answer):
            embed.set_footer(text=shorten(line, UNDERSTOOD_CHARS))
        return Rendered([embed])
    footer_room = len(_footer(answer, overflow=True))
    pages, left = _pack(_pieces(answer, quote_chars), MESSAGE_MAX - len(title) - footer_room)
    embeds = [discord.Embed(description=p.text, colour=ANSWERED) for p in pages]
    embeds[0].title = title
    embeds[-1].set_footer(text=_footer(answer, overflow=bool(left)))
    file = (FILE_NAME, answer_text(answer).encode("utf-8")) if left else None
    return Rendered(embeds, file)


def draft(text: str) -> str:
    """A generated answer still being written: plain content, inert, marked as unfinished.

    The final embed replaces it once every sentence has been checked against its source."""
    return fit(safe(" ".join(text.split())), CONTENT_MAX - 2) + " …"


def notice(text: str) -> str:
    """A message for the user from plain text (callers do not escape): markdown and mentions
    made inert, links left working, within the content limit."""
    return fit(safe(text), CONTENT_MAX)


def message_size(embeds: Iterable[discord.Embed]) -> int:
    """Discord's count toward the 6,000-character limit of one message."""
    return sum(len(e) for e in embeds)


def outlet_choices(outlets: Sequence[str], typed: str) -> list[app_commands.Choice[str]]:
    """Autocomplete for /ask's outlet: names holding what was typed, those starting with it
    first. A name longer than a choice may be is left out, since a cut value matches no outlet."""
    needle = " ".join(typed.split()).casefold()
    fits = [o for o in outlets if len(o) <= CHOICE_CHARS and needle in o.casefold()]
    fits.sort(key=lambda o: not o.casefold().startswith(needle))  # stable: sorted within each
    return [app_commands.Choice(name=o, value=o) for o in fits[:CHOICES_MAX]]
