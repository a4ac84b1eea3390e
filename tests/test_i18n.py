"""The message catalogues: complete, compiled from their sources, and used."""

from __future__ import annotations

import io

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot.i18n import LOCALE_DIR, tr

LANGUAGES = ("uk", "ru")


def _po(language: str):  # type: ignore[no-untyped-def]
    path = LOCALE_DIR / language / "LC_MESSAGES" / "talks.po"
    return read_po(io.BytesIO(path.read_bytes()), locale=language)


# The Makefile's `pybabel extract` keywords: messages, and names with their context.
KEYWORDS = {"tr": (2,), "trn": (2, 3), "N_": None, "NC_": ((1, "c"), 2), "trc": ((2, "c"), 3)}


def _code_messages() -> set[tuple[str | None, str]]:
    found = extract_from_dir(LOCALE_DIR.parent, keywords=KEYWORDS, comment_tags=())
    return {(context, msg if isinstance(msg, str) else msg[0]) for _, _, msg, _, context in found}


def _forms(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """A message's id or string as its forms: one, or a plural's (singular, plural) / all three."""
    return (value,) if isinstance(value, str) else tuple(value)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_code_is_translated(language: str) -> None:
    translated = {
        (m.context, _forms(m.id)[0]): all(_forms(m.string)) for m in _po(language) if m.id
    }
    missing = sorted(m[1] for m in _code_messages() if not translated.get(m))
    assert missing == [], f"run `make i18n` and translate: {missing[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_its_source(language: str) -> None:
    mo = LOCALE_DIR / language / "LC_MESSAGES" / "talks.mo"
    compiled = {
        (m.context, _forms(m.id)): _forms(m.string)
        for m in read_mo(io.BytesIO(mo.read_bytes()))
        if m.id
    }
    source = {
        (m.context, _forms(m.id)): _forms(m.string)
        for m in _po(language)
        if m.id and all(_forms(m.string))
    }
    assert compiled == source, "run `make i18n` to compile the catalogues"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language: str) -> None:
    for message in _po(language):
        ids, strings = _forms(message.id), _forms(message.string)
        if message.id and all(strings):
            values = {name: "x" for name in _names(ids[-1])}
            for form in strings:  # every plural form names the plural's values, {count} too
                assert set(_names(form)) == set(values), message.id
                form.format(**values)


def _names(text: str) -> list[str]:
    import string

    return [field for _, field, _, _ in string.Formatter().parse(text) if field]


def test_english_is_the_source_and_unknown_languages_fall_back_to_it() -> None:
    assert tr("en", "As of {date}: {text}", date="2025-01-01", text="X") == "As of 2025-01-01: X"
    assert tr("de", "As of {date}: {text}", date="2025-01-01", text="X") == "As of 2025-01-01: X"
    assert tr("uk", "As of {date}: {text}", date="2025-01-01", text="X").startswith("Станом на")


def test_an_error_raised_with_a_message_of_the_catalogue_is_told_in_any_language() -> None:
    from bot.errors import BadInput

    error = BadInput("Please keep the question under {limit} characters.", limit=500)
    assert str(error) == "Please keep the question under 500 characters."
    assert error.told("en") == str(error)
    assert error.told("uk") == "Будь ласка, скоротіть запитання до 500 символів."
    assert BadInput("Not in the catalogue {literally}.").told("ru") == (
        "Not in the catalogue {literally}."
    )


def test_no_message_hides_inside_an_f_string() -> None:
    """Babel reads an f-string as one token, so `f"**{tr(language, 'Sources')}**"` would never
    reach the catalogue (nor the test above): a message is translated outside f-strings."""
    import ast

    hidden = []
    for path in sorted(LOCALE_DIR.parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for call in ast.walk(node):
                name = getattr(getattr(call, "func", None), "id", None)
                args = getattr(call, "args", [])
                if name in KEYWORDS and any(isinstance(a, ast.Constant) for a in args):
                    hidden.append(f"{path.name}:{call.lineno}")
    assert hidden == []
