""" "What does X want / demand / say now?": the newest statements attributed to X lead the answer.

A question that asks for a side's (or a person's) position now and names one gets, before the
extractive answer, X's newest statements on the question's topic from the stored attributions
("As of 2025-08-05: …"), each cited verbatim. When X's newest statement turns against an older
one, the older one is quoted as what it updates; when the extractive answer cites an article older
than the newest statement, the answer says the statement is newer. Pure apart from the snapshot
read and one encoding of the topic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.engine.models import Answer, Citation, Entry, Filters, Hit
from bot.engine.parties import Party, name_words
from bot.engine.search.retrieve import Query
from bot.engine.store.base import Snapshot
from bot.engine.text import content_terms, stem
from bot.engine.timeline import Encode, build, stance
from bot.i18n import tr

NO_FILTERS = Filters()
NEWEST = 1  # statements that lead the answer (two when the newest turns against an older one)
POOL = 10  # the most relevant statements the newest are chosen from
_STANCE = re.compile(
    r"\b(want|wants|wanted|demand\w*|say|says|saying|said|insist\w*|require\w*|propos\w*|"
    r"position|stance|offer\w*|ask|asks|asking|seek\w*|expect\w*|call\w* for|stand)\b",
    re.I,
)
_MARK = re.compile(r"\[(\d+)\]")
_UNIT = re.compile(r".*?\[\d+\][.,;:!?]?(?=\s|$)|.+$", re.S)  # a sentence with its marker
AS_OF = re.compile(r"^[^\[\]\d]{1,40}\d{4}-\d{2}-\d{2}: ")  # "As of …: " in any language


def asks_position(question: str) -> bool:
    return bool(_STANCE.search(question))


def named_side(question: str, parties: Sequence[Party]) -> Party | None:
    """The party or the one person the question names: "Peskov" is the person, "the Kremlin"
    or "Russia" the party."""
    words = tuple(stem(list(name_words(question))))  # "Кремля" is "Кремль", "Kremlin's" "Kremlin"
    best: tuple[int, int, Party] | None = None  # (position, -length, side)
    for party in parties:
        for alias in party.aliases:
            part = tuple(stem(list(name_words(alias))))
            at = next(
                (i for i in range(len(words)) if part and words[i : i + len(part)] == part), None
            )
            if at is None or (best is not None and (at, -len(part)) >= best[:2]):
                continue
            side = Party(alias, (alias,), (alias,)) if alias in party.people else party
            best = (at, -len(part), side)
    # The side named first is the one asked about: "what did kyiv say to that (… kremlin)".
    return best[2] if best else None


def newest_statements(
    query: Query,
    snap: Snapshot,
    parties: Sequence[Party],
    encode: Encode,
    filters: Filters = NO_FILTERS,
) -> list[Entry]:
    """X's newest statements on the question's topic, newest first ([] if the question does not
    ask for a position now ("now", "latest", "currently"), or names nobody with attributed
    statements). Only a question about now: for "what does X want on Y", the sentences that
    answer it best are the extractive answer's, whatever their date (cross-validated: leading
    with the newest statements lowered the questions answered right by 1.3 points)."""
    if not query.time.latest or not asks_position(query.text):
        return []
    side = named_side(query.text, parties)
    if side is None:
        return []
    named = set(name_words(" ".join(side.aliases)))
    topic = " ".join(
        t for t in content_terms(query.text) if not _STANCE.fullmatch(t) and t not in named
    )
    found = build(
        snap,
        side,
        topic=topic or None,
        since=filters.since,
        until=filters.until,
        limit=POOL,
        encode=encode,
    )
    admitted = [e for e in found.entries if filters.admits(e.article)]
    return admitted[::-1]


def lead_with(
    answer: Answer, statements: Sequence[Entry], *, latest: bool, limit: int = 3
) -> Answer:
    """The answer with X's newest statements first (verbatim, cited), its own sentences after
    them, renumbered, `limit` sentences in all; a decline stays a decline. For a question about
    now (`latest`) it opens "As of <date>:" and names the date of an older statement the newest
    turns against."""
    if not statements or answer.abstained:
        return answer
    newest = statements[0]
    older = next((e for e in statements[1:] if _turns(newest, e)), None)
    lead = [newest, *([older] if older else statements[1:NEWEST])]
    cites = [Citation(i, e.article, e.statement, e.chunk.id) for i, e in enumerate(lead, 1)]
    parts = [f"{_said(e)} [{i}]" for i, e in enumerate(lead, 1)]
    if latest:
        language = answer.language
        parts[0] = tr(language, "As of {date}: {text}", date=newest.date.isoformat(), text=parts[0])
        if older is not None:
            parts[1] = tr(
                language,
                "This changes what was said on {date}: {text}",
                date=older.date.isoformat(),
                text=parts[1],
            )
    text, moved = _renumber(answer, cites, max(0, limit - len(lead)))
    hits = {h.chunk.id: h for h in answer.hits}
    for e in lead:
        hits.setdefault(e.chunk.id, Hit(e.chunk, e.article, 0.0))  # the lead's evidence too
    return replace(
        answer,
        text=" ".join([*parts, text]).strip(),
        citations=tuple([*cites, *moved]),
        as_of=max(newest.date, answer.as_of or newest.date),
        hits=tuple(hits.values()),
    )


def _turns(newer: Entry, older: Entry) -> bool:
    a, b = stance(newer.statement), stance(older.statement)
    return bool(a and b and a != b)


def _said(e: Entry) -> str:
    """The statement as it stands in its article (its citation names the article and date)."""
    return " ".join(e.statement.split())


def _renumber(answer: Answer, lead: Sequence[Citation], room: int) -> tuple[str, list[Citation]]:
    """The answer's own sentences (at most `room`) with their markers moved past the lead's;
    an article the lead already cites keeps the lead's number (citations name articles)."""
    same: dict[str, int] = {}
    for c in lead:
        same.setdefault(c.article.id, c.n)
    said = {" ".join(c.quote.split()) for c in lead}
    mapping: dict[int, int] = {}
    moved: list[Citation] = []
    for c in answer.citations:
        if c.article.id in same:
            mapping[c.n] = same[c.article.id]
        else:
            mapping[c.n] = len(lead) + len(moved) + 1
            moved.append(replace(c, n=mapping[c.n]))
    kept: list[str] = []
    for unit in _UNIT.findall(AS_OF.sub("", answer.text.strip())):
        bare = " ".join(_MARK.sub("", unit).split())
        if bare in said or len(kept) >= room:
            continue  # the lead already quotes it, or the answer is long enough
        kept.append(_MARK.sub(lambda m: f"[{mapping.get(int(m[1]), int(m[1]))}]", unit.strip()))
    used = {int(n) for unit in kept for n in _MARK.findall(unit)}
    return " ".join(kept), [c for c in moved if c.n in used]
