"""Feedback votes: one changeable vote per user per answer, no user ids stored, export to eval —
the same in SQLite (files store) and in the shared PostgreSQL database."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.engine import Answer, Article, Citation
from bot.errors import BadInput
from bot.evaluate.qa import load_qa
from bot.feedback import Feedback, FeedbackStore
from tests.throwaway_pg import database_for

ARTICLE = Article(
    "a1", "Kremlin sets terms", "text", "a.md", outlet="Wire", published=date(2025, 6, 2)
)


def answer(question: str, text: str = "The Kremlin insists [1].") -> Answer:
    cited = (Citation(1, ARTICLE, "The Kremlin insists.", "c1"),)
    return Answer(question, text, cited, understood_as=question + " (kremlin)")


Open = Callable[..., FeedbackStore]


@pytest.fixture(params=["sqlite", "postgres"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Open:
    """Opens the store called `name` (a file, or a database) as a fresh process would."""

    def open_store(
        name: str = "feedback", clock: Callable[[], float] | None = None
    ) -> FeedbackStore:
        kw = {"clock": clock} if clock else {}
        if request.param == "sqlite":
            return Feedback(tmp_path / f"{name}.sqlite", **kw)
        from bot.feedback.pg import PgFeedback

        return PgFeedback(database_for(str(tmp_path / name)), **kw)

    return open_store


@pytest.fixture
def store(opener: Open) -> FeedbackStore:
    clock = iter(range(1000))
    return opener(clock=lambda: float(next(clock)))


def dump(store: FeedbackStore) -> str:
    """Everything the store keeps, as text."""
    if isinstance(store, Feedback):
        return "\n".join(sqlite3.connect(store.path).iterdump())
    import psycopg

    with psycopg.connect(store.url) as conn:
        tables = ("feedback_meta", "feedback_answers", "feedback_votes")
        return "\n".join(
            str(row) for t in tables for row in conn.execute(f"SELECT * FROM {t}").fetchall()
        )


def test_one_vote_per_user_per_answer_and_it_can_change(store: FeedbackStore) -> None:
    store.record(10, answer("q1"), guild_id=1, channel=2)
    assert store.vote(10, user_id=555, up=True)
    assert store.vote(10, user_id=555, up=True)  # the same click again: still one vote
    assert store.vote(10, user_id=777, up=False)
    s = store.summary()
    assert (s.answers, s.up, s.down, s.rate) == (1, 1, 1, 0.5)
    store.vote(10, user_id=555, up=False)
    store.reason(10, user_id=555, text="  cites the\nwrong   article ")
    s = store.summary()
    assert (s.up, s.down) == (0, 2)
    assert s.latest_down[0].reason == "cites the wrong article"
    assert not store.vote(99, user_id=555, up=True)  # an answer never recorded


def test_no_user_id_is_stored_only_a_salted_hash(store: FeedbackStore, opener: Open) -> None:
    store.record(10, answer("q1"), guild_id=1, channel=2)
    store.vote(10, user_id=123456789012345678, up=False)
    kept = dump(store)
    assert store.voter(123456789012345678) in kept and "123456789012345678" not in kept
    again = opener()  # the salt survives a restart
    assert again.voter(123456789012345678) == store.voter(123456789012345678)
    assert opener("other").voter(1) != store.voter(1)  # salted per store


def test_export_writes_an_eval_question_set_of_the_downvoted(
    store: FeedbackStore, tmp_path: Path
) -> None:
    store.record(10, answer("bad one"), guild_id=1, channel=2)
    store.record(11, answer("good one"), guild_id=1, channel=2)
    store.vote(10, 1, up=False)
    store.reason(10, 1, "wrong date")
    store.vote(11, 1, up=True)
    out = tmp_path / "feedback.jsonl"
    assert store.export(out) == 1
    [item] = load_qa(out)  # `talks eval` reads it
    assert (
        item.question == "bad one (kremlin)" and item.facts == () and item.source == ARTICLE.title
    )
    raw = json.loads(out.read_text(encoding="utf-8"))
    assert raw["reasons"] == "wrong date" and raw["asked"] == "bad one"
    assert store.export(out, include_up=True) == 2


def test_export_with_nothing_voted_says_so(store: FeedbackStore, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="nothing to export"):
        store.export(tmp_path / "x.jsonl")


def test_recording_an_answer_again_forgets_its_votes(store: FeedbackStore) -> None:
    store.record(10, answer("q1"), guild_id=1, channel=2)
    store.vote(10, 1, up=False)
    store.record(10, answer("q1 again"), guild_id=1, channel=2)
    s = store.summary()
    assert (s.answers, s.up, s.down) == (1, 0, 0)


def test_a_thumbs_up_clears_the_reason_and_a_reason_needs_a_thumbs_down(
    store: FeedbackStore,
) -> None:
    store.record(10, answer("q1"), guild_id=1, channel=2)
    store.vote(10, 1, up=True)
    store.reason(10, 1, "ignored: this vote is 👍")
    store.vote(10, 1, up=False)
    assert store.summary().latest_down[0].reason == ""
    store.reason(10, 1, "x" * 500)
    assert store.summary().latest_down[0].reason == "x" * 200
    store.vote(10, 1, up=True)
    store.vote(10, 1, up=False)
    assert store.summary().latest_down[0].reason == ""


def test_summary_counts_one_guild_and_lists_the_latest_downvotes_first(
    store: FeedbackStore,
) -> None:
    for message, guild in ((10, 1), (11, 1), (12, 2)):
        store.record(message, answer(f"q{message}"), guild_id=guild, channel=2)
        store.vote(message, 7, up=False)
    store.vote(10, 8, up=True)
    mine = store.summary(guild_id=1)
    assert (mine.answers, mine.up, mine.down) == (2, 1, 2)
    assert [d.question for d in mine.latest_down] == ["q11", "q10"]
    assert [d.question for d in store.summary(latest=2).latest_down] == ["q12", "q11"]
    assert store.summary(guild_id=3) == type(mine)(0, 0, 0, ())


def test_export_joins_the_reasons_and_counts_the_votes(
    store: FeedbackStore, tmp_path: Path
) -> None:
    store.record(10, answer("q1"), guild_id=1, channel=2)
    for user, up, why in ((1, False, "wrong date"), (2, True, ""), (3, False, "")):
        store.vote(10, user, up=up)
        store.reason(10, user, why)
    out = tmp_path / "set.jsonl"
    assert store.export(out) == 1
    raw = json.loads(out.read_text(encoding="utf-8"))
    assert raw["votes"] == {"up": 1, "down": 2} and raw["reasons"] == "wrong date"
    assert raw["cited"] == [ARTICLE.title]


def test_two_processes_on_one_database_share_votes_and_salt(tmp_path: Path) -> None:
    from bot.feedback.pg import PgFeedback

    url = database_for(str(tmp_path))
    first, second = PgFeedback(url), PgFeedback(url)
    assert first.voter(555) == second.voter(555)
    first.record(10, answer("q1"), guild_id=1, channel=2)
    assert second.vote(10, user_id=555, up=True)  # an answer the other process showed
    voters = [threading.Thread(target=p.vote, args=(10, 555, False)) for p in (first, second)]
    for t in voters:
        t.start()
    for t in voters:
        t.join()
    first.reason(10, 555, "stale")
    for s in (first.summary(), second.summary()):
        assert (s.answers, s.up, s.down) == (1, 0, 1) and s.latest_down[0].reason == "stale"
