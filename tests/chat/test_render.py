"""Answer → embeds: always within Discord's limits, citations whole, corpus text inert."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import discord
import pytest

from bot.chat.render import (
    DESCRIPTION_MAX,
    EMBEDS_MAX,
    FILE_NAME,
    MESSAGE_MAX,
    TITLE_MAX,
    Rendered,
    answer_units,
    message_size,
    notice,
    render_answer,
    safe_url,
    shorten,
    source_block,
)
from bot.engine.models import Answer, Article, Citation

LONG_QUOTE = (
    "Negotiators from both delegations met for several hours in the Ciragan Palace, where the "
    "Turkish foreign minister urged them to agree on a humanitarian ceasefire, the exchange of "
    "prisoners of war and the return of deported children, while warning that the talks could "
    "collapse if either side walked away before a second round was scheduled for next month."
)


def article(n: int, **kw: object) -> Article:
    values: dict[str, object] = {
        "id": f"a{n}",
        "title": f"Article number {n} about the talks",
        "text": "…",
        "source": f"a{n}.md",
        "url": f"https://news.example.org/story-{n}",
        "outlet": "Example News",
        "published": date(2025, 6, n),
    }
    values.update(kw)
    return Article(**values)  # type: ignore[arg-type]


def answer(text: str, quotes: list[str], question: str = "Who met in Istanbul?") -> Answer:
    cites = tuple(Citation(i, article(i), q, f"c{i}") for i, q in enumerate(quotes, 1))
    return Answer(question, text, cites, as_of=date(2025, 6, 4))


def within_limits(r: Rendered) -> None:
    assert 1 <= len(r.embeds) <= EMBEDS_MAX
    assert message_size(r.embeds) <= MESSAGE_MAX
    for e in r.embeds:
        assert len(e.title or "") <= TITLE_MAX
        assert len(e.description or "") <= DESCRIPTION_MAX
        assert e.description
        data = e.to_dict()
        assert all(len(f["value"]) <= 1024 for f in data.get("fields", []))


def full_text(r: Rendered) -> str:
    return "\n".join(e.description or "" for e in r.embeds)


def markers(text: str) -> list[str]:
    return re.findall(r"\[\d+\]", text)


def test_short_answer_is_one_embed_with_numbered_clickable_sources() -> None:
    a = answer("Umerov met Medinsky [1]. Turkey hosted the talks [2].", ["q one", "q two"])
    r = render_answer(a)
    within_limits(r)
    [embed] = r.embeds
    assert embed.title == "Who met in Istanbul?"
    assert embed.description is not None
    assert embed.description.startswith("Umerov met Medinsky [1]. Turkey hosted the talks [2].")
    assert "**Sources**" in embed.description
    assert (
        "**[1]** [Article number 1 about the talks](https://news.example.org/story-1)"
        " (Example News, 2025-06-01)" in embed.description
    )
    assert "> “q two”" in embed.description
    assert embed.footer.text and "As of 2025-06-04" in embed.footer.text
    assert r.file is None


def test_the_bots_words_are_in_the_askers_language_and_the_quotes_verbatim() -> None:
    a = replace(
        answer("Umerov met Medinsky [1].", ["q one"], question="Хто зустрівся в Стамбулі?"),
        language="uk",
        understood_as="Хто зустрівся в Стамбулі (Умєров)?",
    )
    [embed] = render_answer(a).embeds
    assert "**Джерела**" in (embed.description or "") and "Sources" not in (embed.description or "")
    assert "> “q one”" in (embed.description or "")
    assert embed.footer.text == (
        "Зрозуміло як: Хто зустрівся в Стамбулі (Умєров)? · Станом на 2025-06-04"
        " · Речення процитовано з наведених статей"
    )
    written = render_answer(replace(a, mode="generated", language="ru")).embeds[-1]
    assert (written.footer.text or "").endswith(
        "Написано языковой моделью; каждое предложение сверено с указанным источником"
    )
    assert "**Источники**" in (written.description or "")


def test_the_footer_says_whether_the_sentences_are_quoted_or_written() -> None:
    a = answer("Umerov met Medinsky [1].", ["q one"])
    quoted = render_answer(a).embeds[-1].footer.text or ""
    written = render_answer(replace(a, mode="generated")).embeds[-1].footer.text or ""
    assert "quoted from the cited articles" in quoted and "language model" not in quoted
    assert "Written by a language model" in written and "checked against" in written


def test_four_citations_with_long_quotes_fit_in_one_message() -> None:
    text = " ".join(
        f"Sentence {i} says something about the negotiations [{i}]." for i in (1, 2, 3, 4)
    )
    r = render_answer(answer(text, [LONG_QUOTE] * 4))
    within_limits(r)
    body = full_text(r)
    for n in (1, 2, 3, 4):
        assert f"**[{n}]** [Article number {n}" in body
    assert body.count("…”") == 4  # each long quote shortened at a word, with an ellipsis
    assert r.file is None


def test_markdown_in_quotes_is_escaped() -> None:
    quote = "**bold** _it_ `code` ~~gone~~ ||spoiler|| [click](https://evil.example) > not a quote"
    body = source_block(Citation(1, article(1), quote, "c1"))
    assert "\\*\\*bold\\*\\*" in body and "\\_it\\_" in body and "\\`code\\`" in body
    assert "\\~\\~gone" in body and "\\|\\|spoiler" in body
    assert "\\[click](https://evil.example)" in body


def test_mentions_in_quotes_and_question_cannot_ping() -> None:
    a = answer(
        "Ping @everyone and @here now [1].",
        ["Hey @everyone, <@123456789012345678> and <@&123456789012345678> look"],
        question="@everyone what did <@!123456789012345678> say?",
    )
    r = render_answer(a)
    everything = full_text(r) + (r.embeds[0].title or "")
    assert "@everyone" not in everything and "@here" not in everything
    assert "<@123456789012345678>" not in everything
    assert "<@&123456789012345678>" not in everything and "<@!123" not in everything
    assert "@\u200beveryone" in everything


def test_title_with_brackets_and_url_with_parentheses_keep_the_link_intact() -> None:
    a = article(1, title="Talks [update] *live*", url="https://x.example/a_(b) c")
    block = source_block(Citation(1, a, "q", "c1"))
    assert block.startswith(
        "**[1]** [Talks \\[update\\] \\*live\\*](https://x.example/a_%28b%29%20c)"
    )


def test_no_url_means_plain_title_and_unsafe_schemes_are_dropped() -> None:
    block = source_block(Citation(2, article(2, url=None, outlet=None, published=None), "", "c"))
    assert block == "**[2]** Article number 2 about the talks"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://a.example/" + "x" * 600) is None


def test_abstention_is_a_plain_grey_embed() -> None:
    a = Answer("Who won the 2018 World Cup?", "The indexed articles do not cover this.", (), True)
    r = render_answer(a)
    within_limits(r)
    [embed] = r.embeds
    assert embed.description == "The indexed articles do not cover this."
    assert embed.colour == discord.Colour.light_grey()
    assert "Sources" not in (embed.description or "")


def test_long_question_title_is_cut_within_256() -> None:
    r = render_answer(answer("Yes [1].", ["q"], question="why " * 200))
    within_limits(r)
    assert (r.embeds[0].title or "").endswith("…")


def test_overflow_goes_to_more_embeds_without_cutting_a_citation() -> None:
    sentence = "The delegations discussed the humanitarian corridor at great length " * 8
    text = " ".join(f"{sentence.strip()}. [{i}]" for i in (1, 2, 3, 4))  # ~2,200 chars
    quotes = [LONG_QUOTE] * 4
    r = render_answer(answer(text, quotes))
    within_limits(r)
    assert len(r.embeds) >= 1
    body = full_text(r)
    assert markers(body)[:4] == ["[1]", "[2]", "[3]", "[4]"]
    for e in r.embeds:
        # every page ends at a unit boundary: after a marker, or after a whole source block
        assert re.search(r"(\[\d\]\.?|…”|”)$", e.description or "")


def test_huge_answer_is_split_within_limits_and_attached_whole() -> None:
    unit = "Negotiators argued over the wording of the final communique " * 12
    text = " ".join(f"{unit.strip()} [{1 + i % 4}]." for i in range(12))  # ~9,000 chars
    a = answer(text, [LONG_QUOTE] * 4)
    r = render_answer(a)
    within_limits(r)
    assert r.file is not None and r.file[0] == FILE_NAME
    attached = r.file[1].decode()
    assert text in attached and LONG_QUOTE in attached
    assert FILE_NAME in (r.embeds[-1].footer.text or "")
    for e in r.embeds:
        assert re.search(r"(\[\d\]\.?|”)$", e.description or "")


def test_a_single_runaway_sentence_is_split_at_spaces_and_keeps_its_marker() -> None:
    text = ("word " * 1000).strip() + ". [1]"
    r = render_answer(answer(text, ["q"]))
    within_limits(r)
    assert len(r.embeds) >= 2
    assert r.file is None
    assert full_text(r).count("word") == 1000 and "word. [1]" in full_text(r)


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("A [1]. B [2].", ["A [1].", "B [2]."]),
        ("As of 2025-06-01: A [1]", ["As of 2025-06-01: A [1]"]),
        ("A [1] tail without marker", ["A [1]", "tail without marker"]),
        ("See [12] and [3].", ["See [12]", "and [3]."]),
    ],
)
def test_answer_units_end_at_markers(text: str, units: list[str]) -> None:
    assert answer_units(text) == units


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("alpha beta gamma delta", 14) == "alpha beta…"
    assert shorten("  lots   of\n space ", 50) == "lots of space"


def test_notice_is_inert_and_short() -> None:
    assert notice("@everyone " + "x" * 3000).startswith("@\u200beveryone")
    assert len(notice("x" * 3000)) <= 2000
