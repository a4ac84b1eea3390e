"""What a sentence states, as the verifier reads it (answer/claims.py), and a model's declines in
its own words (answer/declines.py). Pure: no model."""

from __future__ import annotations

import pytest

from bot.engine.answer.claims import Holder, coverage, facts, flips, reading
from bot.engine.answer.declines import declines


@pytest.mark.parametrize(
    ("text", "denies"),
    [
        ("Kyiv agreed to the plan", False),
        ("Kyiv did not agree to the plan", True),
        ("Kyiv rejected the plan", True),
        ("Kyiv called the plan unacceptable", True),
        ("Kyiv would not reject the plan outright", False),  # a denial of a denial affirms
        ("Neither Kyiv nor Moscow accepted the plan", True),
        ("no attacks from the site and no heavy weapons there", True),
        ("Kyiv not only agreed but signed", False),
        ("Kyiv has failed to agree", True),
        ("The talks can't resume", True),
    ],
)
def test_a_denial_is_read_in_its_words(text: str, denies: bool) -> None:
    assert reading(text).denies is denies


def test_a_negating_prefix_keeps_the_word_it_negates_as_content() -> None:
    assert "accept" in reading("demands deemed unacceptable").content
    assert reading("they unveiled the plan").denies is False  # "un" + a short word: no negation


@pytest.mark.parametrize(
    ("claim", "source", "flipped"),
    [
        ("Kyiv accepted the demands.", "Kyiv called the demands unacceptable.", True),
        ("Kyiv rejected the demands.", "Kyiv called the demands unacceptable.", False),
        ("The talks did not take place in Istanbul.", "The talks took place in Istanbul.", True),
        # each clause is held against the source's clause it shares most with
        (
            "Kyiv accepted the demands, and Zelenskyy said Ukraine would not trade land.",
            'Kyiv called the demands unacceptable. "We will not trade land," Zelenskyy said.',
            True,
        ),
        (
            "Kyiv rejected the demands, and Zelenskyy said Ukraine would not trade land.",
            'Kyiv called the demands unacceptable. "We will not trade land," Zelenskyy said.',
            False,
        ),
    ],
)
def test_a_clause_that_reverses_its_source_is_found(claim: str, source: str, flipped: bool) -> None:
    assert (flips(claim, source) is not None) is flipped


def test_facts_skip_openers_titles_and_words_the_sources_use() -> None:
    assert facts("Meanwhile, Foreign Minister Lavrov met Blinken in Geneva.") == [
        "lavrov",
        "blinken",
        "geneva",
    ]
    assert facts("Talks resumed on 3 March.", known={"talks"}) == ["3", "march"]
    assert facts("Talks resumed.") == ["talks"]  # unknown to the sources: it may be a name
    assert facts("The second round ended; 2nd-day talks followed.") == ["2"]


def test_facts_are_held_by_other_forms_numbers_in_words_and_initials() -> None:
    held = Holder.of(
        "Ukrainian officials and the International Atomic Energy Agency met for thirty days "
        "in Jan. 2025."
    )
    assert held.missing(["ukraine", "30", "iaea", "january", "2025"]) == []
    assert held.missing(["31", "lavrov", "june", "nato"]) == ["31", "lavrov", "june", "nato"]


def test_coverage_is_the_share_of_the_claims_content() -> None:
    claim = reading("According to the source, the Kremlin demands four regions").content
    assert "accord" not in claim and "sourc" not in claim  # attribution adds no claim
    assert coverage(claim, reading("The Kremlin demands four annexed regions").content) == 1.0
    assert coverage(frozenset(), frozenset({"x"})) == 1.0


@pytest.mark.parametrize(
    "reply",
    [
        "NOT COVERED.",
        "The sources provided do not contain information that answers this question.",
        "I cannot answer from these sources.",
        "The sources do not say.",
        "There is no information about the Alaska summit in the sources.",
        "Unfortunately, the sources do not mention a summit in Valletta.",
        "Based on the provided sources, I cannot answer this question.",
        "The sources do not contain information about Valletta [1][2].",
        "The sources do not mention a summit in Valletta. I'm sorry.",
        "Джерела не містять інформації про це.",
        "На жаль, у наданих джерелах немає інформації про саміт у Валлетті.",
        "В источниках нет информации об этом.",
        "К сожалению, предоставленные источники не содержат сведений о саммите.",
        "Я не могу ответить на основе этих источников.",
    ],
)
def test_a_decline_in_the_models_own_words_is_recognised(reply: str) -> None:
    assert declines(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "I'm sorry, I can't help with that.",  # a refusal, not a judgement of the sources
        "The sources do not say when, but Umerov proposed a meeting next week [2].",
        "The sources do not mention Valletta. Umerov proposed talks in Istanbul [2].",
        "Kyiv called the demands unacceptable [1]. The sources do not say how Moscow replied.",
        "Ukraine has not provided details about the talks [1].",
        "The talks did not take place in Istanbul [2].",
        "",
    ],
)
def test_an_answer_that_mentions_missing_information_is_no_decline(reply: str) -> None:
    assert not declines(reply)
