"""BM25 (bm25s) over stemmed words, with the title and heading counted in, plus typo repair."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

from bot.engine import lang
from bot.engine.text import STOPWORDS, stem, words

FOLDER = "sparse"
RESPELL_MATCH = 85  # rapidfuzz ratio of Latin transliterations: one name in two scripts
NAME_SHARE = 0.8  # a word capitalised mid-sentence in this share of the passages using it is a name
_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[\w,;:’'\"”)»] )([A-ZА-ЯІЇЄҐЁ][^\W\d_]+)")


def capitalised(text: str) -> set[str]:
    """Lower-cased words that stand capitalised in the middle of a sentence of `text`."""
    return {m.lower() for m in _MID_SENTENCE_CAPITAL.findall(text)}


class SparseIndex:
    def __init__(
        self,
        retriever: bm25s.BM25,
        row_ids: np.ndarray,
        vocab: dict[str, int],
        stems: dict[str, int],
        names: frozenset[str] = frozenset(),
    ) -> None:
        self.retriever = retriever
        self.row_ids = row_ids  # BM25 document position → chunk row id
        self.vocab = vocab  # surface word → number of chunks containing it (for typo repair)
        self.stems = stems  # stem → number of chunks containing it (for term weights)
        self.names = names  # words the articles write capitalised mid-sentence: names, places
        self._by_script: tuple[dict[str, str], dict[str, str]] | None = None

    @classmethod
    def build(cls, docs: Iterable[tuple[int, str, str | None]]) -> SparseIndex:
        """`docs`: (row id, text, the article's language) — words are stemmed by language."""
        row_ids: list[int] = []
        tokens: list[list[str]] = []
        vocab: Counter[str] = Counter()
        stems: Counter[str] = Counter()
        capitals: Counter[str] = Counter()
        for row_id, text, language in docs:
            capitals.update(capitalised(text))
            row_ids.append(row_id)
            doc_words = words(text)
            doc_stems = stem(doc_words, language)
            tokens.append(
                [s for w, s in zip(doc_words, doc_stems, strict=True) if w not in STOPWORDS] or [""]
            )
            vocab.update(set(doc_words))
            stems.update(set(doc_stems))
        retriever = bm25s.BM25()
        if tokens:
            retriever.index(tokens, show_progress=False)
        names = frozenset(w for w, n in capitals.items() if n >= NAME_SHARE * vocab.get(w, n))
        return cls(retriever, np.asarray(row_ids, dtype=np.int64), dict(vocab), dict(stems), names)

    @property
    def size(self) -> int:
        return len(self.row_ids)

    def is_name(self, word: str) -> bool:
        return word in self.names

    def df(self, stemmed: str) -> int:
        return self.stems.get(stemmed, 0)

    def correct(self, word: str) -> str:
        """The corpus word a misspelt query word most likely means, or the word itself."""
        if word in self.vocab or len(word) < 4 or word.isdigit() or not self.vocab:
            return word
        if stem([word])[0] in self.stems:
            return word  # another form of a word the corpus uses ("require" → "requires")
        cutoff = 80 if len(word) < 7 else 75
        match = process.extractOne(word, self.vocab.keys(), scorer=fuzz.ratio, score_cutoff=cutoff)
        return match[0] if match else word

    def known(self, query_words: list[str], language: str | None = None) -> float:
        words_ = [w for w in query_words if w not in STOPWORDS]
        if not words_:
            return 0.0
        return sum(1 for t in stem(words_, language) if t in self.stems) / len(words_)

    def respell(self, word: str) -> str | None:
        """The corpus word that spells `word` in the other script (Latin ↔ Cyrillic), if any:
        "стамбул" → "istanbul", "peskov" → "пєсков"."""
        if len(word) < 4 or word.isdigit():
            return None
        cyrillic = lang.is_cyrillic(word)
        choices = self._spellings()[not cyrillic]
        if not choices:
            return None
        match = process.extractOne(
            lang.latin(word), choices.keys(), scorer=fuzz.ratio, score_cutoff=RESPELL_MATCH
        )
        return choices[match[0]] if match else None

    def _spellings(self) -> tuple[dict[str, str], dict[str, str]]:
        """(Latin form → Latin-script word, Latin form → Cyrillic word), the most used first."""
        if self._by_script is None:
            latin: dict[str, str] = {}
            cyrillic: dict[str, str] = {}
            for word, _ in sorted(self.vocab.items(), key=lambda item: -item[1]):
                if len(word) >= 4 and not word.isdigit():
                    target = cyrillic if lang.is_cyrillic(word) else latin
                    target.setdefault(lang.latin(word), word)
            self._by_script = (latin, cyrillic)
        return self._by_script

    def search(
        self, query_words: list[str], k: int, language: str | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Row ids and BM25 scores of the k best chunks (score > 0), best first."""
        tokens = [t for t in stem(query_words, language) if t in self.stems]
        if not tokens or self.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self.retriever.get_scores(tokens)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        top = top[scores[top] > 0]
        return self.row_ids[top], scores[top].astype(np.float32)

    def save(self, folder: Path) -> None:
        target = folder / FOLDER
        target.mkdir(parents=True, exist_ok=True)
        if self.size:
            self.retriever.save(str(target))
        np.save(target / "row_ids.npy", self.row_ids, allow_pickle=False)
        vocab = {"words": self.vocab, "stems": self.stems, "names": sorted(self.names)}
        (target / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> SparseIndex:
        target = folder / FOLDER
        row_ids = np.load(target / "row_ids.npy", allow_pickle=False)
        retriever = bm25s.BM25.load(str(target)) if len(row_ids) else bm25s.BM25()
        vocab = json.loads((target / "vocab.json").read_text(encoding="utf-8"))
        names = frozenset(vocab.get("names", ()))
        return cls(retriever, row_ids, vocab["words"], vocab["stems"], names)
