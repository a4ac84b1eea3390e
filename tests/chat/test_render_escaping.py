"""Escaping exactly once, links that stay links, notices that stay plain (issue 10, item 6)."""

from __future__ import annotations

import re

import pytest

from bot.chat.render import link, notice, safe_url
from bot.chat.render_admin import add_summary
from bot.engine import AddReport
from bot.engine.models import Article

MASKED = re.compile(r"^\[(?P<text>(?:\\.|[^\\\[\]])*)\]\((?P<url>[^\s()\[\]<>]+)\)$")


def shown(markdown: str) -> str:
    """What Discord displays for escaped text: each backslash escape shows its character."""
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.mark.parametrize(
    "title",
    [
        "Talks [update] *live*",
        "See [the memo](https://evil.example) now",
        r"Path a\b and \[bracket\]",
        "Ends with a bracket]",
    ],
)
def test_a_title_in_a_link_is_escaped_once(title: str) -> None:
    md = link(title, "https://news.example.org/a")

    match = MASKED.match(md)
    assert match, md
    assert shown(match["text"]) == title  # no stray backslash, nothing lost


@pytest.mark.parametrize(
    "url",
    [
        "https://x.example/a\n[click](https://evil.example)",
        "https://x.example/a b)(c",
        "https://x.example/a]\r\n<b>\t\x00",
        "https://x.example/\u2028line",
    ],
)
def test_safe_url_keeps_a_masked_link_whole(url: str) -> None:
    target = safe_url(url)

    assert target is not None
    assert MASKED.match(link("Title", url)), link("Title", url)
    assert not re.search(r"[\s()\[\]<>\x00-\x1f]", target)


def test_safe_url_encodes_newlines_and_brackets_as_percent_escapes() -> None:
    assert safe_url("https://x.example/a\n[b](c) d") == "https://x.example/a%0A%5Bb%5D%28c%29%20d"
    assert safe_url("https://x.example/" + "(" * 200) is None  # too long once encoded


def test_notice_makes_markdown_and_mentions_inert_but_keeps_links() -> None:
    text = "**Bold** claim by @everyone: [see](https://evil.example) or https://x.example/a_b_c"

    sent = notice(text)

    assert sent.startswith(r"\*\*Bold\*\* claim by @" + "\u200beveryone")
    assert r"\[see](https://evil.example)" in sent  # no masked link
    assert sent.endswith("https://x.example/a_b_c")  # a bare link still works
    assert shown(sent).replace("\u200b", "") == text


def test_an_add_summary_is_escaped_once_when_sent() -> None:
    article = Article("id1", "Talks *live* [update]", "text", "a.md", outlet="Wire_News")
    report = AddReport([article], ["b.md: already indexed as x (A **bold** title)"], [])

    sent = notice(add_summary(report))

    assert shown(sent) == add_summary(report)
    assert "\\\\" not in sent
