"""Registered application commands, and INTERACTION_CREATE `data` built from them.

The builder refuses what the Discord client itself would never send (unknown or missing options,
out-of-range values), so a test cannot accidentally exercise an impossible interaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .models import FakeAttachment, FakeChannel, FakeGuild, FakeRole, FakeUser, Snowflakes

Register = Callable[[FakeAttachment], FakeAttachment]

SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN = 1, 2, 3, 4, 5
USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 6, 7, 8, 9, 10, 11


class CommandRegistry:
    """What the bot synced, per scope (None = global). Ids stay stable across re-syncs."""

    def __init__(self, ids: Snowflakes, application_id: int) -> None:
        self._ids, self._app_id = ids, application_id
        self.scopes: dict[int | None, list[dict[str, Any]]] = {}
        self.sync_calls: list[tuple[int | None, list[dict[str, Any]]]] = []
        self._known_ids: dict[tuple[int | None, str, int], int] = {}

    def put(self, scope: int | None, payloads: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        self.sync_calls.append((scope, list(payloads)))
        self.scopes[scope] = [self._stored(scope, p) for p in payloads]
        return self.scopes[scope]

    def _stored(self, scope: int | None, payload: dict[str, Any]) -> dict[str, Any]:
        kind = int(payload.get("type", 1))
        key = (scope, payload["name"], kind)
        command_id = self._known_ids.setdefault(key, self._ids.next())
        stored = {
            "type": kind,
            "description": "",
            "options": [],
            "nsfw": False,
            "default_member_permissions": None,
            "dm_permission": True,
            "contexts": None,
            "integration_types": [0],
        } | payload
        stored |= {
            "id": str(command_id),
            "application_id": str(self._app_id),
            "version": str(self._ids.next()),
        }
        if scope is not None:
            stored["guild_id"] = str(scope)
        return stored

    def get(self, scope: int | None) -> list[dict[str, Any]]:
        return self.scopes.get(scope, [])

    @property
    def all(self) -> list[dict[str, Any]]:
        return [c for commands in self.scopes.values() for c in commands]

    def find(self, name: str, guild_id: int, kind: int = 1) -> dict[str, Any]:
        for scope in (guild_id, None):
            for command in self.get(scope):
                if command["name"] == name and command["type"] == kind:
                    return command
        synced = sorted(c["name"] for c in self.all)
        raise LookupError(f"command {name!r} was never synced by the bot (synced: {synced})")


class OptionBuilder:
    """Turns {"question": "…", "file": FakeAttachment(…)} into Discord's options + resolved."""

    def __init__(self, guild: FakeGuild, register: Register) -> None:
        self.guild, self.register = guild, register
        self.resolved: dict[str, dict[str, Any]] = {}

    def build(
        self,
        command: dict[str, Any],
        path: Sequence[str],
        values: Mapping[str, Any],
        focused: str | None = None,
    ) -> list[dict[str, Any]]:
        schema, wrapper = command.get("options") or [], None
        top: list[dict[str, Any]] = []
        for name in path:
            option = _schema_option(schema, name, command["name"])
            if option["type"] not in (SUB_COMMAND, SUB_COMMAND_GROUP):
                raise ValueError(f"{name!r} is not a subcommand of /{command['name']}")
            node = {"name": name, "type": option["type"], "options": []}
            (wrapper["options"] if wrapper else top).append(node)
            wrapper, schema = node, option.get("options") or []
        leaves = self._leaves(schema, values, focused, command["name"])
        if wrapper is None:
            return leaves
        wrapper["options"] = leaves
        return top

    def _leaves(
        self,
        schema: list[dict[str, Any]],
        values: Mapping[str, Any],
        focused: str | None,
        where: str,
    ) -> list[dict[str, Any]]:
        if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in schema):
            raise ValueError(f"/{where} needs a subcommand: pass 'group sub' in the name")
        for name in values:
            _schema_option(schema, name, where)
        out = []
        for option in schema:
            name = option["name"]
            if name not in values:
                if option.get("required") and focused is None:
                    raise ValueError(f"/{where} requires option {name!r}")
                continue
            if name == focused:
                if not option.get("autocomplete"):
                    raise ValueError(f"{name!r} of /{where} has no autocomplete; none is sent")
                out.append(
                    {
                        "name": name,
                        "type": option["type"],
                        "value": str(values[name]),
                        "focused": True,
                    }
                )
                continue
            out.append(
                {"name": name, "type": option["type"], "value": self._value(option, values[name])}
            )
        return out

    def _value(self, option: dict[str, Any], value: Any) -> Any:
        kind, name = option["type"], option["name"]
        if kind == STRING:
            _check_range(name, len(str(value)), option.get("min_length"), option.get("max_length"))
            _check_choice(option, str(value))
            return str(value)
        if kind in (INTEGER, NUMBER):
            number = int(value) if kind == INTEGER else float(value)
            _check_range(name, number, option.get("min_value"), option.get("max_value"))
            _check_choice(option, number)
            return number
        if kind == BOOLEAN:
            return bool(value)
        if kind == ATTACHMENT:
            return self._attachment(value)
        return self._entity(kind, value)

    def _attachment(self, value: Any) -> str:
        if not isinstance(value, FakeAttachment):
            raise TypeError("attachment options take a FakeAttachment")
        stored = self.register(value)
        self.resolved.setdefault("attachments", {})[str(stored.id)] = stored.to_api()
        return str(stored.id)

    def _entity(self, kind: int, value: Any) -> str:
        if isinstance(value, FakeUser) and kind in (USER, MENTIONABLE):
            perms = str(self.guild.permissions_of(value))
            self.resolved.setdefault("users", {})[str(value.id)] = value.to_api()
            self.resolved.setdefault("members", {})[str(value.id)] = value.member_api(
                with_user=False
            ) | {"permissions": perms}
        elif isinstance(value, FakeRole) and kind in (ROLE, MENTIONABLE):
            self.resolved.setdefault("roles", {})[str(value.id)] = value.to_api()
        elif isinstance(value, FakeChannel) and kind == CHANNEL:
            channel = value.to_api() | {"permissions": str(self.guild.everyone.permissions)}
            self.resolved.setdefault("channels", {})[str(value.id)] = channel
        else:
            raise TypeError(f"option type {kind} cannot take {value!r}")
        return str(value.id)


def command_data(
    registry: CommandRegistry,
    guild: FakeGuild,
    command: str,
    values: Mapping[str, Any],
    focused: str | None,
    register: Register,
) -> dict[str, Any]:
    """INTERACTION_CREATE `data` for "name" or "group sub" with option `values`."""
    name, *path = command.lstrip("/").split()
    schema = registry.find(name, guild.id)
    builder = OptionBuilder(guild, register)
    data: dict[str, Any] = {
        "id": schema["id"],
        "name": name,
        "type": 1,
        "options": builder.build(schema, path, values, focused),
    }
    if builder.resolved:
        data["resolved"] = builder.resolved
    if "guild_id" in schema:
        data["guild_id"] = schema["guild_id"]
    return data


def interaction_payload(
    guild: FakeGuild,
    bot: FakeUser,
    interaction_id: int,
    token: str,
    kind: int,
    data: dict[str, Any],
    user: FakeUser,
    channel: FakeChannel,
    locale: str,
) -> dict[str, Any]:
    """The full INTERACTION_CREATE as discord.py 2.7 parses it (permissions from roles)."""
    permissions = str(guild.permissions_of(user))
    return {
        "id": str(interaction_id),
        "application_id": str(bot.id),
        "type": kind,
        "data": data,
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
        "channel_id": str(channel.id),
        "channel": channel.to_api() | {"permissions": permissions},
        "member": user.member_api() | {"permissions": permissions},
        "token": token,
        "version": 1,
        "locale": locale,
        "guild_locale": "en-US",
        "app_permissions": str(guild.permissions_of(bot)),
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
    }


def _schema_option(schema: list[dict[str, Any]], name: str, where: str) -> dict[str, Any]:
    for option in schema:
        if option["name"] == name:
            return option
    raise ValueError(f"/{where} has no option {name!r} (has {[o['name'] for o in schema]})")


def _check_range(name: str, value: float, low: float | None, high: float | None) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"Discord would not send {name}={value}: allowed range {low}..{high}")


def _check_choice(option: dict[str, Any], value: Any) -> None:
    choices = option.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise ValueError(f"{value!r} is not one of the choices of {option['name']!r}")
