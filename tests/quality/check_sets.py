"""Validate the quality question sets in this directory.

Usage: python tests/quality/check_sets.py   (exit status 0 when every set is valid)

Checks, for all four sets (qa_bundled, qa_official, qa_train, qa_dev):
  * every line is a JSON object with the keys question, facts, source, style (plus kind,
    missing and period where allowed); style is one of formal / casual / typo / short / dated;
    questions are unique across all sets (the new sets copy none of the old ones);
  * lines with a source name an article that exists in their corpus (bundled: the article's
    title, i.e. its first line; official: the record's url), have 1-3 facts, each a non-empty
    list of short (at most 5 words) alternatives, and every alternative occurs verbatim
    (case-insensitive) in that article's text;
  * lines without a source (null) have facts == [].
The train and dev sets must also carry kind, and by kind:
  * answerable: a source; no missing, no period;
  * dated: period ["YYYY-MM-DD", "YYYY-MM-DD"]; with a source, the article was published in that
    period (+- 45 days), so the fact comes from an article of the period asked about; without one,
    the period lies outside what the corpora cover (again +- 45 days), so the bot must decline;
  * near_miss: no source, and `missing` names an anchor listed in near_miss_anchors.json, whose term
    groups never occur together (within 250 characters) in any article of either corpus;
  * off_topic: no source.

The sealed set (sealed/qa_sealed.jsonl, run once at the end of a change, never tuned on) follows
the train/dev rules over its own corpus: the official texts, the seed and sealed/articles.jsonl
(news-style articles written for the tests). Its sources are official records that no other set
uses, or sealed articles; a dated line without a source names a period in which no article of that
corpus was published (+- 45 days); its near-miss anchors live in sealed/near_miss_anchors.json.
The sealed articles themselves are checked too: their fields, outlet, url, length and paragraphs,
a publication date outside 2021-09-01..2022-08-15 and outside every unanswerable dated period of
train and dev (+- 45 days), and none of them reports a train/dev near-miss anchor (so the corpora
can be loaded together without turning a train/dev decline into an answer).
The language set (lang/qa_lang.jsonl) asks in Ukrainian and Russian. Its corpus is the official
texts, the seed and lang/articles.jsonl (Ukrainian and Russian news-style articles written for the
tests). Its lines follow the train/dev rules over that corpus and also carry `english` (the same
question asked in English: present, different from the question, no Cyrillic letters, a copy of
no question of any set) and `language` ("uk" or "ru"; a question holding letters only the other
language uses is rejected). Facts stay in the language of their source article. Its near-miss
anchors (lang/near_miss_anchors.json) give term groups in both scripts (at least one all-Latin
group and one Cyrillic group per anchor). The lang articles are checked too: fields, outlet, url,
language and its letters, length, paragraphs, a publication date inside the official corpus' span,
and none of them reports a train/dev near-miss anchor.
The decline set (qa_declines.jsonl) holds only questions the bot must decline: kind near_miss or
off_topic, checked with the train/dev rules over the official texts and the seed (source null,
facts [], a near-miss's `missing` listed in near_miss_anchors.json with no term group occurring
together in any article). Its anchors share near_miss_anchors.json with train and dev, so the
sealed and lang articles are checked against them too.
Questions are unique across all seven sets.

Corpora are read from the shared directory next to the repository
(<repo>/../shared/seeds/*.txt and <repo>/../shared/data/official_statements_2021_2022.jsonl).
Nothing from the bot package is imported.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"
SEEDS_DIR = SHARED / "seeds"
OFFICIAL_JSONL = SHARED / "data" / "official_statements_2021_2022.jsonl"

BUNDLED_SET = HERE / "qa_bundled.jsonl"
OFFICIAL_SET = HERE / "qa_official.jsonl"
TRAIN_SET = HERE / "qa_train.jsonl"
DEV_SET = HERE / "qa_dev.jsonl"
NEW_SETS = (TRAIN_SET, DEV_SET)
# Questions the bot must decline (near-misses and off-topic ones only), for the decline rules.
DECLINES_SET = HERE / "qa_declines.jsonl"
DECLINE_KINDS = frozenset({"near_miss", "off_topic"})
SEALED_DIR = HERE / "sealed"
SEALED_SET = SEALED_DIR / "qa_sealed.jsonl"
SEALED_ARTICLES = SEALED_DIR / "articles.jsonl"
SEALED_ANCHORS_JSON = SEALED_DIR / "near_miss_anchors.json"
SEALED_OUTLET = "talks test corpus (written for the tests)"
SEALED_URL_PREFIX = "https://example.org/talks-tests/"
SEALED_ARTICLE_KEYS = {"id", "title", "url", "outlet", "published", "text", "language"}
SEALED_WORDS = (350, 900)
# No sealed article may be published here: the official corpus covers it (with some margin).
SEALED_NO_ARTICLES = (date(2021, 9, 1), date(2022, 8, 15))

LANG_DIR = HERE / "lang"
LANG_SET = LANG_DIR / "qa_lang.jsonl"
LANG_ARTICLES = LANG_DIR / "articles.jsonl"
LANG_ANCHORS_JSON = LANG_DIR / "near_miss_anchors.json"
LANG_URL_PREFIX = "https://example.org/talks-tests/lang/"
LANG_LANGUAGES = ("uk", "ru")
LANG_WORDS = (250, 600)
LANG_EXTRA_KEYS = frozenset({"english", "language"})
# Letters only one of the two languages uses (Ukrainian: і ї є ґ; Russian: ы э ъ ё).
ONLY_LETTERS = {"uk": frozenset("іїєґ"), "ru": frozenset("ыэъё")}
CYRILLIC = re.compile("[\u0400-\u04ff]")

STYLES = {"formal", "casual", "typo", "short", "dated"}
KINDS = {"answerable", "near_miss", "dated", "off_topic"}
KEYS = {"question", "facts", "source", "style"}
KEYS_BY_KIND = {
    "answerable": KEYS | {"kind"},
    "near_miss": KEYS | {"kind", "missing"},
    "dated": KEYS | {"kind", "period"},
    "off_topic": KEYS | {"kind"},
}
MAX_FACTS = 3
MAX_FACT_WORDS = 5
# The official corpus spans 2021-10-24 .. 2022-06-24; a dated question may be off by this margin.
COVERED = (date(2021, 10, 24), date(2022, 6, 24))
MARGIN = timedelta(days=45)
WINDOW = 250  # characters: terms of one group "occur together" when this close

# Near-miss anchors live in near_miss_anchors.json: for each `missing` phrase, groups of terms
# (matched at a word start, case-insensitive). A group with one term: that term occurs in no
# article. A group with several: they never occur within WINDOW characters of each other, i.e. not
# in the role asked about. Places that do occur in another role: Ankara (a US-Russia prisoner
# swap, a Turkey-Russia meeting), Gomel (where the Russian delegation waited), Jerusalem, Warsaw
# and Bratislava (venues Ukraine proposed), Brest (the 1918 treaty), Berlin (the advisers', not
# the leaders', meeting).
ANCHORS_JSON = HERE / "near_miss_anchors.json"


@functools.cache
def load_anchors(path: Path = ANCHORS_JSON) -> dict[str, list[list[str]]]:
    anchors: dict[str, list[list[str]]] = json.loads(path.read_text(encoding="utf-8"))
    return anchors


class Corpus:
    """Articles by source key (bundled title or official url): text, and publication date."""

    def __init__(self, texts: dict[str, str], published: dict[str, date | None]) -> None:
        self.texts = texts
        self.published = published
        self.lowered = [t.lower() for t in texts.values()]

    def published_near(self, start: date, end: date) -> list[str]:
        """Sources published within start..end +- MARGIN (undated ones, the seed, never)."""
        return [
            key
            for key, day in self.published.items()
            if day is not None and start - MARGIN <= day <= end + MARGIN
        ]

    def together(self, group: list[str]) -> bool:
        """True when all terms of the group occur within WINDOW characters of one another in
        one article (plain substring test first: the regex runs only on candidate articles)."""
        first, *rest = (re.compile(r"\b" + re.escape(term)) for term in group)
        for text in self.lowered:
            if not all(term in text for term in group):
                continue
            for hit in first.finditer(text):
                window = text[max(0, hit.start() - WINDOW) : hit.end() + WINDOW]
                if all(p.search(window) for p in rest):
                    return True
        return False


def load_seed_corpus(seeds_dir: Path = SEEDS_DIR) -> dict[str, str]:
    """Map each seed article's title (first line) to its body (the remaining lines)."""
    corpus: dict[str, str] = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        corpus[title.strip()] = body
    return corpus


def _official_records(path: Path = OFFICIAL_JSONL) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_official_corpus(path: Path = OFFICIAL_JSONL) -> dict[str, str]:
    """Map each official statement's url to its text."""
    return {r["url"]: r["text"] for r in _official_records(path)}


def load_combined_corpus() -> Corpus:
    """Both corpora, for the train and dev sets whose questions draw on either."""
    texts: dict[str, str] = dict(load_seed_corpus())
    published: dict[str, date | None] = dict.fromkeys(texts)
    for record in _official_records():
        texts[record["url"]] = record["text"]
        published[record["url"]] = date.fromisoformat(record["published"][:10])
    return Corpus(texts, published)


def _articles(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_sealed_articles(path: Path = SEALED_ARTICLES) -> list[dict]:
    return _articles(path)


def load_lang_articles(path: Path = LANG_ARTICLES) -> list[dict]:
    return _articles(path)


def _combined_with(articles: list[dict]) -> Corpus:
    """Official texts and the seed plus articles written for the tests, keyed by url like the
    official records."""
    corpus = load_combined_corpus()
    texts, published = dict(corpus.texts), dict(corpus.published)
    for record in articles:
        texts[record["url"]] = record["text"]
        published[record["url"]] = date.fromisoformat(record["published"][:10])
    return Corpus(texts, published)


def load_sealed_corpus() -> Corpus:
    """The corpus the sealed set is written against."""
    return _combined_with(load_sealed_articles())


def load_lang_corpus() -> Corpus:
    """The corpus of the language set (its Ukrainian and Russian articles added)."""
    return _combined_with(load_lang_articles())


def read_set(path: Path) -> tuple[list[dict], list[str]]:
    items: list[dict] = []
    errors: list[str] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            errors.append(f"{path.name}:{lineno}: blank line")
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{path.name}:{lineno}: invalid JSON ({exc})")
            continue
        if not isinstance(item, dict):
            errors.append(f"{path.name}:{lineno}: not a JSON object")
            continue
        item["_line"] = lineno
        items.append(item)
    return items, errors


def _check_facts(facts: list, text: str, where: str) -> Iterable[str]:
    if not 1 <= len(facts) <= MAX_FACTS:
        yield f"{where}: answerable line needs 1-{MAX_FACTS} facts, has {len(facts)}"
    text = text.lower()
    for alts in facts:
        if not isinstance(alts, list) or not alts:
            yield f"{where}: each fact must be a non-empty list of alternatives"
            continue
        for alt in alts:
            if not isinstance(alt, str) or not alt.strip():
                yield f"{where}: fact alternative must be a non-empty string"
                continue
            if len(alt.split()) > MAX_FACT_WORDS:
                yield f"{where}: fact {alt!r} is longer than {MAX_FACT_WORDS} words"
            if alt.lower() not in text:
                yield f"{where}: fact {alt!r} does not occur in the source text"


def _check_item(item: dict, texts: dict[str, str], where: str) -> Iterable[str]:
    """The checks every set shares (the four base keys)."""
    question, facts, source, style = (item.get(k) for k in ("question", "facts", "source", "style"))
    if not isinstance(question, str) or not question.strip():
        yield f"{where}: question must be a non-empty string"
    if style not in STYLES:
        yield f"{where}: style {style!r} not in {sorted(STYLES)}"
    if not isinstance(facts, list):
        yield f"{where}: facts must be a list"
    elif source is None:
        if facts != []:
            yield f"{where}: a line without a source must have facts []"
    elif not isinstance(source, str):
        yield f"{where}: source must be a string or null"
    elif source not in texts:
        yield f"{where}: source {source!r} is not in the corpus"
    else:
        yield from _check_facts(facts, texts[source], where)


def _parse_period(period: object) -> tuple[date, date] | None:
    if not (isinstance(period, list) and len(period) == 2):
        return None
    try:
        start, end = (date.fromisoformat(p) for p in period)
    except (TypeError, ValueError):
        return None
    return (start, end) if start <= end else None


def _check_dated(item: dict, corpus: Corpus, where: str) -> Iterable[str]:
    period = _parse_period(item.get("period"))
    if period is None:
        yield f"{where}: period must be two ISO dates [start, end] with start <= end"
        return
    start, end = period
    source = item.get("source")
    if source is None:
        if start <= COVERED[1] + MARGIN and end >= COVERED[0] - MARGIN:
            yield f"{where}: unanswerable dated line, but its period overlaps the corpora"
        near = corpus.published_near(start, end)
        if near:
            yield f"{where}: unanswerable dated line, but {near[0]} was published in its period"
        return
    published = corpus.published.get(source)
    if published is None:
        yield f"{where}: a dated answerable line needs a dated (official) source"
    elif not start - MARGIN <= published <= end + MARGIN:
        yield f"{where}: source published {published}, outside the period {start}..{end}"


def _check_near_miss(
    item: dict, corpus: Corpus, where: str, anchors_path: Path = ANCHORS_JSON
) -> Iterable[str]:
    missing = item.get("missing")
    anchors = load_anchors(anchors_path)
    if missing not in anchors:
        yield f"{where}: missing {missing!r} has no entry in {anchors_path.name}"
        return
    for group in anchors[missing]:
        if corpus.together(group):
            yield f"{where}: anchor {missing!r}: {' + '.join(group)} occur together in an article"


def _check_kind(
    item: dict,
    corpus: Corpus,
    where: str,
    anchors_path: Path = ANCHORS_JSON,
    extra_keys: frozenset[str] = frozenset(),
) -> Iterable[str]:
    """The checks of the train and dev sets, where every line names its kind (`extra_keys`: keys
    every line of the set carries besides those of its kind)."""
    kind = item.get("kind")
    if kind not in KINDS:
        yield f"{where}: kind {kind!r} not in {sorted(KINDS)}"
        return
    keys = set(item) - {"_line"}
    expected = KEYS_BY_KIND[kind] | extra_keys
    if keys != expected:
        yield f"{where}: keys {sorted(keys)} != {sorted(expected)} for kind {kind}"
        return
    if kind == "answerable" and item["source"] is None:
        yield f"{where}: an answerable line needs a source"
    if kind in ("near_miss", "off_topic") and item["source"] is not None:
        yield f"{where}: a {kind} line must have source null"
    if kind == "dated":
        yield from _check_dated(item, corpus, where)
    if kind == "near_miss":
        yield from _check_near_miss(item, corpus, where, anchors_path)


def check_set(
    path: Path,
    corpus: Corpus,
    seen: set[str] | None = None,
    with_kind: bool | None = None,
    anchors_path: Path = ANCHORS_JSON,
    extra_keys: frozenset[str] = frozenset(),
) -> list[str]:
    """Problems in one set; `seen` carries normalised questions across sets (no copies);
    `with_kind` (default: the path is the train, dev, sealed or language set) applies the per-kind
    rules, with the near-miss anchors of `anchors_path` and the `extra_keys` every line carries."""
    items, errors = read_set(path)
    seen = set() if seen is None else seen
    new = path in (*NEW_SETS, SEALED_SET, LANG_SET) if with_kind is None else with_kind
    for item in items:
        where = f"{path.name}:{item['_line']}"
        if new:
            errors.extend(_check_kind(item, corpus, where, anchors_path, extra_keys))
        elif set(item) - {"_line"} != KEYS:
            errors.append(f"{where}: keys {sorted(set(item) - {'_line'})} != {sorted(KEYS)}")
            continue
        errors.extend(_check_item(item, corpus.texts, where))
        question = item.get("question")
        if isinstance(question, str):
            key = " ".join(question.lower().split())
            if key in seen:
                errors.append(f"{where}: duplicate question {question!r}")
            seen.add(key)
    if not items:
        errors.append(f"{path.name}: no questions")
    return errors


def _unanswerable_periods(paths: Iterable[Path]) -> list[tuple[date, date]]:
    periods: list[tuple[date, date]] = []
    for path in paths:
        items, _ = read_set(path)
        for item in items:
            period = _parse_period(item.get("period"))
            if item.get("kind") == "dated" and item.get("source") is None and period:
                periods.append(period)
    return periods


ArticleCheck = Callable[[dict, str], Iterable[str]]  # (article, where) → errors
DayCheck = Callable[[date, str], Iterable[str]]  # (published, where) → errors


def _check_written_articles(
    articles: list[dict],
    where0: str,
    url_prefix: str,
    words_range: tuple[int, int],
    language_check: ArticleCheck,
    day_check: DayCheck,
    what: str,
) -> list[str]:
    """What every set of articles written for the tests must hold — unique ids and urls, the
    fields, the test outlet, the url prefix, a length, paragraphs, an ISO date, no train/dev
    near-miss anchor reported — with each set's own language and date rules."""
    errors: list[str] = []
    for key in ("id", "url"):
        values = [a.get(key) for a in articles]
        if len(set(values)) != len(values):
            errors.append(f"{where0}: duplicate {key}")
    texts: dict[str, str] = {}
    published: dict[str, date | None] = {}
    for n, article in enumerate(articles, start=1):
        where = f"{where0}:{n}"
        if set(article) != SEALED_ARTICLE_KEYS:
            errors.append(f"{where}: keys {sorted(article)} != {sorted(SEALED_ARTICLE_KEYS)}")
            continue
        if article["outlet"] != SEALED_OUTLET:
            errors.append(f"{where}: outlet must be {SEALED_OUTLET!r}")
        if not article["url"].startswith(url_prefix):
            errors.append(f"{where}: url must start with {url_prefix}")
        errors.extend(language_check(article, where))
        words = len(article["text"].split())
        if not words_range[0] <= words <= words_range[1]:
            errors.append(f"{where}: {words} words, not {words_range[0]}-{words_range[1]}")
        if "\n\n" not in article["text"]:
            errors.append(f"{where}: paragraphs must be separated by blank lines")
        try:
            day = date.fromisoformat(article["published"])
        except (TypeError, ValueError):
            errors.append(f"{where}: published must be an ISO date")
            continue
        errors.extend(day_check(day, where))
        texts[article["url"]] = article["text"]
        published[article["url"]] = day
    written = Corpus(texts, published)
    for missing, groups in load_anchors(ANCHORS_JSON).items():
        for group in groups:
            if written.together(group):
                errors.append(
                    f"{where0}: train/dev anchor {missing!r}: {' + '.join(group)} "
                    f"occur together in a {what} article"
                )
    return errors


def check_sealed_articles(articles: list[dict] | None = None) -> list[str]:
    """The written-for-the-tests articles: fields, outlet, url, length, paragraphs, dates outside
    the official corpus' span and outside the unanswerable dated periods of train and dev, and no
    train/dev near-miss anchor reported by them."""
    articles = load_sealed_articles() if articles is None else articles
    periods = _unanswerable_periods(NEW_SETS)

    def english(article: dict, where: str) -> Iterable[str]:
        if article["language"] != "en":
            yield f"{where}: language must be 'en'"

    def outside(day: date, where: str) -> Iterable[str]:
        if SEALED_NO_ARTICLES[0] <= day <= SEALED_NO_ARTICLES[1]:
            yield f"{where}: published {day}, inside the official corpus' span"
        for start, end in periods:
            if start - MARGIN <= day <= end + MARGIN:
                yield (
                    f"{where}: published {day}, within 45 days of the unanswerable "
                    f"train/dev period {start}..{end}"
                )

    return _check_written_articles(
        articles, SEALED_ARTICLES.name, SEALED_URL_PREFIX, SEALED_WORDS, english, outside, "sealed"
    )


def _check_sealed_sources() -> list[str]:
    """The sealed set draws on fresh records: no source of another set."""
    used: set[str] = set()
    for path in (BUNDLED_SET, OFFICIAL_SET, *NEW_SETS):
        items, _ = read_set(path)
        used |= {i["source"] for i in items if isinstance(i.get("source"), str)}
    items, _ = read_set(SEALED_SET)
    return [
        f"{SEALED_SET.name}:{i['_line']}: source {i['source']!r} is used by another set"
        for i in items
        if i.get("source") in used
    ]


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def _foreign_letters(text: str, language: str) -> str:
    """Letters of `text` that only the other language (of uk / ru) uses."""
    other = ONLY_LETTERS["ru" if language == "uk" else "uk"]
    return "".join(sorted({c for c in text.lower() if c in other}))


def check_lang_articles(articles: list[dict] | None = None) -> list[str]:
    """The Ukrainian and Russian articles written for the tests: fields, outlet, url, language and
    its letters (title and text), length, paragraphs, a publication date inside the official
    corpus' span, and no train/dev near-miss anchor reported by them."""
    articles = load_lang_articles() if articles is None else articles

    def cyrillic(article: dict, where: str) -> Iterable[str]:
        language = article["language"]
        if language not in LANG_LANGUAGES:
            yield f"{where}: language must be one of {LANG_LANGUAGES}"
            return
        for field in ("title", "text"):
            foreign = _foreign_letters(article[field], language)
            if foreign:
                yield f"{where}: {field} in {language!r} holds letters {foreign!r}"
            if not CYRILLIC.search(article[field]):
                yield f"{where}: {field} is not written in Cyrillic"

    def inside(day: date, where: str) -> Iterable[str]:
        if not COVERED[0] <= day <= COVERED[1]:
            yield f"{where}: published {day}, outside the official corpus' span {COVERED}"

    return _check_written_articles(
        articles, LANG_ARTICLES.name, LANG_URL_PREFIX, LANG_WORDS, cyrillic, inside, "lang"
    )


def check_lang_anchors(path: Path = LANG_ANCHORS_JSON) -> list[str]:
    """Every anchor of the language set spells its terms in both scripts: at least one group
    written in Latin letters only and one with Cyrillic terms."""
    errors: list[str] = []
    for missing, groups in load_anchors(path).items():
        cyrillic = [any(CYRILLIC.search(t) for t in g) for g in groups]
        if all(cyrillic) or not any(cyrillic):
            errors.append(f"{path.name}: anchor {missing!r} needs Latin and Cyrillic term groups")
    return errors


def check_lang_set(
    path: Path = LANG_SET,
    corpus: Corpus | None = None,
    seen: set[str] | None = None,
    anchors_path: Path = LANG_ANCHORS_JSON,
) -> list[str]:
    """The language set: the train/dev rules over its corpus (official, seed, lang articles), and
    on every line `language` in uk/ru (no letters only the other language uses) and `english`,
    the same question in English (present, different, no Cyrillic, a copy of no question)."""
    corpus = load_lang_corpus() if corpus is None else corpus
    seen = set() if seen is None else seen
    errors = check_set(
        path, corpus, seen, with_kind=True, anchors_path=anchors_path, extra_keys=LANG_EXTRA_KEYS
    )
    items, _ = read_set(path)
    englishes: set[str] = set()
    for item in items:
        where = f"{path.name}:{item['_line']}"
        question, english, language = (item.get(k) for k in ("question", "english", "language"))
        if language not in LANG_LANGUAGES:
            errors.append(f"{where}: language {language!r} not in {LANG_LANGUAGES}")
        elif isinstance(question, str) and _foreign_letters(question, language):
            letters = _foreign_letters(question, language)
            errors.append(f"{where}: question in {language!r} holds letters {letters!r}")
        if not isinstance(english, str) or not english.strip():
            errors.append(f"{where}: english must be a non-empty string")
            continue
        key = _normalised(english)
        if isinstance(question, str) and key == _normalised(question):
            errors.append(f"{where}: english is the question itself")
        if CYRILLIC.search(english):
            errors.append(f"{where}: english holds Cyrillic letters")
        if key in seen or key in englishes:
            errors.append(f"{where}: english {english!r} copies a question")
        englishes.add(key)
    seen |= englishes
    return errors


def check_declines_set(
    path: Path = DECLINES_SET,
    corpus: Corpus | None = None,
    seen: set[str] | None = None,
    anchors_path: Path = ANCHORS_JSON,
) -> list[str]:
    """The decline set: the train/dev rules over the official texts and the seed (anchors from
    `anchors_path`), and every line a near-miss or an off-topic question (no answerable or dated
    line)."""
    corpus = load_combined_corpus() if corpus is None else corpus
    errors = check_set(path, corpus, seen, with_kind=True, anchors_path=anchors_path)
    items, _ = read_set(path)
    for item in items:
        kind = item.get("kind")
        if kind in KINDS and kind not in DECLINE_KINDS:
            errors.append(
                f"{path.name}:{item['_line']}: kind {kind!r}, but the decline set holds only "
                f"{sorted(DECLINE_KINDS)}"
            )
    return errors


def check_all(
    corpus: Corpus, sealed_corpus: Corpus | None = None, lang_corpus: Corpus | None = None
) -> list[str]:
    seen: set[str] = set()
    errors: list[str] = []
    for path in (BUNDLED_SET, OFFICIAL_SET, *NEW_SETS):
        errors += check_set(path, corpus, seen)
    sealed_corpus = load_sealed_corpus() if sealed_corpus is None else sealed_corpus
    errors += check_sealed_articles()
    errors += check_set(SEALED_SET, sealed_corpus, seen, anchors_path=SEALED_ANCHORS_JSON)
    errors += _check_sealed_sources()
    errors += check_lang_articles()
    errors += check_lang_anchors()
    errors += check_lang_set(LANG_SET, lang_corpus, seen)
    errors += check_declines_set(DECLINES_SET, corpus, seen)
    return errors


def summary(path: Path) -> str:
    items, _ = read_set(path)
    kinds: dict[str, int] = {}
    styles: dict[str, int] = {}
    for item in items:
        kind = item.get("kind") or ("answerable" if item.get("source") else "out_of_scope")
        kinds[kind] = kinds.get(kind, 0) + 1
        styles[item.get("style", "?")] = styles.get(item.get("style", "?"), 0) + 1
    return (
        f"{path.name}: {len(items)} questions; kinds {dict(sorted(kinds.items()))}; "
        f"styles {dict(sorted(styles.items()))}"
    )


def lang_summary(path: Path = LANG_SET) -> str:
    """The language set per question language and kind, and its articles per language."""
    items, _ = read_set(path)
    per: dict[str, dict[str, int]] = {}
    for item in items:
        counts = per.setdefault(str(item.get("language")), {})
        counts[str(item.get("kind"))] = counts.get(str(item.get("kind")), 0) + 1
    articles: dict[str, int] = {}
    for article in load_lang_articles():
        articles[article["language"]] = articles.get(article["language"], 0) + 1
    langs = "; ".join(f"{lang} {dict(sorted(c.items()))}" for lang, c in sorted(per.items()))
    return f"{path.name} by language: {langs}; articles {dict(sorted(articles.items()))}"


def main() -> int:
    if not SHARED.is_dir():
        print(f"shared data directory not found: {SHARED}", file=sys.stderr)
        return 2
    errors = check_all(load_combined_corpus())
    for err in errors:
        print(err, file=sys.stderr)
    for path in (BUNDLED_SET, OFFICIAL_SET, *NEW_SETS, SEALED_SET, LANG_SET, DECLINES_SET):
        print(summary(path))
    print(lang_summary())
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
