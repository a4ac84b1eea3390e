"""Questions and articles in Ukrainian and Russian: detection, chat transliteration, keyword forms,
names across scripts, periods, parties and the refusal of languages the model cannot read."""

from __future__ import annotations

from datetime import date

import pytest

from bot.engine import lang
from bot.engine.answer.anchors import find_anchors
from bot.engine.models import Article
from bot.engine.parties import load_parties, resolve
from bot.engine.search.timeq import time_hint

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Що вимагає Кремль від України?", "uk"),
        ("Чего требует Кремль от Украины?", "ru"),
        ("What does the Kremlin require?", "en"),
        ("що сказав peskov про переговори", "uk"),  # mixed scripts
        ("шо там по переговорам вообще", "ru"),
        ("що там з перемовинами", "uk"),  # і/ї/є/ґ or ы/э/ъ/ё settle short ones
        ("what did the Кремль say about the talks", "en"),  # one Cyrillic word in English
    ],
)
def test_a_question_is_read_in_its_language(question: str, language: str) -> None:
    assert lang.detect(question) == language


def test_a_question_too_short_to_tell_takes_the_servers_language() -> None:
    assert lang.detect("ok?", default="uk") == "uk"
    assert lang.detect("ok?") == "en"
    assert lang.detect("ну?", default="ru") == "ru"
    assert lang.detect("ну?", default="uk") == "uk"


@pytest.mark.parametrize(
    ("typed", "cyrillic", "language"),
    [
        ("shcho skazav peskov pro peregovory", "що сказав песков про переговори", "uk"),
        ("chto skazal peskov o peregovorah", "что сказал песков о переговорах", "ru"),
        ("shcho hoche kreml", "що хоче кремл", "uk"),  # "h" read as х where the word is known so
        ("chto hochet kreml", "что хочет кремл", "ru"),
    ],
)
def test_ukrainian_and_russian_typed_in_latin_letters_are_read_in_cyrillic(
    typed: str, cyrillic: str, language: str
) -> None:
    assert lang.from_translit(typed) == (cyrillic, language)


@pytest.mark.parametrize(
    "question", ["what did peskov say about the talks", "wat does putin want rn", "ok thx"]
)
def test_english_with_foreign_names_or_chat_words_stays_english(question: str) -> None:
    assert lang.from_translit(question) is None


def test_keyword_forms_follow_the_language() -> None:
    assert lang.stem(["кремля", "кремль"], "ru") == ["кремл", "кремл"]
    uk = lang.stem(["вимагає", "вимагати"], "uk")
    assert uk[0] == uk[1]
    assert lang.stem(["negotiations", "negotiating"]) == ["negoti", "negoti"]
    # a Cyrillic word in an English question is read by its own letters
    assert lang.stem(["talks", "кремля"], "en") == ["talk", *lang.stem(["кремль"], "en")]


def test_a_name_is_one_name_in_both_scripts() -> None:
    assert lang.latin("Зеленський") == lang.latin("Зеленский") == "zelenskiy"


def test_an_articles_language_is_detected_or_left_unknown() -> None:
    uk = "Президент України заявив, що переговори продовжаться наступного тижня у Стамбулі."
    ru = "Президент России заявил, что переговоры продолжатся на следующей неделе в Стамбуле."
    de = "Der Präsident sagte, die Gespräche würden nächste Woche in Istanbul fortgesetzt."
    assert [lang.article_language(t) for t in (uk, ru, de)] == ["uk", "ru", "de"]


def article(source: str, text: str, language: str | None = None) -> Article:
    return Article(
        id=source, title="Title", text=text, source=source, url=None, outlet=None,
        published=None, language=language,
    )  # fmt: skip


def test_an_article_the_model_cannot_read_is_refused_with_a_line() -> None:
    articles = [
        article("uk.md", "Президент України заявив, що переговори продовжаться у Стамбулі."),
        article("de.md", "Der Präsident sagte, die Gespräche würden in Istanbul fortgesetzt."),
        article("en.md", "The talks resume in Istanbul next week, the president said.", "en"),
    ]
    kept, refused = lang.label(articles, frozenset({"en", "uk", "ru"}))
    assert [(a.source, a.language) for a in kept] == [("uk.md", "uk"), ("en.md", "en")]
    assert len(refused) == 1 and refused[0].startswith("de.md: written in 'de'")
    kept, refused = lang.label(articles, frozenset({"en"}))  # MiniLM reads English only
    assert [a.source for a in kept] == ["en.md"] and len(refused) == 2


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("Що сказали у березні 2022?", date(2022, 3, 1), date(2022, 3, 31)),
        ("Что говорили в марте 2022 года?", date(2022, 3, 1), date(2022, 3, 31)),
        ("що було минулого тижня", date(2026, 11, 23), date(2026, 11, 29)),
        ("что было на прошлой неделе", date(2026, 11, 23), date(2026, 11, 29)),
    ],
)
def test_periods_in_ukrainian_and_russian(question: str, start: date, end: date) -> None:
    hint = time_hint(question, TODAY)
    assert (hint.start, hint.end) == (start, end)


@pytest.mark.parametrize("name", ["Кремль", "Кремля", "Росії", "России", "Russia"])
def test_a_side_is_found_by_any_of_its_names_however_inflected(name: str) -> None:
    assert resolve(name, load_parties()).name == "Russia"


def test_a_person_is_found_by_every_spelling_in_both_scripts() -> None:
    spelled = resolve("Зеленський", load_parties()).aliases
    assert {"Zelensky", "Zelenskyy", "Зеленский"} <= set(spelled)


def test_a_cyrillic_name_the_articles_spell_in_latin_letters_is_not_absent() -> None:
    vocabulary = {"istanbul": 3, "talks": 40}
    respelled = {"стамбулі": "istanbul", "стамбул": "istanbul"}
    anchors = find_anchors(
        "Що вирішили у Стамбулі?",
        ["вирішили", "стамбулі"],
        df=lambda term: vocabulary.get(term, 0),
        is_name=lambda term: term == "istanbul",
        passages=100,
        respell=respelled.get,
        language="uk",
    )
    assert anchors.names == ("стамбулі",) and not anchors.absent
