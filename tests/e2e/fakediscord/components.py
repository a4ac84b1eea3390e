"""Message components (action rows of buttons) and modals: Discord's limits as pure checks, and
the interaction `data` a click or a modal submit carries.

Discord refuses (400) a row that is not type 1 or holds 0 or more than 5 buttons, a button
without a label or emoji, a non-link button without a custom_id (max 100 chars) or a link button
with one, a label over 80 characters, and two components of one message with the same custom_id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .rules import Problem, _too_long

ACTION_ROW, BUTTON, TEXT_INPUT, LABEL = 1, 2, 4, 18
LINK_STYLE = 5
THREAD_ARCHIVE_CHOICES = (60, 1440, 4320, 10080)


def check_components(rows: Sequence[Mapping[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    if len(rows) > 5:
        problems.append(Problem("components_rows", "more than 5 component rows", "components"))
    seen: set[str] = set()
    for r, row in enumerate(rows):
        at = f"components.{r}"
        items = row.get("components") or []
        if row.get("type") != ACTION_ROW or not 1 <= len(items) <= 5:
            problems.append(Problem("component_row", f"{at} must be a row of 1–5 items", at))
        for i, item in enumerate(items):
            problems += _check_button(item, f"{at}.components.{i}", seen)
    return problems


def _check_button(item: Mapping[str, Any], at: str, seen: set[str]) -> list[Problem]:
    if item.get("type") != BUTTON:
        return [Problem("component_type", f"{at} is not a button", at)]
    problems = _too_long(item.get("label"), 80, f"{at}.label", "button_label")
    if not item.get("label") and not item.get("emoji"):
        problems.append(Problem("button_label", f"{at} has neither label nor emoji", at))
    custom_id, link = item.get("custom_id"), item.get("style") == LINK_STYLE
    if link != (custom_id is None) or (link and not item.get("url")):
        problems.append(Problem("button_custom_id", f"{at}: custom_id xor url (link style)", at))
    problems += _too_long(custom_id, 100, f"{at}.custom_id", "button_custom_id")
    if custom_id is not None and custom_id in seen:
        problems.append(Problem("duplicate_custom_id", f"{at}.custom_id repeats {custom_id}", at))
    seen.add(str(custom_id))
    return problems


def modal_inputs(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The text inputs of a modal, whether in action rows or (newer) label components."""
    inputs = []
    for row in data.get("components") or []:
        if row.get("type") == ACTION_ROW:
            inputs += [c for c in row.get("components") or [] if c.get("type") == TEXT_INPUT]
        elif row.get("type") == LABEL and (row.get("component") or {}).get("type") == TEXT_INPUT:
            inputs.append(row["component"])
    return inputs


def check_modal_inputs(data: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for i, text in enumerate(modal_inputs(data)):
        at = f"components.{i}"
        problems += _too_long(text.get("label"), 45, f"{at}.label", "text_input_label")
        problems += _too_long(text.get("custom_id"), 100, f"{at}.custom_id", "text_input_id")
        if not text.get("custom_id") or text.get("style") not in (1, 2, None):
            problems.append(Problem("text_input", f"{at} needs a custom_id and style 1|2", at))
        if int(text.get("max_length") or 0) > 4000:
            problems.append(Problem("text_input", f"{at}.max_length over 4000", at))
    if not modal_inputs(data):
        problems.append(Problem("modal_components", "a modal needs a text input", "components"))
    return problems


def check_thread(body: Mapping[str, Any]) -> list[Problem]:
    """POST /channels/{id}/messages/{id}/threads: a name of 1–100 characters, an archive time
    Discord offers."""
    name = body.get("name")
    problems = []
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        problems.append(Problem("thread_name", "a thread name must be 1–100 chars", "name"))
    archive = body.get("auto_archive_duration")
    if archive is not None and archive not in THREAD_ARCHIVE_CHOICES:
        problems.append(Problem("thread_archive", f"auto_archive_duration {archive}", "name"))
    return problems


def click_data(message_components: Sequence[Mapping[str, Any]], custom_id: str) -> dict[str, Any]:
    """What a click on the button `custom_id` of a message sends; a test clicking a button the
    message does not show is a mistake in the test."""
    for row in message_components:
        for item in row.get("components") or []:
            if item.get("custom_id") == custom_id:
                return {"custom_id": custom_id, "component_type": item["type"]}
    raise ValueError(f"the message shows no component {custom_id!r}")


def submit_data(modal: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """What submitting `modal` with `values` (by text input custom_id) sends."""
    inputs = {t["custom_id"]: t for t in modal_inputs(modal)}
    unknown = set(values) - set(inputs)
    if unknown:
        raise ValueError(f"the modal has no inputs {sorted(unknown)}")
    for custom_id, value in values.items():
        if inputs[custom_id].get("max_length") and len(value) > inputs[custom_id]["max_length"]:
            raise ValueError(f"Discord would not accept {len(value)} chars in {custom_id!r}")
    rows = [
        {"type": ACTION_ROW, "components": [
            {"type": TEXT_INPUT, "custom_id": cid, "value": values.get(cid, "")}
        ]}
        for cid in inputs
    ]  # fmt: skip
    return {"custom_id": modal["custom_id"], "components": rows}
