"""Records the fake keeps: messages, files, members, interactions, violations, faults."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
PERM = {
    "create_instant_invite": 1 << 0,
    "kick_members": 1 << 1,
    "ban_members": 1 << 2,
    "administrator": 1 << 3,
    "manage_channels": 1 << 4,
    "manage_guild": 1 << 5,
    "add_reactions": 1 << 6,
    "view_channel": 1 << 10,
    "send_messages": 1 << 11,
    "manage_messages": 1 << 13,
    "embed_links": 1 << 14,
    "attach_files": 1 << 15,
    "read_message_history": 1 << 16,
    "mention_everyone": 1 << 17,
    "use_external_emojis": 1 << 18,
    "manage_roles": 1 << 28,
    "manage_webhooks": 1 << 29,
    "use_application_commands": 1 << 31,
    "manage_threads": 1 << 34,
    "create_public_threads": 1 << 35,
    "create_private_threads": 1 << 36,
    "send_messages_in_threads": 1 << 38,
}
ALL_PERMISSIONS = (1 << 53) - 1
BASIC_PERMISSIONS = (
    PERM["view_channel"]
    | PERM["send_messages"]
    | PERM["read_message_history"]
    | PERM["add_reactions"]
    | PERM["embed_links"]
    | PERM["attach_files"]
    | PERM["use_application_commands"]
    | PERM["create_public_threads"]
    | PERM["send_messages_in_threads"]
    | PERM["use_external_emojis"]
)
MODERATOR_PERMISSIONS = (
    BASIC_PERMISSIONS
    | PERM["manage_guild"]
    | PERM["manage_threads"]
    | PERM["manage_webhooks"]
    | PERM["manage_messages"]
    | PERM["manage_channels"]
)

FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7


class Snowflakes:
    """Monotonic, time-based snowflakes, so discord.py's age checks see 'now'."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        if candidate <= self._last:
            candidate = self._last + 1
        self._last = candidate
        return candidate


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


@dataclass
class StoredFile:
    """An uploaded attachment with its bytes, served back at ``url``."""

    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None
    url: str = ""

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
        }
        if self.content_type:
            payload["content_type"] = self.content_type
        if self.description is not None:
            payload["description"] = self.description
        return payload


@dataclass
class StoredMessage:
    """A message as the fake holds it: the JSON it serves plus what the bot sent."""

    id: int
    channel_id: int
    data: dict[str, Any]
    files: list[StoredFile] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    allowed_mentions: dict[str, Any] | None = None
    username: str | None = None
    avatar_url: str | None = None
    ephemeral: bool = False
    deleted: bool = False
    interaction_id: int | None = None
    reactions: list[str] = field(default_factory=list)
    pinned_at: str | None = None

    @property
    def content(self) -> str:
        return str(self.data.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[dict[str, Any]]:
        return list(self.data.get("components") or [])

    @property
    def author(self) -> dict[str, Any]:
        return dict(self.data.get("author") or {})

    @property
    def webhook_id(self) -> int | None:
        value = self.data.get("webhook_id")
        return int(value) if value is not None else None

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def edited(self) -> bool:
        return self.data.get("edited_timestamp") is not None

    @property
    def sent(self) -> dict[str, Any]:
        """The first payload the bot sent for this message."""
        return self.history[0] if self.history else {}

    def pings(self) -> dict[str, Any]:
        """Who the content would notify under the ``allowed_mentions`` that was sent.

        Discord's default (no ``allowed_mentions``) parses users, roles and @everyone.
        Returns ``{"users": [...ids], "roles": [...ids], "everyone": bool}``.
        """
        am = self.allowed_mentions
        parse = ["users", "roles", "everyone"] if am is None else list(am.get("parse") or [])
        allowed_users = {str(u) for u in (am or {}).get("users") or []}
        allowed_roles = {str(r) for r in (am or {}).get("roles") or []}
        text = self.content
        users = [
            u for u in re.findall(r"<@!?(\d+)>", text) if "users" in parse or u in allowed_users
        ]
        roles = [
            r for r in re.findall(r"<@&(\d+)>", text) if "roles" in parse or r in allowed_roles
        ]
        everyone = "everyone" in parse and bool(re.search(r"@(everyone|here)\b", text))
        return {"users": users, "roles": roles, "everyone": everyone}

    def custom_ids(self) -> list[str]:
        found: list[str] = []

        def walk(items: list[Any]) -> None:
            for item in items:
                if not isinstance(item, dict):
                    continue
                if item.get("custom_id"):
                    found.append(item["custom_id"])
                for key in ("components", "accessory", "component"):
                    child = item.get(key)
                    if isinstance(child, dict):
                        walk([child])
                    elif isinstance(child, list):
                        walk(child)

        walk(self.components)
        return found

    def find_component(self, custom_id: str) -> dict[str, Any] | None:
        def walk(items: list[Any]) -> dict[str, Any] | None:
            for item in items:
                if not isinstance(item, dict):
                    continue
                if item.get("custom_id") == custom_id:
                    return item
                for key in ("components", "accessory", "component"):
                    child = item.get(key)
                    kids = [child] if isinstance(child, dict) else child
                    if isinstance(kids, list):
                        hit = walk(kids)
                        if hit is not None:
                            return hit
            return None

        return walk(self.components)

    def __repr__(self) -> str:
        text = self.content if len(self.content) < 40 else self.content[:37] + "..."
        return f"<StoredMessage id={self.id} channel={self.channel_id} content={text!r}>"


@dataclass
class FakeMember:
    """A guild member: the user object, role ids, and their computed permissions."""

    user: dict[str, Any]
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def name(self) -> str:
        return str(self.user["username"])

    def to_payload(self, permissions: int | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "user": dict(self.user),
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload


@dataclass
class Violation:
    """Something the bot sent that real Discord would refuse (or that breaks policy)."""

    method: str
    path: str
    field: str
    message: str
    code: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.field}: {self.message} [{self.code}]"


@dataclass
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 0
    route: str | None = None
    #: Uploaded ``files[n]`` parts of a multipart request (id 0: not stored as attachments).
    files: list[StoredFile] = field(default_factory=list)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """``/channels/{channel_id}/messages`` (or ``*`` wildcards) to an anchored regex."""
    out = []
    pos = 0
    for m in _PLACEHOLDER.finditer(pattern):
        out.append(re.escape(pattern[pos : m.start()]).replace(r"\*", "[^/]*"))
        out.append(f"(?P<{m.group(1)}>[^/]+)")
        pos = m.end()
    out.append(re.escape(pattern[pos:]).replace(r"\*", "[^/]*"))
    return re.compile("^" + "".join(out) + "/?$")


@dataclass
class Fault:
    """Answer the next ``remaining`` requests matching method + path with ``status``."""

    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    retry_after: float = 0.05
    is_global: bool = False
    via: bool = True
    body: dict[str, Any] | None = None
    served: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (
            self.remaining > 0 and self.method in (method, "*") and bool(self.pattern.match(path))
        )


@dataclass
class RateLimitRule:
    """A steady per-route bucket: ``limit`` requests per ``per`` seconds per major parameter."""

    method: str
    pattern: re.Pattern[str]
    limit: int
    per: float
    bucket: str
    windows: dict[str, tuple[float, int]] = field(default_factory=dict)
    requests: int = 0
    served_429: int = 0
    accepted: int = 0
    accepted_at: list[float] = field(default_factory=list)

    def matches(self, method: str, path: str) -> bool:
        return self.method in (method, "*") and bool(self.pattern.match(path))


@dataclass
class InteractionRecord:
    """One INTERACTION_CREATE the fake dispatched and everything the bot did about it."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    channel_id: int
    guild_id: int | None
    user_id: int
    created_at: float
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original_message_id: int | None = None
    source_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None
    original_edits: int = 0

    @property
    def acknowledged(self) -> bool:
        return bool(self.callbacks)

    @property
    def callback_type(self) -> int | None:
        return int(self.callbacks[0]["type"]) if self.callbacks else None


@dataclass
class InteractionReply:
    """What the user sees for one interaction: response message (or modal/choices), followups."""

    type: int
    message: StoredMessage | None
    followups: list[StoredMessage]
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None

    @property
    def content(self) -> str:
        return self.message.content if self.message else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.embeds if self.message else []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.message.components if self.message else []

    @property
    def ephemeral(self) -> bool:
        return bool(self.message and self.message.flags & FLAG_EPHEMERAL)

    @property
    def deferred(self) -> bool:
        return self.type in (5, 6)

    @property
    def loading(self) -> bool:
        """Still the 'thinking…' state: deferred and never edited."""
        return bool(self.message and self.message.flags & FLAG_LOADING)

    @property
    def messages(self) -> list[StoredMessage]:
        """The response message (if any) followed by every followup."""
        return ([self.message] if self.message else []) + list(self.followups)
