"""Slash commands in Ukrainian and Russian: discord.py's Translator over the bot's catalogues.

At sync, discord.py asks the translator for every name and description of every command in each
of Discord's locales, and sends what it gets as `name_localizations`/`description_localizations`;
a client set to Ukrainian or Russian then shows /ask as /запитати or /спросить, with its options
and descriptions in that language. Interactions still arrive under the default names, so nothing
else changes.

Descriptions are messages of the catalogue (marked N_ where the commands are declared); names are
translated with a context (NC_), since "since" or "party" alone could mean something else.
Discord refuses the whole sync for one bad localisation (a name with a space or a capital, a
description over 100 characters), so a translation that breaks its rules is logged and left
out: that command shows in English in that locale until the catalogue is fixed.
"""

from __future__ import annotations

import logging
import re

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.chat.language import LOCALES
from bot.i18n import NC_, tr, trc

log = logging.getLogger(__name__)
NAME_MAX, DESCRIPTION_MAX = 32, 100
# Discord's rule for command and option names (letters of any script, digits, - and _), lower case.
_NAME = re.compile(rf"[-_\w]{{1,{NAME_MAX}}}")
# The names a member sees, translated; admin commands (/talks …) keep their English names.
NAMES = (
    NC_("command", "ask"),
    NC_("command", "timeline"),
    NC_("option", "question"),
    NC_("option", "since"),
    NC_("option", "until"),
    NC_("option", "outlet"),
    NC_("option", "party"),
    NC_("option", "topic"),
)
CONTEXTS = {
    Where.command_name: "command",
    Where.group_name: "command",
    Where.parameter_name: "option",
}
DESCRIPTIONS = (Where.command_description, Where.group_description, Where.parameter_description)


def localised(message: str, language: str, where: Where) -> str | None:
    """`message` (a name or description) in `language`, or None where Discord should show the
    default: untranslated, not something the catalogue translates (choices are data: outlet,
    party and speaker names), or breaking Discord's rules."""
    if where in CONTEXTS:
        text = trc(language, CONTEXTS[where], message)
        valid = bool(_NAME.fullmatch(text)) and text == text.lower()
    elif where in DESCRIPTIONS:
        text = tr(language, message)
        valid = 1 <= len(text) <= DESCRIPTION_MAX
    else:
        return None
    if text == message:
        return None
    if not valid:
        log.warning("the %s translation of %r breaks Discord's rules: %r", language, message, text)
        return None
    return text


def shown_name(locale: discord.Locale, name: str) -> str:
    """An option's name as this user's Discord shows it, for a message that names it."""
    language = LOCALES.get(locale)
    return (localised(name, language, Where.parameter_name) if language else None) or name


class CatalogueTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = LOCALES.get(locale)
        return localised(string.message, language, context.location) if language else None
