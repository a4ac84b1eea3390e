"""Reading each corpus format, and reporting broken files without losing the rest."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.engine.ingest import read_bytes, read_corpus
from bot.errors import BadInput
from tests.conftest import KREMLIN

BODY = "Negotiators met in Istanbul on Tuesday and agreed to continue the talks next week."


def test_markdown_front_matter() -> None:
    [article], problems = read_bytes(KREMLIN.encode(), "kremlin.md")
    assert problems == []
    assert article.title == "Kremlin sets terms for a ceasefire"
    assert article.url == "https://example.org/kremlin-terms"
    assert article.outlet == "Example News"
    assert article.published == date(2025, 6, 2)
    assert "four annexed regions" in article.text
    assert article.source == "kremlin.md"


def test_markdown_without_front_matter_takes_h1_title() -> None:
    [article], _ = read_bytes(f"# Talks resume\n\n{BODY}".encode(), "a.md")
    assert article.title == "Talks resume"
    assert article.published is None and article.url is None and article.outlet is None


def test_text_title_is_first_line() -> None:
    [article], _ = read_bytes(f"Talks resume in Istanbul\n{BODY}\n".encode(), "a.txt")
    assert article.title == "Talks resume in Istanbul"
    assert article.text == BODY


def test_jsonl_reads_every_line_and_reports_broken_ones() -> None:
    good = {
        "id": "k1",
        "title": "One",
        "text": BODY,
        "published": "2022-03-29T10:00:00Z",
        "outlet": "K",
    }
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"title": "No text"}),
        json.dumps({**good, "id": "k2"}),
    ]
    articles, problems = read_bytes("\n".join(lines).encode(), "feed.jsonl")
    assert [a.id for a in articles] == ["k1", "k2"]
    assert articles[0].published == date(2022, 3, 29)
    assert articles[0].source == "feed.jsonl#1"
    assert problems == ["feed.jsonl, line 2: not valid JSON (Expecting property name enclosed in double quotes).",
                        "feed.jsonl, line 3: 'text' is missing or not text."]  # fmt: skip


def test_html_uses_a_real_extractor() -> None:
    html = f"""<html><head><title>Talks resume | Example</title>
    <meta property="og:site_name" content="Example News"></head><body><nav>Home | World</nav>
    <article><h1>Talks resume in Istanbul</h1><p>{BODY}</p><p>{BODY.replace("Tuesday", "Friday")}</p>
    <p>Officials from both sides said the atmosphere was constructive and more meetings would follow.</p>
    </article><footer>Copyright</footer></body></html>"""
    [article], _ = read_bytes(html.encode(), "page.html")
    assert "Istanbul" in article.title
    assert "Negotiators met in Istanbul" in article.text
    assert "Copyright" not in article.text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.md", b"---\ntitle: [unclosed\n---\nbody text " * 3, "front matter is not valid YAML"),
        ("a.md", b"---\ntitle: x\nno end", r"front matter \(---\) is not closed"),
        (
            "a.md",
            b"just text with no title line at all, long enough to count as text",
            "has no title",
        ),
        ("a.txt", b"Title only\n", "has no text"),
        ("a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        ("a.txt", "Заголовок\nТекст статьи достаточно длинный.".encode("cp1251"), "not UTF-8"),
        ("a.pdf", b"%PDF-1.4", "unsupported file type"),
        (
            "a.md",
            f"---\ntitle: T\npublished: last tuesday\n---\n{BODY}".encode(),
            "not an ISO date",
        ),
    ],
)
def test_broken_files_get_a_clear_error(name: str, data: bytes, message: str) -> None:
    with pytest.raises(BadInput, match=message) as info:
        read_bytes(data, name)
    assert name in str(info.value)


def test_corpus_scan_skips_broken_files_and_duplicates(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(KREMLIN, encoding="utf-8")
    (tmp_path / "copy.md").write_text(KREMLIN, encoding="utf-8")
    (tmp_path / "bad.md").write_text("---\ntitle: [x\n---\nbody", encoding="utf-8")
    (tmp_path / "README.md").write_text("# About this folder", encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    articles, problems = read_corpus(tmp_path)
    assert len(articles) == 1
    assert any(p.startswith("bad.md:") for p in problems)
    assert any("same article as" in p for p in problems)
    assert len(problems) == 2
