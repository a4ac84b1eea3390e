"""Which language a text is in, and how its words are normalised for keyword search. Pure.

The bot speaks English, Ukrainian and Russian (SPEAKS): a question is answered in the language it
was asked in, detected by py3langid (its model ships in the wheel); a question too short to tell
takes the server's setting (TALKS_LANGUAGE). Articles may be in any language the embedding model
reads (multilingual-e5-small: XLM-RoBERTa's hundred; MiniLM: English only); an article's language
is its own `language` field, or detected from its text when it has none.

Keyword search (BM25) matches words of one language: Latin-script words are stemmed with
Snowball's English stemmer; Cyrillic words with Snowball's Russian stemmer in Russian text and
by simplemma's Ukrainian dictionary (in its wheel) in Ukrainian text. Across languages the dense
side matches ("Кремль" and "Kremlin" are one meaning, not one word), and names are compared by
their Latin transliteration (anyascii): Зеленський, Зеленский, Zelensky and Zelenskyy are one name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from bot.engine.models import Article
from bot.i18n import LANGUAGES

SPEAKS = LANGUAGES  # the languages of the bot's own words (bot/locale)
NAMES = {"en": "English", "uk": "українська", "ru": "русский"}
_UK_LETTERS = frozenset("іїєґ")
_RU_LETTERS = frozenset("ыэъё")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTERS = re.compile(r"[^\W\d_]+")
# Below this many letters a question says too little to tell its language reliably.
MIN_LETTERS = 12
# py3langid's probability (normalised over the languages considered) a guess must reach.
MIN_CONFIDENCE = 0.7
# Articles: below this confidence a guess is no reason to refuse an article.
ARTICLE_CONFIDENCE = 0.9


@lru_cache(maxsize=2)
def _identifier(only: tuple[str, ...] | None) -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    found = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if only:
        found.set_languages(list(only))
    return found


def is_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def _by_letters(text: str) -> str | None:
    letters = set(text.lower())
    uk, ru = bool(letters & _UK_LETTERS), bool(letters & _RU_LETTERS)
    return "uk" if uk and not ru else "ru" if ru and not uk else None


def detect(text: str, default: str = "en") -> str:
    """The language of a question among SPEAKS, or `default` when it is too short to tell. A
    question mostly in Cyrillic letters is Ukrainian or Russian even when the guess is weak
    ("що сказав peskov"): its asker does not read English replies best."""
    letters = [ch for ch in text if ch.isalpha()]
    cyrillic = sum(bool(_CYRILLIC.match(ch)) for ch in letters)
    if not cyrillic:
        return default if len(letters) < MIN_LETTERS else _guess(text, SPEAKS, default)
    if by_letters := _by_letters(text):
        return by_letters
    if 2 * cyrillic < len(letters):  # an English question naming "Кремль"
        return default if len(letters) < MIN_LETTERS else _guess(text, SPEAKS, default)
    if default in ("uk", "ru") and len(letters) < MIN_LETTERS:
        return default
    fallback = default if default in ("uk", "ru") else None
    return _guess(text, ("uk", "ru"), fallback)


def _guess(text: str, choices: tuple[str, ...], default: str | None) -> str:
    """py3langid's choice among `choices`; `default` when unsure (None: its choice anyway)."""
    language, confidence = _identifier(choices).classify(text)
    return str(language) if confidence >= MIN_CONFIDENCE or default is None else default


def article_language(text: str) -> str | None:
    """An article's language (ISO 639-1), or None when the guess is too weak to act on."""
    language, confidence = _identifier(None).classify(text[:5000])
    if confidence >= ARTICLE_CONFIDENCE:
        return str(language)
    by_letters = _by_letters(text) if is_cyrillic(text) else None
    return by_letters


def label(
    articles: Iterable[Article], readable: frozenset[str] | None
) -> tuple[list[Article], list[str]]:
    """Articles with their language (their own field, else detected), and a line for each one
    in a language the embedding model does not read (`readable`; None: any): indexed, it would
    be noise that matches nothing."""
    kept, refused = [], []
    for article in articles:
        language = (article.language or "").lower()[:2] or article_language(
            f"{article.title}\n{article.text}"
        )
        if readable is not None and language and language not in readable:
            refused.append(
                f"{article.source}: written in {language!r}, which the embedding model does not "
                "read; skipped (a multilingual model such as the default reads it)."
            )
            continue
        kept.append(
            replace(article, language=language) if language != article.language else article
        )
    return kept, refused


# ---- keyword normalisation --------------------------------------------------------------------


@lru_cache(maxsize=3)
def _snowball(language: str) -> Any:
    import Stemmer

    return Stemmer.Stemmer(language)


@lru_cache(maxsize=65536)
def _ukrainian(word: str) -> str:
    import simplemma

    return str(simplemma.lemmatize(word, lang="uk", greedy=False)).lower()


def _cyrillic_language(word: str, language: str | None) -> str:
    if language in ("uk", "ru"):
        return language
    by_letters = _by_letters(word)
    if by_letters:
        return by_letters
    import simplemma

    return "uk" if simplemma.is_known(word, lang="uk") else "ru"


def stem(tokens: Iterable[str], language: str | None = None) -> list[str]:
    """Lower-cased tokens → the forms keyword search compares. `language` is the text's (an
    article's or a question's); a Cyrillic word in text of no known Cyrillic language is read by
    its letters."""
    tokens = list(tokens)
    if not any(_CYRILLIC.search(t) for t in tokens):
        return list(_snowball("english").stemWords(tokens))
    out = []
    for token in tokens:
        if not _CYRILLIC.search(token):
            out.append(_snowball("english").stemWord(token))
        elif _cyrillic_language(token, language) == "uk":
            out.append(_ukrainian(token))
        else:
            out.append(_snowball("russian").stemWord(token))
    return out


@lru_cache(maxsize=65536)
def latin(word: str) -> str:
    """A word in Latin letters (Зеленський → zelens'kii), for comparing names across scripts."""
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]", "", anyascii(word).lower())


# ---- chat transliteration ("shcho skazav peskov", "chto hochet kreml") ------------------------

_TRANSLIT = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"), ("ts", "ц"),
    ("ya", "я"), ("ia", "я"), ("yu", "ю"), ("iu", "ю"), ("yo", "ё"), ("'", "ь"),
)  # fmt: skip
_SINGLE = dict(zip("abvgdezijklmnoprstufcw", "абвгдезийклмнопрстуфцв", strict=True))
_BY_LANGUAGE = {
    "uk": {"ye": "є", "ie": "є", "yi": "ї", "h": "г", "g": "г", "y": "и", "i": "і", "e": "е"},
    "ru": {"ye": "е", "ie": "е", "yi": "ый", "h": "х", "y": "ы", "i": "и", "e": "е"},
}
# A Latin-script question whose words English does not know (wordfreq Zipf below this) …
TRANSLIT_ZIPF = 2.5
# … for at least this share of its words reads as Ukrainian or Russian typed in Latin letters.
TRANSLIT_SHARE = 0.6
# … and spelled back in Cyrillic, at least this share of its words are Ukrainian or Russian ones.
TRANSLIT_KNOWN = 0.4


def _to_cyrillic(text: str, language: str) -> str:
    """Latin chat spelling → Cyrillic, word by word; where a letter is read two ways ("h" is г
    or х: "hoche" хоче, "pohoda" погода) the reading the language's dictionary knows wins."""
    return _LETTERS.sub(lambda m: _word_to_cyrillic(m[0], language), text.lower())


def _word_to_cyrillic(word: str, language: str) -> str:
    import simplemma

    readings = [_spell(word, language, h) for h in ("г", "х")] if "h" in word else []
    known = [r for r in readings if simplemma.is_known(r, lang=language)]
    return known[0] if known else _spell(word, language, _BY_LANGUAGE[language]["h"])


def _spell(low: str, language: str, h: str) -> str:
    table = {**_BY_LANGUAGE[language], "h": h}
    pairs = sorted([*_TRANSLIT, *table.items()], key=lambda p: -len(p[0]))
    out, i = [], 0
    while i < len(low):
        for latin_, cyr in pairs:
            if low.startswith(latin_, i):
                out.append(cyr)
                i += len(latin_)
                break
        else:
            out.append(_SINGLE.get(low[i], low[i]))
            i += 1
    return "".join(out)


@lru_cache(maxsize=1024)
def from_translit(text: str) -> tuple[str, str] | None:
    """(the question in Cyrillic, uk or ru) when a Latin-script question is Ukrainian or Russian
    typed in Latin letters; None otherwise. Names the articles spell in Latin ("peskov") stay
    matched through keyword respelling and the dense side. Cached: a question is read for its
    language and for its search terms (Engine.language_of, Engine._query)."""
    from wordfreq import zipf_frequency

    tokens = [w for w in _LETTERS.findall(text.lower()) if w.isalpha()]
    if len(tokens) < 3 or is_cyrillic(text):
        return None
    foreign = sum(zipf_frequency(w, "en") < TRANSLIT_ZIPF for w in tokens)
    if foreign < TRANSLIT_SHARE * len(tokens):
        return None
    import simplemma

    best: tuple[float, str, str] | None = None
    for language in ("uk", "ru"):
        cyrillic = _to_cyrillic(text, language)
        spelled = _LETTERS.findall(cyrillic)
        known = sum(simplemma.is_known(w, lang=language) for w in spelled) / len(spelled)
        if best is None or known > best[0]:
            best = (known, cyrillic, language)
    if best is None or best[0] < TRANSLIT_KNOWN:
        return None
    return best[1], best[2]
