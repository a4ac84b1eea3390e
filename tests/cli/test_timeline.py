"""`talks timeline` and `talks parties`, run in-process over the small test corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.conftest import article_md

LATER = article_md(
    "Kremlin softens its tone",
    """
    Kremlin spokesperson Dmitry Peskov said on Tuesday that Moscow is ready for a ceasefire in
    principle. “We are open to talks in Istanbul,” he told reporters.
    """,
    url="https://example.org/peskov-ready",
    outlet="Wire",
    published="2025-08-05",
)
EARLIER = article_md(
    "Kremlin rules out a truce",
    """
    Dmitry Peskov said a ceasefire was not possible while Ukraine kept its troops in Kursk.
    """,
    url="https://example.org/peskov-no",
    outlet="Wire",
    published="2025-07-01",
)
COPY = article_md(
    "Kremlin softens its tone (syndicated)",
    """
    Kremlin spokesperson Dmitry Peskov said on Tuesday that Moscow is ready for a ceasefire in
    principle. “We are open to talks in Istanbul,” he told reporters.
    """,
    url="https://mirror.example.net/peskov-ready",
    outlet="Mirror",
    published="2025-08-06",
)


@pytest.fixture
def indexed(talks: Run, corpus: Path) -> Run:
    (corpus / "later.md").write_text(LATER, encoding="utf-8")
    (corpus / "copy.md").write_text(COPY, encoding="utf-8")
    (corpus / "earlier.md").write_text(EARLIER, encoding="utf-8")
    assert talks("index").exit_code == 0
    return talks


def test_timeline_json_lists_statements_oldest_first_once(indexed: Run) -> None:
    result = indexed("timeline", "Russia", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"party", "topic", "entries"} and data["party"] == "Russia"
    got = [(e["date"], e["speaker"]) for e in data["entries"]]
    assert got == [
        ("2025-06-02", "the Kremlin"),
        ("2025-07-01", "Dmitry Peskov"),
        ("2025-08-05", "Dmitry Peskov"),
        ("2025-08-05", "Dmitry Peskov"),
    ]
    first = data["entries"][0]
    assert set(first) == {"date", "speaker", "statement", "title", "outlet", "url", "source"}
    assert first["statement"].startswith("The Kremlin insists any peace deal")
    assert first["url"] == "https://example.org/kremlin-terms" and first["outlet"] == "Example News"
    assert all(e["outlet"] == "Wire" for e in data["entries"][1:])  # the copy says the same


def test_timeline_text_marks_a_change_of_position(indexed: Run) -> None:
    result = indexed("timeline", "russia", "--topic", "ceasefire talks")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Russia on “ceasefire talks”:")
    marked = [line for line in lines if line.endswith("[position changes]")]
    assert marked == ["2025-08-05  Dmitry Peskov  [position changes]"]
    assert "the Kremlin" not in result.stdout  # its statement is about a peace deal, not talks


def test_a_name_that_is_no_party_is_one_speaker(indexed: Run) -> None:
    data = json.loads(indexed("timeline", "Umerov", "--json").stdout)
    assert data["party"] == "Umerov"
    assert [e["speaker"] for e in data["entries"]] == ["Rustem Umerov", "Rustem Umerov"]
    assert data["entries"][1]["statement"].startswith("He said prisoner exchanges")


def test_a_period_and_a_limit(indexed: Run) -> None:
    data = json.loads(indexed("timeline", "Ukraine", "--until", "2025-06-30", "--json").stdout)
    assert [e["speaker"] for e in data["entries"]] == ["Zelenskyy"]
    data = json.loads(indexed("timeline", "Russia", "--limit", "1", "--json").stdout)
    assert [e["date"] for e in data["entries"]] == ["2025-08-05"]


def test_bad_input_is_one_line(indexed: Run) -> None:
    result = indexed("timeline", "Russia", "--since", "2025-09-01", "--until", "2025-01-01")
    assert result.exit_code == 2 and "after the end date" in result.stderr
    assert indexed("timeline", "Russia", "--limit", "0").exit_code == 2


def test_parties_lists_the_bundled_and_the_admins(
    talks: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tmp_path / "parties.toml"
    extra.write_text(
        '[[party]]\nname = "Russia"\naliases = ["Nebenzia"]\n\n'
        '[[party]]\nname = "Vatican"\naliases = ["Pope Leo", "Holy See"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("TALKS_PARTIES_FILE", str(extra))
    result = talks("parties")
    assert result.exit_code == 0
    russia = next(line for line in result.stdout.splitlines() if line.startswith("Russia:"))
    assert "Peskov" in russia and russia.endswith("Nebenzia")
    assert "Vatican: Pope Leo, Holy See" in result.stdout
    extra.write_text("[[party]]\nfoo = 1\n", encoding="utf-8")
    result = talks("parties")
    assert result.exit_code == 1 and "parties file" in result.stderr
