"""A small web server on 127.0.0.1 for the ingest tests, and guards that catch network use."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
LOCAL = frozenset({"127.0.0.1"})


@dataclass
class Route:
    status: int
    headers: dict[str, str]
    body: bytes | Callable[[], Iterator[bytes]]


@dataclass
class LocalServer:
    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(
        self,
        path: str,
        body: bytes | Callable[[], Iterator[bytes]] = b"",
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> str:
        """Serve `body` at `path`; a callable body is streamed without a Content-Length."""
        all_headers = {"Content-Type": content_type} if content_type else {}
        self.routes[path] = Route(status, all_headers | (headers or {}), body)
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.add(path, status=status, content_type=None, headers={"Location": location})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        local = self.server.local
        local.requests.append((self.path, dict(self.headers)))
        route = local.routes.get(self.path, Route(404, {"Content-Type": "text/plain"}, b"nope"))
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if isinstance(route.body, bytes):
            if "Content-Length" not in route.headers:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self._write(local, route.body)
            return
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for chunk in route.body():
            if not self._write(local, chunk):
                return

    def _write(self, local: LocalServer, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return False
        local.sent[self.path] = local.sent.get(self.path, 0) + len(data)
        return True

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    local: LocalServer

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients hang up on purpose
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def _running_server() -> Iterator[LocalServer]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.local = LocalServer(port=httpd.server_address[1])
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield httpd.local
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def server(_running_server: LocalServer) -> LocalServer:
    _running_server.routes.clear()
    _running_server.requests.clear()
    _running_server.sent.clear()
    return _running_server


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record every outgoing TCP connection; only 127.0.0.1 may actually be reached."""
    made: list[tuple[str, int]] = []
    real = socket.create_connection

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        made.append((address[0], address[1]))
        if address[0] != "127.0.0.1":
            raise AssertionError(f"tried to connect to {address}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return made


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail loudly on any DNS lookup or connection; returns what was attempted."""
    attempts: list[str] = []

    def forbidden(what: str) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            attempts.append(f"{what}{args}")
            raise AssertionError(f"network used: {what}{args}")

        return call

    monkeypatch.setattr(socket, "getaddrinfo", forbidden("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", forbidden("create_connection"))
    monkeypatch.setattr(socket.socket, "connect", forbidden("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", forbidden("connect_ex"))
    return attempts
