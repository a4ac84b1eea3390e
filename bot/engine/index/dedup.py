"""Duplicate and near-duplicate articles. Pure: no model, no I/O.

Exact duplicates (the same canonical URL, or the same words in the same order) are not indexed
twice. Near-duplicates — syndicated copies of one wire story with a different intro line or
footer — are indexed but grouped, so an answer cites one copy instead of three.

Near-duplicate means a Jaccard similarity of word 5-gram shingles of at least 0.8, estimated with a
128-permutation MinHash; LSH banding (32 bands of 4 rows) finds the candidates, so checking a new
article against thousands costs a few dictionary lookups. Hashes are seeded constants (crc32 and a
fixed RNG), never Python's per-process `hash()`, so signatures stored in the index stay valid.
A group is a connected component of the "near-duplicate of" relation and is named by its smallest
article id, so a full rebuild and any order of incremental adds give the same groups.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np

from bot.engine.models import Hit

SHINGLE_WORDS = 5
THRESHOLD = 0.8
PERMUTATIONS = 128
BANDS = 32
ROWS = PERMUTATIONS // BANDS
_BLOCK = 4096
_rng = np.random.default_rng(20250602)
# Multiply-shift hashing: (a·x + b) mod 2**64, top 32 bits; uint64 arithmetic wraps by itself,
# which is much faster than a modulo by a prime.
_A = _rng.integers(0, np.iinfo(np.uint64).max, PERMUTATIONS, dtype=np.uint64, endpoint=True) | 1
_B = _rng.integers(0, np.iinfo(np.uint64).max, PERMUTATIONS, dtype=np.uint64, endpoint=True)
_SHIFT = np.uint64(32)
_WORD = re.compile(r"\w+")
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|mc_cid|mc_eid|ocid|cmpid|at_\w+|ref|src)$")


def canonical_url(url: str | None) -> str | None:
    """The URL reduced to what identifies the page: no scheme, www., fragment or tracking tags."""
    if not url or not url.strip():
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    path = parts.path.rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k.lower()))
    return f"{host}{port}{path}" + (f"?{urlencode(query)}" if query else "")


def text_key(text: str) -> str:
    """Equal for texts with the same words in the same order (case, spacing, punctuation aside)."""
    basis = " ".join(_WORD.findall(text.casefold()))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def signature(text: str) -> np.ndarray:
    """MinHash of the text's word 5-grams: PERMUTATIONS uint32 values."""
    tokens = _WORD.findall(text.casefold())
    size = min(SHINGLE_WORDS, len(tokens))
    if not size:
        return np.full(PERMUTATIONS, np.iinfo(np.uint32).max, dtype=np.uint32)
    shingles = {
        zlib.crc32(" ".join(tokens[i : i + size]).encode()) for i in range(len(tokens) - size + 1)
    }
    hashes = np.fromiter(shingles, dtype=np.uint64, count=len(shingles))
    out = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(hashes), _BLOCK):  # blocks: a huge article must not need GBs
        values = np.outer(hashes[start : start + _BLOCK], _A)
        values += _B
        np.minimum(out, values.min(axis=0), out=out)
    return (out >> _SHIFT).astype(np.uint32)  # the top bits: taking them commutes with min


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


class NearDupIndex:
    """Signatures bucketed by LSH band; `similar` returns ids at or above the threshold."""

    def __init__(self) -> None:
        self._sigs: dict[str, np.ndarray] = {}
        self._buckets: defaultdict[tuple[int, bytes], list[str]] = defaultdict(list)

    def add(self, article_id: str, sig: np.ndarray) -> None:
        self._sigs[article_id] = sig
        for band in range(BANDS):
            self._buckets[(band, sig[band * ROWS : (band + 1) * ROWS].tobytes())].append(article_id)

    def similar(self, sig: np.ndarray) -> list[str]:
        candidates: set[str] = set()
        for band in range(BANDS):
            candidates.update(
                self._buckets.get((band, sig[band * ROWS : (band + 1) * ROWS].tobytes()), ())
            )
        return sorted(c for c in candidates if similarity(self._sigs[c], sig) >= THRESHOLD)


def components(sigs: dict[str, np.ndarray]) -> list[list[str]]:
    """Groups (of two or more) of near-duplicates among the given articles, each sorted."""
    index = NearDupIndex()
    parent = {a: a for a in sigs}

    def root(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for article_id in sorted(sigs):
        for other in index.similar(sigs[article_id]):
            parent[root(other)] = root(article_id)
        index.add(article_id, sigs[article_id])
    found: defaultdict[str, list[str]] = defaultdict(list)
    for article_id in sorted(sigs):
        found[root(article_id)].append(article_id)
    return [members for members in found.values() if len(members) > 1]


def collapse_copies(hits: Sequence[Hit], groups: dict[str, str]) -> list[Hit]:
    """Keep, per near-duplicate group, only the passages of its best-ranked article.

    `hits` are best first; `groups` maps an article id to its group (ungrouped ids are absent).
    Several passages of that one article may stay: only the other copies are dropped.
    """
    keeper: dict[str, str] = {}
    out = []
    for hit in hits:
        group = groups.get(hit.article.id)
        if group is None or keeper.setdefault(group, hit.article.id) == hit.article.id:
            out.append(hit)
    return out


def group_names(members: Iterable[list[str]]) -> dict[str, str]:
    """article id → group name (the smallest id of its group)."""
    return {article_id: group[0] for group in members for article_id in group}
