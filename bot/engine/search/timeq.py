"""What a question says about time: a named period ("in March 2022") or "the latest". Pure."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?\s*(?:of\s+)?(\d{{4}})\b", re.I)
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I
)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")
_LATEST = re.compile(
    r"\b(latest|newest|most recent|recent(ly)?|now|right now|rn|currently|current|today|"
    r"this (week|month)|so far|at the moment|these days|still|anymore|update)\b",
    re.I,
)


@dataclass(frozen=True)
class TimeHint:
    start: date | None = None
    end: date | None = None  # inclusive
    latest: bool = False

    @property
    def period(self) -> bool:
        return self.start is not None


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _day(year: int, month: int, day: int) -> tuple[date, date] | None:
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    return d - timedelta(days=2), d + timedelta(days=3)  # reports trail the event by a day or two


def time_hint(question: str) -> TimeHint:
    latest = bool(_LATEST.search(question))
    span: tuple[date, date] | None = None
    if m := _ISO.search(question):
        span = _day(int(m[1]), int(m[2]), int(m[3]))
    elif m := _DAY_MONTH_YEAR.search(question):
        span = _day(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    elif m := _MONTH_DAY_YEAR.search(question):
        span = _day(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    elif m := _MONTH_YEAR.search(question):
        span = _month(int(m[2]), _MONTHS[m[1].lower()])
    elif m := _YEAR.search(question):
        span = date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
    if span is None:
        return TimeHint(latest=latest)
    return TimeHint(start=span[0], end=span[1], latest=False)


def time_factor(hint: TimeHint, published: date | None, newest: date | None) -> float:
    """Multiplier for a passage's retrieval score given its article's date."""
    if published is None:
        return 1.0
    if hint.period:
        assert hint.start and hint.end
        if hint.start <= published <= hint.end:
            return 1.6
        gap = min(abs((published - hint.start).days), abs((published - hint.end).days))
        return 0.85 if gap <= 31 else 0.6
    if hint.latest and newest is not None:
        age = max(0, (newest - published).days)
        return 0.75 + 0.5 * 0.5 ** (age / 30)  # half-life of a month, from 1.25 down to 0.75
    return 1.0
