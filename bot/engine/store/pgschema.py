"""The PostgreSQL schema, versioned: ordered migrations, each applied once, in one transaction.

`talks db init` and `talks db migrate` both run `migrate`; the store refuses a database whose
schema is missing or older than this code (SchemaError says what to do). A new column is a new
migration appended to MIGRATIONS, never an edit of an applied one.

Vectors: `chunks.embedding` is a plain `vector` (any dimension); each model dimension gets its own
partial HNSW index on `embedding::vector(d)` with inner product, which on unit vectors is the
cosine the files store's FAISS index uses. A model change then needs no ALTER that would wait for
every reader.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import psycopg

from bot.engine.store.pgerrors import connect_error, translated
from bot.errors import ConfigError, DatabaseError, SchemaError

SCHEMA_LOCK = 0x74616C6B  # advisory lock: one migrator at a time ("talk")
MIGRATION_LOCK_WAIT = "5s"  # lock_timeout of each migration statement
MIGRATION_TRIES = 3
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "index: articles, passages with vectors, sentences, the BM25 side, the live generation",
        """
        CREATE EXTENSION IF NOT EXISTS vector;
        CREATE TABLE talks_live (
            one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
            name TEXT NOT NULL, manifest JSONB NOT NULL
        );
        CREATE SEQUENCE talks_generation;
        CREATE TABLE articles (
            id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, source TEXT NOT NULL,
            url TEXT, outlet TEXT, published DATE, language TEXT,
            added_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            url_key TEXT, text_key TEXT NOT NULL UNIQUE, minhash BYTEA NOT NULL, dup_group TEXT
        );
        CREATE INDEX articles_url_key ON articles (url_key);
        CREATE INDEX articles_dup_group ON articles (dup_group);
        CREATE INDEX articles_published ON articles (published);
        CREATE INDEX articles_outlet ON articles (outlet);
        CREATE TABLE chunks (
            id BIGSERIAL PRIMARY KEY,
            chunk_id TEXT NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            ord INTEGER NOT NULL, heading TEXT, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            text TEXT NOT NULL, ekey TEXT NOT NULL, embedding vector NOT NULL
        );
        CREATE INDEX chunks_article ON chunks (article_id);
        CREATE INDEX chunks_ekey ON chunks (ekey);
        CREATE TABLE sentences (
            id BIGSERIAL PRIMARY KEY,
            chunk BIGINT NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
            article_id TEXT NOT NULL, ord INTEGER NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL, vector BYTEA NOT NULL
        );
        CREATE INDEX sentences_article ON sentences (article_id);
        CREATE INDEX sentences_chunk ON sentences (chunk);
        CREATE TABLE sparse_files (
            generation TEXT NOT NULL, name TEXT NOT NULL, data BYTEA NOT NULL,
            PRIMARY KEY (generation, name)
        );
        """,
    ),
    (
        2,
        "shared state: followed feeds and Q&A channels, one JSON document per key",
        """
        CREATE TABLE talks_state (
            key TEXT PRIMARY KEY, value JSONB NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        """,
    ),
    (
        3,
        "who said each sentence (timelines), with its article's date for reads by period",
        """
        ALTER TABLE sentences ADD COLUMN speaker TEXT, ADD COLUMN published DATE;
        CREATE INDEX sentences_said ON sentences (speaker, published) WHERE speaker IS NOT NULL;
        """,
    ),
    (
        4,
        "feedback: answers shown with vote buttons, one vote per (salted) user, the salt",
        """
        CREATE TABLE feedback_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE feedback_answers (
            message_id BIGINT PRIMARY KEY,
            question TEXT NOT NULL, understood_as TEXT NOT NULL, answer TEXT NOT NULL,
            abstained BOOLEAN NOT NULL, citations JSONB NOT NULL,
            guild_id BIGINT, channel_id BIGINT, at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX feedback_answers_guild ON feedback_answers (guild_id);
        CREATE TABLE feedback_votes (
            message_id BIGINT NOT NULL
                REFERENCES feedback_answers (message_id) ON DELETE CASCADE,
            voter TEXT NOT NULL, up BOOLEAN NOT NULL, reason TEXT NOT NULL DEFAULT '',
            at DOUBLE PRECISION NOT NULL,
            seq BIGINT GENERATED ALWAYS AS IDENTITY,
            PRIMARY KEY (message_id, voter)
        );
        """,
    ),
)
LATEST = MIGRATIONS[-1][0]


READER = "talks"  # application_name of reading sessions, as pg_stat_activity shows them
WRITER = "talks-writer"  # …and of the writer's lock and draft sessions
# Defaults a URL may override: a server that does not answer fails a connect in 5 s, and a
# connection whose server vanished (no FIN: a crash, a cut network) is found dead in ≈ 25 s by
# TCP keepalives instead of the kernel's two hours.
CONNECT_DEFAULTS = {
    "connect_timeout": "5",
    "keepalives": "1",
    "keepalives_idle": "10",
    "keepalives_interval": "5",
    "keepalives_count": "3",
}
BAD_URL = (
    "TALKS_DATABASE_URL is not a valid PostgreSQL URL; write it as "
    "postgresql://user:password@host:5432/database."
)


def conninfo(url: str, name: str = READER, session: Mapping[str, str] | None = None) -> str:
    """The connection string: talks' defaults under the URL's own, and `session` settings sent
    with the startup packet (libpq's `options`), so they hold from the first statement on, with
    no round trip. libpq quotes a string it cannot parse, password and all, so its message is
    never passed on."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        given = conninfo_to_dict(url)
    except psycopg.Error:
        raise ConfigError(BAD_URL) from None
    ours = " ".join(f"-c {key}={value}" for key, value in (session or {}).items())
    options = " ".join(o for o in (ours, str(given.pop("options", ""))) if o)
    extra = {"options": options} if options else {}
    return make_conninfo("", **{"application_name": name, **CONNECT_DEFAULTS, **given, **extra})


def connect(
    url: str,
    *,
    autocommit: bool = False,
    name: str = READER,
    session: Mapping[str, str] | None = None,
) -> psycopg.Connection[Any]:
    """A connection to a database with the current schema, the vector type registered;
    SchemaError if the schema is missing or of another version, a one-line DatabaseError for
    anything else (pgerrors)."""
    from pgvector.psycopg import register_vector

    conn = open_connection(url, autocommit=autocommit, name=name, session=session)
    try:
        with translated():
            check(conn)
            if not autocommit:
                conn.rollback()  # the caller chooses how its first transaction begins
            register_vector(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def open_connection(
    url: str,
    *,
    autocommit: bool = False,
    name: str = READER,
    session: Mapping[str, str] | None = None,
) -> psycopg.Connection[Any]:
    """A bare connection; a failure says why in one line (down, login, no such database…)."""
    try:
        return psycopg.connect(conninfo(url, name, session), autocommit=autocommit)
    except psycopg.OperationalError as exc:
        raise connect_error(exc, url) from None


def version(conn: psycopg.Connection[Any]) -> int:
    """The highest applied migration, 0 for a database talks never touched."""
    exists = conn.execute("SELECT to_regclass('talks_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM talks_migrations").fetchone()
    return int(row[0]) if row else 0


def migrate(url: str) -> list[str]:
    """Apply the migrations this database lacks, each in its own transaction; their names.

    Bots may keep running: each statement waits at most MIGRATION_LOCK_WAIT for a table lock (a
    running question holds one briefly), so a migration never queues every new question behind
    it for long; it tries again up to MIGRATION_TRIES times, then says so.
    """
    applied: list[str] = []
    with open_connection(url, autocommit=True, name=WRITER) as conn, translated():
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        conn.execute(f"SET lock_timeout = '{MIGRATION_LOCK_WAIT}'")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS talks_migrations (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        have = version(conn)
        for number, name, sql in MIGRATIONS:
            if number > have:
                _apply(conn, number, name, sql)
                applied.append(f"{number}: {name}")
        conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))
    return applied


def _apply(conn: psycopg.Connection[Any], number: int, name: str, sql: str) -> None:
    for attempt in range(1, MIGRATION_TRIES + 1):
        try:
            with conn.transaction():
                conn.execute(sql.encode())
                conn.execute(
                    "INSERT INTO talks_migrations (version, name) VALUES (%s, %s)", (number, name)
                )
            return
        except psycopg.errors.LockNotAvailable:
            if attempt == MIGRATION_TRIES:
                raise DatabaseError(
                    f"Migration {number} waited {MIGRATION_TRIES} times {MIGRATION_LOCK_WAIT} for "
                    "a table lock; a long query or an open transaction holds one (see "
                    "pg_stat_activity). Try again when it has finished."
                ) from None
            time.sleep(attempt)  # the lock holder is usually one question: give it a moment


def check(conn: psycopg.Connection[Any]) -> None:
    """SchemaError unless the schema is the one this code was written for."""
    have = version(conn)
    if have < LATEST:
        what = "has no talks schema yet" if have == 0 else f"has schema version {have}"
        raise SchemaError(
            f"The database {what}; this version of talks needs {LATEST}. Migrate it first."
        )
    if have > LATEST:
        raise SchemaError(
            f"The database has schema version {have}, newer than this version of talks "
            f"knows ({LATEST}); upgrade talks."
        )


def ensure_dense_index(conn: psycopg.Connection[Any], dim: int) -> None:
    """The HNSW index for vectors of `dim` dimensions (inner product), if not there yet.

    Looked up first: CREATE INDEX IF NOT EXISTS needs the table's owner even when the index
    exists, and a writer may be a role that was only granted the rights to write rows.
    """
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [f"chunks_hnsw_{int(dim)}"])
    row = exists.fetchone()
    if row and row[0]:
        return
    conn.execute(
        f"CREATE INDEX IF NOT EXISTS chunks_hnsw_{int(dim)} ON chunks USING hnsw"
        f" ((embedding::vector({int(dim)})) vector_ip_ops)"
        f" WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})"
        f" WHERE vector_dims(embedding) = {int(dim)}"
    )
