"""/talks feedback: votes on answers as one embed. Pure."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from bot.chat.render import safe, shorten
from bot.feedback import Summary

QUESTION_CHARS = 150
REASON_CHARS = 200


def feedback_embed(s: Summary) -> discord.Embed:
    """Counts and rate, then the latest 👎 answers with what was wrong, newest first."""
    rate = f"{s.rate:.0%} helpful" if s.rate is not None else "no votes yet"
    embed = discord.Embed(
        title="Feedback on answers",
        description=f"{s.answers} answers · {s.up} 👍 · {s.down} 👎 · {rate}",
        colour=discord.Colour.blurple(),
    )
    for d in s.latest_down:
        day = datetime.fromtimestamp(d.at, UTC).date().isoformat()
        reason = safe(shorten(d.reason, REASON_CHARS)) if d.reason else "*(no reason given)*"
        embed.add_field(
            name=shorten(f"👎 {day} · {d.question}", 256),
            value=reason,
            inline=False,
        )
    return embed
