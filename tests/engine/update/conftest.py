"""Articles, pages and feeds for the incremental-update tests, and an embedder that keeps count."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.engine.engine import Engine
from bot.engine.index.embed import Progress
from bot.settings import Settings
from tests.conftest import WordHashEmbedder, article_md
from tests.engine.ingest.conftest import LOCAL, LocalServer, _running_server, server

__all__ = ["LOCAL", "LocalServer", "_running_server", "server"]  # the local web server fixtures

WIRE = """
Russian and Ukrainian negotiators ended a second round of direct talks in Istanbul on Monday after
little more than an hour, agreeing only to swap the bodies of six thousand fallen soldiers and to
exchange all severely wounded prisoners of war under the age of twenty-five.

The Ukrainian delegation, led by Defence Minister Rustem Umerov, handed over a list of several
hundred children it says were deported to Russia and asked for their return. Moscow presented a
memorandum demanding that Kyiv withdraw its forces from four regions before any ceasefire begins.

Turkish Foreign Minister Hakan Fidan, who hosted the meeting at the Ciragan Palace, said both sides
had agreed to continue technical contacts, but no date was set for a third round.
"""

STORIES = {
    "grain": (
        "Black Sea grain deal talks stall",
        """
        Negotiations on reviving the Black Sea grain corridor stalled on Thursday after Russia
        insisted that sanctions on its state agricultural bank be lifted first.

        Ukrainian officials said exports through their own corridor along the western coast had
        reached pre-war volumes despite repeated drone attacks on the port of Odesa.
        """,
    ),
    "energy": (
        "Energy truce proposal gains support",
        """
        A proposal for a thirty-day moratorium on strikes against power plants and substations won
        support from European capitals, which called it a first step towards a wider ceasefire.

        Kyiv said it would observe the truce if Moscow did the same, while the Kremlin said it had
        ordered its forces to halt attacks on energy infrastructure for the agreed period.
        """,
    ),
    "nuclear": (
        "Zaporizhzhia plant discussed in separate channel",
        """
        The future of the Zaporizhzhia nuclear power plant is being discussed in a separate
        channel mediated by the International Atomic Energy Agency, diplomats said.

        Both sides accuse each other of shelling near the reactors, and the agency's inspectors
        have repeatedly warned of the risk of a radiation accident at Europe's largest plant.
        """,
    ),
    "sanctions": (
        "EU weighs new sanctions package",
        """
        European Union ambassadors discussed a new package of sanctions targeting Russia's shadow
        fleet of oil tankers and several banks in third countries that help evade restrictions.

        Hungary and Slovakia asked for exemptions for pipeline oil, delaying the package, which
        needs the unanimous approval of all member states.
        """,
    ),
}


def story(key: str, **meta: str) -> str:
    title, body = STORIES[key]
    return article_md(title, body, **meta)


def wire_copy(intro: str = "", outro: str = "", title: str = "Second round of talks ends") -> str:
    body = f"{intro}\n\n{WIRE.strip()}\n\n{outro}".strip()
    return article_md(title, body)


def page(title: str, body: str, *, published: str | None = None) -> bytes:
    """A news page trafilatura reads as an article (no canonical link: its URL is its own)."""
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    paras = "".join(f"<p>{html.escape(' '.join(p.split()))}</p>" for p in body.split("\n\n"))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f'</title><meta property="og:site_name" content="Local News">{meta}</head><body>'
        f"<nav><a href='/'>Home</a></nav><main><article><h1>{html.escape(title)}</h1>{paras}"
        "</article></main><footer>© Local News</footer></body></html>"
    ).encode()


def rss(*links: tuple[str, str]) -> bytes:
    items = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(u)}</link>"
        "<pubDate>Mon, 02 Jun 2025 10:00:00 GMT</pubDate></item>"
        for t, u in links
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Local</title>'
        f"<link>http://127.0.0.1/</link><description>d</description>{items}</channel></rss>"
    ).encode()


class RecordingEmbedder(WordHashEmbedder):
    """The fake embedder, remembering every text it was asked to encode."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        self.calls.append(list(texts))
        return super().encode(texts, progress)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (relative name → bytes), to prove nothing changed."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """Where the admin keeps files before adding them (outside corpus/)."""
    path = tmp_path / "inbox"
    path.mkdir()
    return path


@pytest.fixture
def local_engine(make_settings: Callable[..., Settings], corpus: Path) -> Engine:
    """An indexed engine that may fetch from the local test server (127.0.0.1)."""
    eng = Engine(make_settings(), RecordingEmbedder(), allow_hosts=LOCAL)
    eng.rebuild()
    return eng
