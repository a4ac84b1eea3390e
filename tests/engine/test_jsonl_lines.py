"""One broken .jsonl line is skipped with its number; a file of broken lines says why (item 6)."""

from __future__ import annotations

import json

import pytest

from bot.engine.ingest import read_bytes
from bot.errors import BadInput

TEXT = "Delegations met in Geneva on Monday to discuss a ceasefire and prisoner exchanges."


def record(title: str) -> str:
    return json.dumps({"title": title, "text": TEXT})


def test_a_nul_byte_spoils_only_its_own_line() -> None:
    lines = [record("First"), record("Second")[:-2] + '\x00"}', record("Third")]
    data = "\n".join(lines).encode()

    articles, problems = read_bytes(data, "batch.jsonl")

    assert [a.title for a in articles] == ["First", "Third"]
    assert [a.source for a in articles] == ["batch.jsonl#1", "batch.jsonl#3"]
    assert problems == ["batch.jsonl, line 2: holds a NUL byte (binary data), not a JSON record."]


def test_a_nul_byte_still_marks_other_files_as_binary() -> None:
    with pytest.raises(BadInput, match=r"^notes\.md: looks like a binary file, not text\.$"):
        read_bytes(b"# Title\n\n\x00" + TEXT.encode(), "notes.md")


def test_a_file_of_broken_lines_reports_the_reasons() -> None:
    lines = ["not json", "[1, 2]", json.dumps({"title": "No text"}), "\x00", record("")]
    data = "\n".join(lines).encode()

    with pytest.raises(BadInput) as refused:
        read_bytes(data, "broken.jsonl")

    assert str(refused.value) == (
        "broken.jsonl: contains no usable articles (line 1: not valid JSON (Expecting value); "
        "line 2: each line must be a JSON object; line 3: 'text' is missing or not text; "
        "and 2 more)."
    )


def test_two_broken_lines_are_both_named() -> None:
    with pytest.raises(BadInput) as refused:
        read_bytes(b"oops\n\x00\n", "two.jsonl")

    assert str(refused.value) == (
        "two.jsonl: contains no usable articles (line 1: not valid JSON (Expecting value); "
        "line 2: holds a NUL byte (binary data), not a JSON record)."
    )
