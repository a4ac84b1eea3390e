"""Sentence splitting and word normalisation shared by chunking, BM25 and answering. Pure."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.engine import lang

# Abbreviations after which a full stop does not end a sentence. ("etc." is not one: it closes
# a list, and before a capital letter it ends the sentence too.)
_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "gen",
    "col",
    "lt",
    "sgt",
    "capt",
    "gov",
    "sen",
    "rep",
    "pres",
    "amb",
    "vs",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "inc",
    "ltd",
    "co",
    "corp",
    "dept",
    "fig",
    "approx",
    "e.g",
    "i.e",
    "u.s",
    "u.k",
    "u.n",
    "e.u",
    "a.m",
    "p.m",
    # Ukrainian and Russian: "т. д.", "2022 р.", "ст.", "вул.", "млн", "див."…
    *"""т.д т.п т.ч т.зв р рр ст тис млн млрд грн руб див напр ім им г гг пп п вул ул пр просп
    проф акад ген ін інш др дол""".split(),
}
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+|$)")
_OPEN_QUOTES = "“«"
_CLOSE_QUOTES = "”»"
_MAX_QUOTED_CHARS = 700  # a quotation longer than this may be split like ordinary prose


def _quote_depth_changes(segment: str) -> int:
    depth = 0
    for ch in segment:
        if ch in _OPEN_QUOTES:
            depth += 1
        elif ch in _CLOSE_QUOTES:
            depth -= 1
        elif ch == '"':
            depth = 0 if depth > 0 else 1
    return depth


def _ends_sentence(text: str, end: int, dot: int) -> bool:
    rest = text[end:].lstrip()
    if not rest:
        return True
    if text[dot] == ".":
        word = re.search(r"([\w.]+)\.$", text[max(0, dot - 12) : dot + 1])
        if word and word.group(1).lower() in _ABBREV:
            return False
        if word and len(word.group(1)) == 1 and word.group(1).isupper():
            return False  # an initial, as in "Vladimir V. Putin"
    return rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"'“‘«(["


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text` (one paragraph, no blank lines).

    A quotation is kept whole with its attribution ("… must improve. We need …,” Zelenskyy said.)
    so that an answer quoting it still says who spoke.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    in_quote = False
    for match in _END.finditer(text):
        end = match.end()
        segment = text[start:end]
        if _ends_sentence(text, end, match.start()):
            in_quote = _quote_depth_changes(segment) > 0
            if in_quote and end - start < _MAX_QUOTED_CHARS:
                continue
            spans.append((start, end))
            start = end
            while start < len(text) and text[start].isspace():
                start += 1
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased word tokens; possessives folded ("Russia's" → "russia")."""
    out = []
    for token in _WORD.findall(text.lower()):
        token = token.replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        out.append(token)
    return out


def stem(tokens: list[str], language: str | None = None) -> list[str]:
    """The forms keyword search compares: English Snowball stems for Latin-script words; Russian
    stems or Ukrainian lemmas for Cyrillic ones, by the text's `language` (lang.py)."""
    return lang.stem(tokens, language)


def _cyrillic_stopwords() -> frozenset[str]:
    """Ukrainian and Russian function words (stopwordsiso's lists, in its wheel), with the chat
    filler of both ("шо", "че", "плз")."""
    from stopwordsiso import stopwords

    chat = "шо що че чо плз пж ну ок оке лол кст хто кто тоді тогда зараз сейчас щас щодо насчет".split()
    return frozenset(stopwords(["uk", "ru"])) | frozenset(chat)


# Words that carry no topic: English function words, question words and chat filler.
STOPWORDS = (
    frozenset(
        """
    a about above after again against all also am an and any are aren as at be because been
    before being below between both but by can cannot could did didn do does doesn doing don
    down during each few for from further had has have having he her here hers herself him
    himself his how i if in into is isn it its itself just let me more most my myself no nor not
    now of off on once only or other our ours ourselves out over own same she should so some
    such than that the their theirs them themselves then there these they this those through to
    too under until up very was wasn we were weren what when where which while who whom why will
    with won't would you your yours yourself yourselves ll ve re s t d m rn pls plz please u ur
    r im ya yeah hey hi hello whats what's wat wut tell know say said says think thoughts anyone
    anybody someone thing things happen happened happening going gonna wanna get got latest
    recent recently currently current today news update updates new much many via per
    didnt dont doesnt isnt wasnt werent arent cant couldnt wouldnt shouldnt wont hasnt havent
    hadnt ive youre theyre hes shes thats theres whos lets lol lmao tho ok okay thx thanks btw
    nah pls plz actually actualy really just like exactly wondering curious basically anyway
    anyways stuff guys honestly literally probably tbh imo ngl gotten
    """.split()
    )
    | _cyrillic_stopwords()
)


def content_terms(text: str) -> list[str]:
    """The words of a question that carry its topic, in order, without duplicates."""
    seen: dict[str, None] = {}
    for token in words(text):
        if token not in STOPWORDS and (len(token) > 1 or token.isdigit()):
            seen.setdefault(token, None)
    return list(seen)


# Chat shorthand spelled out before a question is embedded ("what does putin want rn").
CHAT_SHORTHAND = {
    "rn": "right now", "atm": "at the moment", "abt": "about", "u": "you", "ur": "your",
    "ppl": "people", "pls": "please", "plz": "please", "wat": "what", "wut": "what", "bc": "because",
    "cuz": "because", "b4": "before", "govt": "government", "gov": "government", "w/": "with",
    "w/o": "without", "tmrw": "tomorrow", "yday": "yesterday", "msg": "message", "info": "information",
    "intl": "international", "pres": "president", "idk": "i do not know",
    "whats": "what is", "whos": "who is", "wheres": "where is", "hows": "how is", "y": "why",
    "n": "and", "w": "with", "bout": "about", "tho": "though", "thx": "thanks",
    # the news's own words, as chat shortens them
    "pow": "prisoner of war", "pows": "prisoners of war", "evac": "evacuation",
    "evacs": "evacuations", "admin": "administration", "natl": "national", "dept": "department",
    "yr": "year", "yrs": "years", "wk": "week", "wks": "weeks", "mtg": "meeting",
    "agmt": "agreement", "convo": "conversation", "prez": "president", "ua": "ukraine",
    "ukr": "ukraine", "ru": "russia", "rus": "russia", "negs": "negotiations",
}  # fmt: skip
_SHORTHAND = re.compile(
    r"(?<![\w/.])(" + "|".join(map(re.escape, CHAT_SHORTHAND)) + r")(?![\w/]|\.\w)", re.I
)


def spell_out(text: str) -> str:
    return _SHORTHAND.sub(lambda m: CHAT_SHORTHAND[m.group(1).lower()], text)


@lru_cache(maxsize=4096)
def english_zipf(word: str) -> float:
    """How common a word is in English, on wordfreq's Zipf scale (0 = unknown, "the" ≈ 7.7)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))
