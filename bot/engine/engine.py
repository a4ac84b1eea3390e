"""Engine: the one service object both front doors (CLI, Discord) call.

It owns the embedding model and the live index snapshot, and composes the rooms below it: ingest
(inputs → articles), the index writer (the only way a generation is built), the store, search and
the answer step. Questions are answered from whatever snapshot is live; writers work on a new
generation behind the writer's lock and swap it in only when it is complete, so queries never wait
for, or see half of, a re-index.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from bot.engine import changes, conversation, feeds, lang
from bot.engine import timeline as timelines
from bot.engine.answer import evidence
from bot.engine.answer.evidence import Source
from bot.engine.answer.extractive import (
    ALL_RULES,
    Ranked,
    Rules,
    build_answer,
    corpus_facts,
    filtered_decline,
    rank,
)
from bot.engine.answer.features import Weights, weights_for
from bot.engine.answer.generate import OnText, Writer
from bot.engine.answer.positions import lead_with, newest_statements
from bot.engine.conversation import Turn
from bot.engine.feeds import Feed, PollReport
from bot.engine.index.embed import Embedder
from bot.engine.index.plan import unique
from bot.engine.index.transfer import rebuild_reusing
from bot.engine.index.writer import IndexWriter
from bot.engine.ingest import corpus, read_corpus
from bot.engine.ingest.files import SUFFIXES
from bot.engine.ingest.incoming import Fetcher, Input
from bot.engine.models import (
    AddReport,
    Answer,
    Article,
    BuildReport,
    Filters,
    Hit,
    Progress,
    Sentence,
    Stats,
    Timeline,
)
from bot.engine.parties import Party, load_parties, resolve
from bot.engine.search.retrieve import NO_FILTERS, Query, check_filters, make_query, retrieve
from bot.engine.store.base import FORMAT, SharedIds, Snapshot, SourceInfo, Store
from bot.engine.store.choose import open_feed_list, open_store, shared_ids
from bot.engine.store.files import FileStore
from bot.errors import BadInput, IndexMissing, Retryable
from bot.i18n import N_
from bot.settings import Settings

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 500
ProgressFn = Callable[[Progress], None]
Day = date | None  # a filter's bound; None leaves that side of the window open
T = TypeVar("T")


class Engine:
    accepted_suffixes: tuple[str, ...] = tuple(SUFFIXES)  # the article files `add` can read

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        *,
        allow_hosts: frozenset[str] = frozenset(),
        store: Store | None = None,
    ) -> None:
        """`allow_hosts`: hosts fetched although private (TALKS_FETCH_ALLOW_HOSTS; see guard.py)."""
        self.settings = settings
        self.store: Store = open_store(settings) if store is None else store
        self.writer = IndexWriter(self.store, embedder, settings)
        self.fetcher = Fetcher(settings.fetch_timeout, settings.fetch_max_bytes, allow_hosts)
        self.feed_list = open_feed_list(settings)
        self._snapshot: Snapshot | None = None
        self._started = time.monotonic()
        self.today: Callable[[], date] = date.today  # the clock "last week" is read against
        self.generator = Writer.from_settings(settings, embedder.encode)  # None: generation off
        # The answer step's fitted weights and decline rules; `talks eval --cv` swaps them to
        # measure other choices on held-out questions.
        self.answer_weights: Weights = weights_for(embedder.name)
        self.answer_rules: Rules = ALL_RULES

    @property
    def embedder(self) -> Embedder:
        """One model for questions and for indexing: the writer's."""
        return self.writer.embedder

    @embedder.setter
    def embedder(self, embedder: Embedder) -> None:
        self.writer.embedder = embedder

    # ---- reading -------------------------------------------------------------------------
    def generation(self) -> Snapshot:
        """The live snapshot, reloaded if another writer (or process) swapped in a newer one."""
        name = self.store.current_name()
        snap = self._snapshot
        if snap is None or (name is not None and name != snap.name):
            snap = self.store.open(model=self.embedder.name, dim=self.embedder.dim)
            self._snapshot = snap
        return snap

    def _read(self, work: Callable[[Snapshot], T]) -> T:
        """`work` on the live generation as one read (a database store's one transaction).

        Run once more when the read was cut short by a passing cause — its connection lost to
        a server restart, or another generation swapped in between the check and the read — so
        a question asked across either gets its answer rather than an error.
        """
        try:
            snap = self.generation()
            with snap.reading():
                return work(snap)
        except Retryable as exc:
            log.debug("reading again: %s", exc)
        snap = self.generation()
        with snap.reading():
            return work(snap)

    def _question(self, question: str) -> str:
        question = " ".join(question.split())
        if not question:
            raise BadInput(N_("Please ask a question; it was empty."))
        if len(question) > MAX_QUESTION_CHARS:
            raise BadInput(
                N_("Please keep the question under {limit} characters."), limit=MAX_QUESTION_CHARS
            )
        return question

    def search(
        self,
        question: str,
        k: int | None = None,
        *,
        since: Day = None,
        until: Day = None,
        outlet: str | None = None,
    ) -> list[Hit]:
        """The passages that best match a question: fused, dated, one per syndicated story."""
        filters = self.filters(since, until, outlet)
        return self._read(
            lambda snap: self._retrieve(snap, self._query(snap, question), k, filters)
        )

    def _retrieve(self, snap: Snapshot, query: Query, k: int | None, filters: Filters) -> list[Hit]:
        s, k = self.settings, k or max(self.settings.top_k, 8)
        return retrieve(
            snap, query, k, filters, dense_weight=s.dense_weight, sparse_weight=s.sparse_weight
        )

    def ask(
        self,
        question: str,
        *,
        since: Day = None,
        until: Day = None,
        outlet: str | None = None,
        history: Sequence[Turn] = (),
    ) -> Answer:
        """Cited only from articles published `since`..`until` (inclusive) by `outlet`, if given.
        `history`: the earlier turns of the conversation; a follow-up borrows their context
        (conversation.py) and the Answer's `understood_as` says how it was read."""
        return self.asked(question, since=since, until=until, outlet=outlet, history=history).answer

    def asked(
        self,
        question: str,
        *,
        since: Day = None,
        until: Day = None,
        outlet: str | None = None,
        history: Sequence[Turn] = (),
    ) -> Asked:
        """`ask`, with what answering used: a language model's sources are chosen from it
        (`evidence`)."""
        return self._ask(question, self.filters(since, until, outlet), history)

    def _ask(self, question: str, filters: Filters, history: Sequence[Turn]) -> Asked:
        typed = self._question(question)

        def answer(snap: Snapshot) -> Asked:
            meant = conversation.resolve(
                typed, history, is_name=snap.sparse.is_name, today=self.today()
            )
            query = self._query(snap, meant.text, self.language_of(typed))
            hits = self._retrieve(snap, query, None, filters)
            found = self._answer(snap, query, hits, filters)
            return Asked(
                replace(found, question=typed, understood_as=meant.text), snap, query, hits
            )

        return self._read(answer)

    def _answer(self, snap: Snapshot, query: Query, hits: list[Hit], filters: Filters) -> Answer:
        answer = build_answer(
            query,
            hits,
            snap.sentences,
            corpus_facts(snap),
            self.answer_weights,
            max_sentences=self.settings.max_answer_sentences,
            threshold=self.settings.abstain_threshold,
            decline=filtered_decline(filters, query.language),
            rules=self.answer_rules,
        )
        if not self.answer_rules.positions:
            return answer
        # "What does X want now?": X's newest attributed statements lead (answer/positions.py)
        said = newest_statements(query, snap, self.parties(), self.embedder.encode_query, filters)
        return lead_with(
            answer, said, latest=query.time.latest, limit=self.settings.max_answer_sentences
        )

    def filters(self, since: Day = None, until: Day = None, outlet: str | None = None) -> Filters:
        """The filters checked against the index (BadInput if unusable), with the outlet spelled
        as stored; a front door can check them before it starts answering."""
        return check_filters(Filters(since, until, outlet), self.outlets)

    def outlets(self) -> list[str]:
        """The distinct outlet names of the indexed articles, sorted; what `outlet` may name."""
        return sorted({s.outlet for s in self.sources() if s.outlet}, key=str.casefold)

    def rank(self, question: str) -> Ranked | Answer:
        """The candidate sentences of a question with their features, or the decline it gets
        before ranking (for evaluation and fitting the weights)."""

        def ranked(snap: Snapshot) -> Ranked | Answer:
            query = self._query(snap, question)
            return self._rank(snap, query, self._retrieve(snap, query, None, NO_FILTERS))

        return self._read(ranked)

    def _rank(self, snap: Snapshot, query: Query, hits: Sequence[Hit]) -> Ranked | Answer:
        return rank(
            query,
            hits,
            snap.sentences,
            corpus_facts(snap),
            self.answer_weights,
            rules=self.answer_rules,
        )

    def evidence(self, asked: Asked | str) -> list[Source]:
        """The numbered sources a language model is shown for a question (answer/evidence.py),
        whether or not the extractive step's decline keeps it from being asked; none if the
        question is declined before ranking. No model call: what answering fetched, ranked again
        and cut to TALKS_LLM_CONTEXT_TOKENS (`talks eval`'s prompt recall, `make bench`)."""
        if isinstance(asked, str):
            asked = self.asked(asked)
        try:
            with asked.snap.reading():  # the view the answer was read from
                ranked = self._rank(asked.snap, asked.query, asked.hits)
                if isinstance(ranked, Answer):
                    return []
                return evidence.select(
                    ranked.units,
                    ranked.probability,
                    asked.snap.sentences,
                    self.settings.llm_context_tokens,
                    hits=ranked.hits,
                    pinned=_quoted(asked.answer, ranked.units, asked.snap),
                )
        except Retryable as exc:  # that generation is gone: the extractive answer stands
            log.info("no sources for the model (%s)", exc)
            return []

    def _query(self, snap: Snapshot, question: str, language: str | None = None) -> Query:
        text = self._question(question)
        spelled = lang.from_translit(text)  # "shcho skazav peskov" is read as "що сказав песков"
        if spelled is not None:
            text, language = spelled
        return make_query(
            text,
            snap,
            self.embedder.encode_query,
            self.today(),
            language or self.language_of(text),
        )

    def readable(self) -> frozenset[str] | None:
        """The languages the embedding model reads (None: not known, any is taken)."""
        languages: frozenset[str] | None = getattr(self.embedder, "languages", None)
        return languages

    def language_of(self, text: str) -> str:
        """The language to answer `text` in: its own, or the server's (TALKS_LANGUAGE) when it
        is too short to tell; a Ukrainian or Russian question typed in Latin letters is theirs."""
        spelled = lang.from_translit(text)
        return spelled[1] if spelled else lang.detect(text, self.settings.language)

    def ask_stream(
        self,
        question: str,
        on_text: OnText | None = None,
        *,
        since: Day = None,
        until: Day = None,
        outlet: str | None = None,
        history: Sequence[Turn] = (),
    ) -> Answer:
        """`ask`, then written by the configured language model, if any, from the filtered
        passages only (answer/generate.py): `on_text` sees the unchecked draft as it streams; the
        Answer holds only checked sentences, or is the extractive one (its `mode` says which)."""
        started = time.monotonic()
        asked = self.asked(question, since=since, until=until, outlet=outlet, history=history)
        answer = asked.answer
        if self.generator is None or answer.abstained:
            return answer  # a decline stands: nothing retrieved addresses the question
        meant = replace(answer, question=answer.understood_as)  # the model reads the resolved one
        written = self.generator.write(meant, self.evidence(asked), on_text, started)
        return replace(written, question=answer.question, understood_as=answer.understood_as)

    def sources(self) -> list[SourceInfo]:
        return self._read(lambda snap: snap.sources())

    # ---- positions over time ---------------------------------------------------------------
    def parties(self) -> list[Party]:
        """The bundled parties with the admin's additions (settings.parties_file)."""
        return load_parties(self.settings.parties_file)

    def speakers(self) -> list[str]:
        """The speaker names the indexed articles quote, the most quoted first."""
        counts = self._read(lambda snap: snap.speakers())
        return sorted(counts, key=lambda name: (-counts[name], name))

    def timeline(
        self,
        party: str,
        *,
        topic: str | None = None,
        since: Day = None,
        until: Day = None,
        limit: int = timelines.DEFAULT_LIMIT,
    ) -> Timeline:
        """Statements attributed to a party (or to one speaker) on a topic, oldest first."""
        if not 1 <= limit <= timelines.MAX_LIMIT:
            raise BadInput(f"The limit must be between 1 and {timelines.MAX_LIMIT}.")
        self.filters(since, until)  # the same checks as a question's period
        who, about = resolve(party, self.parties()), " ".join((topic or "").split()) or None
        return self._read(
            lambda snap: timelines.build(
                snap, who, topic=about, since=since, until=until, limit=limit,
                encode=self.embedder.encode_query,
            )
        )  # fmt: skip

    def stats(self) -> Stats:
        try:
            return self._read(self._stats)
        except IndexMissing:
            return self._stats(None)

    def _stats(self, snap: Snapshot | None) -> Stats:
        articles, chunks = snap.counts() if snap else (0, 0)
        return Stats(
            articles=articles,
            chunks=chunks,
            index_bytes=snap.size_bytes() if snap else 0,
            model=self.embedder.name,
            dense=snap.dense.kind if snap else "-",
            built_at=snap.manifest.built_at if snap else None,
            generation=snap.name if snap else None,
            uptime_seconds=time.monotonic() - self._started,
        )

    def is_stale(self) -> bool:
        """True if the corpus changed since the index was built (or no usable index exists)."""
        manifest = self.store.manifest()
        if manifest is None or manifest.model != self.embedder.name or manifest.format != FORMAT:
            return True
        return manifest.corpus_fingerprint != corpus.fingerprint(self.settings.corpus_dir)

    # ---- writing -------------------------------------------------------------------------
    def rebuild(
        self, progress: ProgressFn | None = None, *, reuse: Snapshot | None = None
    ) -> BuildReport:
        """Re-index corpus/ into a new generation; vectors of unchanged passages are reused —
        from `reuse` if given (another store's snapshot: moving files → PostgreSQL)."""
        report = progress or (lambda p: None)
        started = time.monotonic()
        fingerprint = corpus.fingerprint(self.settings.corpus_dir)
        report(Progress("reading", 0, 1))
        articles, problems = read_corpus(self.settings.corpus_dir)
        articles = unique(articles, problems)
        articles, refused = lang.label(articles, self.readable())
        problems = problems + refused
        for line in problems:
            log.warning("skipped: %s", line)
        if reuse is None:
            name, embedded, chunks = self.writer.rebuild(articles, fingerprint, report)
        else:
            name, embedded, chunks = rebuild_reusing(
                self.writer, reuse, articles, fingerprint, report
            )
        self.generation()
        report(Progress("done", 1, 1, len(articles), chunks))
        seconds = time.monotonic() - started
        return BuildReport(len(articles), chunks, embedded, seconds, problems, name)

    def import_files_index(self, progress: ProgressFn | None = None) -> BuildReport:
        """`rebuild` into this engine's store (a database), reusing the vectors of the files
        index in index_dir: moving to PostgreSQL without running the model again."""
        files = FileStore(self.settings.index_dir)
        source = files.open(model=self.embedder.name, dim=self.embedder.dim)
        try:
            return self.rebuild(progress, reuse=source)
        finally:
            source.close()

    def add(self, inputs: Sequence[Input]) -> AddReport:
        """URLs, file paths, (name, bytes) uploads and Articles, mixed; one new generation.

        A string is a URL if it has a scheme, else a path. Inputs that cannot be used become
        report lines and change nothing; errors of the index itself raise.
        """
        return changes.add(self.writer, self.fetcher, inputs)

    def remove(self, source_id: str) -> Article:
        """Remove an article from the index and its file (or .jsonl line) from corpus/."""
        return changes.remove(self.writer, source_id)

    def shared_ids(self, key: str) -> SharedIds | None:
        """A set of ids all processes on this store share (Q&A channels), or None if each keeps
        its own (the files store)."""
        return shared_ids(self.settings, key)

    # ---- feeds ---------------------------------------------------------------------------
    def add_feed(self, url: str) -> Feed:
        """Follow an RSS/Atom feed; it is fetched and parsed once to check it."""
        return feeds.add_feed(self.feed_list, self.fetcher, url)

    def feeds(self) -> list[Feed]:
        return self.feed_list.load()

    def remove_feed(self, url: str) -> Feed:
        return feeds.remove_feed(self.feed_list, url)

    def poll_feeds(self) -> PollReport:
        """Fetch every feed and add the articles of entries not seen before, in one update."""
        return feeds.poll(self.feed_list, self.fetcher, self.writer)


@dataclass(frozen=True)
class Asked:
    """A question answered, with what answering it used: the snapshot, the question as searched
    and the passages found. A language model's sources are chosen from these (Engine.evidence)."""

    answer: Answer
    snap: Snapshot
    query: Query
    hits: list[Hit]


def _quoted(answer: Answer, units: Sequence[Sentence], snap: Snapshot) -> list[Sentence]:
    """The sentences the extractive answer quotes, found among the ranked ones or, for a quote
    from another article (the newest statements that lead answers about "now"), in the index."""
    out: list[Sentence] = []
    for citation in answer.citations:
        pool = [u for u in units if u.article.id == citation.article.id]
        pool = pool or snap.sentences([citation.article.id])
        out += [s for s in pool if s.text == citation.quote][:1]
    return out


def open_engine(settings: Settings, *, bulk: bool = False) -> Engine:
    """Load the configured embedding model (once) and wrap it in an Engine.

    `bulk` is for commands that mostly build an index: they get every core unless the settings
    fix a thread count; everything else answers questions on one thread.
    """
    from bot.engine.index.embed import load_embedder, use_threads

    use_threads(settings.threads or ((os.cpu_count() or 1) if bulk else 1))
    embedder = load_embedder(
        settings.embedding_model,
        batch_size=settings.embedding_batch_size,
        backend=settings.embedding_backend,
    )
    return Engine(settings, embedder, allow_hosts=frozenset(settings.fetch_allow_hosts))
