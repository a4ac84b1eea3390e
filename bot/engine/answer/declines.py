"""A model's reply that declines in its own words. Pure.

The prompt asks for exactly `NOT COVERED` when the sources do not answer, but models say it their
own way: "The sources provided do not contain information that answers this question.", "I
cannot answer from these sources", "джерела не містять інформації", "в источниках нет
информации". Such a reply is the model's judgement that the sources fall short, so it becomes the
usual decline rather than the extractive answer the model just judged unsupported.

Only a reply that is nothing but such a decline counts. A sentence that declines one part and
answers another ("The sources do not say when, but Umerov proposed a meeting [2]"), or a cited
answer beside it, is an answer: its cited sentences go to verification as usual. A refusal that
is not about the sources ("I'm sorry, I can't help with that") is no decline either.
"""

from __future__ import annotations

import re

from bot.engine.answer.claims import clauses
from bot.engine.answer.reply import MARKERS
from bot.engine.text import STOPWORDS, words

NOT_COVERED = "NOT COVERED"
ANSWERING_WORDS = 3  # a clause saying this many words of its own is an answer, not a preamble
# Words about the sources, the question or the reply itself, in the three languages (prefixes).
_META = tuple(
    """based provid source given passage article context document excerpt text inform question
    answer unfortunat sorry apolog afraid however regard specific help
    основ надан джерел цих жаль питанн відпов інформац
    основ предостав источник этих сожален вопрос ответ информац""".split()
)
# Ukrainian and Russian function words (English ones are the shared STOPWORDS).
_FUNCTION_WORDS = frozenset(
    """я ми це ця цей ці цю що який яка яке які на про та і й в у з із до для як а але чи не
    же це его это эта этот эти эту что который которая которое которые на о об и в во с со к
    для как а но или не же мы""".split()
)
_SENTENCE = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+|\n+")
_NEG = r"(?:not|no|never|nothing|none|neither|cannot|can't|don't|doesn't|didn't|isn't|aren't|unable|without|lacks?)"
# Each pattern is one way of saying "the sources do not answer this", in English, Ukrainian or
# Russian; a clause declines when one of them matches it.
_DECLINES = [
    re.compile(p, re.I)
    for p in (
        re.escape(NOT_COVERED),
        # the sources / articles / context … do not say, contain, mention, cover …
        rf"\b(?:sources?|passages?|articles?|texts?|context|documents?|excerpts?|provided)\b.*\b{_NEG}\b"
        r".*\b(?:say|says|said|state|stated|contain|contains|mention|mentions|mentioned|cover|"
        r"covers|covered|address|addresses|specify|specifies|include|includes|provide|provides|"
        r"give|gives|information|details|answer|answers|discuss|discusses|report|reports)\b",
        rf"\b{_NEG}\b.*\b(?:in|from|by|within)\s+(?:the\s+|these\s+|those\s+)?(?:provided\s+|given\s+)?"
        r"(?:sources?|passages?|articles?|texts?|context|documents?)\b",
        r"\bno\s+(?:\w+\s+){0,2}(?:information|details|mention|data|reports?|answer)\b",
        r"\b(?:cannot|can't|can not|unable to|not able to)\s+(?:\w+\s+){0,2}"
        r"(?:answer|tell|say|determine|find|confirm)\b",
        r"\b(?:this|it|that|question|topic|information)\s+(?:is|was|has been)\s+not\s+(?:\w+\s+)?"
        r"(?:covered|mentioned|addressed|specified|stated|answered|available)\b",
        # Ukrainian: джерела не містять інформації; немає інформації; не можу відповісти
        r"(?:\bне\b|\bнемає\b|\bнема\b|\bвідсутн)\w*.*(?:джерел|інформац|відомост|даних|згаду|"
        r"містя|відпов|сказано|йдеться|вказано)",
        r"(?:джерел|інформац|відомост|даних)\w*.*(?:\bне\b|\bнемає\b|\bнема\b|\bвідсутн)",
        # Russian: в источниках нет информации; источники не содержат; не могу ответить
        r"(?:\bне\b|\bнет\b|\bотсутств)\w*.*(?:источник|информац|сведени|данных|упомина|содерж|"
        r"ответ|сказано|говорится|указано)",
        r"(?:источник|информац|сведени|данных)\w*.*(?:\bне\b|\bнет\b|\bотсутств)",
    )
]


def declines(text: str) -> bool:
    """Does the reply, as a whole, say that the sources do not answer the question?"""
    found = False
    for sentence in _SENTENCE.split(text.strip()):
        if not sentence.strip():
            continue
        if _declining(sentence):
            found = True
        elif MARKERS.search(sentence):
            return False  # a cited answer beside the decline: an answer
    return found


def _declining(sentence: str) -> bool:
    """A clause declines and no other clause answers (cited or not)."""
    parts = clauses(MARKERS.sub(" ", sentence))
    matched = [any(p.search(c) for p in _DECLINES) for c in parts]
    return any(matched) and not any(
        _answers(c) for c, m in zip(parts, matched, strict=True) if not m
    )


def _answers(clause: str) -> bool:
    """Three or more words that are not function words or talk about the sources."""
    said = [
        w
        for w in words(clause)
        if w not in STOPWORDS and w not in _FUNCTION_WORDS and not w.startswith(_META)
    ]
    return len(said) >= ANSWERING_WORDS
