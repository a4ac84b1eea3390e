"""Timelines in Discord embeds: inert text, within limits, entries moved whole."""

from __future__ import annotations

from datetime import date

from bot.chat.render import DESCRIPTION_MAX, MESSAGE_MAX, message_size
from bot.chat.render_timeline import party_choices, render_timeline
from bot.engine import Article, Chunk, Entry, Timeline


def entry(n: int, statement: str, changes: bool = False) -> Entry:
    a = Article(f"a{n}", f"Title {n} [x](y)", statement, f"a{n}.md", f"https://n.test/{n}", "Wire")
    chunk = Chunk(f"c{n}", a.id, 0, statement, None, 0, len(statement))
    return Entry(date(2025, 1, 1 + n % 28), "Dmitry Peskov", statement, a, chunk, changes)


def test_entries_show_date_speaker_quote_source_and_change() -> None:
    t = Timeline("Russia", "ceasefire", (entry(1, "We are ready @everyone **now**.", True),))
    [embed] = render_timeline(t, "en")
    assert embed.title == "Russia on “ceasefire”"
    text = embed.description or ""
    assert text.startswith("**2025-01-02** · Dmitry Peskov · **⟲ position changes**")
    assert "@\u200beveryone" in text and "\\*\\*now\\*\\*" in text
    assert "[Title 1 \\[x\\](y)](https://n.test/1) (Wire)" in text
    assert (
        embed.footer.text == "1 statement, oldest first · quoted verbatim from the linked articles"
    )


def test_a_long_timeline_fits_one_message() -> None:
    t = Timeline("Russia", None, tuple(entry(n, "word " * 100) for n in range(80)))
    embeds = render_timeline(t, "en")
    assert message_size(embeds) <= MESSAGE_MAX
    assert all(len(e.description or "") <= DESCRIPTION_MAX for e in embeds)
    shown = sum((e.description or "").count("**2025-") for e in embeds)
    assert 0 < shown < 80 and embeds[-1].footer.text.startswith(f"{shown} of 80 statements")


def test_nothing_found_says_so() -> None:
    [embed] = render_timeline(Timeline("Vatican", None, ()), "en")
    assert embed.description == "No indexed article attributes a statement to Vatican."


def test_labels_are_in_the_askers_language_and_statements_verbatim() -> None:
    t = Timeline("Russia", "перемир'я", (entry(1, "We are ready now.", True),))
    [embed] = render_timeline(t, "uk")
    assert embed.title == "Russia про «перемир'я»"
    assert "**⟲ зміна позиції**" in (embed.description or "")
    assert "“We are ready now.”" in (embed.description or "")
    assert embed.footer.text == ("1 заява, спершу найдавніші · дослівно з наведених статей")
    many = Timeline("Russia", None, tuple(entry(n, "word " * 100) for n in range(80)))
    footer = render_timeline(many, "ru")[-1].footer.text or ""
    assert footer.endswith(
        " из 80 заявлений, сначала самые ранние · дословно из приведённых статей"
    )
    [nothing] = render_timeline(Timeline("Ватикан", None, ()), "ru")
    assert nothing.description == "Ни в одной проиндексированной статье нет заявлений: Ватикан."


def test_party_choices_put_parties_first() -> None:
    got = party_choices(["Russia", "Ukraine"], ["Rustem Umerov", "Peskov", "x" * 101], "ru")
    assert [c.value for c in got] == ["Russia", "Rustem Umerov"]
