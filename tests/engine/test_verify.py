"""The verifier alone: which generated sentences stand against the sources they cite, and why.

Fast tests use the word-hash embedder; the rewordings and near-identical inventions are checked
with both real models (slow): all-MiniLM-L6-v2, whose cosines run low, and multilingual-e5-small,
whose cosines run high, so no rule here may rest on one model's cosine scale.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pytest

from bot.engine.answer.claims import facts
from bot.engine.answer.evidence import Source
from bot.engine.answer.reply import clean, units
from bot.engine.answer.verify import Checked, check, compose, model_spread
from bot.engine.index.embed import Embedder
from bot.engine.models import Article, Chunk, Sentence
from bot.engine.text import sentence_spans

KREMLIN_TEXT = (
    "The Kremlin insists any peace deal must include Ukraine's withdrawal from four annexed "
    "regions, renouncing its NATO aspirations, and accepting limitations on its armed forces "
    "– demands deemed unacceptable by Kyiv and its allies.\n\n"
    "Ukraine has consistently refused to consider any territorial concessions in exchange for "
    'peace. "We will not trade land for peace," Zelenskyy said.\n\n'
    "Kremlin spokesperson Dmitry Peskov indicated Russia's willingness to move quickly toward a "
    "peace deal but reiterated that achieving Russia's objectives remains the primary goal."
)
UMEROV_TEXT = (
    "Rustem Umerov, Ukraine's Secretary of the National Security and Defense Council, proposed "
    "a meeting with the Russian side for next week. The talks would take place in Istanbul."
)
PLANT_TEXT = (
    "Rafael Grossi, director general of the International Atomic Energy Agency, proposed a "
    "protection zone around the Zaporizhzhia nuclear plant with five principles for its safety. "
    "He told negotiators in Geneva that neither Kyiv nor Moscow had yet formally accepted the "
    "plan, although both delegations said in private they would not reject it outright."
)
TRUCE_TEXT = (
    "Delegations meeting in Riyadh agreed a maritime truce in the Black Sea that bars attacks on "
    "merchant shipping and port infrastructure in Odesa and Novorossiysk for thirty days."
)


def source(n: int, article_id: str, text: str, **meta: object) -> Source:
    """A source as the prompt shows it: every sentence of a one-passage article."""
    title = str(meta.pop("title", f"Title {article_id}"))
    article = Article(article_id, title, text, f"{article_id}.md", **meta)  # type: ignore[arg-type]
    chunk = Chunk(f"{article_id}-c", article_id, 0, text, start=0, end=len(text))
    zero = np.zeros(4, dtype=np.float32)
    found = [
        Sentence(article, chunk, a, b, k, zero) for k, (a, b) in enumerate(sentence_spans(text))
    ]
    return Source(n, article, tuple(found))


SOURCES = [
    source(1, "kremlin", KREMLIN_TEXT, outlet="Example News", published=date(2025, 6, 2)),
    source(2, "umerov", UMEROV_TEXT),
]


def kept(text: str, sources: list[Source], embedder: Embedder) -> list[str]:
    return [c.text for c in check(text, sources, embedder.encode).claims]


def test_a_well_cited_answer_stands_and_quotes_its_sources_verbatim(
    fake_embedder: Embedder,
) -> None:
    text = (
        "Umerov proposed a meeting with the Russian side for next week [2]. "
        "The Kremlin insists any peace deal must include Ukraine's withdrawal from four annexed "
        "regions [1]."
    )
    checked = check(text, SOURCES, fake_embedder.encode)
    assert not checked.drops and len(checked.claims) == 2
    answer = compose("q?", checked, [])
    assert answer is not None and answer.mode == "generated"
    # renumbered in order of use: the Umerov article, shown as [2], is cited first
    assert answer.text.startswith("Umerov proposed a meeting") and answer.text.endswith("[2]")
    assert [c.article.id for c in answer.citations] == ["umerov", "kremlin"]
    for c in answer.citations:
        assert c.quote in c.article.text
        assert c.chunk_id in {h.chunk.id for h in answer.hits}  # the quoted passage is evidence
    assert answer.citations[1].quote.startswith("The Kremlin insists any peace deal")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Umerov proposed a meeting for next week [3].", "cites [3], which was not shown"),
        ("Umerov proposed a meeting for next week.", "no [n] citation"),
        ("The Kremlin insists on withdrawal from five annexed regions [1].", "'5' is not in"),
        ("Lavrov proposed a meeting with the Russian side for next week [2].", "'lavrov' is not"),
        ("The talks would take place in Istanbul in 2026 [2].", "'2026' is not in"),
        ("The talks would take place in Istanbul on Friday [2].", "'friday' is not in"),
        ("The talks would not take place in Istanbul [2].", "reverses its source [2]"),
        ("The ships left the port under escort [1].", "meaning not close to [1]"),
        ("That is so [1].", "states nothing"),
    ],
)
def test_unsupported_sentences_are_dropped_with_the_reason(
    fake_embedder: Embedder, text: str, reason: str
) -> None:
    checked = check(text, SOURCES, fake_embedder.encode)
    assert not checked.claims
    [drop] = checked.drops
    assert reason in drop.reason
    assert compose("q?", checked, []) is None


def test_only_the_unsupported_sentence_goes(fake_embedder: Embedder) -> None:
    text = (
        "Kyiv and its allies deemed the demands unacceptable [1]. Lavrov called them fair [1]. "
        "The talks would take place in Istanbul [2]."
    )
    assert kept(text, SOURCES, fake_embedder) == [
        "Kyiv and its allies deemed the demands unacceptable.",
        "The talks would take place in Istanbul.",
    ]
    answer = compose("q?", check(text, SOURCES, fake_embedder.encode), [])
    assert answer is not None
    assert answer.text == (
        "Kyiv and its allies deemed the demands unacceptable. [1] "
        "The talks would take place in Istanbul. [2]"
    )


def test_a_citation_that_does_not_support_is_removed_from_a_sentence_that_stands(
    fake_embedder: Embedder,
) -> None:
    [claim] = check(
        "The talks would take place in Istanbul [1][2].", SOURCES, fake_embedder.encode
    ).claims
    assert list(claim.support) == [2]


def test_a_sentence_supported_by_another_shown_source_gets_its_number(
    fake_embedder: Embedder,
) -> None:
    [claim] = check(
        "The talks would take place in Istanbul [1].", SOURCES, fake_embedder.encode
    ).claims
    assert list(claim.support) == [2] and claim.moved_from == (1,)
    answer = compose(
        "q?",
        check("The talks would take place in Istanbul [1].", SOURCES, fake_embedder.encode),
        [],
    )
    assert answer is not None and answer.citations[0].article.id == "umerov"


def test_the_title_and_date_of_a_source_back_its_sentences(fake_embedder: Embedder) -> None:
    text = (
        "On 2 June 2025 the Kremlin insisted on Ukraine's withdrawal from four annexed regions [1]."
    )
    assert kept(text, SOURCES, fake_embedder) == [text.removesuffix(" [1].") + "."]


def test_links_mentions_and_markup_the_sources_lack_are_removed() -> None:
    text = (
        "## Answer\n- **Kyiv** called the demands [unacceptable](https://evil.example/x) [1]. "
        "@everyone see https://evil.example/y and <@123> [1]. `code` ~~gone~~ <b>bold</b>"
    )
    cleaned = clean(text, [KREMLIN_TEXT])
    assert cleaned == (
        "Answer Kyiv called the demands unacceptable [1]. see and [1]. code gone bold"
    )
    kept_link = clean("Read https://example.org/terms [1].", ["see https://example.org/terms"])
    assert "https://example.org/terms" in kept_link


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
    # a capital opening a sentence is no name; a title before a name is none either
    assert facts("According to the source, President Putin spoke on Monday.") == [
        "monday",
        "putin",
    ]


# ---- with the real models: rewordings kept, near-identical inventions dropped ------------

REAL_SOURCES = [
    *SOURCES,
    source(3, "plant", PLANT_TEXT, title="Grossi proposes safety zone around Zaporizhzhia plant"),
    source(4, "truce", TRUCE_TEXT, title="Black Sea maritime truce agreed in Riyadh"),
]
REWORDINGS = [
    # the issue's own example: a few verbs changed, an aside dropped, an attribution added
    "According to the source, the Kremlin says any peace deal must include Ukraine's withdrawal "
    "from four annexed regions, giving up its NATO aspirations, and agreeing to limitations on "
    "its armed forces [1].",
    "The Kremlin demands that Ukraine withdraw from four annexed regions and give up its NATO "
    "ambitions [1].",
    "Kyiv and its allies consider the Kremlin's demands unacceptable [1].",  # voice
    "Ukraine rejects any territorial concessions for peace [1].",  # a denial reworded
    "Peskov said Russia was willing to move quickly toward a peace deal, but that achieving its "
    "objectives remained the main goal [1].",  # tense
    "A meeting with the Russian side next week was proposed by Rustem Umerov [2].",  # voice
    "The IAEA chief Rafael Grossi proposed a protection zone around the Zaporizhzhia plant based "
    "on five safety principles [3].",  # the agency's initials
    "Neither Kyiv nor Moscow has formally accepted Grossi's plan [3].",
    "Both delegations said privately that they would not reject the plan outright [3].",
    "In Riyadh, the delegations agreed on a 30-day maritime truce in the Black Sea [4].",
    "A maritime truce was agreed by delegations meeting in Riyadh [4].",
]
INVENTIONS = [
    # a changed number
    "The Kremlin insists any peace deal must include Ukraine's withdrawal from five annexed "
    "regions [1].",
    "Delegations meeting in Riyadh agreed a maritime truce in the Black Sea for sixty days [4].",
    "Grossi proposed a protection zone with six principles [3].",
    # a swapped name or place
    "Lavrov insists any peace deal must include Ukraine's withdrawal from four annexed regions [1].",
    "Rustem Umerov indicated Russia's willingness to move quickly toward a peace deal [1].",
    "Delegations meeting in Istanbul agreed a maritime truce in the Black Sea [4].",
    "The truce bars attacks on merchant shipping in Odesa and Mariupol [4].",
    # a negation, or its removal
    "The Kremlin does not insist that a peace deal include Ukraine's withdrawal from four annexed "
    "regions [1].",
    "Ukraine has consistently agreed to consider territorial concessions in exchange for peace [1].",
    "Kyiv and Moscow have formally accepted Grossi's plan [3].",
    "Both delegations said they would reject the plan outright [3].",
    "Delegations meeting in Riyadh rejected a maritime truce in the Black Sea [4].",
]
ADDED_CLAIMS = [  # no new name, number, date or negation: meaning and coverage must tell
    "Ukraine agreed to the Kremlin's terms [1].",
    "Russia agreed to Ukraine's proposal for a meeting next week [2].",
    "Peskov said Russia would sign a peace deal next week [1].",
    "Umerov said the talks in Istanbul had collapsed [2].",
    "The ships left the port under escort [1].",
    "Kyiv and Moscow have formally accepted Grossi's plan [3].",
]
# An invention that keeps the source's words and changes who does what: MiniLM reads it as close
# to "The Kremlin insists … Ukraine's withdrawal from four annexed regions" (1.42 ≥ SUPPORT).
TROOPS = "The Kremlin is ready to withdraw its troops from the four annexed regions [1]."


Check = Callable[[str], Checked]


@pytest.fixture(scope="module", params=["minilm", "e5"])
def real_check(request: pytest.FixtureRequest) -> Check:
    """`check` against REAL_SOURCES with one real model, its spread measured once."""
    name = "minilm_embedder" if request.param == "minilm" else "e5_embedder"
    embedder: Embedder = request.getfixturevalue(name)
    spread = model_spread(embedder.encode)
    return lambda text: check(text, REAL_SOURCES, embedder.encode, spread=spread)


@pytest.mark.slow
@pytest.mark.parametrize("text", REWORDINGS)
def test_a_faithful_rewording_is_kept(real_check: Check, text: str) -> None:
    checked = real_check(text)
    assert not checked.drops, checked.drops
    [claim] = checked.claims
    assert not claim.moved_from


@pytest.mark.slow
@pytest.mark.parametrize("text", INVENTIONS)
def test_a_near_identical_invention_is_dropped(real_check: Check, text: str) -> None:
    """A changed number, a swapped name or place, a negation added or removed."""
    checked = real_check(text)
    assert not checked.claims, checked.claims[0].support


@pytest.mark.slow
@pytest.mark.parametrize("text", ADDED_CLAIMS)
def test_a_sentence_adding_a_claim_is_dropped(real_check: Check, text: str) -> None:
    assert not real_check(text).claims


@pytest.mark.slow
def test_a_changed_actor_is_dropped_by_e5_but_not_by_minilm(
    minilm_embedder: Embedder, e5_embedder: Embedder
) -> None:
    """The limit of a bag of words and one sentence vector, stated so a change that lifts it
    shows up here."""
    assert not check(TROOPS, REAL_SOURCES, e5_embedder.encode).claims
    assert check(TROOPS, REAL_SOURCES, minilm_embedder.encode).claims
