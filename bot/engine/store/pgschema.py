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

from typing import Any

import psycopg

from bot.errors import ConfigError, SchemaError

SCHEMA_LOCK = 0x74616C6B  # advisory lock: one migrator at a time ("talk")
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


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A connection to a database with the current schema, the vector type registered;
    SchemaError if the schema is missing or of another version."""
    from pgvector.psycopg import register_vector

    conn = _connect(url, autocommit=autocommit)
    try:
        check(conn)
        if not autocommit:
            conn.rollback()  # the caller chooses how its first transaction begins
        register_vector(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _connect(url: str, *, autocommit: bool) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(url, autocommit=autocommit, application_name="talks")
    except psycopg.OperationalError:
        raise ConfigError(
            "Cannot connect to the PostgreSQL database; check TALKS_DATABASE_URL and that the "
            "server is running."
        ) from None


def version(conn: psycopg.Connection[Any]) -> int:
    """The highest applied migration, 0 for a database talks never touched."""
    exists = conn.execute("SELECT to_regclass('talks_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM talks_migrations").fetchone()
    return int(row[0]) if row else 0


def migrate(url: str) -> list[str]:
    """Apply the migrations this database lacks, each in its own transaction; their names."""
    applied: list[str] = []
    with _connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS talks_migrations (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        have = version(conn)
        for number, name, sql in MIGRATIONS:
            if number <= have:
                continue
            with conn.transaction():
                conn.execute(sql.encode())
                conn.execute(
                    "INSERT INTO talks_migrations (version, name) VALUES (%s, %s)", (number, name)
                )
            applied.append(f"{number}: {name}")
        conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))
    return applied


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
    """The HNSW index for vectors of `dim` dimensions (inner product), if not there yet."""
    conn.execute(
        f"CREATE INDEX IF NOT EXISTS chunks_hnsw_{int(dim)} ON chunks USING hnsw"
        f" ((embedding::vector({int(dim)})) vector_ip_ops)"
        f" WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})"
        f" WHERE vector_dims(embedding) = {int(dim)}"
    )
