"""Follow-up resolution: a question that leans on earlier turns gets their context. Pure.

People write "and what did kyiv say to that?", "when was that?", "why?" in a conversation; alone,
those retrieve nothing useful. A question is read as three parts — its *topic* words, the
*names* it gives (parties, people, places) and the *period* it names — and a follow-up borrows
the parts it lacks from the previous turn, as that turn was understood (so a chain of follow-ups
keeps its context). A question that brings its own topic, with no pronoun or opening cue pointing
back, stands alone and is left exactly as typed: carrying context into it would answer a question
nobody asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot.engine.lang import is_cyrillic
from bot.engine.search.timeq import time_hint
from bot.engine.text import STOPWORDS, content_terms, spell_out, stem, words

# Parties and places the talks' questions name, typed in lower case as often as not; the index's
# own names (words the articles write capitalised) are added by the caller through `is_name`.
KNOWN_PLACES = frozenset(
    """
    kyiv kiev moscow washington istanbul ankara geneva riyadh jeddah minsk alaska budapest doha
    crimea donbas donetsk luhansk zaporizhzhia kherson odesa mariupol belgorod kursk black sea
    """.split()
)
KNOWN_NAMES = KNOWN_PLACES | frozenset(
    """
    russia russian russians ukraine ukrainian ukrainians kremlin putin zelensky zelenskyy
    zelenskiy trump biden us usa america american americans europe european europeans eu nato
    turkey turkish erdogan saudi lavrov peskov medinsky umerov yermak sybiha rubio witkoff
    kellogg macron starmer merz scholz xi china chinese beijing vatican pope un iaea grossi
    belarus lukashenko qatar
    """.split()
)
# The same names in Ukrainian and Russian, compared by their stems (inflected forms vary).
KNOWN_CYRILLIC = """київ киев москва кремль стамбул анкара женева мінськ минск крим крым донбас
    донбасс одеса одесса маріуполь мариуполь росія россия україна украина путін путин зеленський
    зеленский трамп байден сша америка європа европа єс ес нато туреччина турция ердоган эрдоган
    лавров пєсков песков мединський мединский умєров умеров єрмак ермак макрон шольц китай оон
    білорусь беларусь лукашенко катар"""


def _cyrillic_name(term: str) -> bool:
    return stem([term])[0] in _known_cyrillic()


@lru_cache(maxsize=1)
def _known_cyrillic() -> frozenset[str]:
    return frozenset(stem(KNOWN_CYRILLIC.split()))


# Words after which a name is what is talked about, not who acts ("what did Putin say about NATO").
PREPOSITIONS = frozenset("about on over of to for regarding with against into".split())
# What a swap ("what about zelensky?", "same for donbas") may hold besides its names.
_SWAP_FILLER = frozenset("the a an in on at for with about too then now".split())
# Verbs and fillers that ask *about* a topic without being one ("what did kyiv say to that").
GENERIC = frozenset(
    """
    respond response responded react reaction reacted reply replied answer answered mean means
    meant want wanted wants ask asked comment commented view stance
    position else more details detail source sources exactly happen next after afterwards before
    why when where who how long take took come came go went anything something one ones else's
    like still sure true really wait hmm huh ok okay cool nice thanks thx lol also too though right
    сказав сказала сказали казав каже відповів відповіла відповіли заявив заявила хоче хочуть
    чому коли де хто що як сказал сказала сказали говорил говорит ответил ответила ответили
    заявил заявила хочет хотят почему когда где кто что как ще ещё еще більше больше
    """.split()
)
# Openings that continue the conversation whatever follows them.
_CUE = re.compile(
    r"^\s*(?:and|but|so|also|plus|then|ok(?:ay)?\s+(?:and|so|but|what)|what\s+about|how\s+about|"
    r"what\s+of|same\s+(?:for|with|question)|what\s+else|anything\s+else|who\s+else|tell\s+me\s+"
    r"more|more\s+(?:on|about)|why\b|how\s+come|since\s+when|after\s+that|and\s+then|"
    # Ukrainian and Russian: "а що сказав Київ?", "и что ответил Кремль?", "чому?", "а почему?"
    r"а|і|й|та|але|и|но|а\s+(?:що|що\s+до|щодо|як|как|насчет|насчёт|чому|почему|коли|когда)|"
    r"що\s+ще|что\s+ещё|что\s+еще|хто\s+ще|кто\s+ещё|кто\s+еще|чому|почему|розкажи\s+більше|"
    r"расскажи\s+больше|після\s+цього|после\s+этого)\b",
    re.I,
)
_ALSO = re.compile(r"\b(?:as\s+well|too|either)\W*$", re.I)  # "did ukraine agree as well?"
_PERSONAL = frozenset(
    """he she him her his hers they them their theirs its він вона вони його її їх їм йому ним
    нею ними він он она они его ее её их им ему ней""".split()
)
_DEMONSTRATIVE = frozenset(
    "that this those these це цей ця ці це цього цьому это этот эта эти этого этому".split()
)
_THERE_VERBS = frozenset("is are was were".split())
_DUMMY_IT_NEXT = frozenset("true possible likely clear known that".split())
_CLAUSE_START = frozenset("the a an he she they we it there his their its russia ukraine".split())


@dataclass(frozen=True)
class Turn:
    """One earlier question of a conversation: as typed, as understood, and what was answered."""

    question: str
    understood_as: str = ""
    answer: str = ""

    @property
    def meaning(self) -> str:
        return self.understood_as or self.question


@dataclass(frozen=True)
class Parts:
    """What a question is about: topic words, names and the words that named a period."""

    topic: tuple[str, ...]
    names: tuple[str, ...]
    period: str
    objects: tuple[str, ...] = ()  # names that follow a preposition: talked about, not acting


@dataclass(frozen=True)
class Resolution:
    text: str  # the question to answer: as typed, or with what it borrowed
    followup: bool
    borrowed: tuple[str, ...] = ()  # the words taken from earlier turns

    def differs(self, typed: str) -> bool:
        return " ".join(self.text.split()) != " ".join(typed.split())


NameTest = Callable[[str], bool]


def parts(question: str, is_name: NameTest | None = None, today: date | None = None) -> Parts:
    hint = time_hint(question, today)
    period_words = set(content_terms(hint.words))
    tokens = words(spell_out(question))
    objects = {
        t for before, t in zip(["", *tokens], tokens, strict=False) if before in PREPOSITIONS
    }
    topic, names = [], []
    for term in content_terms(spell_out(question)):
        if term in period_words or term.isdigit():
            continue
        known = term in KNOWN_NAMES or (is_cyrillic(term) and _cyrillic_name(term))
        if known or (is_name is not None and is_name(term)):
            names.append(term)
        elif term not in GENERIC:
            topic.append(term)
    return Parts(tuple(topic), tuple(names), hint.words, tuple(n for n in names if n in objects))


def points_back(question: str) -> bool:
    """A pronoun or demonstrative that refers to something said before (not "the deal that…",
    not "is there a ceasefire")."""
    tokens = words(spell_out(question))
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        if token in _PERSONAL:
            return True
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        # "to that", "was that", "that deal"; not "the deal that…" nor "say that the deal…"
        demonstrative = token in _DEMONSTRATIVE and (not before or before in STOPWORDS)
        if demonstrative and after not in _CLAUSE_START:
            return True
        if token == "it" and after not in _DUMMY_IT_NEXT:
            return True  # "did it start", "freed in it" — not "is it true that…"
        if token == "there" and i == len(tokens) - 1 and before not in _THERE_VERBS:
            return True
        if token in ("else", "again", "same", "ще", "знову", "ещё", "еще", "снова"):
            return True
    return False


def is_followup(question: str, own: Parts) -> bool:
    question = spell_out(question)  # "n ukraine?" opens like "and ukraine?"
    if _CUE.match(question) or _ALSO.search(question) or points_back(question):
        return True
    return not own.topic  # "what did putin say?", "when?", "source?": nothing of its own to ask


def resolve(
    question: str,
    history: Sequence[Turn],
    *,
    is_name: NameTest | None = None,
    today: date | None = None,
) -> Resolution:
    """`question` with the context it leans on from the latest turn, or unchanged."""
    question = " ".join(question.split())
    if not history:
        return Resolution(question, followup=False)
    own = parts(question, is_name, today)
    if not is_followup(question, own):
        return Resolution(question, followup=False)
    before = parts(history[-1].meaning, is_name, today)
    borrowed = _borrow(question, own, before)
    if not borrowed:
        return Resolution(question, followup=True)
    return Resolution(_join(question, borrowed), followup=True, borrowed=tuple(borrowed))


def swap_of(question: str, own: Parts) -> bool:
    """ "what about zelensky?", "and kyiv?", "same for donbas": the earlier question again, with
    these names in place of the earlier ones of their kind."""
    question = spell_out(question)
    cue = _CUE.match(question)
    if cue is None or not own.names:
        return False
    period = set(words(own.period))
    rest = words(spell_out(question[cue.end() :]))
    return all(t in own.names or t in _SWAP_FILLER or t in period for t in rest)


def _replaced(name: str, before: Parts, own: Parts) -> bool:
    """A place gives way to a place; an acting party to an acting party (not one talked about)."""
    if name in KNOWN_PLACES:
        return any(n in KNOWN_PLACES for n in own.names)
    return name not in before.objects and any(n not in KNOWN_PLACES for n in own.names)


def _borrow(question: str, own: Parts, before: Parts) -> list[str]:
    """The earlier topic unless it brings its own ("what about the grain deal?") without pointing
    back, the earlier names (but those a swap replaces), the period when it names none."""
    have = set(own.topic) | set(own.names)
    swap = swap_of(question, own)
    take: list[str] = []
    if not own.topic or points_back(question) or _ALSO.search(question):
        take += [t for t in before.topic if t not in have]
    names = [n for n in before.names if not (swap and _replaced(n, before, own))]
    take += [n for n in names if n not in have]
    if before.period and not own.period:
        take.append(before.period)
    return take


def _join(question: str, borrowed: Sequence[str]) -> str:
    """The typed question with the borrowed words after it, kept readable for "Understood as"."""
    core = question.rstrip(" ?.!")
    return f"{core} ({', '.join(borrowed)})?" if core else f"{' '.join(borrowed)}?"
