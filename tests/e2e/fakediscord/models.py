"""The fake guild's cast: users, roles, channels, and their Discord API payloads.

Everything here is plain data plus the JSON shapes discord.py parses; no I/O.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions)
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | ADD_REACTIONS
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)

# Gateway intent bits
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

PUBLIC_THREAD = 11  # channel type

EPHEMERAL = 1 << 6
LOADING = 1 << 7


class Snowflakes:
    """Monotonic, time-based ids shaped like Discord's, so created_at parses sensibly."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._last = 0

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (1 << 17) | (next(self._counter) & 0xFFF)
        self._last = max(value, self._last + 1)
        return self._last


def iso(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).isoformat()


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int = 0

    def to_api(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0},
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass
class FakeUser:
    id: int
    username: str
    bot: bool = False
    role_ids: list[int] = field(default_factory=list)

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_api(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.username,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
        }

    def member_api(self, *, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.role_ids],
            "joined_at": iso(),
            "nick": None,
            "avatar": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.to_api()
        return data


@dataclass
class FakeChannel:
    id: int
    name: str
    guild_id: int
    position: int = 0
    type: int = 0  # GUILD_TEXT; PUBLIC_THREAD for a thread
    parent_id: int | None = None  # a thread's channel
    owner_id: int | None = None  # who started a thread

    @property
    def is_thread(self) -> bool:
        return self.type == PUBLIC_THREAD

    def to_api(self) -> dict[str, Any]:
        if self.is_thread:
            return self._thread_api()
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "topic": None,
            "nsfw": False,
            "parent_id": None,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
        }

    def _thread_api(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "parent_id": str(self.parent_id),
            "owner_id": str(self.owner_id),
            "name": self.name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": iso(),
                "locked": False,
                "create_timestamp": iso(),
            },
        }


@dataclass
class FakeAttachment:
    """A file a test hands to a slash command option or a message; served by the fake."""

    filename: str
    data: bytes
    content_type: str = "text/plain"
    id: int = 0
    url: str = ""

    def to_api(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
            "ephemeral": False,
        }


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole]
    channels: dict[int, FakeChannel]
    members: dict[int, FakeUser]

    @property
    def everyone(self) -> FakeRole:
        return self.roles[self.id]

    def permissions_of(self, user: FakeUser) -> int:
        if user.id == self.owner_id:
            return ALL_PERMISSIONS
        value = self.everyone.permissions
        for role_id in user.role_ids:
            value |= self.roles[role_id].permissions
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def role_named(self, name: str) -> FakeRole:
        return next(r for r in self.roles.values() if r.name == name)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "owner_id": str(self.owner_id),
            "unavailable": False,
            "large": False,
            "member_count": len(self.members),
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "features": [],
            "preferred_locale": "en-US",
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "vanity_url_code": None,
            "max_members": 500000,
            "roles": [r.to_api() for r in self.roles.values()],
            "channels": [c.to_api() for c in self.channels.values() if not c.is_thread],
            "members": [m.member_api() for m in self.members.values()],
            "emojis": [],
            "stickers": [],
            "threads": [c.to_api() for c in self.channels.values() if c.is_thread],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "joined_at": iso(),
        }


@dataclass
class Cast:
    """The one guild and the users a test talks as."""

    bot: FakeUser
    owner: FakeUser
    admin: FakeUser
    member: FakeUser
    guild: FakeGuild


def build_cast(ids: Snowflakes, *, channel_names: tuple[str, ...]) -> Cast:
    guild_id = ids.next()
    everyone = FakeRole(guild_id, "@everyone", EVERYONE_PERMISSIONS)
    admin_role = FakeRole(ids.next(), "Admin", MANAGE_GUILD, position=3)
    plain_role = FakeRole(ids.next(), "Reader", 0, position=1)
    bot_role = FakeRole(ids.next(), "talks", EVERYONE_PERMISSIONS, position=2)
    bot = FakeUser(ids.next(), "talks-bot", bot=True, role_ids=[bot_role.id])
    owner = FakeUser(ids.next(), "owner")
    admin = FakeUser(ids.next(), "alice-admin", role_ids=[admin_role.id])
    member = FakeUser(ids.next(), "bob-member", role_ids=[plain_role.id])
    channels = {}
    for position, name in enumerate(channel_names):
        channel = FakeChannel(ids.next(), name, guild_id, position=position)
        channels[channel.id] = channel
    roles = {r.id: r for r in (everyone, admin_role, plain_role, bot_role)}
    members = {u.id: u for u in (bot, owner, admin, member)}
    guild = FakeGuild(guild_id, "Peace Talks Watch", owner.id, roles, channels, members)
    return Cast(bot=bot, owner=owner, admin=admin, member=member, guild=guild)
