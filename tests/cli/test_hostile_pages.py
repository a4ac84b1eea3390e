"""Hostile pages through `talks add`, as an outside test would serve them (issue 10, contract).

The production wiring is used: TALKS_FETCH_ALLOW_HOSTS lets the engine fetch from the local
server; only the embedding model is swapped for the fast fake.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

import bot.cli.app
import bot.engine.index.embed
from bot.engine.engine import open_engine
from tests.cli.conftest import Run
from tests.conftest import WordHashEmbedder
from tests.engine.ingest.conftest import LocalServer, _running_server, server
from tests.engine.update.conftest import STORIES, page, snapshot

__all__ = ["_running_server", "server"]  # the local web server fixtures
MB = 1_000_000


def gzip_bomb(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(bytes(MB)) for _ in range(size // MB)]
    return b"".join([*parts, packer.flush()])


@pytest.fixture
def production(talks: Run, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setattr(bot.cli.app, "open_engine", open_engine)
    monkeypatch.setattr(bot.engine.index.embed, "SentenceTransformerEmbedder", _fake_model)
    assert talks("index").exit_code == 0
    return talks


def _fake_model(*args: object, **kwargs: object) -> WordHashEmbedder:
    return WordHashEmbedder()


def test_the_setting_lets_a_local_server_be_fetched(
    production: Run, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = server.add("/energy", page(*STORIES["energy"]))

    refused = production("add", url)
    monkeypatch.setenv("TALKS_FETCH_ALLOW_HOSTS", "example.org, 127.0.0.1")
    added = production("add", url)

    assert refused.exit_code == 1 and "127.0.0.1 is a loopback address" in refused.output
    assert added.exit_code == 0 and "Added 1 article(s)" in added.output


@pytest.mark.parametrize(
    ("body", "encoding", "problem"),
    [
        (gzip_bomb(500 * MB), "gzip", "{url} is larger than the 5 MB limit."),
        (
            gzip.compress(gzip.compress(page(*STORIES["energy"]))),
            "gzip, gzip",
            "Refused: {url} is compressed in layers (gzip, gzip); "
            "only one layer of gzip or deflate is accepted.",
        ),
        (
            bytes.fromhex("28b52ffd") + bytes(64),
            "zstd",
            "Refused: {url} is compressed with zstd; only gzip or deflate is accepted.",
        ),
    ],
    ids=["bomb", "layered", "zstd"],
)
def test_a_hostile_body_is_one_line_and_changes_nothing(
    production: Run,
    server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
    corpus: Path,
    tmp_path: Path,
    body: bytes,
    encoding: str,
    problem: str,
) -> None:
    monkeypatch.setenv("TALKS_FETCH_ALLOW_HOSTS", '["127.0.0.1"]')
    url = server.add("/hostile", body, headers={"Content-Encoding": encoding})
    before = snapshot(corpus), snapshot(tmp_path / "index")

    result = production("add", url)

    assert result.exit_code == 1
    assert result.output.splitlines() == [f"problem: {problem.format(url=url)}"]
    assert (snapshot(corpus), snapshot(tmp_path / "index")) == before


def test_an_invalid_host_list_is_one_line(production: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALKS_FETCH_ALLOW_HOSTS", '["127.0.0.1"')

    result = production("sources")

    assert result.exit_code == 1
    assert result.output.startswith("error: Invalid setting TALKS_FETCH_ALLOW_HOSTS")
    assert len(result.output.strip().splitlines()) == 1
