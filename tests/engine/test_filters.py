"""Date and outlet filters: every citation honours them, and a bad filter is one clear error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.engine.answer.extractive import DECLINE, filtered_decline
from bot.engine.index.embed import Embedder
from bot.engine.models import Article, Filters
from bot.engine.search.retrieve import CANDIDATES
from bot.errors import BadInput
from bot.settings import Settings
from tests.conftest import article_md
from tests.engine.update.conftest import WIRE

KREMLIN_Q = "What does the Kremlin insist on?"
UMEROV_Q = "Where would the talks with the Russian side take place?"


def test_outlets_are_the_distinct_stored_names_sorted(engine: Engine) -> None:
    assert engine.outlets() == ["Example News", "Wire"]  # the grain article names none


def test_an_outlet_matches_case_insensitively_and_every_citation_is_from_it(
    engine: Engine,
) -> None:
    answer = engine.ask(KREMLIN_Q, outlet="  example NEWS ")
    assert not answer.abstained and "four annexed regions" in answer.text
    assert {c.article.outlet for c in answer.citations} == {"Example News"}
    hits = engine.search(KREMLIN_Q, outlet="wire")
    assert hits and {h.article.outlet for h in hits} == {"Wire"}


def test_a_window_keeps_the_answer_to_articles_published_in_it(engine: Engine) -> None:
    unfiltered = engine.ask(UMEROV_Q)
    assert unfiltered.citations[0].article.title == "Umerov proposes new round of talks"
    window = {"since": date(2025, 7, 1), "until": date(2025, 7, 31)}
    answer = engine.ask(UMEROV_Q, **window)
    assert not answer.abstained and "Istanbul" in answer.text
    assert all(date(2025, 7, 1) <= c.article.published <= date(2025, 7, 31)  # type: ignore[operator]
               for c in answer.citations)  # fmt: skip
    assert {h.article.published for h in answer.hits} == {date(2025, 7, 19)}
    assert {h.article.published for h in engine.search(UMEROV_Q, until=date(2025, 6, 30))} == {
        date(2025, 6, 2),
        date(2022, 8, 1),
    }


def test_nothing_in_range_declines_and_says_which_range(engine: Engine) -> None:
    answer = engine.ask(KREMLIN_Q, since=date(2024, 1, 1), until=date(2024, 2, 1))
    assert answer.abstained and answer.citations == () and answer.hits == ()
    assert answer.text == "No indexed article from 2024-01-01 to 2024-02-01 answers this."
    streamed = engine.ask_stream(KREMLIN_Q, since=date(2026, 1, 1))
    assert (
        streamed.abstained
        and streamed.text == "No indexed article from 2026-01-01 on answers this."
    )
    by_outlet = engine.ask("What does Wire report about the grain corridor?", outlet="Wire")
    assert by_outlet.abstained or {c.article.outlet for c in by_outlet.citations} == {"Wire"}


def test_the_filtered_decline_names_every_filter() -> None:
    assert filtered_decline(Filters()) == DECLINE
    assert filtered_decline(Filters(until=date(2025, 1, 31), outlet="Wire")) == (
        "No indexed article by Wire up to 2025-01-31 answers this."
    )


def test_a_reversed_window_or_an_unknown_outlet_is_bad_input(engine: Engine) -> None:
    with pytest.raises(BadInput, match="2025-02-01 is after the end date 2025-01-01"):
        engine.ask(KREMLIN_Q, since=date(2025, 2, 1), until=date(2025, 1, 1))
    with pytest.raises(BadInput, match="No indexed article is from outlet 'Reuters'; check"):
        engine.search(KREMLIN_Q, outlet="Reuters")
    with pytest.raises(BadInput, match="did you mean 'Example News'"):
        engine.ask_stream(KREMLIN_Q, outlet="Exampel News")


def test_an_undated_article_is_outside_every_window() -> None:
    undated = Article("a", "t", "text", "a.md", outlet="Wire")
    assert Filters(outlet="wire").admits(undated)
    assert not Filters(since=date(2000, 1, 1)).admits(undated)


def test_a_narrow_outlet_is_found_beyond_the_usual_candidates(
    make_settings: Callable[..., Settings], tmp_path: Path, fake_embedder: Embedder
) -> None:
    """Many passages outrank the one article of a small outlet; filtering before the cut, with
    a pool that grows, still finds it instead of returning nothing."""
    root = tmp_path / "corpus"
    root.mkdir()
    for i in range(CANDIDATES + 20):
        body = f"The Kremlin repeated its ceasefire demands in statement number {i} of the week."
        (root / f"k{i}.md").write_text(
            article_md(f"Kremlin statement {i}", body, outlet="Big Wire"), encoding="utf-8"
        )
    rare = "A regional weekly described the harvest festival and the new bridge in Poltava."
    (root / "rare.md").write_text(
        article_md("Poltava weekly", rare, outlet="Poltava Weekly"), encoding="utf-8"
    )
    eng = Engine(make_settings(), fake_embedder)
    eng.rebuild()
    question = "What are the Kremlin ceasefire demands?"
    assert all(h.article.outlet == "Big Wire" for h in eng.search(question, k=CANDIDATES))
    [hit] = eng.search(question, outlet="poltava weekly")
    assert hit.article.title == "Poltava weekly"
    assert len(eng.search(question, k=5, outlet="Big Wire")) == 5


def test_the_copy_from_the_outlet_asked_for_survives_collapsing(
    make_settings: Callable[..., Settings], tmp_path: Path, fake_embedder: Embedder
) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    copies = {"Wire Service": "", "Ankara Daily": "ANKARA (Wire) —"}
    for i, (outlet, intro) in enumerate(copies.items()):
        text = article_md(f"Talks end {i}", f"{intro}\n\n{WIRE.strip()}", outlet=outlet)
        (root / f"copy{i}.md").write_text(text, encoding="utf-8")
    eng = Engine(make_settings(), fake_embedder)
    eng.rebuild()
    question = "What did Umerov hand over in Istanbul?"
    assert len({h.article.id for h in eng.search(question)}) == 1  # copies collapse to one
    for outlet in copies:
        hits = eng.search(question, outlet=outlet)
        assert hits and {h.article.outlet for h in hits} == {outlet}
        cited = eng.ask(question, outlet=outlet).citations
        assert cited and {c.article.outlet for c in cited} == {outlet}
