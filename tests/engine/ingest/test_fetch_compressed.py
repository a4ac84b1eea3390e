"""Compressed bodies: decoded by us, one layer at most, counted after decoding (issue 10, item 1)."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest

from bot.engine.ingest.decode import SLICE, TooLarge, decoded
from bot.engine.ingest.fetch import fetch, fetch_article
from bot.errors import FetchError

from .conftest import FIXTURES, LOCAL, LocalServer

MB = 1_000_000
ARTICLE = (FIXTURES / "article.html").read_bytes()


def bomb(decoded_size: int, wbits: int = 16 + zlib.MAX_WBITS) -> bytes:
    """`decoded_size` zero bytes, compressed (a gzip bomb by default), built without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(MB)
    parts = [packer.compress(block) for _ in range(decoded_size // MB)]
    return b"".join([*parts, packer.flush()])


BOMB = bomb(1000 * MB)  # 1 GB of zeros in about 1 MB


def get(url: str, **kwargs: object):
    options = {"timeout": 5.0, "max_bytes": 5 * MB, "allow_hosts": LOCAL} | kwargs
    return fetch(url, **options)  # type: ignore[arg-type]


def test_a_gzip_page_is_read(server: LocalServer) -> None:
    url = server.add("/gz", gzip.compress(ARTICLE), headers={"Content-Encoding": "gzip"})

    assert get(url).body == ARTICLE
    article = fetch_article(url, timeout=5, max_bytes=MB, allow_hosts=LOCAL).article
    assert article.title == "Negotiators meet in Istanbul for new round of talks"
    assert server.requests[0][1]["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_a_deflate_page_is_read_with_or_without_the_zlib_header(
    server: LocalServer, wbits: int
) -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = packer.compress(ARTICLE) + packer.flush()
    url = server.add("/deflate", body, headers={"Content-Encoding": "deflate"})

    assert get(url).body == ARTICLE


def test_a_gzip_bomb_is_refused_with_memory_bounded(server: LocalServer) -> None:
    url = server.add("/bomb", BOMB, headers={"Content-Encoding": "gzip"})

    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as refused:
            get(url, max_bytes=5 * MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert str(refused.value) == f"{url} is larger than the 5 MB limit."
    assert peak < 30 * MB  # the body may hold 5 MB; 1 GB was on offer


def test_a_streamed_bomb_stops_being_read(server: LocalServer) -> None:
    def stream() -> Iterator[bytes]:
        for start in range(0, len(BOMB), 16_384):
            yield BOMB[start : start + 16_384]

    url = server.add("/bomb-stream", stream, headers={"Content-Encoding": "gzip"})

    with pytest.raises(FetchError, match=r"is larger than the 1 MB limit\.$"):
        get(url, max_bytes=MB)


def test_the_decoder_never_produces_more_than_the_cap_plus_one_slice() -> None:
    produced: list[int] = []
    chunks = (BOMB[i : i + 65_536] for i in range(0, len(BOMB), 65_536))

    with pytest.raises(TooLarge):
        for piece in decoded(chunks, "gzip", 2 * MB):
            produced.append(len(piece))

    assert max(produced) <= SLICE
    assert sum(produced) <= 2 * MB


def test_the_deadline_is_checked_while_decoding() -> None:
    calls: list[int] = []

    def check() -> None:
        calls.append(1)
        if len(calls) > 10:
            raise FetchError("late")

    with pytest.raises(FetchError, match="late"):
        for _ in decoded([BOMB], "gzip", 10**12, check):  # one raw chunk, many slices
            pass

    assert len(calls) == 11


@pytest.mark.parametrize(
    ("encoding", "body", "message"),
    [
        (
            "gzip, gzip",
            gzip.compress(gzip.compress(ARTICLE)),
            "is compressed in layers (gzip, gzip); only one layer of gzip or deflate is accepted.",
        ),
        (
            "deflate,gzip",
            gzip.compress(zlib.compress(ARTICLE)),
            "is compressed in layers (deflate, gzip); only one layer of gzip or deflate is accepted.",
        ),
        (
            "zstd",
            bytes.fromhex("28b52ffd") + ARTICLE[:64],
            "is compressed with zstd; only gzip or deflate is accepted.",
        ),
        ("br", b"\x1b" + ARTICLE[:64], "is compressed with br; only gzip or deflate is accepted."),
        ("compress", ARTICLE, "is compressed with compress; only gzip or deflate is accepted."),
        ("x-unknown", ARTICLE, "is compressed with x-unknown; only gzip or deflate is accepted."),
    ],
)
def test_other_encodings_are_refused_before_reading(
    server: LocalServer, encoding: str, body: bytes, message: str
) -> None:
    url = server.add("/enc", body, headers={"Content-Encoding": encoding})

    with pytest.raises(FetchError) as refused:
        get(url)

    assert str(refused.value) == f"Refused: {url} {message}"


def test_identity_is_no_encoding(server: LocalServer) -> None:
    url = server.add("/plain", ARTICLE, headers={"Content-Encoding": "identity"})

    assert get(url).body == ARTICLE


def test_a_corrupt_gzip_body_is_one_clear_line(server: LocalServer) -> None:
    url = server.add(
        "/bad", b"\x1f\x8b\x08\x00not gzip at all", headers={"Content-Encoding": "gzip"}
    )

    with pytest.raises(FetchError, match=r"^Could not read .*/bad \(the body is not valid gzip"):
        get(url)
