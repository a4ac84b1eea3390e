"""The bot's own words in the asker's language: gettext catalogues in bot/locale.

Quotes from the articles stay in the article's language; everything the bot says itself —
declines, "As of …", "Sources", Discord labels, buttons and errors — is a message of the
catalogue, written in English in the code and translated in bot/locale/<uk|ru>/LC_MESSAGES/
talks.po (compiled to talks.mo by `make i18n`, with Babel). A message with values names them:
`tr(language, "No indexed article answers this for {period}.", period=...)`.

A name (a slash command's or an option's: one word, which Discord shows translated) is marked
with a context, `NC_("option", "since")`, so it is never confused with the same word elsewhere;
`trc` translates it.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

DOMAIN = "talks"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "uk", "ru")  # English is the catalogue's source language


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.NullTranslations:
    if language not in LANGUAGES or language == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, [language], fallback=True)


def tr(language: str, message: str, /, **values: object) -> str:
    """`message` in `language`, its {named} values filled in."""
    text = translations(language).gettext(message)
    return text.format(**values) if values else text


def trn(language: str, singular: str, plural: str, n: int, /, **values: object) -> str:
    """The form of a message for the number `n` in `language` (Ukrainian and Russian have three:
    1 заява, 2 заяви, 5 заяв), its {named} values filled in; `n` is the value {count}."""
    text = translations(language).ngettext(singular, plural, n)
    return text.format(count=n, **values)


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is defined; `tr` translates it where used."""
    return message


def trc(language: str, context: str, message: str) -> str:
    """`message` in `language`, as translated for `context` (see NC_)."""
    return translations(language).pgettext(context, message)


def NC_(context: str, message: str) -> str:
    """Marks a message with its context for the catalogue; `trc` translates it where used."""
    return message
