"""/ask's outlet autocomplete: what was typed, prefix matches first, within Discord's limits."""

from __future__ import annotations

from bot.chat.render import CHOICE_CHARS, CHOICES_MAX, outlet_choices

OUTLETS = ["Atom Wire", "Example News", "Kyiv Ledger", "Wire"]


def test_names_holding_what_was_typed_those_starting_with_it_first() -> None:
    assert [c.value for c in outlet_choices(OUTLETS, " WI ")] == ["Wire", "Atom Wire"]
    assert [c.name for c in outlet_choices(OUTLETS, "")] == OUTLETS
    assert outlet_choices(OUTLETS, "reuters") == []


def test_at_most_25_choices_and_no_name_too_long_to_be_a_value() -> None:
    many = [f"Outlet {i:03d}" for i in range(40)] + ["x" * (CHOICE_CHARS + 1)]
    choices = outlet_choices(many, "")
    assert len(choices) == CHOICES_MAX
    assert all(c.name == c.value and len(c.value) <= CHOICE_CHARS for c in choices)
    assert outlet_choices(many, "xxx") == []
