"""Which language the bot speaks to someone on Discord.

An answer is in its question's language (Answer.language), and so is everything around it: its
labels and buttons, and an error about the question, which comes before any answer exists and
so is told in the language of what was typed (Engine.language_of, the same detection). With
nothing typed — a click on a button, an admin command — the user's Discord client says which
language they read: the bot speaks Ukrainian and Russian to those locales, and otherwise the
server's setting (TALKS_LANGUAGE), which is English unless an admin chose otherwise.
"""

from __future__ import annotations

import discord

# The options of each command whose text is the asker's own words, in the order they are read.
TYPED: dict[str, tuple[str, ...]] = {"ask": ("question",), "timeline": ("party", "topic")}


# The Discord locales the bot speaks besides English.
LOCALES = {discord.Locale.ukrainian: "uk", discord.Locale.russian: "ru"}


def locale_language(locale: discord.Locale, default: str) -> str:
    """The bot's language for a Discord locale: uk and ru are the bot's own; English locales
    and any other the bot does not speak take `default` (the server's setting)."""
    return LOCALES.get(locale, default)


def typed_text(interaction: discord.Interaction) -> str:
    """What the user typed as their question (or party and topic) in a slash command, or "" for
    an interaction without one (buttons, modals, admin commands)."""
    command = interaction.command
    if interaction.type is not discord.InteractionType.application_command or command is None:
        return ""
    fields = TYPED.get(command.qualified_name, ())
    values = (getattr(interaction.namespace, name, None) for name in fields)
    return " ".join(v for v in values if isinstance(v, str) and v.strip())
