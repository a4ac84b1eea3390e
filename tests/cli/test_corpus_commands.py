"""`talks add`, `talks remove`, `talks feeds …`: what an admin types and sees.

`talks` (tests/cli/conftest.py) is the production setup: no host is exempt from the address
checks. `talks_local` may fetch from the test server on 127.0.0.1, as only tests can.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.cli.app
from bot.engine.engine import Engine
from bot.settings import Settings
from tests.cli.conftest import Run
from tests.conftest import WordHashEmbedder
from tests.engine.ingest.conftest import LOCAL, LocalServer, _running_server, server
from tests.engine.update.conftest import STORIES, page, rss, story, wire_copy

__all__ = ["_running_server", "server"]  # the local web server fixtures


@pytest.fixture
def talks_local(talks: Run, monkeypatch: pytest.MonkeyPatch) -> Run:
    def local_engine(settings: Settings, *, bulk: bool = False) -> Engine:
        return Engine(settings, WordHashEmbedder(), allow_hosts=LOCAL)

    monkeypatch.setattr(bot.cli.app, "open_engine", local_engine)
    assert talks("index").exit_code == 0
    return talks


def test_add_files_and_urls_together(talks_local: Run, server: LocalServer, tmp_path: Path) -> None:
    (tmp_path / "energy.md").write_text(story("energy"), encoding="utf-8")
    url = server.add("/news/nuclear", page(*STORIES["nuclear"]))

    result = talks_local("add", str(tmp_path / "energy.md"), url)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(
        line.startswith("added ") and "Energy truce proposal gains support" in line
        for line in lines
    )
    assert any("Zaporizhzhia plant discussed in separate channel" in line for line in lines)
    assert "Added 2 article(s)" in result.output
    asked = talks_local("ask", "What about the Zaporizhzhia nuclear plant?")
    assert "[1] Zaporizhzhia plant discussed in separate channel" in asked.output


def test_add_reports_duplicates_without_failing(talks_local: Run, corpus: Path) -> None:
    result = talks_local("add", str(corpus / "grain.md"))
    assert result.exit_code == 0
    assert "already indexed as" in result.output


def test_add_with_only_problems_fails_with_one_line_each(talks_local: Run, tmp_path: Path) -> None:
    (tmp_path / "photo.md").write_bytes(b"\x89PNG\r\n\x00\x00")

    result = talks_local("add", str(tmp_path / "photo.md"), str(tmp_path / "missing.md"))

    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("problem:")]
    assert problems == [
        "problem: photo.md: looks like a binary file, not text.",
        f"problem: {tmp_path / 'missing.md'}: no such file.",
    ]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:{port}/x", "Refused: 127.0.0.1 is a loopback address."),
        ("http://2130706433:{port}/x", "Refused: 2130706433 is 127.0.0.1, a loopback address."),
        ("http://[::ffff:127.0.0.1]:{port}/x", "loopback address (IPv4-mapped 127.0.0.1)"),
        ("http://localhost:{port}/x", "Refused: localhost is a local host name."),
        ("http://10.0.0.5/admin", "Refused: 10.0.0.5 is a private address."),
        ("file:///etc/passwd", "only http and https URLs are fetched"),
    ],
)
def test_add_refuses_internal_addresses(
    talks: Run, server: LocalServer, url: str, reason: str
) -> None:
    """Without the test allowance, as in production: refused before any request is sent."""
    talks("index")
    server.add("/x", page(*STORIES["energy"]))

    result = talks("add", url.format(port=server.port))

    assert result.exit_code == 1
    assert reason in result.output
    assert server.requests == []


def test_add_refuses_a_redirect_to_an_internal_address(
    talks_local: Run, server: LocalServer
) -> None:
    """Even an allowed host cannot hand us on to the cloud metadata service."""
    server.redirect("/story", "http://169.254.169.254/latest/meta-data/")

    result = talks_local("add", server.url("/story"))

    assert result.exit_code == 1
    assert "Refused: 169.254.169.254 is a link-local address." in result.output
    assert [path for path, _ in server.requests] == ["/story"]


def test_remove_by_id(talks_local: Run, corpus: Path) -> None:
    listed = talks_local("sources").output
    grain_id = next(line.split("\t")[0] for line in listed.splitlines() if "Grain corridor" in line)

    result = talks_local("remove", grain_id)

    assert result.exit_code == 0
    assert (
        f"removed {grain_id}  Grain corridor reopens in the Black Sea  (grain.md)" in result.output
    )
    assert not (corpus / "grain.md").exists()
    assert "Grain corridor" not in talks_local("sources").output


def test_remove_unknown_id_is_one_line(talks_local: Run) -> None:
    result = talks_local("remove", "nope")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: No indexed article has the id 'nope'; the list of sources shows them."
    ]


def test_feeds_add_list_poll_remove(talks_local: Run, server: LocalServer) -> None:
    article = server.add("/news/energy", page(*STORIES["energy"]))
    feed = server.add("/rss", rss(("Energy", article)), content_type="application/rss+xml")

    assert talks_local("feeds", "poll").exit_code == 1  # nothing to poll yet
    added = talks_local("feeds", "add", feed)
    assert added.exit_code == 0 and f"following {feed} (1 entries now)" in added.output
    listed = talks_local("feeds", "list")
    assert feed in listed.output and "never" in listed.output
    polled = talks_local("feeds", "poll")
    assert polled.exit_code == 0
    assert f"{feed}: 1 new, 0 already indexed, 0 error(s)" in polled.output
    assert "Energy truce proposal gains support" in polled.output
    assert f"{feed}: 0 new" in talks_local("feeds", "poll").output
    removed = talks_local("feeds", "remove", feed)
    assert removed.exit_code == 0 and "no longer following" in removed.output
    assert "No feeds yet" in talks_local("feeds", "list").output


def test_feeds_add_refuses_what_is_not_a_feed(talks_local: Run, server: LocalServer) -> None:
    url = server.add("/notes.txt", b"just some words", content_type="text/plain")
    result = talks_local("feeds", "add", url)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"error: {url} is not an RSS or Atom feed."]


def test_feeds_add_refuses_internal_addresses(talks: Run) -> None:
    talks("index")
    result = talks("feeds", "add", "http://192.168.1.1/rss")
    assert result.exit_code == 1
    assert "Refused: 192.168.1.1 is a private address." in result.output


def test_sources_show_the_copy_group_of_syndicated_copies(talks_local: Run, tmp_path: Path) -> None:
    first = talks_local("sources").output.splitlines()[0].split("\t")
    assert len(first) == 6 and first[4] == "en"  # no copies yet; the language detected
    (tmp_path / "wire.md").write_text(wire_copy(), encoding="utf-8")
    (tmp_path / "wire-2.md").write_text(wire_copy(intro="KYIV (Wire) —", title="Talks end"))

    result = talks_local("add", str(tmp_path / "wire.md"), str(tmp_path / "wire-2.md"))

    assert result.output.count("grouped:") == 2
    rows = [line.split("\t") for line in talks_local("sources").output.splitlines()[:-1]]
    copies = [row for row in rows if row[6]]
    assert len(copies) == 2 and copies[0][6] == copies[1][6] == min(r[0] for r in copies)
