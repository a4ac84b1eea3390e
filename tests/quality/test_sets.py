"""Pytest wrapper around check_sets.py (validates the quality question sets; imports nothing
from the bot package). Skips when the shared corpora next to the repository are absent."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

_spec = importlib.util.spec_from_file_location(
    "quality_check_sets", Path(__file__).with_name("check_sets.py")
)
assert _spec is not None and _spec.loader is not None
check_sets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_sets)

OFFICIAL_URL = (
    "https://www.president.gov.ua/en/news/shodo-peregovoriv-delegacij-ukrayini-ta-rosiyi-73229"
)


@pytest.fixture(scope="module")
def corpus() -> Any:
    if not check_sets.SEEDS_DIR.is_dir() or not check_sets.OFFICIAL_JSONL.is_file():
        pytest.skip(f"shared corpora not found under {check_sets.SHARED}")
    return check_sets.load_combined_corpus()


def _new_items() -> list[dict]:
    items: list[dict] = []
    for path in check_sets.NEW_SETS:
        lines, errors = check_sets.read_set(path)
        assert not errors, "\n".join(errors)
        items += lines
    return items


def test_all_sets_are_valid(corpus: Any) -> None:
    errors = check_sets.check_all(corpus)
    assert not errors, "\n".join(errors)


def test_old_sets_have_both_kinds_of_questions() -> None:
    for path in (check_sets.BUNDLED_SET, check_sets.OFFICIAL_SET):
        items, errors = check_sets.read_set(path)
        assert not errors, "\n".join(errors)
        assert any(i["source"] is None for i in items), f"{path.name}: no out-of-scope lines"
        assert any(i["source"] is not None for i in items), f"{path.name}: no answerable lines"


def test_new_sets_meet_the_minimums() -> None:
    items = _new_items()
    kinds = Counter(i["kind"] for i in items)
    assert len(items) >= 170
    assert kinds["answerable"] >= 80 and kinds["near_miss"] >= 35 and kinds["dated"] >= 35
    assert 5 <= kinds["off_topic"] <= 15
    dated = [i for i in items if i["kind"] == "dated"]
    assert any(i["source"] for i in dated) and any(i["source"] is None for i in dated)
    chat = sum(i["style"] in ("casual", "typo", "short") for i in items)
    assert chat * 2 >= len(items), f"only {chat} of {len(items)} typed as in Discord"


def test_every_kind_is_in_train_and_dev() -> None:
    sizes = {}
    for path in check_sets.NEW_SETS:
        items, _ = check_sets.read_set(path)
        assert {i["kind"] for i in items} == check_sets.KINDS, path.name
        sizes[path] = len(items)
    dev_share = sizes[check_sets.DEV_SET] / sum(sizes.values())
    assert 0.3 <= dev_share <= 0.5


def test_sealed_set_has_the_agreed_counts() -> None:
    """120 questions: 60 answerable, 20 dated (14 with a source, 6 without), 20 near-misses,
    20 off-topic; in every kind half typed as in Discord (casual, typo, short), half formal."""
    items, errors = check_sets.read_set(check_sets.SEALED_SET)
    assert not errors, "\n".join(errors)
    assert len(items) == 120
    kinds = Counter(i["kind"] for i in items)
    assert kinds == {"answerable": 60, "dated": 20, "near_miss": 20, "off_topic": 20}
    dated = [i for i in items if i["kind"] == "dated"]
    assert sum(i["source"] is not None for i in dated) == 14
    for kind, total in kinds.items():
        formal = sum(i["style"] == "formal" for i in items if i["kind"] == kind)
        chat = sum(i["style"] in ("casual", "typo", "short") for i in items if i["kind"] == kind)
        assert formal * 2 == total and chat * 2 == total, (kind, formal, chat)


def test_sealed_articles_are_valid() -> None:
    articles = check_sets.load_sealed_articles()
    assert len(articles) == 14
    assert not check_sets.check_sealed_articles(articles)


def test_checker_rejects_bad_sealed_articles() -> None:
    """An article inside the official corpus' span, one near an unanswerable train/dev period,
    a wrong outlet, a too-short text and one reporting a train/dev near-miss anchor."""
    good = check_sets.load_sealed_articles()[0]
    bad = [
        {**good, "id": "x1", "url": good["url"] + "-1", "published": "2022-03-01"},
        {**good, "id": "x2", "url": good["url"] + "-2", "published": "2023-06-01"},
        {**good, "id": "x3", "url": good["url"] + "-3", "outlet": "Reuters"},
        {**good, "id": "x4", "url": good["url"] + "-4", "text": "Too short.\n\nReally."},
        {
            **good,
            "id": "x5",
            "url": good["url"] + "-5",
            "text": good["text"] + "\n\nThe talks in Valletta went on all night.",
        },
    ]
    errors = check_sets.check_sealed_articles(bad)
    for n in range(1, 5):
        assert any(e.startswith(f"articles.jsonl:{n}:") for e in errors), (n, errors)
    assert any("summit in Valletta" in e for e in errors), errors


def test_sealed_dated_line_needs_an_empty_period(corpus: Any, tmp_path: Path) -> None:
    """A dated line without a source is rejected when a sealed article was published then."""
    article = check_sets.load_sealed_articles()[0]
    day = article["published"]
    sealed = check_sets.Corpus(
        {**corpus.texts, article["url"]: article["text"]},
        {**corpus.published, article["url"]: check_sets.date.fromisoformat(day)},
    )
    path = _write(
        tmp_path,
        {
            "question": "q",
            "facts": [],
            "source": None,
            "style": "casual",
            "kind": "dated",
            "period": [day, day],
        },
    )
    errors = check_sets.check_set(path, sealed, with_kind=True)
    assert any("was published in its period" in e for e in errors), errors


def _write(tmp_path: Path, *lines: dict) -> Path:
    path = tmp_path / "qa_probe.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_checker_rejects_bad_lines(corpus: Any, tmp_path: Path) -> None:
    """Each rule can fail: a near-miss whose anchor the corpus does report, a dated line whose
    article lies outside its period, an unanswerable dated line inside the covered period, an
    unknown anchor, a fact not in the article, a missing kind."""
    base: dict[str, Any] = {"facts": [], "source": None, "style": "casual"}
    path = _write(
        tmp_path,
        {**base, "question": "q1", "kind": "near_miss", "missing": "Putin-Stoltenberg call"},
        {**base, "question": "q2", "kind": "near_miss", "missing": "no such anchor"},
        {**base, "question": "q3", "kind": "dated", "period": ["2022-03-01", "2022-03-31"]},
        {
            **base,
            "question": "q4",
            "kind": "dated",
            "facts": [["Pripyat River"]],
            "source": OFFICIAL_URL,
            "period": ["2021-10-24", "2021-11-30"],
        },
        {
            **base,
            "question": "q5",
            "kind": "answerable",
            "facts": [["Valletta"]],
            "source": OFFICIAL_URL,
        },
        {**base, "question": "q6"},
    )
    errors = check_sets.check_set(path, corpus, with_kind=True)
    assert not any(e.startswith("qa_probe.jsonl:1:") for e in errors)  # a real near-miss passes
    for line in range(2, 7):
        assert any(e.startswith(f"qa_probe.jsonl:{line}:") for e in errors), (line, errors)
    reported = check_sets.Corpus({"a": "Putin spoke with Jens Stoltenberg by phone."}, {"a": None})
    assert reported.together(["putin", "stoltenberg"])
    assert not reported.together(["putin", "valletta"])


def test_declines_set_has_the_agreed_mix() -> None:
    """90 questions the bot must decline: 50 near-misses and 40 off-topic ones, in each kind half
    formal and half typed as in Discord (casual, typo, short); every near-miss names its own
    anchor."""
    items, errors = check_sets.read_set(check_sets.DECLINES_SET)
    assert not errors, "\n".join(errors)
    assert len(items) == 90
    kinds = Counter(i["kind"] for i in items)
    assert kinds == {"near_miss": 50, "off_topic": 40}
    for kind, total in kinds.items():
        formal = sum(i["style"] == "formal" for i in items if i["kind"] == kind)
        chat = sum(i["style"] in ("casual", "typo", "short") for i in items if i["kind"] == kind)
        assert formal * 2 == total and chat * 2 == total, (kind, formal, chat)
    missing = [i["missing"] for i in items if i["kind"] == "near_miss"]
    assert len(set(missing)) == len(missing)


def test_checker_rejects_bad_decline_lines(corpus: Any, tmp_path: Path) -> None:
    """A decline line of another kind, one with a source, one whose anchor the corpus reports, one
    with an unlisted anchor and one copying a question of another set are rejected; a near-miss
    whose anchor the corpus does not report passes."""
    base: dict[str, Any] = {"facts": [], "source": None, "style": "casual"}
    anchors = tmp_path / "anchors.json"
    anchors.write_text(
        json.dumps({"absent": [["bennett", "kyiv"]], "reported": [["putin", "biden"]]}),
        encoding="utf-8",
    )
    path = _write(
        tmp_path,
        {**base, "question": "q1", "kind": "near_miss", "missing": "absent"},
        {**base, "question": "q2", "kind": "dated", "period": ["2024-01-01", "2024-01-31"]},
        {**base, "question": "q3", "kind": "off_topic", "source": OFFICIAL_URL},
        {**base, "question": "q4", "kind": "near_miss", "missing": "reported"},
        {**base, "question": "q5", "kind": "near_miss", "missing": "no such anchor"},
        {**base, "question": "What time zone is Tokyo in?", "kind": "off_topic"},
    )
    seen = {"what time zone is tokyo in?"}
    errors = check_sets.check_declines_set(path, corpus, seen, anchors_path=anchors)
    assert not any(e.startswith("qa_probe.jsonl:1:") for e in errors), errors
    for line in range(2, 7):
        assert any(e.startswith(f"qa_probe.jsonl:{line}:") for e in errors), (line, errors)


def _lang_items() -> list[dict]:
    items, errors = check_sets.read_set(check_sets.LANG_SET)
    assert not errors, "\n".join(errors)
    return items


def test_lang_set_has_the_agreed_mix() -> None:
    """At least 80 questions in Ukrainian and Russian (roughly half each): answerable questions on
    the lang articles (some asked in the other language) and on the English records or the seed,
    dated ones with and without a source, near-misses and off-topic ones; at least half typed as
    in chat."""
    items = _lang_items()
    assert len(items) >= 80
    kinds = Counter(i["kind"] for i in items)
    assert kinds["near_miss"] >= 10 and kinds["off_topic"] >= 10 and kinds["dated"] >= 8
    languages = Counter(i["language"] for i in items)
    assert set(languages) == {"uk", "ru"} and abs(languages["uk"] - languages["ru"]) <= 10
    article_language = {a["url"]: a["language"] for a in check_sets.load_lang_articles()}
    answerable = [i for i in items if i["kind"] == "answerable"]
    on_articles = [i for i in answerable if i["source"] in article_language]
    assert len(on_articles) >= 25 and len(answerable) - len(on_articles) >= 18
    crossed = [i for i in on_articles if i["language"] != article_language[i["source"]]]
    assert len(crossed) >= 8
    dated = [i for i in items if i["kind"] == "dated"]
    assert (
        sum(i["source"] is None for i in dated) >= 4 and sum(bool(i["source"]) for i in dated) >= 4
    )
    chat = sum(i["style"] in ("casual", "typo", "short") for i in items)
    assert chat * 2 >= len(items), f"only {chat} of {len(items)} typed as in chat"


def test_lang_articles_are_valid() -> None:
    articles = check_sets.load_lang_articles()
    assert Counter(a["language"] for a in articles) == {"uk": 12, "ru": 12}
    assert not check_sets.check_lang_articles(articles)
    assert not check_sets.check_lang_anchors()


def test_checker_rejects_bad_lang_articles() -> None:
    """A wrong language, Russian letters in a Ukrainian text, a wrong outlet, a too-short text,
    a date outside the official corpus' span, and a train/dev near-miss anchor reported."""
    good = next(a for a in check_sets.load_lang_articles() if a["language"] == "uk")
    bad = [
        {**good, "id": "x1", "url": good["url"] + "-1", "language": "en"},
        {**good, "id": "x2", "url": good["url"] + "-2", "text": good["text"] + "\n\nЭто ещё тест."},
        {**good, "id": "x3", "url": good["url"] + "-3", "outlet": "Reuters"},
        {**good, "id": "x4", "url": good["url"] + "-4", "text": "Коротко.\n\nЗовсім."},
        {**good, "id": "x5", "url": good["url"] + "-5", "published": "2023-03-01"},
        {
            **good,
            "id": "x6",
            "url": good["url"] + "-6",
            "text": good["text"] + "\n\nThe talks in Valletta went on all night.",
        },
    ]
    errors = check_sets.check_lang_articles(bad)
    for n in range(1, 6):
        assert any(e.startswith(f"articles.jsonl:{n}:") for e in errors), (n, errors)
    assert any("summit in Valletta" in e for e in errors), errors


def test_checker_rejects_bad_lang_lines(tmp_path: Path) -> None:
    """Each language rule can fail: a language outside uk/ru, Russian letters in a line marked
    uk, no english, english equal to the question, Cyrillic in english, an english line copying
    a question, a Russian fact not in a Ukrainian article, a near-miss whose anchor the lang
    articles report; a good line passes."""
    if not check_sets.SEEDS_DIR.is_dir() or not check_sets.OFFICIAL_JSONL.is_file():
        pytest.skip(f"shared corpora not found under {check_sets.SHARED}")
    corpus = check_sets.load_lang_corpus()
    url = next(a["url"] for a in check_sets.load_lang_articles() if a["language"] == "uk")
    text = corpus.texts[url]
    fact = text.split()[5]
    base: dict[str, Any] = {
        "facts": [[fact]],
        "source": url,
        "style": "casual",
        "kind": "answerable",
        "language": "uk",
    }
    anchors = tmp_path / "anchors.json"
    anchors.write_text(json.dumps({"probe": [["київ"], ["kyiv"]]}), encoding="utf-8")
    path = _write(
        tmp_path,
        {**base, "question": "що там q0", "english": "what is there q0"},
        {**base, "question": "що там q1", "english": "what is there q1", "language": "en"},
        {**base, "question": "что там ещё q2", "english": "what else is there q2"},
        {**base, "question": "що там q3", "english": ""},
        {**base, "question": "що там q4", "english": "Що там q4"},
        {**base, "question": "що там q5", "english": "що there q5"},
        {**base, "question": "що там q6", "english": "What is there  Q0"},
        {**base, "question": "що там q7", "english": "what is there q7", "facts": [["ещё"]]},
        {
            **base,
            "question": "що там q8",
            "english": "what is there q8",
            "facts": [],
            "source": None,
            "kind": "near_miss",
            "missing": "probe",
        },
    )
    errors = check_sets.check_lang_set(path, corpus, anchors_path=anchors)
    assert not any(e.startswith("qa_probe.jsonl:1:") for e in errors), errors
    for line in range(2, 10):
        assert any(e.startswith(f"qa_probe.jsonl:{line}:") for e in errors), (line, errors)
    anchors.write_text(json.dumps({"probe": [["kyiv"]]}), encoding="utf-8")
    check_sets.load_anchors.cache_clear()
    assert check_sets.check_lang_anchors(anchors)
