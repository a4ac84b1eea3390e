"""What a question says about time: a period ("in March 2022", "last week") or "the latest". Pure.

Relative periods are resolved against `today`, which the caller passes in (the engine's clock), so
"last week" means the week before the question was asked. The month names here are the only ones
in the package: answer scoring and retrieval import MONTH_PATTERN from this module.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.errors import BadInput
from bot.i18n import N_

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
# Ukrainian and Russian month names in the forms a date takes ("12 березня 2022", "у березні",
# "в марте 2022 года", "март").
_CYRILLIC_MONTHS = (
    "січень січня січні январь января январе",
    "лютий лютого лютому февраль февраля феврале",
    "березень березня березні март марта марте",
    "квітень квітня квітні апрель апреля апреле",
    "травень травня травні май мая мае",
    "червень червня червні июнь июня июне",
    "липень липня липні июль июля июле",
    "серпень серпня серпні август августа августе",
    "вересень вересня вересні сентябрь сентября сентябре",
    "жовтень жовтня жовтні октябрь октября октябре",
    "листопад листопада листопаді ноябрь ноября ноябре",
    "грудень грудня грудні декабрь декабря декабре",
)
for _number, _forms in enumerate(_CYRILLIC_MONTHS, 1):
    MONTHS.update(dict.fromkeys(_forms.split(), _number))
MONTH_PATTERN = "|".join(
    sorted(MONTHS, key=len, reverse=True)
)  # longest first: "june" before "jun"
_MONTH_YEAR = re.compile(rf"\b({MONTH_PATTERN})\.?,?\s*(?:of\s+)?(\d{{4}})\b", re.I)
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_PATTERN})\.?,?\s+(\d{{4}})\b", re.I
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({MONTH_PATTERN})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I
)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")
_PART_OF_YEAR = re.compile(
    r"\b(early|beginning of|start of|mid|middle of|late|end of|spring|summer|autumn|fall|winter)"
    r"[\s-]+(?:of\s+)?(19[89]\d|20\d\d)\b",
    re.I,
)
_PARTS = {"early": (1, 3), "beginning of": (1, 3), "start of": (1, 3), "mid": (5, 8),
          "middle of": (5, 8), "late": (10, 12), "end of": (10, 12), "spring": (3, 5),
          "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (1, 2)}  # fmt: skip
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "couple of": 2, "few": 3}  # fmt: skip
_AGO = re.compile(
    r"\b(\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|couple of|few)\s+"
    r"(day|week|month|year|decade)s?\s+ago\b",
    re.I,
)
_RELATIVE = re.compile(
    r"\b(today|tonight|yesterday|(?:this|last|past|previous)\s+(?:week|month|year)|"
    r"(?:in\s+)?the\s+(?:past|last)\s+(?:few\s+days|week|month|year))\b",
    re.I,
)
_LATEST = re.compile(
    r"\b(latest|newest|most recent|recent(ly)?|now|right now|rn|atm|currently|current|"
    r"so far|at the moment|these days|still|anymore|update|nowadays|"
    r"зараз|наразі|тепер|останн\w*|нині|щас|сейчас|сегодняшн\w*|последн\w*|теперь|"
    r"на данный момент|на даний момент)\b",
    re.I,
)
# Ukrainian and Russian ways of naming a period relative to today, read as their English
# equivalents by the patterns below.
_CYRILLIC_RELATIVE = {
    r"(?:на\s+)?минул(?:ого|ому)\s+тижн(?:я|і)|на\s+прошлой\s+неделе|прошлой\s+недел(?:и|е)": (
        "last week"
    ),
    r"(?:у\s+|в\s+)?минулого\s+місяця|(?:у\s+|в\s+)?минулому\s+місяці|в\s+прошлом\s+месяце|прошлого\s+месяца": (
        "last month"
    ),
    r"(?:у\s+|в\s+)?минулого\s+року|(?:у\s+|в\s+)?минулому\s+році|в\s+прошлом\s+году|прошлого\s+года": (
        "last year"
    ),
    r"цього\s+тижня|на\s+цьому\s+тижні|на\s+этой\s+неделе|этой\s+недели": "this week",
    r"цього\s+місяця|в\s+этом\s+месяце|этого\s+месяца": "this month",
    r"цього\s+року|(?:у\s+|в\s+)?цьому\s+році|в\s+этом\s+году|этого\s+года": "this year",
    r"сьогодні|сегодня": "today",
    r"вчора|вчера": "yesterday",
}
_CYRILLIC_AGO = re.compile(
    r"\b(\d{1,2}|один|одну|два|дві|две|три|чотири|четыре|п'ять|пять|кілька|несколько)\s+"
    r"(д(?:ень|ні|нів|ня|ней)|тиж(?:день|ні|нів)|недел(?:ю|и|ь)|місяц(?:ь|і|ів)|месяц(?:а|ев)?|"
    r"р(?:ік|оки|оків)|год(?:а)?|лет)\s+(?:тому|назад)\b",
    re.I,
)
_CYRILLIC_NUMBERS = {"один": 1, "одну": 1, "два": 2, "дві": 2, "две": 2, "три": 3, "чотири": 4,
                     "четыре": 4, "п'ять": 5, "пять": 5, "кілька": 3, "несколько": 3}  # fmt: skip
_CYRILLIC_UNITS = {"д": "day", "т": "week", "н": "week", "м": "month", "р": "year", "г": "year",
                   "л": "year"}  # fmt: skip


def _in_english(question: str) -> str:
    """A Ukrainian or Russian period ("минулого тижня", "2 роки тому") as the English words the
    patterns read; other text unchanged."""
    for pattern, english in _CYRILLIC_RELATIVE.items():
        question = re.sub(rf"\b(?:{pattern})\b", english, question, flags=re.I)

    def ago(m: re.Match[str]) -> str:
        n = m[1].lower()
        amount = int(n) if n.isdigit() else _CYRILLIC_NUMBERS[n]
        return f"{amount} {_CYRILLIC_UNITS[m[2][0].lower()]}s ago"

    return _CYRILLIC_AGO.sub(ago, question)


PERIOD_MARGIN_DAYS = 45  # reports trail events, and a month-long period blurs at its edges


@dataclass(frozen=True)
class TimeHint:
    start: date | None = None
    end: date | None = None  # inclusive
    latest: bool = False
    words: str = ""  # the question's words that named the period ("last week", "March 2022")

    @property
    def period(self) -> bool:
        return self.start is not None

    def covers(self, day: date, margin: int = PERIOD_MARGIN_DAYS) -> bool:
        """Is `day` within the period, allowing `margin` days either side?"""
        if self.start is None or self.end is None:
            return True
        return (self.start - day).days <= margin and (day - self.end).days <= margin


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _day(year: int, month: int, day: int) -> tuple[date, date] | None:
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    return d - timedelta(days=2), d + timedelta(days=3)  # reports trail the event by a day or two


def _ago(amount: int, unit: str, today: date) -> tuple[date, date]:
    if unit == "day":
        d = today - timedelta(days=amount)
        return d, d
    if unit == "week":
        d = today - timedelta(weeks=amount)
        return d - timedelta(days=d.weekday()), d + timedelta(days=6 - d.weekday())
    if unit == "month":
        y, m = divmod(today.year * 12 + today.month - 1 - amount, 12)
        return _month(y, m + 1)
    if unit == "decade":
        return date(today.year - 10 * amount - 1, 1, 1), date(today.year - 10 * amount + 1, 12, 31)
    return date(today.year - amount, 1, 1), date(today.year - amount, 12, 31)


def _relative(phrase: str, today: date) -> tuple[date, date]:
    p = " ".join(phrase.lower().split())
    if p in ("today", "tonight"):
        return today, today
    if p == "yesterday":
        return _ago(1, "day", today)
    unit = p.split()[-1]
    if p.startswith("this"):
        if unit == "week":
            return today - timedelta(days=today.weekday()), today
        return (today.replace(day=1) if unit == "month" else date(today.year, 1, 1)), today
    if "the" in p.split():  # "the past week", "in the last month": a window ending today
        days = {"days": 7, "week": 7, "month": 31, "year": 365}[unit]
        return today - timedelta(days=days), today
    return _ago(1, unit, today)  # last/past/previous week, month, year


def _absolute(question: str) -> tuple[tuple[date, date] | None, str]:
    if m := _ISO.search(question):
        return _day(int(m[1]), int(m[2]), int(m[3])), m[0]
    if m := _DAY_MONTH_YEAR.search(question):
        return _day(int(m[3]), MONTHS[m[2].lower()], int(m[1])), m[0]
    if m := _MONTH_DAY_YEAR.search(question):
        return _day(int(m[3]), MONTHS[m[1].lower()], int(m[2])), m[0]
    if m := _PART_OF_YEAR.search(question):
        first, last = _PARTS[" ".join(m[1].lower().split())]
        year = int(m[2])
        return (_month(year, first)[0], _month(year, last)[1]), m[0]
    if m := _MONTH_YEAR.search(question):
        return _month(int(m[2]), MONTHS[m[1].lower()]), m[0]
    if m := _YEAR.search(question):
        return (date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)), m[0]
    return None, ""


def time_hint(question: str, today: date | None = None) -> TimeHint:
    """The period a question names, if any; relative ones ("last week") need `today`."""
    question = _in_english(question)
    span, named = _absolute(question)
    if span is None and today is not None:
        if m := _AGO.search(question):
            n = m[1].lower()
            amount = int(n) if n.isdigit() else _NUMBER_WORDS[n]
            span, named = _ago(amount, m[2].lower(), today), m[0]
        elif m := _RELATIVE.search(question):
            span, named = _relative(m[1], today), m[0]
    if span is None:
        return TimeHint(latest=bool(_LATEST.search(question)))
    return TimeHint(start=span[0], end=span[1], words=named.strip())


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


def mentions_period(hint: TimeHint, text: str) -> bool:
    """Does a passage speak about the period ("in March 2022", "on 28 February")?"""
    if hint.start is None or hint.end is None:
        return False
    years = {str(y) for y in range(hint.start.year, hint.end.year + 1)}
    if not any(y in text for y in years):
        return False
    if (hint.end - hint.start).days > 62:
        return True  # a year: naming the year is enough
    months = {hint.start.month, hint.end.month}
    names = {name for name, number in MONTHS.items() if number in months and len(name) > 3}
    return any(n in text.lower() for n in names)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str, name: str) -> date:
    """A filter's day as typed (YYYY-MM-DD only: `date.fromisoformat` would also take week dates
    and "20250601", which a user would not expect to work); `name` is what the front door calls
    the option, for the message."""
    text = text.strip()
    try:
        if _DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise BadInput(
        N_("{name} must be a date as YYYY-MM-DD, e.g. 2025-06-01; got '{got}'."),
        name=name,
        got=text[:40],
    )
