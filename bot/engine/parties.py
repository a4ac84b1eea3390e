"""Parties of the talks and the names that speak for them; which stored speakers belong to one.

The bundled list (data/parties.toml) is extended by an admin's file of the same shape
(TALKS_PARTIES_FILE). Membership is by words, not spelling: a speaker belongs to a party when one
of its aliases stands, as whole words, in the speaker's name as the article gives it ("Kremlin
spokesperson Dmitry Peskov", "Russia's foreign ministry"), so the index never has to be rebuilt
when an alias is added.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from bot.engine.text import stem
from bot.errors import BadInput
from bot.i18n import N_

SAME_PERSON = 85  # rapidfuzz ratio of two spellings' Latin forms naming one person

_WORD = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*\.?", re.UNICODE)


def name_words(name: str) -> tuple[str, ...]:
    """A name as comparable words: case and possessives folded, dots dropped ("U.S." = "us")."""
    out = []
    for token in _WORD.findall(name.casefold()):
        token = token.replace(".", "").replace("’", "'")
        out.append(token[:-2] if token.endswith("'s") else token)
    return tuple(t for t in out if t)


@dataclass(frozen=True)
class Party:
    name: str
    aliases: tuple[str, ...]  # every name that speaks for the party, people first
    people: tuple[str, ...] = ()  # those of them that name one person

    def speaks_for(self, speaker: str) -> bool:
        """Does one of the aliases stand, as whole words, in this speaker's name?"""
        words = name_words(speaker)
        return any(_contains(words, name_words(alias)) for alias in self.aliases)


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return n > 0 and any(words[i : i + n] == part for i in range(len(words) - n + 1))


def _party(table: dict[str, object]) -> Party:
    people = tuple(map(str, table.get("people", [])))  # type: ignore[call-overload]
    others = tuple(map(str, table.get("aliases", [])))  # type: ignore[call-overload]
    return Party(str(table["name"]), (*people, *others), people)


def _read(text: str, origin: str) -> list[Party]:
    try:
        data = tomllib.loads(text)
        return [_party(p) for p in data["party"]]
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise BadInput(
            f"The parties file {origin} is not a list of [[party]] tables with a name and "
            f"aliases ({exc}); fix it or unset the parties file setting."
        ) from None


def load_parties(extra: Path | None = None) -> list[Party]:
    """The bundled parties, extended by the admin's file if one is set. Asked for on every
    question, so parsed once and read again only when the admin's file changes."""
    return list(_parties(extra, _stamp(extra)))


def _stamp(path: Path | None) -> int | None:
    try:
        return path.stat().st_mtime_ns if path is not None else None
    except OSError:
        return None  # _parties reports the unreadable file


@lru_cache(maxsize=4)
def _parties(extra: Path | None, stamp: int | None) -> tuple[Party, ...]:
    """`stamp` (the file's mtime) only keys the cache: a changed file is read again."""
    bundled = resources.files("bot.engine").joinpath("data/parties.toml").read_text("utf-8")
    parties = {p.name.casefold(): p for p in _read(bundled, "bundled")}
    if extra is not None:
        try:
            text = extra.read_text(encoding="utf-8")
        except OSError as exc:
            raise BadInput(f"Cannot read the parties file {extra}: {exc.strerror}.") from None
        for p in _read(text, str(extra)):
            known = parties.get(p.name.casefold())
            if known is not None:
                p = Party(known.name, (*known.aliases, *p.aliases), (*known.people, *p.people))
            parties[p.name.casefold()] = p
    return tuple(parties.values())


def resolve(name: str, parties: Iterable[Party]) -> Party:
    """The party named (or abbreviated: "US", "EU"); any other name is a speaker on its own."""
    wanted = name_words(name)
    if not wanted:
        raise BadInput(N_("Name a party or a speaker, e.g. Russia or Peskov."))
    for party in parties:
        if wanted == name_words(party.name):
            return party
    for party in parties:
        if any(wanted == name_words(a) for a in party.aliases) and len(wanted[0]) <= 3:
            return party  # an abbreviation of a party: "US", "EU", "UK"
    stems = tuple(stem(list(wanted)))
    for party in parties:
        if any(
            stems == tuple(stem(list(name_words(a)))) for a in party.aliases[len(party.people) :]
        ):
            return party  # "Кремль", "Кремля", "Росії": the side, however inflected
    name = " ".join(name.split())
    spelled = _spellings(name, parties)
    return Party(name, spelled, spelled)


def _spellings(name: str, parties: Iterable[Party]) -> tuple[str, ...]:
    """A person by every spelling the parties know, in both scripts: "Песков" is also
    "Peskov" (their Latin transliterations agree)."""
    from rapidfuzz import fuzz

    from bot.engine.lang import latin

    own = latin(name)
    same = {
        p for party in parties for p in party.people if fuzz.ratio(latin(p), own) >= SAME_PERSON
    }
    return (name, *sorted(same - {name}))
