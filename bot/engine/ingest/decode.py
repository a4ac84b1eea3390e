"""Undo a response's Content-Encoding ourselves, counting the bytes it decodes to.

httpx would decode whatever the server names — layered (`gzip, gzip`), zstd — and its size
check only sees each decoded read after the fact, so a 2 kB body could grow to gigabytes
before it was refused. Here the raw bytes are decoded in slices of at most `SLICE` bytes of
output (zlib's `max_length`), so no step can produce more than that, and the total is checked
against the cap (and the caller's deadline) after every slice.

Only one layer of gzip or deflate is accepted; that is also all we ask for (`ACCEPT_ENCODING`).
Anything else — layered, zstd, br, compress, unknown — is refused with one line. Brotli is not
offered: it would need another native package just to save a little bandwidth on pages of a
few hundred kilobytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator

from bot.errors import FetchError

ACCEPT_ENCODING = "gzip, deflate"
SLICE = 64 * 1024  # the most one decoding step may produce
_GZIP = frozenset({"gzip", "x-gzip"})
_DEFLATE = frozenset({"deflate"})


class TooLarge(FetchError):
    """The decoded body passed the size limit (the caller words the message)."""


class Undecodable(FetchError):
    """The body is not what its Content-Encoding says (the caller names the URL)."""


def encodings(header: str) -> list[str]:
    """The codings a Content-Encoding header names, in the order they were applied."""
    names = [part.strip().lower() for part in header.split(",")]
    return [name for name in names if name and name != "identity"]


def check_encoding(header: str, url: str) -> str | None:
    """The one coding we will undo ("gzip" or "deflate"), None for none; refuse anything else."""
    names = encodings(header)
    if len(names) > 1:
        raise FetchError(
            f"Refused: {url} is compressed in layers ({', '.join(names)}); "
            "only one layer of gzip or deflate is accepted."
        )
    if not names:
        return None
    if names[0] in _GZIP:
        return "gzip"
    if names[0] in _DEFLATE:
        return "deflate"
    raise FetchError(
        f"Refused: {url} is compressed with {names[0]}; only gzip or deflate is accepted."
    )


def decoded(
    chunks: Iterable[bytes],
    coding: str | None,
    limit: int,
    check: Callable[[], None] = lambda: None,
) -> Iterator[bytes]:
    """The decoded body in slices of at most SLICE bytes; `TooLarge` once it passes `limit`.

    `check` runs before every raw chunk and every decoded slice (the fetcher's deadline).
    """

    def checked() -> Iterator[bytes]:
        for chunk in chunks:
            check()
            yield chunk

    total = 0
    for piece in _slices(checked(), coding):
        total += len(piece)
        if total > limit:
            raise TooLarge(f"larger than {limit} bytes once decoded")
        check()
        yield piece


def _slices(chunks: Iterable[bytes], coding: str | None) -> Iterator[bytes]:
    if coding is None:
        for chunk in chunks:
            for start in range(0, len(chunk), SLICE):
                yield chunk[start : start + SLICE]
        return
    inflater = _Inflater(coding)
    for chunk in chunks:
        yield from inflater.feed(chunk)
    yield from inflater.finish()


class _Inflater:
    """zlib with bounded output; HTTP "deflate" is zlib-wrapped, though some servers send raw."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        wbits = 16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS
        self.obj = zlib.decompressobj(wbits)
        self.started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not data or self.obj.eof:
            return  # bytes after the end of the stream are ignored, as browsers do
        if not self.started and self.coding == "deflate" and not _zlib_header(data):
            self.obj = zlib.decompressobj(-zlib.MAX_WBITS)  # a raw deflate stream
        self.started = True
        try:
            while not self.obj.eof:
                out = self.obj.decompress(data, SLICE)
                data = self.obj.unconsumed_tail
                if out:
                    yield out
                if not data and len(out) < SLICE:
                    break  # input used up and nothing held back
        except zlib.error as exc:
            raise Undecodable(f"the body is not valid {self.coding} ({exc})") from None

    def finish(self) -> Iterator[bytes]:
        """What zlib still holds; small, since `feed` drained every full slice."""
        rest = b"" if self.obj.eof else self.obj.flush()
        if rest:
            yield rest


def _zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
