"""The words that make a question *that* question, and whether the evidence holds them. Pure.

A question about "the summit in Valletta" shares most of its words with any article about a summit;
what makes it specific is "Valletta". Such anchors are the question's names — words the articles
write capitalised, or the asker capitalised — unless the name is the topic itself.
An article can only answer the question if it holds every anchor; when no candidate article
does, or the articles never use a word of the question at all, the answer is a decline that names
what was not found.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from bot.engine import lang
from bot.engine.text import STOPWORDS, english_zipf, stem, words

# A question word the articles never use is missing evidence only if it is a name: capitalised
# by the asker mid-sentence, or a known place name (data/places.txt.gz, from GeoNames) however it
# was typed. A common word, a chat word ("tryna", "rite") or a word of the question's own
# description ("humanitarian") the articles happen not to use says nothing of their coverage.
PLACES = "places.txt.gz"
# A name in more than this share of passages is the topic itself (Putin, Zelensky in a corpus on
# the talks): every article has it in mind, many without naming it. It anchors nothing.
TOPIC_SHARE = 0.03
# ... and in at least this many passages: in a handful of articles every name looks common.
TOPIC_MIN_PASSAGES = 20
# A question's name capitalised mid-sentence, in Latin or Cyrillic letters.
_CAPITALISED = re.compile(r"(?<=\w )([A-ZА-ЯІЇЄҐЁ][^\W\d_]+)")
# The same name's Latin transliterations at least this close (rapidfuzz ratio) are one name
# across scripts: "zelenskii" (Зеленський) ~ "zelenskyy", "stambul" ~ "istanbul".
SCRIPTS_MATCH = 80
# The words of GENERIC in Ukrainian and Russian (their stems or lemmas are compared).
GENERIC_CYRILLIC = """україна україни україні українці український українська росія росії росію
    російський російська кремль москва київ президент війна мир сторона сторони країна уряд
    переговори новини сьогодні тиждень місяць рік сказав казати хоче хотіти думати
    украина украины россия россии российский кремль москва киев президент война мир сторона
    стороны страна правительство переговоры новости сегодня неделя месяц год сказал хочет"""
# Words too general to anchor anything, whatever the corpus.
GENERIC = frozenset(
    """ukraine ukrainian ukrainians russia russian russians kyiv kiev moscow kremlin president war
    peace side sides country countries government official officials people latest news today
    week month year talk talks said say tell want think""".split()
)
# Words that name an event, by family: a question about "the talks in Tbilisi" asks whether such an
# event happened there, so some sentence must hold a word of the family and one of the names.
EVENT_FAMILIES = tuple(
    frozenset(family.split())
    for family in (
        "summit summits meeting meetings talks negotiation negotiations round rounds conference"
        " conferences forum met",
        "deal deals agreement agreements accord accords treaty treaties memorandum memoranda signed"
        " signing pact pacts",
        "visit visits visited visiting trip trips came arrived arrival travelled traveled",
        "phone telephone conversation conversations spoke",
        "exchange exchanges exchanged swap swaps swapped",
    )
)  # matched on the question's words as typed, on stems in articles
# Words whose stem is an event word's but that name no event ("according" → "accord").
NOT_EVENTS = frozenset("according accordingly accordance roundly".split())
# "What came out of the talks" asks for their outcome, not about someone's arrival.
_OUTCOME = re.compile(r"\b(?:came|come|comes|coming)\s+(?:out|of)\b", re.I)
FUZZY_MATCH = 85  # rapidfuzz ratio at which a name counts as present ("zelensky" ~ "zelenskyy")
# An event told as planned, offered or hoped for did not happen ("invited him to visit Kyiv",
# "the talks in Ankara may raise…"). A question that asks about it as having happened needs a
# sentence that tells it so: no such word within UNREAL_WINDOW words of the event word.
UNREAL = frozenset(
    """will would could may might shall should can cannot invite invited invites invitation
    inviting plan plans planned planning expect expected expects ready willing possible possibility
    potential propose proposed proposes proposal offer offered offers upcoming next coming future
    intend intends intended hope hopes hoped prepare prepares preparing preparation schedule
    scheduled want wants wanted wish wishes""".split()
)
UNREAL_WINDOW = 6
# Words by which a question asks about its event as done ("the deal signed in Ankara", "what did
# they agree"); "latest on the talks" asks for news, planned talks included.
DONE = frozenset(
    """happened visited signed met agreed held came arrived spoke exchanged swapped travelled
    traveled went decided ended concluded outcome result results""".split()
)
# "did", "was" ask it as done too, unless they go with what someone said: "what did Zelensky say
# about meeting Putin" asks about the words, and a meeting still to come is their subject.
DONE_AUX = frozenset("did was were had".split())
SPEECH = frozenset(
    """say said says tell told describe described mention mentioned think thought claim claimed
    comment commented react reacted respond responded reply replied call called""".split()
)
# A question with one of these asks what is to come, so a planned event answers it.
NOT_YET = UNREAL | {"going", "gonna"}
# Event words that, right after "to", are a verb not yet done ("to visit", "to sign").
_VERBS = frozenset("visit sign exchange swap meet come arrive travel hold speak".split())


TYPO_MATCH = 88  # rapidfuzz ratio to a commoner English word at which a word reads as its typo
ENGLISH_WORDS = 30_000  # the commonest English words a typo is checked against


@lru_cache(maxsize=1)
def _common_words() -> list[str]:
    from wordfreq import top_n_list

    return list(top_n_list("en", ENGLISH_WORDS))


def likely_typo(word: str) -> bool:
    """Is this word a misspelling of a much commoner one ("wiling" → "willing")? A typo the
    articles cannot repair is no evidence that they lack what was asked."""
    from rapidfuzz import fuzz, process

    own = english_zipf(word)
    matches = process.extract(
        word, _common_words(), scorer=fuzz.ratio, score_cutoff=TYPO_MATCH, limit=5
    )
    return any(m[0] != word and english_zipf(m[0]) >= own + 1 for m in matches)


@dataclass(frozen=True)
class Anchors:
    names: tuple[str, ...]  # the question's names and rare words (typos already repaired)
    events: tuple[frozenset[str], ...]  # event families the question names (as words)
    absent: tuple[str, ...]  # of those and its other key words: ones no article uses at all
    phrase: str  # the question's own words around the names, for the decline message
    happened: bool = False  # the question asks about its event as one that took place

    def __bool__(self) -> bool:
        return bool(self.names or self.absent)


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    data = resources.files("bot.engine") / "data" / PLACES
    return frozenset(gzip.decompress(data.read_bytes()).decode().split())


def is_place(word: str) -> bool:
    return word.lower() in _places()


def find_anchors(
    question: str,
    terms: Sequence[str],
    df: Callable[[str], int],
    is_name: Callable[[str], bool],
    passages: int,
    respell: Callable[[str], str | None] = lambda word: None,
    language: str | None = None,
) -> Anchors:
    """The names of the question, and any key word the indexed articles never use.

    `respell` finds the articles' own spelling of a word in the other script ("Стамбул" →
    "istanbul", "peskov" → "пєсков"): a name is one name in Latin and Cyrillic letters."""
    capitals = {w.lower() for w in _CAPITALISED.findall(question)}
    names, absent = [], []
    for term in terms:
        if _generic(term, language) or term in STOPWORDS or term.isdigit() or len(term) < 3:
            continue
        spelled, count = term, df(stem([term], language)[0])
        if count == 0 and (other := respell(term)) is not None:
            spelled, count = other, df(stem([other])[0])
            if _generic(spelled, None):
                continue
        topic = count >= TOPIC_MIN_PASSAGES and count / max(1, passages) > TOPIC_SHARE
        if count == 0:
            if (term in capitals or is_place(term)) and not likely_typo(term):
                absent.append(term)
        elif (is_name(spelled) or term in capitals) and not topic:
            names.append(term)
    typed = set(terms) - ({"came", "come"} if _OUTCOME.search(question) else set())
    events = tuple(f for f in EVENT_FAMILIES if f & typed)
    keys = names + absent + [t for t in terms if any(t in f for f in events)]
    typed_words = set(words(question))
    done = DONE | (DONE_AUX if not SPEECH & typed_words else frozenset())
    happened = bool(done & typed_words) and not NOT_YET & typed_words
    return Anchors(tuple(names), events, tuple(absent), _phrase(question, keys), happened)


def _phrase(question: str, keys: Sequence[str]) -> str:
    """The shortest stretch of the question that holds all the key words, as the user typed it."""
    if not keys:
        return ""
    tokens = list(re.finditer(r"[^\W_]+(?:['’][^\W_]+)*", question))
    wanted = set(stem([k.lower() for k in keys]))
    hits = [i for i, t in enumerate(tokens) if stem([_fold(t.group())])[0] in wanted]
    if not hits:
        return ""
    return question[tokens[hits[0]].start() : tokens[hits[-1]].end()]


def _fold(token: str) -> str:
    return (words(token) or [token.lower()])[0]


def holds(anchors: Anchors, text: str) -> bool:
    """Does this text (an article with its title) hold the names of the question?

    With three names or more, one may be missing: a readout names "the leaders of Azerbaijan and
    Armenia" where the asker typed their names.
    """
    vocab, stems = _vocabulary(text)
    found = sum(1 for name in anchors.names if _present(name, vocab, stems))
    return found >= len(anchors.names) - (len(anchors.names) - 1) // 3


@lru_cache(maxsize=512)
def _vocabulary(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words and stems of an article or sentence; the same ones come back question after
    question."""
    vocab = frozenset(words(text))
    return vocab, frozenset(stem(list(vocab)))


def event_told(anchors: Anchors, told: Sequence[tuple[str, str]]) -> bool:
    """Does some sentence tell of one of the question's events with one of its names?

    `told` holds (context, sentence) pairs: a name may stand in the context (the article's title:
    a readout names its counterpart there and says "the Turkish leader" in the text); the event
    must be told in the sentence, as done if the question asks about it as done.
    """
    if not anchors.events or not anchors.names:
        return True
    # The event words are English: only sentences in Latin letters can be read for them, and
    # when the candidates are all in another script the rule has nothing to judge by.
    told = [(c, s) for c, s in told if not lang.is_cyrillic(s)]
    if not told:
        return True
    family = frozenset(stem(list(frozenset().union(*anchors.events))))
    for context, sentence in told:
        vocab, stems = _vocabulary(sentence)
        if not family & _event_stems(vocab, stems):
            continue
        named = any(_present(n, vocab, stems) for n in anchors.names)
        if not named and context:
            named = any(_present(n, *_vocabulary(context)) for n in anchors.names)
        if named and (not anchors.happened or _told_as_done(sentence, family)):
            return True
    return False


def _event_stems(vocab: frozenset[str], stems: frozenset[str]) -> frozenset[str]:
    if not vocab & NOT_EVENTS:
        return stems
    return frozenset(stem([w for w in vocab if w not in NOT_EVENTS]))


def _told_as_done(sentence: str, family: frozenset[str]) -> bool:
    """Is one of the event words in this sentence told as done, not planned or offered?"""
    tokens = words(sentence)
    for i, (token, stemmed) in enumerate(zip(tokens, stem(tokens), strict=True)):
        if stemmed not in family or token in NOT_EVENTS:
            continue
        near = tokens[max(0, i - UNREAL_WINDOW) : i] + tokens[i + 1 : i + 1 + UNREAL_WINDOW]
        if UNREAL & set(near):
            continue
        if i and tokens[i - 1] == "to" and tokens[i] in _VERBS:
            continue
        return True
    return False


def _present(name: str, vocab: Set[str], stems: Set[str]) -> bool:
    if stem([name])[0] in stems:
        return True
    if len(name) < 5:
        return False
    from rapidfuzz import fuzz, process

    if process.extractOne(name, vocab, scorer=fuzz.ratio, score_cutoff=FUZZY_MATCH) is not None:
        return True
    # Another script: Зеленський in a question, Zelenskyy in the article (or the other way).
    other = [w for w in vocab if lang.is_cyrillic(w) != lang.is_cyrillic(name)]
    return (
        bool(other)
        and process.extractOne(
            lang.latin(name),
            [lang.latin(w) for w in other],
            scorer=fuzz.ratio,
            score_cutoff=SCRIPTS_MATCH,
        )
        is not None
    )


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    english = stem(sorted(GENERIC))
    ukrainian = stem(GENERIC_CYRILLIC.split(), "uk")
    russian = stem(GENERIC_CYRILLIC.split(), "ru")
    return frozenset(english) | frozenset(ukrainian) | frozenset(russian)


def _generic(term: str, language: str | None) -> bool:
    return term in GENERIC or stem([term], language)[0] in _generic_stems()
