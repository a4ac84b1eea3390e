"""The fake's rules for buttons, modals and threads: what Discord refuses, the fake refuses."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from .fakediscord import FakeDiscord
from .fakediscord.components import check_components, check_thread, click_data, submit_data
from .fakediscord.models import CREATE_PUBLIC_THREADS
from .fakediscord.rules import check_modal

pytestmark = pytest.mark.timeout(30)


def button(**fields: Any) -> dict[str, Any]:
    return {"type": 2, "style": 2, "custom_id": "x", "emoji": {"name": "👍"}} | fields


def rules_of(rows: list[dict[str, Any]]) -> set[str]:
    return {p.rule for p in check_components(rows)}


def test_button_rows_follow_discords_limits() -> None:
    assert (
        rules_of([{"type": 1, "components": [button(custom_id="a"), button(custom_id="b")]}])
        == set()
    )
    assert rules_of([{"type": 1, "components": []}]) == {"component_row"}
    assert rules_of([{"type": 1, "components": [button(custom_id="a")] * 2}]) == {
        "duplicate_custom_id"
    }
    assert rules_of([{"type": 1, "components": [button(custom_id=None)]}]) == {"button_custom_id"}
    assert rules_of([{"type": 1, "components": [button(emoji=None)]}]) == {"button_label"}
    assert rules_of([{"type": 1, "components": [button(custom_id="x" * 101)]}]) == {
        "button_custom_id"
    }
    assert "components_rows" in rules_of([{"type": 1, "components": [button()]}] * 6)


def test_modals_need_a_text_input_within_limits() -> None:
    text = {"type": 4, "custom_id": "t", "label": "What was wrong?", "style": 1}
    good = {"title": "What was wrong?", "custom_id": "m", "components": [
        {"type": 1, "components": [text]}]}  # fmt: skip
    assert check_modal(good) == []
    long_label = {**good, "components": [{"type": 1, "components": [text | {"label": "x" * 46}]}]}
    assert {p.rule for p in check_modal(long_label)} == {"text_input_label"}
    with pytest.raises(ValueError, match="no inputs"):
        submit_data(good, {"other": "x"})
    assert submit_data(good, {"t": "late"})["components"][0]["components"][0]["value"] == "late"


def test_a_click_must_hit_a_button_the_message_shows() -> None:
    rows = [{"type": 1, "components": [button(custom_id="up")]}]
    assert click_data(rows, "up") == {"custom_id": "up", "component_type": 2}
    with pytest.raises(ValueError, match="no component 'down'"):
        click_data(rows, "down")


def test_thread_names_and_archive_times() -> None:
    assert check_thread({"name": "q", "auto_archive_duration": 1440}) == []
    assert {p.rule for p in check_thread({"name": ""})} == {"thread_name"}
    assert {p.rule for p in check_thread({"name": "q", "auto_archive_duration": 5})} == {
        "thread_archive"
    }


async def test_starting_a_thread_needs_the_permission_and_happens_once() -> None:
    async with FakeDiscord() as fake:
        channel = fake.channel("general").id
        message = fake.world.new_message(channel, fake.member_user, content="hi")
        url = f"{fake.api_base}/channels/{channel}/messages/{message.id}/threads"
        headers = {"Authorization": f"Bot {fake.token}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            async with http.post(url, json={"name": "hi"}) as refused:
                assert refused.status == 403
            fake.grant_bot(CREATE_PUBLIC_THREADS)
            async with http.post(url, json={"name": "hi"}) as made:
                thread = await made.json()
            async with http.post(url, json={"name": "again"}) as twice:
                assert twice.status == 400
        assert made.status == 201 and thread["id"] == str(message.id)
        assert thread["parent_id"] == str(channel) and fake.thread_of(message) is not None
        assert [v.rule for v in fake.violations] == ["missing_permission", "thread_exists"]
