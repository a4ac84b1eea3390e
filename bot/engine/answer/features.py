"""Why one sentence answers a question better than another: named features and their weights.

Every candidate sentence (all sentences of the best articles) is described by the features below,
each in [0, 1]; its score is the weighted sum, read as a logistic model of "this sentence holds a
fact the question asks for". The weights were fitted on tests/quality/qa_train.jsonl (`talks eval
--fit`) and are checked on the held-out qa_dev.jsonl; the reason for each feature stands beside it.
Pure: no model, no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.engine.search.timeq import MONTH_PATTERN
from bot.engine.text import STOPWORDS, stem, words

# ---- what the question asks for ------------------------------------------------------------------
_ASKS = {
    "number": r"\b(how many|how much|what number|what percentage|how long|what share|how big)\b",
    "date": r"\b(when|what date|what day|which day|what time|what year|what month)\b",
    "place": r"\b(where|which city|what city|which country|what venue|what place)\b",
    "person": r"\b(who|whom|whose|which leader|which official|which president|which minister)\b",
    "cause": r"\b(why|what for|for what reason|reason|because)\b",
    "outcome": r"\b(what happened|outcome|result|results|agree[ds]?|achieve[ds]?|anywhere|"
    r"how did .* go|come of|end(ed)? up|decided?|concluded?|did .* (work|succeed|fail))\b",
    "stance": r"\b(say|said|says|saying|want|wants|wanted|demand|demands|demanded|require|requires|"
    r"insist|insists|think|thinks|position|stance|propose|proposed|proposes|respond|responded|"
    r"react|reacted|call for|called for|ask for|asked for|offer|offered|view|views)\b",
}
ASKS = {kind: re.compile(pattern, re.I) for kind, pattern in _ASKS.items()}

_HAS = {
    "number": re.compile(
        r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
        r"thirty|forty|fifty|hundred|thousand|million|billion|dozens?|hundreds?|thousands?|"
        r"millions?|billions?|percent|half|third|quarter)\b",
        re.I,
    ),
    "date": re.compile(
        rf"\b(\d{{4}}|{MONTH_PATTERN}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|"
        r"tomorrow|yesterday|(next|last|this) (week|month|year)|\d{1,2}(st|nd|rd|th)?)\b",
        re.I,
    ),
    "cause": re.compile(
        r"\b(because|due to|since|as a result|in order to|so that|so as to|aimed at|to ensure|"
        r"to prevent|to stop|reason|given that|owing to|in response to|after)\b",
        re.I,
    ),
    "outcome": re.compile(
        r"\b(agreed|signed|reached|concluded|ended|resulted|decided|achieved|failed|adopted|"
        r"approved|held|took place|was (opened|launched|established|completed)|exchanged|"
        r"released|returned|evacuated|confirmed|accepted|rejected|refused)\b",
        re.I,
    ),
}
_PREVIEW = re.compile(
    r"\b(will|would|is expected|are expected|expects?|plans? to|planned|is scheduled|are scheduled|"
    r"to be held|is to|are to|upcoming|next week|tomorrow|intends? to|is going to|are going to|"
    r"hopes? to|ahead of|prospects?)\b",
    re.I,
)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[\s-][A-Z][a-z]+)*")
_PLACE = re.compile(r"\b(?:in|at|to|from|near)\s+(?:the\s+)?([A-Z][a-z]+(?:[\s-][A-Z][a-z]+)*)")
_SAYS = re.compile(
    r"\b(said|says|told|stated|stressed|noted|added|insisted|demanded|called|urged|warned|"
    r"announced|declared|emphasi[sz]ed|according to|believes?|wants?|proposed|suggested|"
    r"pointed out|underlined|reiterated|expressed)\b|[\"“”]",
    re.I,
)

FEATURES = (
    "meaning",  # cosine of the sentence's vector to the question's: says the same kind of thing
    "terms",  # share of the question's key-term weight (idf) the sentence holds
    "new_info",  # share of the sentence's words that are not the question's: a restatement is no answer
    "type_hit",  # the question asks for a number/date/place/person/cause and the sentence has one
    "type_miss",  # it asks for one and the sentence has none
    "lede",  # the article's first sentences summarise it: who, what, when, and the outcome
    "passage",  # the sentence's passage was retrieved, and how high (1 = first)
    "article",  # its article's rank among the candidate articles (1 = best)
    "date_fit",  # the question names a period and the article is from it
    "speaker",  # "what did X say/want": X is named in the sentence as the one speaking
    "preview",  # the question asks for an outcome and the sentence is written before the event
    "outcome",  # the question asks for an outcome and the sentence reports one
)

# Fitted on tests/quality/qa_train.jsonl by `talks eval --fit` (logistic regression, every question
# weighing the same, its positive and negative sentences balanced; L2 5e-4). Positive = more likely
# to hold a fact asked for. Read them with their features' scales (all 0..1): "terms" and
# "passage" carry most of the evidence, "meaning" refines it. Small or negative weights on
# "speaker", "outcome" and "date_fit" mean those cues did not help on the training questions as
# measured; they stay so that the next fit can use them on more data.
WEIGHTS = {
    "meaning": 1.79,
    "terms": 4.36,
    "new_info": 0.29,
    "type_hit": 1.02,
    "type_miss": -0.91,
    "lede": 0.39,
    "passage": 2.57,
    "article": 0.22,
    "date_fit": -0.03,
    "speaker": -0.28,
    "preview": -0.56,
    "outcome": -0.93,
}
BIAS = -4.36


@dataclass(frozen=True)
class QuestionFacts:
    """What a question asks, worked out once per question."""

    kinds: frozenset[str]  # number, date, place, person, cause, outcome, stance
    weights: dict[str, float]  # idf of each stemmed key term
    stems: frozenset[str]  # every stemmed content word of the question
    asked: frozenset[str]  # every word of the question (a name it already gives is no answer)
    speakers: frozenset[str]  # lower-cased names the question asks about (for "stance")


def term_weights(terms: Sequence[str], df: Callable[[str], int], n_docs: int) -> dict[str, float]:
    """idf per stemmed key term; a word the corpus never uses weighs most."""
    return {t: math.log(1 + n_docs / (1 + df(t))) for t in stem(list(terms))}


def question_facts(
    question: str, terms: Sequence[str], df: Callable[[str], int], n_docs: int
) -> QuestionFacts:
    kinds = frozenset(kind for kind, pattern in ASKS.items() if pattern.search(question))
    content = [w for w in words(question) if w not in STOPWORDS]
    return QuestionFacts(
        kinds=kinds,
        weights=term_weights(terms, df, n_docs),
        stems=frozenset(stem(content)),
        asked=frozenset(words(question)),
        speakers=frozenset(terms) if "stance" in kinds else frozenset(),
    )


@dataclass(frozen=True)
class Tokens:
    """A sentence's words, read once for all the features that need them."""

    words: frozenset[str]
    stems: frozenset[str]
    content: tuple[str, ...]  # stems of the words that are not stopwords, in order

    @classmethod
    def of(cls, text: str) -> Tokens:
        tokens = words(text)
        stems = stem(tokens)
        content = tuple(s for w, s in zip(tokens, stems, strict=True) if w not in STOPWORDS)
        return cls(frozenset(tokens), frozenset(stems), content)


# Words for a side's position stand in for each other: "what does the Kremlin require" is
# answered by "the Kremlin insists …", "what does putin want" by "Moscow demands …".
_POSITION = frozenset(
    stem(
        "want demand require insist condition seek ultimatum need must push urge".split()
    )  # "push", "urge": "is pushing for talks", "urges Russia to meet"
)


def _present(term: str, present: frozenset[str]) -> bool:
    return term in present or (term in _POSITION and not _POSITION.isdisjoint(present))


def coverage(weights: dict[str, float], present: frozenset[str]) -> float:
    """Share of the key-term weight whose stems (or, for a position word, another) are present."""
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(w for t, w in weights.items() if _present(t, present)) / total


def new_info(q: QuestionFacts, tokens: Tokens) -> float:
    if not tokens.content:
        return 0.0
    fresh = sum(1 for s in tokens.content if s not in q.stems)
    return min(1.0, fresh / 12)  # a dozen new words is a full answer's worth


def has_type(kind: str, sentence: str, asked: frozenset[str]) -> bool:
    if kind in _HAS:
        return bool(_HAS[kind].search(sentence))
    if kind == "person":
        names = [n for n in _NAME.findall(sentence[1:]) if not set(words(n)) <= asked]
        return bool(names)
    if kind == "place":
        return any(not set(words(p)) <= asked for p in _PLACE.findall(sentence))
    return False


def type_features(q: QuestionFacts, sentence: str) -> tuple[float, float]:
    typed = [k for k in ("number", "date", "place", "person", "cause") if k in q.kinds]
    if not typed:
        return 0.0, 0.0
    hit = any(has_type(k, sentence, q.asked) for k in typed)
    return (1.0, 0.0) if hit else (0.0, 1.0)


def speaker_feature(q: QuestionFacts, sentence: str, tokens: Tokens) -> float:
    if not q.speakers or not _SAYS.search(sentence):
        return 0.0
    return 1.0 if q.speakers & tokens.words else 0.0


def outcome_features(q: QuestionFacts, sentence: str) -> tuple[float, float]:
    if "outcome" not in q.kinds:
        return 0.0, 0.0
    preview = bool(_PREVIEW.search(sentence)) and not _HAS["outcome"].search(sentence)
    return float(preview), float(bool(_HAS["outcome"].search(sentence)))


@dataclass(frozen=True)
class Place:
    """Where a sentence stands: its position in the article and how its source was ranked."""

    index: int  # sentence number within the article (0 = first)
    passage_rank: int | None  # rank of its passage among the retrieved hits, if retrieved
    article_rank: int  # rank of its article among candidate articles
    in_period: bool  # the question names a period and the article is from it


def describe(q: QuestionFacts, sentence: str, cosine: float, place: Place) -> np.ndarray:
    """The feature vector of one sentence, in FEATURES order."""
    tokens = Tokens.of(sentence)
    type_hit, type_miss = type_features(q, sentence)
    preview, outcome = outcome_features(q, sentence)
    passage = 0.0 if place.passage_rank is None else 1.0 / (1 + place.passage_rank)
    values = (
        cosine,
        coverage(q.weights, tokens.stems),
        new_info(q, tokens),
        type_hit,
        type_miss,
        1.0 if place.index < 2 else 0.0,
        passage,
        1.0 / (1 + place.article_rank),
        1.0 if place.in_period else 0.0,
        speaker_feature(q, sentence, tokens),
        preview,
        outcome,
    )
    return np.asarray(values, dtype=np.float32)


@dataclass(frozen=True)
class Weights:
    """A fitted logistic model over FEATURES — how likely a sentence holds a fact asked for — and
    the two bars an answer must pass: the best sentence's probability, and the best meaning
    (cosine), which depends on the model's scale (e5's cosines run far higher than MiniLM's)."""

    by_feature: dict[str, float]
    bias: float
    min_probability: float = 0.2
    min_meaning: float = 0.42

    def vector(self) -> np.ndarray:
        return np.asarray([self.by_feature.get(name, 0.0) for name in FEATURES], dtype=np.float32)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Logistic score of each row of x (one row per sentence)."""
        return 1.0 / (1.0 + np.exp(-(x @ self.vector() + self.bias)))

    def answers(
        self, probability: np.ndarray, meaning: np.ndarray, strictness: float = 1.0
    ) -> bool:
        """Do the candidates pass both bars? `strictness` 1 is the fitted bars (the setting
        TALKS_ABSTAIN_THRESHOLD 0.5); it scales the probability bar, and moves the meaning bar
        by its distance to a perfect match (2: every answer declined; 0: none)."""
        if not len(probability) or strictness <= 0:
            return bool(len(probability))
        meaning_bar = 1.0 - (2.0 - strictness) * (1.0 - self.min_meaning)
        return (
            float(probability.max()) >= self.min_probability * strictness
            and float(meaning.max()) >= meaning_bar
        )


FITTED = Weights(WEIGHTS, BIAS)
