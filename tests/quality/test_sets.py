"""Pytest wrapper around check_sets.py (validates the quality question sets; imports nothing
from the bot package). Skips when the shared corpora next to the repository are absent."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "quality_check_sets", Path(__file__).with_name("check_sets.py")
)
assert _spec is not None and _spec.loader is not None
check_sets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_sets)


def test_bundled_set_is_valid() -> None:
    if not check_sets.SEEDS_DIR.is_dir():
        pytest.skip(f"seed corpus not found: {check_sets.SEEDS_DIR}")
    corpus = check_sets.load_seed_corpus()
    assert corpus, "no seed articles found"
    errors = check_sets.check_set(check_sets.BUNDLED_SET, corpus)
    assert not errors, "\n".join(errors)


def test_official_set_is_valid() -> None:
    if not check_sets.OFFICIAL_JSONL.is_file():
        pytest.skip(f"official-statements corpus not found: {check_sets.OFFICIAL_JSONL}")
    errors = check_sets.check_set(check_sets.OFFICIAL_SET, check_sets.load_official_corpus())
    assert not errors, "\n".join(errors)


def test_sets_have_both_kinds_of_questions() -> None:
    for path in (check_sets.BUNDLED_SET, check_sets.OFFICIAL_SET):
        items, errors = check_sets.read_set(path)
        assert not errors, "\n".join(errors)
        assert any(i["source"] is None for i in items), f"{path.name}: no out-of-scope lines"
        assert any(i["source"] is not None for i in items), f"{path.name}: no answerable lines"
