"""The cues in one sentence that say who speaks: the speech verb's subject, "according to X",
a transcript label, a pronoun or role that refers back. Pure: no model, no I/O.

`sentence_ref` reads one sentence on its own; index/speakers.py resolves references across the
article. Quotations are blanked out first (`masked`), so a verb or a name inside one belongs to
the quotation, not to the sentence's own attribution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERBS = (
    "said|says|say|told|tells|stated|states|added|adds|noted|notes|stressed|stresses|emphasi[sz]ed"
    "|emphasi[sz]es|insisted|insists|argued|argues|warned|warns|demanded|demands|urged|urges"
    "|called for|calls for|announced|announces|declared|declares|wrote|writes|posted|claimed"
    "|claims|asserted|reiterated|reiterates|repeated|explained|underlined|underscored"
    "|acknowledged|admitted|confirmed|confirms|denied|denies|suggested|suggests|proposed|proposes"
    "|vowed|vows|pledged|promised|threatened|replied|responded|commented|remarked|countered"
    "|maintained|highlighted|indicated|pointed out|recalled|assured|affirmed|expressed"
    "|signall?ed|conceded|mentioned|informed|quoted as saying"
)
_VERB = re.compile(rf"\b(?:{_VERBS})\b")
_ACCORDING = re.compile(r"\b[Aa]ccording to\b")
LABEL = re.compile(  # "President of Russia Vladimir Putin:", "Viktor Orban (retranslated):"
    r"^((?:[A-Z][\w'’.-]*\s+|of\s+|the\s+){0,7}?[A-Z][\w'’.-]+)\s*(?:\([a-z ]{1,20}\))?:\s"
)
STATED_BY = re.compile(  # "This was stated by X": X said what the sentences before report
    r"^(?:This|That|It|These words) (?:was|were) (?:stated|said|announced|noted|emphasi[sz]ed|"
    r"declared|reported|stressed) by\b"
)
OPENS_QUOTE = re.compile(r"^\s*[\"“«]")

# Words between a subject and its verb: "Peskov has also repeatedly said".
_AUX = {"has", "have", "had", "also", "then", "later", "again", "further", "previously", "once"}
_AUX |= {"would", "will", "was", "were", "is", "on", "the", "in", "a"}
_PASSIVE = {"was", "were", "been", "being", "is", "are", "be"}
_PRONOUNS = {"he", "she", "it"}
_PREPOSITIONS = {"with", "to", "in", "at", "from", "for", "by", "on", "against", "between", "of"}
_TITLES = {
    "president", "prime", "minister", "foreign", "defence", "defense", "secretary", "chancellor",
    "spokesman", "spokeswoman", "spokesperson", "head", "state", "leader", "chief", "deputy",
    "envoy", "ambassador", "adviser", "advisor", "aide", "general", "mr", "mrs", "ms", "dr",
    "senator", "representative", "special", "vice", "first", "press", "national", "security",
    "negotiator", "commander", "mayor", "governor", "pope", "king", "queen", "council", "of",
    "office", "ministry", "government", "administration", "faction",
}  # fmt: skip
_PLACES = {
    "ukraine", "russia", "ukrainian", "russian", "us", "u.s", "american", "kremlin", "belarus",
    "turkey", "turkish", "china", "chinese", "eu", "european", "nato", "france", "french",
    "germany", "german", "britain", "british", "uk", "u.k", "united", "states", "kingdom",
}  # fmt: skip
_ROLES = _TITLES - {"of", "mr", "mrs", "ms", "dr", "first", "national", "special", "vice"}
_ROLES |= {"ministry", "office", "government", "administration", "delegation", "official"}
# Capitalised words that start sentences or name days, never a speaker by themselves.
_STOP = {
    "the", "a", "an", "but", "and", "or", "so", "yet", "as", "on", "in", "at", "after", "before",
    "during", "meanwhile", "however", "speaking", "earlier", "later", "separately", "also", "when",
    "while", "then", "this", "that", "these", "those", "it", "he", "she", "they", "we", "i", "you",
    "our", "his", "her", "their", "my", "there", "here", "if", "since", "although", "though",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
    "yesterday", "last", "next", "for", "with", "from", "by", "to", "of", "what", "why", "how",
    "question", "remark", "answer", "reply", "moderator", "note", "update", "read", "more",
}  # fmt: skip
TOKEN = re.compile(r"[\w'’.-]+")


@dataclass(frozen=True)
class Ref:
    """What a sentence says about its speaker: a name, or a reference to one named before."""

    name: str | None  # None: a pronoun or role to resolve ("he", "the President")


def _is_cap(token: str) -> bool:
    return token[:1].isupper() and token.lower().strip(".") not in _STOP


def _opens(sentence: str, i: int) -> bool:
    """Is the quotation mark at i an opening one? Curly marks say so; a straight one opens
    when it starts a word ("… said: "We …"), and closes after one ("… peace," he said)."""
    ch = sentence[i]
    if ch in "“«":
        return True
    if ch in "”»":
        return False
    return (i == 0 or sentence[i - 1] in " \t(:—–-") and sentence[i + 1 : i + 2].strip() != ""


def quoted(sentence: str) -> tuple[str, bool, bool]:
    """The sentence with its quotations blanked out, so their verbs and names do not count;
    whether it closes a quotation opened before it (a long one split between sentences) and
    whether it leaves one open."""
    chars = list(sentence)
    start: int | None = None
    closes_earlier = False
    for i, ch in enumerate(sentence):
        if ch not in '"“”«»':
            continue
        if _opens(sentence, i):
            start = i if start is None else start
        else:
            closes_earlier = closes_earlier or start is None
            chars[(start or 0) : i + 1] = " " * (i + 1 - (start or 0))
            start = None
    if start is not None:
        chars[start:] = " " * (len(chars) - start)
    return "".join(chars), closes_earlier, start is not None


def masked(sentence: str) -> str:
    return quoted(sentence)[0]


def name_of(tokens: list[str]) -> Ref | None:
    """A phrase ending right before (or starting right after) a speech verb → its speaker."""
    if not tokens:
        return None
    last = tokens[-1]
    low = last.lower()
    if low in _PRONOUNS:
        return Ref(None)
    if low.endswith(("'s", "’s")):
        return None  # a possessive is never the subject: "Putin's demands …"
    run: list[str] = []
    for token in reversed(tokens):
        if not _is_cap(token) and not (run and token.lower() == "of"):
            break
        run.insert(0, token)
    while run and run[0].lower() == "of":
        run.pop(0)
    if run:
        names: list[str] = []
        for token in reversed(run):  # the name after the titles: "Minister of X Oleksandr K."
            if token.lower().strip(".").removesuffix("'s").removesuffix("’s") in _TITLES:
                break
            names.insert(0, token)
        if not names:  # "the President", "the Head of State": a role, named before
            return Ref(None) if _definite(tokens, len(run)) else None
        after_of = len(run) > len(names) and run[-len(names) - 1] == "of"
        if after_of and len(names) == 1:  # "the President of Russia": a role, named before
            return Ref(None) if _definite(tokens, len(run)) else None
        if after_of and len(names) >= 3:  # "Minister of Hungary Viktor Orban": a country first
            names = names[1:]
        names = names[-3:]
        while len(names) > 1 and names[0].lower().strip(".") in _PLACES:
            names.pop(0)  # "Ukraine Oleksandr Kubrakov" (after "Minister of") → the person
        return Ref(_with_article(tokens, len(run), " ".join(names)))
    if low in _ROLES:
        return _role_phrase(tokens)
    return None


def _definite(tokens: list[str], used: int) -> bool:
    before = tokens[-used - 1].lower() if len(tokens) > used else ""
    return before == "the"


def _with_article(tokens: list[str], used: int, name: str) -> str:
    """ "the Kremlin", "the White House": institutions keep their article as written."""
    if _definite(tokens, used) and len(name.split()) <= 2 and name.split()[0] == tokens[-used]:
        return f"the {name}"
    return name


def _role_phrase(tokens: list[str]) -> Ref | None:
    """ "a Kremlin spokesperson", "Zelensky's spokesperson", "Russia's foreign ministry";
    a bare "the spokesperson" refers back."""
    phrase = tokens[-4:]
    for i, token in enumerate(phrase):
        if token[:1].isupper() and token.lower() not in _STOP:
            return Ref(" ".join(phrase[i:]))
    return Ref(None) if _definite(tokens, 1) else None


def _left(masked: str, at: int, verb: str) -> Ref | None:
    """The subject written before the verb: "Peskov (, the Kremlin spokesman,) has said"."""
    before = masked[:at].rstrip()
    if before.endswith(","):  # an appositive: skip back over ", the Kremlin spokesman,"
        inner = before[:-1].rfind(",")
        if inner > 0 and len(before) - inner < 300:
            before = before[:inner]
    tokens = TOKEN.findall(before)[-9:]
    while tokens and (tokens[-1].lower() in _AUX or tokens[-1].lower().endswith("ly")):
        if tokens[-1].lower() in _PASSIVE and verb != "quoted as saying":
            return None
        tokens.pop()
    ref = name_of(tokens)
    if ref is not None and ref.name is not None and _after_preposition(tokens, ref.name):
        return None  # "… the talks with Russia said": a name inside a phrase is no subject
    return ref


def _after_preposition(tokens: list[str], name: str) -> bool:
    used = len(name.split())
    before = tokens[-used - 1].lower() if len(tokens) > used else ""
    return before in _PREPOSITIONS


def right(masked: str, end: int) -> Ref | None:
    """The subject written after the verb, as after a quotation: "…,” said Kremlin spokesman
    Dmitry Peskov."""
    after = re.split(r"[,.;:!?()]| in | on | at | that | during | after ", masked[end:], maxsplit=1)
    tokens = TOKEN.findall(after[0])[:14]
    if not tokens or tokens[0].lower() in {"by", "to", "for", "about", "of"}:
        return None
    if tokens[0].lower() in _PRONOUNS | {"him", "her"} and len(tokens) == 1:
        return Ref(None)  # "he said", "according to him"
    return name_of(_trim_right(tokens))


def _trim_right(tokens: list[str]) -> list[str]:
    """The phrase up to its last capitalised word: "Ukraine's top negotiator Rustem Umerov"."""
    caps = [i for i, token in enumerate(tokens) if _is_cap(token)]
    return tokens[: caps[-1] + 1] if caps else tokens


def _inverted(masked: str, at: int) -> bool:
    """The verb follows a quotation or a comma: "…,” said X" / "…, said X"."""
    before = masked[:at].rstrip()
    return before.endswith(",") or (before != masked[:at] and masked[:at].strip() == "")


def sentence_ref(sentence: str) -> Ref | None:
    """The speaker this sentence itself names or refers to, if any."""
    blank = masked(sentence)
    for match in _ACCORDING.finditer(blank):
        ref = right(blank, match.end())
        if ref is not None:
            return ref
    for match in _VERB.finditer(blank):
        ref = _left(blank, match.start(), match.group())
        if ref is None and (_inverted(blank, match.start()) or match.start() == 0):
            ref = right(blank, match.end())
        if ref is not None:
            return ref
    return None


def label_ref(label: str) -> Ref | None:
    ref = name_of(label.split())
    return ref if ref and ref.name and len(ref.name.split()) >= 2 else None
