"""What the /talks admin commands show: progress, summaries, stats, source pages. Pure.

Kept apart from render.py (answers) so each stays small; same rules: within Discord's limits and
with corpus text made inert.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import discord
from discord import app_commands

from bot.chat.render import CHOICE_CHARS, CHOICES_MAX, DESCRIPTION_MAX, fit, link, safe, shorten
from bot.engine import (
    AddReport,
    Article,
    BuildReport,
    Feed,
    PollReport,
    Progress,
    SourceInfo,
    Stats,
)
from bot.render_text import meta_tail

PAGE_SIZE = 10
STAGES = {
    "reading": "Reading corpus/",
    "chunking": "Splitting articles into passages",
    "embedding": "Embedding passages",
    "saving": "Saving the new index",
    "done": "Swapping in the new index",
}


def progress_line(p: Progress) -> str:
    stage = STAGES.get(p.stage, p.stage.capitalize())
    counts = f"{p.articles:,} articles, {p.chunks:,} passages" if p.articles else ""
    steps = f"{p.done:,}/{p.total:,} " if p.stage == "embedding" else ""
    line = f"Reindexing… {stage}: {steps}{p.percent:.0f}%"
    return f"{line} ({counts})" if counts else line


def build_summary(r: BuildReport) -> str:
    reused = r.chunks - r.embedded
    text = (
        f"Reindexed {r.articles:,} articles as {r.chunks:,} passages "
        f"({r.embedded:,} embedded, {reused:,} reused) in {r.seconds:.1f} s."
    )
    if r.problems:
        text += f" Skipped {len(r.problems)} file(s) or record(s): " + "; ".join(r.problems[:3])
    return text  # plain: `notice` escapes it once when it is sent


def article_label(a: Article | SourceInfo) -> str:
    tail = meta_tail(a.outlet, a.published)
    return f"“{shorten(a.title, 120)}”" + (f" ({tail})" if tail else "")


def add_summary(report: AddReport) -> str:
    """Plain text: `notice` escapes it once when it is sent."""
    lines = [f"Added {article_label(a)}" for a in report.added]
    lines += [f"Already indexed: {d}" for d in report.duplicates]
    lines += [f"Skipped: {p}" for p in report.problems]
    return "\n".join(lines) or "Nothing to add: no article was found in it."


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def human_seconds(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [(days, "d"), (hours, "h"), (minutes, "min")]
    shown = [f"{v} {u}" for v, u in parts if v]
    return " ".join(shown[:2]) if shown else f"{secs} s"


def when(iso: str | None) -> str:
    """A Discord timestamp, shown in each reader's own time zone."""
    if not iso:
        return "never"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return discord.utils.format_dt(moment, "f") + " (" + discord.utils.format_dt(moment, "R") + ")"


def stats_embed(s: Stats) -> discord.Embed:
    embed = discord.Embed(title="Index", colour=discord.Colour.blurple())
    rows = [
        ("Articles", f"{s.articles:,}"),
        ("Passages", f"{s.chunks:,}"),
        ("Index size", human_bytes(s.index_bytes)),
        ("Model", fit(safe(s.model), 1024)),
        ("Search", safe(s.dense)),
        ("Last reindex", when(s.built_at)),
        ("Uptime", human_seconds(s.uptime_seconds)),
    ]
    for name, value in rows:
        embed.add_field(name=name, value=value or "-", inline=name not in ("Model", "Last reindex"))
    return embed


def source_entry(s: SourceInfo) -> str:
    head = link(s.title, s.url, 120)
    tail = meta_tail(s.outlet, s.published, safe)
    return f"`{s.id}` {head}" + (f" ({tail})" if tail else "") + f" · {s.chunks} passages"


def pages_of(rows: Sequence[SourceInfo]) -> int:
    return max(1, math.ceil(len(rows) / PAGE_SIZE))


def sources_embed(rows: Sequence[SourceInfo], page: int) -> discord.Embed:
    """One page of the index; `page` is clamped so an old page number still shows something."""
    total = pages_of(rows)
    page = min(max(page, 1), total)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    body = "\n".join(source_entry(s) for s in shown) or "The index is empty."
    embed = discord.Embed(
        title=f"Sources ({len(rows):,})",
        description=fit(body, DESCRIPTION_MAX),
        colour=discord.Colour.blurple(),
    )
    embed.set_footer(text=f"Page {page}/{total}" + (" · use page: for more" if total > 1 else ""))
    return embed


def source_choices(rows: Sequence[SourceInfo], typed: str) -> list[app_commands.Choice[str]]:
    """Autocomplete: titles (with outlet and date) that contain what was typed; value = id."""
    needle = typed.casefold().strip()
    hits = [
        s for s in rows if not needle or needle in f"{s.title} {s.outlet or ''} {s.id}".casefold()
    ]
    return [
        app_commands.Choice(name=shorten(article_label(s), CHOICE_CHARS), value=s.id[:CHOICE_CHARS])
        for s in hits[:CHOICES_MAX]
    ]


def feeds_embed(feeds: Sequence[Feed]) -> discord.Embed:
    lines = []
    for f in feeds:
        polled = when(f.last_polled) if f.last_polled else "not polled yet"
        line = f"<{f.url}> · {f.entries} entries · last polled {polled}"
        if f.last_error:
            line += f"\n  ⚠ {safe(shorten(f.last_error, 200))}"
        lines.append(line)
    body = "\n".join(lines) or "No feeds yet; add one with /talks feeds add."
    return discord.Embed(
        title=f"Feeds ({len(feeds)})",
        description=fit(body, DESCRIPTION_MAX),
        colour=discord.Colour.blurple(),
    )


def feed_choices(feeds: Sequence[Feed], typed: str) -> list[app_commands.Choice[str]]:
    needle = typed.casefold().strip()
    urls = [f.url for f in feeds if needle in f.url.casefold() and len(f.url) <= CHOICE_CHARS]
    return [app_commands.Choice(name=u, value=u) for u in urls[:CHOICES_MAX]]


def poll_summary(report: PollReport) -> str:
    added = report.added
    lines = [f"Added {len(added)} article(s) from {len(report.feeds)} feed(s)."]
    lines += [f"• {article_label(a)}" for a in added[:10]]
    if len(added) > 10:
        lines.append(f"• … and {len(added) - 10} more")
    lines += [f"⚠ {e}" for f in report.feeds for e in f.errors[:2]]
    return "\n".join(lines)  # plain: `notice` escapes it once when it is sent


def new_articles_embed(articles: Sequence[Article]) -> discord.Embed:
    """What the background poll announces: new articles, as links."""
    lines = []
    for a in articles[:PAGE_SIZE]:
        lines.append(f"• {link(a.title, a.url, 120)}")
    if len(articles) > PAGE_SIZE:
        lines.append(f"… and {len(articles) - PAGE_SIZE} more")
    return discord.Embed(
        title=f"{len(articles)} new article(s) indexed",
        description=fit("\n".join(lines), DESCRIPTION_MAX),
        colour=discord.Colour.green(),
    )
