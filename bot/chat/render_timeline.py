"""Timeline → embeds within Discord's limits; parties → one embed. Pure: no I/O, no client.

Statements and titles come from articles, so they are made inert like every other quoted text
(render.safe). Entries are moved whole: one that does not fit the message is left out and the
footer says how many were shown. The labels are in the language of what was asked (the party
and topic as typed); the statements stay in their articles'.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord
from discord import app_commands

from bot.chat.render import (
    ANSWERED,
    CHOICE_CHARS,
    CHOICES_MAX,
    DECLINED,
    DESCRIPTION_MAX,
    EMBEDS_MAX,
    MESSAGE_MAX,
    TITLE_MAX,
    fit,
    link,
    safe,
    shorten,
)
from bot.engine import Entry, Party, Timeline
from bot.i18n import tr, trn
from bot.render_text import CHANGED, party_on

STATEMENT_CHARS = 350


def entry_block(e: Entry, language: str) -> str:
    """`**2022-03-29** · Speaker` (· ⟲ position changes), the quote, the linked source."""
    head = f"**{e.date.isoformat()}** · {safe(shorten(e.speaker, 80))}"
    mark = f" · **⟲ {tr(language, CHANGED)}**" if e.changes else ""
    source = link(e.article.title, e.article.url)
    outlet = f" ({safe(e.article.outlet)})" if e.article.outlet else ""
    return f"{head}{mark}\n> “{safe(shorten(e.statement, STATEMENT_CHARS))}”\n{source}{outlet}"


def about(t: Timeline, language: str, topic_chars: int = 120) -> str:
    """The party, and the topic if one was asked about: `Russia on “ceasefire”`."""
    return party_on(t.party, t.topic and shorten(t.topic, topic_chars), language)


def timeline_title(t: Timeline, language: str) -> str:
    return fit(safe(about(t, language)), TITLE_MAX)


def render_timeline(t: Timeline, language: str) -> list[discord.Embed]:
    title = timeline_title(t, language)
    if not t.entries:
        return [discord.Embed(title=title, description=_nothing(t, language), colour=DECLINED)]
    pages: list[list[str]] = [[]]
    used, shown = len(title) + 100, 0  # room for the footer
    for e in t.entries:
        block = entry_block(e, language)
        if used + len(block) + 2 > MESSAGE_MAX:
            break
        if len("\n\n".join([*pages[-1], block])) > DESCRIPTION_MAX:
            if len(pages) == EMBEDS_MAX:
                break
            pages.append([])
        pages[-1].append(block)
        used, shown = used + len(block) + 2, shown + 1
    embeds = [discord.Embed(description="\n\n".join(p), colour=ANSWERED) for p in pages]
    embeds[0].title = title
    embeds[-1].set_footer(text=_footer(t, shown, language))
    return embeds


def _nothing(t: Timeline, language: str) -> str:
    who = about(t, language, topic_chars=len(t.topic or ""))
    return safe(tr(language, "No indexed article attributes a statement to {party}.", party=who))


def _footer(t: Timeline, shown: int, language: str) -> str:
    total = len(t.entries)
    if shown == total:
        count = trn(language, "{count} statement", "{count} statements", total)
    else:
        count = trn(
            language, "{shown} of {count} statement", "{shown} of {count} statements", total,
            shown=shown,
        )  # fmt: skip
    return tr(
        language, "{count}, oldest first · quoted verbatim from the linked articles", count=count
    )


def parties_embed(parties: Sequence[Party]) -> discord.Embed:
    lines = [f"**{safe(p.name)}**: {safe(', '.join(p.aliases))}" for p in parties]
    return discord.Embed(
        title="Parties for /timeline", description=fit("\n".join(lines), DESCRIPTION_MAX)
    )  # an admin command's (/talks parties): English


def party_choices(
    parties: Sequence[str], speakers: Sequence[str], typed: str
) -> list[app_commands.Choice[str]]:
    """Parties holding what was typed first, then speakers the articles quote most."""
    needle = " ".join(typed.split()).casefold()
    names = [n for n in (*parties, *speakers) if needle in n.casefold() and len(n) <= CHOICE_CHARS]
    names = list(dict.fromkeys(names))
    names.sort(key=lambda n: not n.casefold().startswith(needle))
    return [app_commands.Choice(name=n, value=n) for n in names[:CHOICES_MAX]]
