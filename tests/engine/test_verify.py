"""The verifier alone: which generated sentences stand against their cited passages, and why."""

from __future__ import annotations

import pytest

from bot.engine.answer.verify import check, clean, compose, facts, units
from bot.engine.index.embed import Embedder
from bot.engine.models import Article, Chunk, Hit

KREMLIN_TEXT = (
    "The Kremlin insists any peace deal must include Ukraine's withdrawal from four annexed "
    "regions, renouncing its NATO aspirations, and accepting limitations on its armed forces.\n\n"
    'Kyiv called the demands unacceptable. "We will not trade land for peace," Zelenskyy said.'
)
UMEROV_TEXT = (
    "Rustem Umerov, Ukraine's Secretary of the National Security and Defense Council, proposed "
    "a meeting with the Russian side for next week. The talks would take place in Istanbul."
)


def hit(article_id: str, text: str) -> Hit:
    article = Article(article_id, f"Title {article_id}", f"Lead.\n\n{text}", f"{article_id}.md")
    start = len("Lead.\n\n")
    chunk = Chunk(f"{article_id}-c", article_id, 0, text, start=start, end=start + len(text))
    return Hit(chunk, article, 1.0)


SOURCES = {1: hit("kremlin", KREMLIN_TEXT), 2: hit("umerov", UMEROV_TEXT)}


def test_a_well_cited_answer_stands_and_quotes_its_passages_verbatim(
    fake_embedder: Embedder,
) -> None:
    text = (
        "Umerov proposed a meeting with the Russian side for next week [2]. "
        "The Kremlin insists any peace deal must include Ukraine's withdrawal from four annexed "
        "regions [1]."
    )
    checked = check(text, SOURCES, fake_embedder.encode)
    assert not checked.drops and len(checked.claims) == 2
    answer = compose("q?", checked, SOURCES, list(SOURCES.values()))
    assert answer is not None and answer.mode == "generated"
    # renumbered in order of use: the Umerov passage, shown as [2], is cited first
    assert answer.text.startswith("Umerov proposed a meeting") and answer.text.endswith("[2]")
    assert [c.article.id for c in answer.citations] == ["umerov", "kremlin"]
    for c in answer.citations:
        assert c.quote in c.article.text and c.quote in SOURCES[1 if c.n == 2 else 2].chunk.text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Umerov proposed a meeting for next week [3].", "cites [3], which was not shown"),
        ("Umerov proposed a meeting for next week.", "no [n] citation"),
        ("The Kremlin insists on withdrawal from five annexed regions [1].", "'5' is not in"),
        ("Lavrov proposed a meeting with the Russian side for next week [2].", "'lavrov' is not"),
        ("The talks would take place in Istanbul in 2026 [2].", "'2026' is not in"),
        ("The ships left the port under escort [1].", "meaning not close to [1]"),
    ],
)
def test_unsupported_sentences_are_dropped_with_the_reason(
    fake_embedder: Embedder, text: str, reason: str
) -> None:
    checked = check(text, SOURCES, fake_embedder.encode)
    assert not checked.claims
    [drop] = checked.drops
    assert reason in drop.reason
    assert compose("q?", checked, SOURCES, []) is None


def test_only_the_unsupported_sentence_goes(fake_embedder: Embedder) -> None:
    text = (
        "Kyiv called the demands unacceptable [1]. Lavrov called them fair [1]. "
        "The talks would take place in Istanbul [2]."
    )
    checked = check(text, SOURCES, fake_embedder.encode)
    assert [c.text for c in checked.claims] == [
        "Kyiv called the demands unacceptable.",
        "The talks would take place in Istanbul.",
    ]
    answer = compose("q?", checked, SOURCES, [])
    assert answer is not None
    assert answer.text == (
        "Kyiv called the demands unacceptable. [1] The talks would take place in Istanbul. [2]"
    )


def test_a_citation_that_does_not_match_is_removed_from_a_sentence_that_stands(
    fake_embedder: Embedder,
) -> None:
    checked = check("The talks would take place in Istanbul [1][2].", SOURCES, fake_embedder.encode)
    [claim] = checked.claims
    assert list(claim.support) == [2]


def test_links_mentions_and_markup_the_sources_lack_are_removed() -> None:
    text = (
        "## Answer\n- **Kyiv** called the demands [unacceptable](https://evil.example/x) [1]. "
        "@everyone see https://evil.example/y and <@123> [1]. `code` ~~gone~~ <b>bold</b>"
    )
    cleaned = clean(text, [KREMLIN_TEXT])
    assert cleaned == (
        "Answer Kyiv called the demands unacceptable [1]. see and [1]. code gone bold"
    )
    kept = clean("Read https://example.org/terms [1].", ["see https://example.org/terms"])
    assert "https://example.org/terms" in kept


def test_markers_after_the_full_stop_belong_to_the_sentence_before() -> None:
    found = units("Kyiv said no. [1] Talks are in Istanbul. [2], [1] Nothing else.")
    assert [(u.text, u.cites) for u in found] == [
        ("Kyiv said no.", (1,)),
        ("Talks are in Istanbul.", (2, 1)),
        ("Nothing else.", ()),
    ]
    assert units("Both sides agree [1, 2].")[0].cites == (1, 2)


def test_facts_are_names_numbers_and_dates() -> None:
    assert facts("On 2 June 2025, Putin and the U.N. met four times; 1,000 troops left.") == [
        "2",
        "2025",
        "1000",
        "4",
        "june",
        "putin",
    ]


@pytest.mark.slow
def test_paraphrases_stand_and_unrelated_claims_fall_with_the_real_model(
    real_embedder: Embedder,
) -> None:
    text = (
        "The Kremlin demands that Ukraine withdraw from four annexed regions and give up its NATO "
        "ambitions [1]. Zelenskyy said Ukraine would not trade land for peace [1]. "
        "The Kremlin is ready to pull its troops out of the occupied regions [1]. "
        "Umerov proposed talks with the Russian side in Istanbul next week [2]."
    )
    checked = check(text, SOURCES, real_embedder.encode)
    assert [c.text[:30] for c in checked.claims] == [
        "The Kremlin demands that Ukrai",
        "Zelenskyy said Ukraine would n",
        "Umerov proposed talks with the",
    ]
    [drop] = checked.drops
    assert drop.sentence.startswith("The Kremlin is ready") and "meaning" in drop.reason
