"""Discord's limits on what a bot may send, as pure checks over a payload.

`hard` problems are ones Discord rejects with 400 Invalid Form Body (the fake does the same in
strict mode); soft ones are house rules this project holds itself to, e.g. never pinging anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .records import FakeMessage, SentFile

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
MAX_FILES = 10
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_CHOICES = 25
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELD_LIMITS = {"name": 256, "value": 1024}


@dataclass(frozen=True)
class Problem:
    rule: str
    detail: str
    path: str
    hard: bool = True


def _too_long(value: Any, limit: int, path: str, rule: str) -> list[Problem]:
    if isinstance(value, str) and len(value) > limit:
        return [Problem(rule, f"{path} is {len(value)} chars (max {limit})", path)]
    return []


def _url_ok(url: Any, *, allow_attachment: bool) -> bool:
    if not isinstance(url, str):
        return False
    schemes = ("http://", "https://") + (("attachment://",) if allow_attachment else ())
    return url.startswith(schemes)


def _embed_urls(embed: Mapping[str, Any], at: str) -> list[Problem]:
    checks = [
        ("url", embed.get("url"), False),
        ("author.url", (embed.get("author") or {}).get("url"), False),
        ("author.icon_url", (embed.get("author") or {}).get("icon_url"), True),
        ("footer.icon_url", (embed.get("footer") or {}).get("icon_url"), True),
        ("image.url", (embed.get("image") or {}).get("url"), True),
        ("thumbnail.url", (embed.get("thumbnail") or {}).get("url"), True),
    ]
    return [
        Problem("embed_url", f"{at}.{name} is not an http(s) URL: {url!r}", f"{at}.{name}")
        for name, url, attachments_ok in checks
        if url is not None and not _url_ok(url, allow_attachment=attachments_ok)
    ]


def _embed_text_size(embed: Mapping[str, Any]) -> int:
    texts = [
        embed.get("title"),
        embed.get("description"),
        (embed.get("footer") or {}).get("text"),
        (embed.get("author") or {}).get("name"),
    ]
    for f in embed.get("fields") or []:
        texts += [f.get("name"), f.get("value")]
    return sum(len(t) for t in texts if isinstance(t, str))


def check_embed(embed: Mapping[str, Any], at: str) -> list[Problem]:
    problems: list[Problem] = []
    for key, limit in EMBED_LIMITS.items():
        problems += _too_long(embed.get(key), limit, f"{at}.{key}", f"embed_{key}")
    problems += _too_long(
        (embed.get("footer") or {}).get("text"), 2048, f"{at}.footer.text", "embed_footer"
    )
    problems += _too_long(
        (embed.get("author") or {}).get("name"), 256, f"{at}.author.name", "embed_author"
    )
    fields = embed.get("fields") or []
    if len(fields) > 25:
        problems.append(
            Problem("embed_fields", f"{at} has {len(fields)} fields (max 25)", f"{at}.fields")
        )
    for i, f in enumerate(fields):
        for key, limit in FIELD_LIMITS.items():
            value, path = f.get(key), f"{at}.fields.{i}.{key}"
            if not (isinstance(value, str) and value.strip()):
                problems.append(Problem("embed_field_empty", f"{path} is empty", path))
            problems += _too_long(value, limit, path, f"embed_field_{key}")
    return problems + _embed_urls(embed, at)


def check_allowed_mentions(payload: Mapping[str, Any]) -> list[Problem]:
    mentions = payload.get("allowed_mentions")
    if mentions is None:
        return [
            Problem(
                "allowed_mentions_missing",
                "no allowed_mentions: the default may ping",
                "allowed_mentions",
                hard=False,
            )
        ]
    pings = [f"parse={mentions.get('parse')}"] if mentions.get("parse") else []
    pings += [f"{k}={mentions[k]}" for k in ("users", "roles") if mentions.get(k)]
    pings += ["replied_user=true"] if mentions.get("replied_user") else []
    if pings:
        return [
            Problem(
                "allowed_mentions_pings",
                "allowed_mentions may ping: " + ", ".join(pings),
                "allowed_mentions",
                hard=False,
            )
        ]
    return []


def check_files(files: Sequence[SentFile]) -> list[Problem]:
    problems = [
        Problem("file_size", f"{f.filename} is {len(f.data)} bytes", f.field)
        for f in files
        if len(f.data) > MAX_FILE_BYTES
    ]
    if len(files) > MAX_FILES:
        problems.append(Problem("files_count", f"{len(files)} files (max {MAX_FILES})", "files"))
    return problems


def check_message(payload: Mapping[str, Any], files: Sequence[SentFile] = ()) -> list[Problem]:
    """Limits on a message create/edit body (also interaction data and webhook bodies)."""
    problems = _too_long(payload.get("content"), MAX_CONTENT, "content", "content_length")
    embeds = payload.get("embeds") or []
    if len(embeds) > MAX_EMBEDS:
        detail = f"{len(embeds)} embeds (max {MAX_EMBEDS})"
        problems.append(Problem("embeds_count", detail, "embeds"))
    for i, embed in enumerate(embeds):
        problems += check_embed(embed, f"embeds.{i}")
    total = sum(_embed_text_size(e) for e in embeds)
    if total > MAX_EMBED_TOTAL:
        problems.append(Problem("embed_total", f"embeds hold {total} chars (max 6000)", "embeds"))
    from .components import check_components  # it builds on this module's helpers

    problems += check_components(payload.get("components") or [])
    return problems + check_allowed_mentions(payload) + check_files(files)


def check_not_empty(message: FakeMessage) -> list[Problem]:
    if message.content or message.embeds or message.attachments or message.components:
        return []
    return [
        Problem("empty_message", "message has no content, embeds, files or components", "content")
    ]


def check_choices(data: Mapping[str, Any]) -> list[Problem]:
    choices = data.get("choices") or []
    problems = []
    if len(choices) > MAX_CHOICES:
        problems.append(Problem("choices_count", f"{len(choices)} choices (max 25)", "choices"))
    for i, choice in enumerate(choices):
        problems += _too_long(choice.get("name"), 100, f"choices.{i}.name", "choice_name")
        problems += _too_long(choice.get("value"), 100, f"choices.{i}.value", "choice_value")
        if not choice.get("name"):
            problems.append(Problem("choice_name", f"choices.{i}.name is empty", f"choices.{i}"))
    return problems


def check_modal(data: Mapping[str, Any]) -> list[Problem]:
    problems = _too_long(data.get("title"), 45, "title", "modal_title")
    problems += _too_long(data.get("custom_id"), 100, "custom_id", "modal_custom_id")
    if not 1 <= len(data.get("components") or []) <= 5:
        problems.append(Problem("modal_components", "a modal needs 1–5 components", "components"))
    from .components import check_modal_inputs

    return problems + check_modal_inputs(data)


_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
SUB_OPTIONS = (1, 2)  # SUB_COMMAND, SUB_COMMAND_GROUP: options that hold options
# The locales Discord accepts as keys of name_localizations and description_localizations.
LOCALES = frozenset(
    "id da de en-GB en-US es-ES es-419 fr hr it lt hu nl no pl pt-BR ro fi sv-SE vi tr cs el bg"
    " ru uk hi th zh-CN ja zh-TW ko".split()
)


def check_commands(payloads: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """What Discord refuses in a bulk command overwrite (chat-input commands)."""
    problems = []
    if len(payloads) > 100:
        problems.append(
            Problem("commands_count", f"{len(payloads)} commands (max 100)", "commands")
        )
    for i, command in enumerate(payloads):
        problems += _check_named(command, f"{i}", chat_input=int(command.get("type", 1)) == 1)
    return problems


def _check_named(item: Mapping[str, Any], at: str, *, chat_input: bool = True) -> list[Problem]:
    """The name and description, and each of their translations (Discord holds a localised
    name or description to the same rules as the default one, for a known locale only)."""
    problems = []
    names = {None: item.get("name", "")} | dict(item.get("name_localizations") or {})
    for locale, name in names.items():
        where = f"{at}.name" if locale is None else f"{at}.name_localizations.{locale}"
        if locale is not None and locale not in LOCALES:
            problems.append(Problem("locale", f"{where}: {locale!r} is not a Discord locale", at))
        name = str(name)
        if not _COMMAND_NAME.match(name) or (chat_input and name != name.lower()):
            problems.append(Problem("command_name", f"{where} {name!r} is not a valid name", at))
    descriptions = {None: item.get("description", "")} | dict(
        item.get("description_localizations") or {}
    )
    for locale, description in descriptions.items():
        where = f"{at}.description" + ("" if locale is None else f"_localizations.{locale}")
        if locale is not None and locale not in LOCALES:
            problems.append(Problem("locale", f"{where}: {locale!r} is not a Discord locale", at))
        if chat_input and not 1 <= len(str(description)) <= 100:
            detail = f"{where} is {len(str(description))} chars (1–100)"
            problems.append(Problem("command_description", detail, where))
    return problems + _check_options(item.get("options") or [], f"{at}.options")


def _duplicate_names(options: Sequence[Mapping[str, Any]], at: str) -> list[Problem]:
    """Two options of one command may not share a name, in any locale."""
    problems = []
    locales = {locale for o in options for locale in o.get("name_localizations") or {}}
    for locale in (None, *sorted(locales)):
        seen: set[str] = set()
        for option in options:
            localised = (option.get("name_localizations") or {}).get(locale)
            name = str(localised or option.get("name", ""))
            if name in seen:
                detail = f"{at}: two options are named {name!r} in locale {locale or 'default'}"
                problems.append(Problem("option_name_duplicate", detail, at))
            seen.add(name)
    return problems


def _check_options(options: Sequence[Mapping[str, Any]], at: str) -> list[Problem]:
    problems = _duplicate_names(options, at)
    if len(options) > 25:
        problems.append(Problem("options_count", f"{at} has {len(options)} options (max 25)", at))
    seen_optional = False
    for i, option in enumerate(options):
        where = f"{at}.{i}"
        problems += _check_named(option, where)
        if option.get("type") in SUB_OPTIONS:
            continue
        if option.get("required") and seen_optional:
            detail = f"{where} is required but follows an optional option"
            problems.append(Problem("options_order", detail, where))
        seen_optional = seen_optional or not option.get("required")
        if option.get("autocomplete") and option.get("choices"):
            detail = f"{where} has both autocomplete and choices"
            problems.append(Problem("option_autocomplete", detail, where))
        if len(option.get("choices") or []) > MAX_CHOICES:
            problems.append(Problem("option_choices", f"{where} has over 25 choices", where))
    return problems


def form_errors(problems: Iterable[Problem]) -> dict[str, Any]:
    """The 400 body Discord returns; discord.py flattens `errors` into its exception text."""
    errors: dict[str, Any] = {}
    for p in problems:
        errors.setdefault(p.path, {"_errors": []})["_errors"].append(
            {"code": p.rule.upper(), "message": p.detail}
        )
    return {"code": 50035, "message": "Invalid Form Body", "errors": errors}
