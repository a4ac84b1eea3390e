"""Growing the corpus: `talks add`, `talks remove` and `talks feeds add|list|remove|poll`.

Each command changes index/ incrementally (no `talks index` needed) and keeps corpus/ in step.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bot.cli.app import app, cells, engine, err, fail, labelled, out, settings, user_errors
from bot.engine import AddReport, PollReport

feeds = typer.Typer(no_args_is_help=True, help="Follow RSS/Atom feeds and add their new articles.")
app.add_typer(feeds, name="feeds")


@app.command()
def add(
    targets: Annotated[
        list[str], typer.Argument(metavar="URL_OR_PATH...", help="Article URLs and/or files.")
    ],
) -> None:
    """Add articles (URLs and files, mixed) to corpus/ and the index, without a full rebuild."""
    eng = engine(settings())
    with user_errors():
        report = eng.add(targets)
    _print_report(report)
    if not report.added and report.problems:
        raise typer.Exit(1)


def _print_report(report: AddReport) -> None:
    for article in report.added:
        out.print(Text(f"added {article.id}  {article.title}"))
    for line in report.grouped:
        out.print(labelled("grouped:", "cyan", line))
    for line in report.duplicates:
        out.print(labelled("duplicate:", "yellow", line))
    for line in report.problems:
        err.print(labelled("problem:", "red", line))
    if report.added:
        out.print(
            f"Added {len(report.added)} article(s) as {report.chunks} passages "
            f"in {report.seconds:.1f}s → {report.generation}"
        )


@app.command()
def remove(
    source_id: Annotated[str, typer.Argument(help="The article's id (see `talks sources`).")],
) -> None:
    """Remove an article from the index and its file from corpus/."""
    eng = engine(settings())
    with user_errors():
        article = eng.remove(source_id)
    out.print(Text(f"removed {article.id}  {article.title}  ({article.source})"))


@feeds.command("add")
def feeds_add(url: Annotated[str, typer.Argument(help="The feed's URL.")]) -> None:
    """Follow a feed (checked by fetching it once); `talks feeds poll` adds its articles."""
    eng = engine(settings())
    with user_errors():
        feed = eng.add_feed(url)
    out.print(Text(f"following {feed.url} ({feed.entries} entries now)"))


@feeds.command("list")
def feeds_list() -> None:
    """The feeds followed, with when each was last polled."""
    eng = engine(settings())
    with user_errors():
        rows = eng.feeds()
    if not rows:
        out.print("No feeds yet; add one with `talks feeds add URL`.")
        return
    table = Table("url", "entries", "last polled", "last error", box=None)
    for f in rows:
        table.add_row(*cells(f.url, str(f.entries), f.last_polled or "never", f.last_error or ""))
    out.print(table)


@feeds.command("remove")
def feeds_remove(url: Annotated[str, typer.Argument(help="The feed's URL.")]) -> None:
    """Stop following a feed (articles already added stay)."""
    eng = engine(settings())
    with user_errors():
        feed = eng.remove_feed(url)
    out.print(Text(f"no longer following {feed.url}"))


@feeds.command("poll")
def feeds_poll() -> None:
    """Fetch every feed now and add the articles of new entries."""
    eng = engine(settings())
    with user_errors():
        if not eng.feeds():
            raise fail("No feeds to poll; add one with `talks feeds add URL`.")
        report = eng.poll_feeds()
    _print_poll(report)
    if all(f.errors and not f.added for f in report.feeds):
        raise typer.Exit(1)


def _print_poll(report: PollReport) -> None:
    for feed in report.feeds:
        out.print(
            Text(
                f"{feed.url}: {len(feed.added)} new, {feed.duplicates} already indexed, "
                f"{len(feed.errors)} error(s)"
            )
        )
        for article in feed.added:
            out.print(Text(f"  added {article.id}  {article.title}"))
        for line in feed.errors:
            err.print(Text("  ") + labelled("problem:", "red", line))
