"""The RSS/Atom feeds to follow, and polling them into the index.

The list is JSON beside the index (index/feeds.json, written atomically, changed under a file lock
so the bot's poll loop and a command-line feed edit do not lose each other's edits). Each feed
remembers the entry links it has handled, so a poll fetches only new entries; one poll adds all
new articles of all feeds in a single index update.

An entry whose page cannot be fetched (network, timeout) is retried on the next polls, up to
MAX_ATTEMPTS; one that is fetched but is no article (or is a duplicate) is not tried again.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.engine import changes
from bot.engine.index.dedup import canonical_url
from bot.engine.index.writer import IndexWriter
from bot.engine.ingest.feeds import FeedEntry
from bot.engine.ingest.incoming import Fetcher, Incoming
from bot.engine.models import AddReport, Article
from bot.engine.store.atomic import write_atomic
from bot.errors import BadInput, FetchError

FILE = "feeds.json"
MAX_NEW_PER_POLL = 25  # per feed; the rest come with the next poll
MAX_ATTEMPTS = 3
MAX_SEEN = 1000  # per feed: feeds only list their latest entries


@dataclass(frozen=True)
class Feed:
    url: str
    added_at: str
    last_polled: str | None = None
    last_error: str | None = None
    entries: int = 0  # in the feed when last fetched
    seen: tuple[str, ...] = ()  # entry links handled (added, duplicate, or not an article)
    attempts: dict[str, int] = field(default_factory=dict)  # links whose fetch failed


@dataclass(frozen=True)
class FeedPoll:
    url: str
    added: list[Article]
    duplicates: int
    errors: list[str]


@dataclass(frozen=True)
class PollReport:
    feeds: list[FeedPoll]

    @property
    def added(self) -> list[Article]:
        return [a for f in self.feeds for a in f.added]


class FeedList:
    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE

    def load(self) -> list[Feed]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise BadInput(f"{self.path} is not valid JSON; fix or delete it.") from None
        return parse_feeds(raw)

    @contextmanager
    def editing(self) -> Iterator[list[Feed]]:
        """The list, locked against other writers; changes made to it in place are saved."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.parent / f".{FILE}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            feeds = self.load()
            yield feeds
            write_atomic(self.path, json.dumps(dump_feeds(feeds), indent=2).encode())


def parse_feeds(raw: dict[str, Any]) -> list[Feed]:
    """The feed list from its JSON document (a file, or a row of the database store)."""
    return [Feed(**{**f, "seen": tuple(f.get("seen", ()))}) for f in raw.get("feeds", [])]


def dump_feeds(feeds: list[Feed]) -> dict[str, Any]:
    return {"feeds": [asdict(f) for f in feeds]}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def add_feed(feed_list: FeedList, fetcher: Fetcher, url: str) -> Feed:
    """Follow a feed after checking that it fetches and parses (its entries are not added yet)."""
    url = url.strip()
    entries = fetcher.feed(url)
    with feed_list.editing() as feeds:
        if any(canonical_url(f.url) == canonical_url(url) for f in feeds):
            raise BadInput(f"{url} is already in the feed list.")
        feed = Feed(url=url, added_at=now(), entries=len(entries))
        feeds.append(feed)
    return feed


def remove_feed(feed_list: FeedList, url: str) -> Feed:
    with feed_list.editing() as feeds:
        for feed in feeds:
            if canonical_url(feed.url) == canonical_url(url.strip()):
                feeds.remove(feed)
                return feed
    raise BadInput(f"{url} is not in the feed list; the list of feeds shows it.")


def poll(feed_list: FeedList, fetcher: Fetcher, writer: IndexWriter) -> PollReport:
    """Fetch every feed and add its new entries; a broken feed is reported, the others go on."""
    live = writer.live()
    if live is not None:
        writer.check_chunking(live)
    polls: dict[str, _Poll] = {}
    for feed in feed_list.load():
        state = polls[feed.url] = _Poll(feed)
        try:
            entries = fetcher.feed(feed.url)
        except BadInput as exc:
            state.errors.append(str(exc))
            continue
        state.entries = len(entries)
        for entry in [e for e in entries if e.url not in feed.seen][:MAX_NEW_PER_POLL]:
            if live and live.find_article(url=entry.url, text=""):
                state.handled.append(entry.url)
                state.duplicates += 1
            else:
                state.fetch_entry(fetcher, entry)
    items = [item for state in polls.values() for item in state.items]
    report = changes.add_items(writer, items, [], [])
    _record(feed_list, polls)
    return PollReport([state.result(report) for state in polls.values()])


@dataclass
class _Poll:
    feed: Feed
    entries: int = 0
    items: list[Incoming] = field(default_factory=list)
    handled: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duplicates: int = 0

    def fetch_entry(self, fetcher: Fetcher, entry: FeedEntry) -> None:
        try:
            self.items.append(fetcher.article(entry.url))
        except FetchError as exc:  # maybe passing: retried next time
            self.errors.append(str(exc))
            self.failed.append(entry.url)
            return
        except BadInput as exc:  # fetched, but not an article: do not fetch it again
            self.errors.append(str(exc))
        self.handled.append(entry.url)

    def result(self, report: AddReport) -> FeedPoll:
        ids = {a.id for item in self.items for a in item.articles}
        labels = {item.label for item in self.items}
        copies = sum(1 for d in report.duplicates if d.split(": already", 1)[0] in labels)
        added = [a for a in report.added if a.id in ids]
        return FeedPoll(self.feed.url, added, self.duplicates + copies, self.errors)

    def updated(self, feed: Feed, when: str) -> Feed:
        attempts = {u: n for u, n in feed.attempts.items() if u not in self.handled}
        for url in self.failed:
            attempts[url] = attempts.get(url, 0) + 1
        gave_up = [u for u, n in attempts.items() if n >= MAX_ATTEMPTS]
        seen = (*feed.seen, *self.handled, *gave_up)[-MAX_SEEN:]
        return replace(
            feed,
            last_polled=when,
            last_error=self.errors[-1] if self.errors else None,
            entries=self.entries or feed.entries,
            seen=tuple(dict.fromkeys(seen)),
            attempts={u: n for u, n in attempts.items() if n < MAX_ATTEMPTS},
        )


def _record(feed_list: FeedList, polls: dict[str, _Poll]) -> None:
    """Save what each feed handled; feeds added or removed meanwhile are left as they are."""
    when = now()
    with feed_list.editing() as feeds:
        feeds[:] = [polls[f.url].updated(f, when) if f.url in polls else f for f in feeds]
