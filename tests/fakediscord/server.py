"""FakeDiscord: an aiohttp server on 127.0.0.1 that the real discord.py client talks to.

REST lives under ``/api/v10`` (point ``discord.http.Route.BASE`` at :attr:`FakeDiscord.api_base`),
the gateway at ``/gateway`` (point ``DiscordWebSocket.DEFAULT_GATEWAY`` at
:attr:`FakeDiscord.gateway_url`). Everything the bot sends is checked against Discord's
documented limits; see :mod:`tests.fakediscord.limits`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yarl
from aiohttp import BodyPartReader, hdrs, web

from . import limits
from .gateway import FakeGateway
from .limits import Problem
from .models import (
    ALL_PERMISSIONS,
    BASIC_PERMISSIONS,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    MODERATOR_PERMISSIONS,
    PERM,
    FakeMember,
    Fault,
    InteractionRecord,
    InteractionReply,
    RateLimitRule,
    RequestRecord,
    Snowflakes,
    StoredFile,
    StoredMessage,
    Violation,
    compile_pattern,
    iso_now,
)

API_PREFIX = "/api/v10"

# Channel types.
GUILD_TEXT, DM, GUILD_CATEGORY, PUBLIC_THREAD, PRIVATE_THREAD, GUILD_FORUM = 0, 1, 4, 11, 12, 15
THREAD_TYPES = (10, PUBLIC_THREAD, PRIVATE_THREAD)

# Interaction and callback types.
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
CB_MESSAGE, CB_DEFERRED, CB_DEFERRED_UPDATE, CB_UPDATE, CB_AUTOCOMPLETE, CB_MODAL = 4, 5, 6, 7, 8, 9

FORUM_REQUIRE_TAG = 1 << 4
WEBHOOKS_PER_CHANNEL = 15


class ApiError(Exception):
    """Raised by a route handler: becomes a JSON error answer like Discord's."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


@dataclass
class Upload:
    """One ``files[n]`` part of a multipart request."""

    field: str
    filename: str
    data: bytes
    content_type: str | None = None

    @property
    def index(self) -> int | None:
        m = re.fullmatch(r"files\[(\d+)\]", self.field)
        return int(m.group(1)) if m else None


@dataclass
class Req:
    method: str
    path: str
    params: dict[str, str]
    query: Mapping[str, str]
    json: Any
    uploads: list[Upload]
    record: RequestRecord

    def int_param(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise ApiError(404, 10003, "Unknown Channel") from None


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    joined_at: str = field(default_factory=iso_now)


@dataclass
class CommandSync:
    """One bulk overwrite of application commands: ``guild_id`` None means global."""

    guild_id: int | None
    payload: list[dict[str, Any]]

    @property
    def names(self) -> list[str]:
        return [c["name"] for c in self.payload]


@dataclass(frozen=True)
class Attachment:
    """An attachment a user uploads with a slash command option of type ATTACHMENT."""

    filename: str
    data: bytes
    content_type: str = "text/plain"


_ROUTES: list[tuple[str, str, str, bool]] = []


def route(method: str, pattern: str, *, auth: bool = True) -> Callable[[Any], Any]:
    def deco(fn: Any) -> Any:
        _ROUTES.append((method, pattern, fn.__name__, auth))
        return fn

    return deco


def _major(path: str) -> str:
    """The part of a path discord.py (and Discord) use as a bucket's major parameter."""
    m = re.match(r"^/(channels|guilds)/(\d+)", path) or re.match(
        r"^/(webhooks|interactions)/(\d+)/([^/]+)", path
    )
    return "/".join(m.groups()) if m else ""


class InteractionHandle:
    """What ``send_*`` returns: await :meth:`response` to get what the user sees."""

    def __init__(self, fake: FakeDiscord, record: InteractionRecord) -> None:
        self.fake = fake
        self.record = record

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def reply(self) -> InteractionReply | None:
        """The reply right now, without waiting (None until the bot acknowledged)."""
        return self.fake.interaction_response(self.record.id)

    async def response(self, timeout: float = 5.0, *, complete: bool = True) -> InteractionReply:  # noqa: ASYNC109
        """Wait for the bot's answer.

        With ``complete`` (the default) a deferred "thinking" response (type 5) is only
        returned once the bot edited @original or sent a followup, i.e. once the user sees
        real content.
        """
        rec = self.record

        def done() -> bool:
            if not rec.acknowledged:
                return False
            if complete and rec.callback_type == CB_DEFERRED:
                msg = (
                    self.fake.message(rec.original_message_id) if rec.original_message_id else None
                )
                return bool(rec.followup_ids) or (msg is not None and not msg.flags & FLAG_LOADING)
            return True

        await self.fake.wait_until(done, timeout, what=f"a response to interaction {rec.id}")
        reply = self.fake.interaction_response(rec.id)
        assert reply is not None
        return reply

    async def followups(self, count: int = 1, timeout: float = 5.0) -> list[StoredMessage]:  # noqa: ASYNC109
        rec = self.record
        await self.fake.wait_until(
            lambda: len(rec.followup_ids) >= count, timeout, what=f"{count} followup(s) to {rec.id}"
        )
        return [self.fake._messages[i] for i in rec.followup_ids]

    async def edits(self, count: int = 1, timeout: float = 5.0) -> InteractionReply:  # noqa: ASYNC109
        """Wait until @original was edited ``count`` times (e.g. after a deferred update)."""
        rec = self.record
        await self.fake.wait_until(
            lambda: rec.original_edits >= count, timeout, what=f"{count} edit(s) of @original"
        )
        reply = self.fake.interaction_response(rec.id)
        assert reply is not None
        return reply


class FakeDiscord:
    """A fake Discord API + gateway for one test. Start with ``await fake.start()``."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        application_id: int = 5000,
        bot_name: str = "ThreadBot",
    ) -> None:
        self.token = token
        self.application_id = application_id
        self.bot_user: dict[str, Any] = {
            "id": str(application_id),
            "username": bot_name,
            "discriminator": "0001",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "flags": 0,
            "public_flags": 0,
            "mfa_enabled": True,
            "verified": True,
        }
        self.owner_user: dict[str, Any] = {
            "id": "1",
            "username": "app-owner",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "public_flags": 0,
        }
        self.ids = Snowflakes()
        self.gateway = FakeGateway(self)
        self.host = "127.0.0.1"
        self.port = 0

        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {int(self.bot_user["id"]): self.bot_user}
        self._messages: dict[int, StoredMessage] = {}
        self._channel_messages: dict[int, list[int]] = {}
        self._webhooks: dict[int, dict[str, Any]] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.command_syncs: list[CommandSync] = []
        self.interactions: dict[int, InteractionRecord] = {}
        self._interaction_by_token: dict[str, InteractionRecord] = {}
        self.files: dict[int, StoredFile] = {}

        self.requests: list[RequestRecord] = []
        self.violations: list[Violation] = []
        self.unknown_routes: list[str] = []
        #: Exceptions raised inside the fake's own handlers (bugs in the fake).
        self.internal_errors: list[str] = []
        self.faults: list[Fault] = []
        self.rate_limits: list[RateLimitRule] = []
        #: The clock rate-limit windows are measured on (a benchmark on a scaled event-loop
        #: clock sets ``loop.time``; ``accepted_at`` times are on it too).
        self.clock: Callable[[], float] = time.monotonic
        self.served_429 = 0
        self.allow_unknown_routes = False
        #: More words refused in webhook usernames, besides Discord's own: lets a test see
        #: the bot handle a name Discord refuses for a reason the bot cannot foresee.
        self.forbidden_usernames: set[str] = set()
        #: The seeded guild (see :func:`tests.fakediscord.seed.seed_test_guild`), if any.
        self.seed: Any = None

        #: Seconds the bot has to acknowledge an interaction (None: no deadline).
        self.interaction_deadline: float | None = 3.0
        #: Dispatch MESSAGE_CREATE/UPDATE/DELETE and THREAD_* events for what the bot does.
        self.dispatch_events = True
        #: Bot permissions reported as ``app_permissions`` on interactions.
        self.app_permissions = MODERATOR_PERMISSIONS | PERM["manage_roles"]

        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._routes = [
            (method, compile_pattern(pattern), pattern, getattr(self, name), auth)
            for method, pattern, name, auth in _ROUTES
        ]

    # ---- lifecycle -----------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/", self.gateway.handle)
        app.router.add_get("/resume-gateway", self.gateway.handle)
        app.router.add_get("/resume-gateway/", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{file_id}/{filename}", self._serve_file)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle_api)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.host, self.port = sockets[0].getsockname()[:2]
        return self

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """The value for ``discord.http.Route.BASE``."""
        return self.base_url + API_PREFIX

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def gateway_url(self) -> yarl.URL:
        """The value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``."""
        return yarl.URL(f"{self.ws_url}/gateway")

    # ---- waiting ------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        what: str = "condition",
    ) -> None:
        """Wait until ``predicate()`` is true (re-checked on every change and every 50 ms)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(f"{r.method} {r.path}->{r.status}" for r in self.requests[-8:])
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what}; "
                    f"violations={[str(v) for v in self.violations]} "
                    f"unknown_routes={self.unknown_routes} recent requests: {recent}"
                )
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, 0.05))

    # ---- seeding ------------------------------------------------------------------------

    def add_user(self, user_id: int, username: str, *, bot: bool = False) -> dict[str, Any]:
        user = {
            "id": str(user_id),
            "username": username,
            "discriminator": "0",
            "global_name": username.title(),
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
        }
        self.users[user_id] = user
        return user

    def add_guild(self, guild_id: int, name: str, *, owner_id: int | None = None) -> FakeGuild:
        guild = FakeGuild(id=guild_id, name=name, owner_id=owner_id or int(self.owner_user["id"]))
        self.guilds[guild_id] = guild
        self.add_role(guild_id, "@everyone", BASIC_PERMISSIONS, role_id=guild_id, position=0)
        bot_role = self.add_role(
            guild_id, self.bot_user["username"], self.app_permissions, managed=True, position=1
        )
        bot_member = FakeMember(user=self.bot_user, roles=[int(bot_role["id"])])
        guild.members[bot_member.id] = bot_member
        return guild

    def add_role(
        self,
        guild_id: int,
        name: str,
        permissions: int,
        *,
        role_id: int | None = None,
        position: int | None = None,
        managed: bool = False,
    ) -> dict[str, Any]:
        guild = self.guilds[guild_id]
        rid = role_id or self.ids.next()
        role = {
            "id": str(rid),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": len(guild.roles) if position is None else position,
            "permissions": str(permissions),
            "managed": managed,
            "mentionable": False,
            "flags": 0,
        }
        guild.roles[rid] = role
        return role

    def add_member(
        self, guild_id: int, user_id: int, username: str, *, roles: Iterable[int] = ()
    ) -> FakeMember:
        user = self.users.get(user_id) or self.add_user(user_id, username)
        member = FakeMember(user=user, roles=list(roles))
        self.guilds[guild_id].members[user_id] = member
        return member

    def add_channel(
        self,
        guild_id: int,
        name: str,
        *,
        channel_type: int = GUILD_TEXT,
        channel_id: int | None = None,
        parent_id: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        cid = channel_id or self.ids.next()
        position = sum(1 for c in self.channels.values() if c.get("guild_id") == str(guild_id))
        channel: dict[str, Any] = {
            "id": str(cid),
            "type": channel_type,
            "guild_id": str(guild_id),
            "name": name,
            "position": position,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": str(parent_id) if parent_id else None,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "topic": None,
            "flags": 0,
            "default_auto_archive_duration": 1440,
        }
        if channel_type == GUILD_FORUM:
            channel.update(
                {
                    "available_tags": [],
                    "default_reaction_emoji": None,
                    "default_sort_order": None,
                    "default_forum_layout": 0,
                    "default_thread_rate_limit_per_user": 0,
                }
            )
        channel.update(extra)
        self.channels[cid] = channel
        self._channel_messages.setdefault(cid, [])
        return channel

    def add_forum_tag(self, forum_id: int, name: str, *, moderated: bool = False) -> dict[str, Any]:
        tag = {
            "id": str(self.ids.next()),
            "name": name,
            "moderated": moderated,
            "emoji_id": None,
            "emoji_name": None,
        }
        self.channels[forum_id]["available_tags"].append(tag)
        return tag

    # ---- queries for tests ------------------------------------------------------------------

    def message(self, message_id: int | None) -> StoredMessage | None:
        return self._messages.get(message_id) if message_id is not None else None

    def messages(self, channel_id: int, *, include_ephemeral: bool = False) -> list[StoredMessage]:
        """Live messages in a channel or thread, oldest first (ephemeral ones only on request)."""
        out = []
        for mid in self._channel_messages.get(channel_id, []):
            msg = self._messages[mid]
            if msg.deleted or (msg.ephemeral and not include_ephemeral):
                continue
            out.append(msg)
        return out

    def all_messages(self) -> list[StoredMessage]:
        return [m for m in self._messages.values() if not m.deleted]

    def channel(self, channel_id: int) -> dict[str, Any] | None:
        return self.channels.get(channel_id)

    def threads(self, parent_id: int | None = None) -> list[dict[str, Any]]:
        return [
            c
            for c in self.channels.values()
            if c["type"] in THREAD_TYPES and (parent_id is None or c["parent_id"] == str(parent_id))
        ]

    def webhooks(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        return [
            w
            for w in self._webhooks.values()
            if channel_id is None or w["channel_id"] == str(channel_id)
        ]

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """The registered application commands of one scope (None: global)."""
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.get(guild_id, [])

    def interaction_response(self, interaction_id: int) -> InteractionReply | None:
        """What the user sees: the initial response (or deferred @original) plus followups."""
        rec = self.interactions[interaction_id]
        if not rec.callbacks:
            return None
        return InteractionReply(
            type=int(rec.callbacks[0]["type"]),
            message=self.message(rec.original_message_id),
            followups=[self._messages[i] for i in rec.followup_ids],
            choices=rec.choices,
            modal=rec.modal,
        )

    def requests_to(self, method: str, pattern: str) -> list[RequestRecord]:
        rx = compile_pattern(pattern)
        return [r for r in self.requests if r.method == method and rx.match(r.path)]

    def take_violations(self) -> list[Violation]:
        """Return and clear the violations (for tests that provoke one on purpose)."""
        found, self.violations = self.violations, []
        return found

    def permissions_of(self, guild_id: int, user_id: int) -> int:
        guild = self.guilds[guild_id]
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        member = guild.members[user_id]
        perms = int(guild.roles[guild_id]["permissions"])
        for rid in member.roles:
            perms |= int(guild.roles[rid]["permissions"])
        if perms & PERM["administrator"]:
            return ALL_PERMISSIONS
        return perms

    # ---- fault injection --------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        pattern: str,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
        via: bool = True,
        body: dict[str, Any] | None = None,
    ) -> Fault:
        """Answer the next ``count`` requests to ``method pattern`` with ``status``.

        ``pattern`` is a path under /api/v10 with ``{name}`` placeholders or ``*``, e.g.
        ``"/channels/{channel_id}/messages"``. 429s carry Discord's JSON body and the
        X-RateLimit-* headers, plus ``Via`` (discord.py treats a 429 without it as a
        Cloudflare ban and does not retry; pass ``via=False`` to simulate that).
        """
        fault = Fault(
            method=method.upper(),
            pattern=compile_pattern(pattern),
            status=status,
            remaining=count,
            retry_after=retry_after,
            is_global=is_global,
            via=via,
            body=body,
        )
        self.faults.append(fault)
        return fault

    def rate_limit(
        self,
        method: str,
        pattern: str,
        *,
        limit: int,
        per: float,
        bucket: str | None = None,
    ) -> RateLimitRule:
        """Steady mode: ``limit`` requests per ``per`` seconds per major parameter (channel,
        guild, webhook), announced with X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket
        on every answer; anything beyond gets a 429 (counted in ``rule.served_429``)."""
        rule = RateLimitRule(
            method=method.upper(),
            pattern=compile_pattern(pattern),
            limit=limit,
            per=per,
            bucket=bucket or secrets.token_hex(8),
        )
        self.rate_limits.append(rule)
        return rule

    async def drop_gateway(self, *, code: int | None = 4000) -> None:
        await self.gateway.drop(code=code)

    async def send_reconnect(self) -> None:
        await self.gateway.send_reconnect()

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        await self.gateway.invalidate_session(resumable=resumable)

    # ---- the HTTP entry point -----------------------------------------------------------------

    async def _read_body(self, request: web.Request) -> tuple[Any, list[Upload]]:
        ctype = request.headers.get(hdrs.CONTENT_TYPE, "")
        if ctype.startswith("multipart/"):
            payload: Any = None
            uploads: list[Upload] = []
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name
                if name == "payload_json":
                    payload = json.loads(await part.text())
                else:
                    data = await part.read(decode=False)
                    uploads.append(
                        Upload(
                            field=name or "",
                            filename=part.filename or "file",
                            data=bytes(data),
                            content_type=part.headers.get(hdrs.CONTENT_TYPE),
                        )
                    )
            return payload, uploads
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            return raw.decode("utf-8", "replace"), []

    def _json(
        self, status: int, payload: Any, headers: Mapping[str, str] | None = None
    ) -> web.Response:
        # Exactly "application/json": discord.py only parses bodies with that content type.
        if status == 204:
            return web.Response(status=204, headers=dict(headers or {}))
        return web.Response(
            status=status,
            body=json.dumps(payload).encode(),
            content_type="application/json",
            headers=dict(headers or {}),
        )

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.method
        path = "/" + request.match_info["tail"]
        body, uploads = await self._read_body(request)
        rec = RequestRecord(method=method, path=path, query=dict(request.query), body=body)
        rec.files = [
            StoredFile(id=0, filename=u.filename, data=u.data, content_type=u.content_type)
            for u in uploads
        ]
        self.requests.append(rec)
        if len(self.requests) > 100_000:  # bounded for long benchmarks
            del self.requests[:50_000]
        try:
            response = await self._dispatch_api(request, rec, body, uploads)
        except Exception as exc:
            # A bug in the fake, not the bot. Answer 400 (a 500 would make discord.py retry
            # for ~25 s) and record it so the fixture fails the test loudly.
            self.internal_errors.append(f"{method} {path}: {exc!r}")
            response = self._json(400, {"message": f"fake-discord bug: {exc!r}", "code": 0})
        rec.status = response.status
        self._notify()
        return response

    async def _dispatch_api(
        self, request: web.Request, rec: RequestRecord, body: Any, uploads: list[Upload]
    ) -> web.Response:
        method, path = rec.method, rec.path
        headers: dict[str, str] = {"Via": "1.1 google"}

        for fault in self.faults:
            if fault.matches(method, path):
                fault.remaining -= 1
                fault.served += 1
                return self._fault_response(fault)

        for rule in self.rate_limits:
            if rule.matches(method, path):
                limited = self._apply_rate_limit(rule, path, headers)
                if limited is not None:
                    return limited
                break

        for m, rx, pattern, handler, auth in self._routes:
            if m != method:
                continue
            match = rx.match(path)
            if match is None:
                continue
            rec.route = f"{m} {pattern}"
            if auth and request.headers.get(hdrs.AUTHORIZATION) != f"Bot {self.token}":
                return self._json(401, {"message": "401: Unauthorized", "code": 0}, headers)
            req = Req(
                method=method,
                path=path,
                params=match.groupdict(),
                query=request.query,
                json=body,
                uploads=uploads,
                record=rec,
            )
            try:
                status, payload = await handler(req)
            except ApiError as exc:
                return self._json(exc.status, exc.body(), headers)
            return self._json(status, payload, headers)

        self.unknown_routes.append(f"{method} {path}")
        return self._json(404, {"message": "404: Not Found", "code": 0}, headers)

    def _fault_response(self, fault: Fault) -> web.Response:
        headers: dict[str, str] = {}
        if fault.via:
            headers["Via"] = "1.1 google"
        if fault.status == 429:
            self.served_429 += 1
            headers.update(
                {
                    "Retry-After": str(max(1, math.ceil(fault.retry_after))),
                    "X-RateLimit-Limit": "1",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                    "X-RateLimit-Scope": "global" if fault.is_global else "user",
                }
            )
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            else:
                headers["X-RateLimit-Bucket"] = "fault" + secrets.token_hex(4)
            body = fault.body or {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.is_global,
            }
            return self._json(429, body, headers)
        body = fault.body or {"message": f"{fault.status}: Fake fault", "code": 0}
        return self._json(fault.status, body, headers)

    def _apply_rate_limit(
        self, rule: RateLimitRule, path: str, headers: dict[str, str]
    ) -> web.Response | None:
        now = self.clock()
        key = _major(path)
        start, count = rule.windows.get(key, (now, 0))
        if now >= start + rule.per:
            start, count = now, 0
        rule.requests += 1
        # Rounded up to the millisecond (as Discord does) so a client that sleeps exactly
        # Reset-After never arrives before the window closes.
        reset_after = math.ceil(max(0.0, start + rule.per - now) * 1000) / 1000
        common = {
            "X-RateLimit-Limit": str(rule.limit),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": rule.bucket,
        }
        if count >= rule.limit:
            rule.served_429 += 1
            self.served_429 += 1
            limited = dict(headers)
            limited.update(common)
            limited.update(
                {
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Scope": "user",
                    "Retry-After": str(max(1, math.ceil(reset_after))),
                }
            )
            body = {
                "message": "You are being rate limited.",
                "retry_after": reset_after,
                "global": False,
            }
            return self._json(429, body, limited)
        count += 1
        rule.windows[key] = (start, count)
        rule.accepted += 1
        rule.accepted_at.append(now)
        headers.update(common)
        headers["X-RateLimit-Remaining"] = str(rule.limit - count)
        return None

    async def _serve_file(self, request: web.Request) -> web.StreamResponse:
        stored = self.files.get(int(request.match_info["file_id"]))
        if stored is None:
            return web.Response(status=404)
        return web.Response(
            body=stored.data, content_type=stored.content_type or "application/octet-stream"
        )

    # ---- violations ------------------------------------------------------------------------

    def _violate(self, req: Req, field: str, message: str, code: str) -> None:
        self.violations.append(Violation(req.method, req.path, field, message, code))

    def _reject(self, req: Req, problems: list[Problem]) -> None:
        """Record problems as violations and answer 400 Invalid Form Body, like Discord."""
        if not problems:
            return
        for p in problems:
            self._violate(req, p.field, p.message, p.code)
        if any(p.code == "EMPTY_MESSAGE" for p in problems) and len(problems) == 1:
            raise ApiError(400, 50006, "Cannot send an empty message")
        raise ApiError(400, 50035, "Invalid Form Body", limits.errors_tree(problems))

    # ---- payload builders -------------------------------------------------------------------

    def guild_of_channel(self, channel_id: int) -> int | None:
        channel = self.channels.get(channel_id)
        if channel is None or channel.get("guild_id") is None:
            return None
        return int(channel["guild_id"])

    def guild_create_payload(self, guild_id: int, *, intents: int = -1) -> dict[str, Any]:
        """GUILD_CREATE for ``guild_id``. Without the GUILD_MEMBERS intent (1 << 1) Discord
        sends only the bot's own member, which is what discord.py then caches."""
        guild = self.guilds[guild_id]
        members = list(guild.members.values())
        if not intents & (1 << 1):
            members = [m for m in members if m.user is self.bot_user]
        channels = [
            c
            for c in self.channels.values()
            if c.get("guild_id") == str(guild_id) and c["type"] not in THREAD_TYPES
        ]
        threads = [
            c
            for c in self.channels.values()
            if c.get("guild_id") == str(guild_id)
            and c["type"] in THREAD_TYPES
            and not c["thread_metadata"]["archived"]
        ]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": list(guild.roles.values()),
            "emojis": [],
            "stickers": [],
            "features": ["COMMUNITY"],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "max_members": 500000,
            "joined_at": guild.joined_at,
            "large": False,
            "unavailable": False,
            "lazy": True,
            "member_count": len(guild.members),
            "members": [m.to_payload() for m in members],
            "channels": [copy.deepcopy(c) for c in channels],
            "threads": [copy.deepcopy(t) for t in threads],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def _message_data(
        self,
        channel_id: int,
        payload: dict[str, Any],
        *,
        author: dict[str, Any],
        files: list[StoredFile],
        msg_id: int | None = None,
        flags: int = 0,
        msg_type: int = 0,
        webhook_id: int | None = None,
    ) -> dict[str, Any]:
        embeds = []
        for embed in payload.get("embeds") or []:
            e = dict(embed)
            e.setdefault("type", "rich")
            embeds.append(e)
        data: dict[str, Any] = {
            "id": str(msg_id or self.ids.next()),
            "channel_id": str(channel_id),
            "type": msg_type,
            "author": dict(author),
            "content": payload.get("content") or "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [f.to_payload() for f in files],
            "embeds": embeds,
            "components": copy.deepcopy(payload.get("components") or []),
            "pinned": False,
            "flags": flags | (int(payload.get("flags") or 0) & ~FLAG_LOADING),
        }
        if webhook_id is not None:
            data["webhook_id"] = str(webhook_id)
        if payload.get("nonce") is not None:
            data["nonce"] = payload["nonce"]
        if payload.get("message_reference"):
            ref = dict(payload["message_reference"])
            ref.setdefault("channel_id", str(channel_id))
            data["message_reference"] = ref
        if payload.get("poll"):
            data["poll"] = payload["poll"]
        return data

    def _store_uploads(
        self,
        channel_id: int,
        attachments: list[dict[str, Any]] | None,
        uploads: list[Upload],
        *,
        keep: list[StoredFile] | None = None,
    ) -> list[StoredFile]:
        """Files for a message: kept existing attachments plus the new uploads.

        ``attachments`` entries refer to an upload by its ``files[n]`` index or to an
        existing attachment by its id; uploads no entry refers to are attached too.
        """
        by_index = {u.index: u for u in uploads if u.index is not None}
        existing = {f.id: f for f in keep or []}
        out: list[StoredFile] = []
        used: set[int] = set()
        for att in attachments or []:
            try:
                ref = int(att.get("id"))
            except (TypeError, ValueError):
                continue
            if ref in existing:
                out.append(existing[ref])
            elif ref in by_index and ref not in used:
                used.add(ref)
                upload = by_index[ref]
                out.append(
                    self._new_file(
                        channel_id,
                        att.get("filename") or upload.filename,
                        upload.data,
                        upload.content_type,
                        att.get("description"),
                    )
                )
        for u in uploads:
            if u.index is None or u.index not in used:
                out.append(self._new_file(channel_id, u.filename, u.data, u.content_type, None))
        return out

    def _new_file(
        self,
        channel_id: int,
        filename: str,
        data: bytes,
        content_type: str | None,
        description: str | None,
    ) -> StoredFile:
        fid = self.ids.next()
        stored = StoredFile(
            id=fid,
            filename=filename,
            data=data,
            content_type=content_type,
            description=description,
            url=f"{self.base_url}/attachments/{channel_id}/{fid}/{filename}",
        )
        self.files[fid] = stored
        return stored

    def _add_message(
        self,
        channel_id: int,
        payload: dict[str, Any],
        uploads: list[Upload],
        *,
        author: dict[str, Any],
        msg_id: int | None = None,
        flags: int = 0,
        msg_type: int = 0,
        webhook_id: int | None = None,
        ephemeral: bool = False,
        interaction_id: int | None = None,
    ) -> StoredMessage:
        files = self._store_uploads(channel_id, payload.get("attachments"), uploads)
        data = self._message_data(
            channel_id,
            payload,
            author=author,
            files=files,
            msg_id=msg_id,
            flags=flags,
            msg_type=msg_type,
            webhook_id=webhook_id,
        )
        msg = StoredMessage(
            id=int(data["id"]),
            channel_id=channel_id,
            data=data,
            files=files,
            history=[copy.deepcopy(payload)],
            allowed_mentions=copy.deepcopy(payload.get("allowed_mentions")),
            username=payload.get("username"),
            avatar_url=payload.get("avatar_url"),
            ephemeral=ephemeral,
            interaction_id=interaction_id,
        )
        self._messages[msg.id] = msg
        self._channel_messages.setdefault(channel_id, []).append(msg.id)
        channel = self.channels.get(channel_id)
        if channel is not None and not ephemeral:
            channel["last_message_id"] = str(msg.id)
            if channel["type"] in THREAD_TYPES:
                channel["message_count"] = channel.get("message_count", 0) + 1
                channel["total_message_sent"] = channel.get("total_message_sent", 0) + 1
        return msg

    def _apply_edit(
        self, msg: StoredMessage, payload: dict[str, Any], uploads: list[Upload]
    ) -> None:
        data = msg.data
        if "content" in payload:
            data["content"] = payload["content"] or ""
        if "embeds" in payload:
            data["embeds"] = [dict(e, type=e.get("type", "rich")) for e in payload["embeds"] or []]
        if "components" in payload:
            data["components"] = copy.deepcopy(payload["components"] or [])
        if "attachments" in payload:
            msg.files = self._store_uploads(
                msg.channel_id, payload["attachments"], uploads, keep=msg.files
            )
        elif uploads:
            msg.files = msg.files + self._store_uploads(msg.channel_id, None, uploads)
        data["attachments"] = [f.to_payload() for f in msg.files]
        # Edits cannot change ephemerality (decided by the first response); they end "loading".
        old_flags = int(data.get("flags") or 0)
        new_flags = old_flags if payload.get("flags") is None else int(payload["flags"])
        data["flags"] = (old_flags & FLAG_EPHEMERAL) | (
            new_flags & ~(FLAG_EPHEMERAL | FLAG_LOADING)
        )
        if "allowed_mentions" in payload:
            msg.allowed_mentions = copy.deepcopy(payload["allowed_mentions"])
        data["edited_timestamp"] = iso_now()
        msg.history.append(copy.deepcopy(payload))

    def _empty_after_edit(self, msg: StoredMessage) -> bool:
        d = msg.data
        return not (
            d.get("content") or d.get("embeds") or d.get("components") or msg.files or d.get("poll")
        )

    def _gateway_message(self, msg: StoredMessage) -> dict[str, Any]:
        data = copy.deepcopy(msg.data)
        guild_id = self.guild_of_channel(msg.channel_id)
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
            author_id = int(data["author"]["id"])
            member = self.guilds[guild_id].members.get(author_id)
            if member is not None and "webhook_id" not in data:
                m = member.to_payload()
                m.pop("user", None)
                data["member"] = m
        return data

    async def _emit(self, event: str, data: dict[str, Any]) -> None:
        if self.dispatch_events and self.gateway.current is not None:
            await self.gateway.dispatch(event, data)

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send any gateway DISPATCH event to the bot (e.g. THREAD_DELETE)."""
        return await self.gateway.dispatch(event, data)

    async def post_user_message(
        self, channel_id: int, content: str, *, author_id: int
    ) -> StoredMessage:
        """A message typed by a user: stored and dispatched as MESSAGE_CREATE."""
        author = self.users[author_id]
        msg = self._add_message(channel_id, {"content": content}, [], author=author)
        await self._emit("MESSAGE_CREATE", self._gateway_message(msg))
        self._notify()
        return msg

    # ---- helpers for handlers ----------------------------------------------------------------

    def _channel(self, channel_id: int) -> dict[str, Any]:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def _msg(self, channel_id: int, message_id: str) -> StoredMessage:
        try:
            msg = self._messages.get(int(message_id))
        except ValueError:
            msg = None
        if msg is None or msg.deleted or msg.channel_id != channel_id or msg.ephemeral:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    def _body(self, req: Req) -> dict[str, Any]:
        if req.json is None:
            return {}
        if not isinstance(req.json, dict):
            self._reject(req, [Problem("body", "Must be an object.", "MODEL_TYPE_CONVERT")])
        return dict(req.json)

    def _check_create(self, req: Req, payload: dict[str, Any], prefix: str = "") -> None:
        self._reject(
            req,
            limits.check_message(
                payload,
                creating=True,
                file_count=len(req.uploads),
                file_sizes=[len(u.data) for u in req.uploads],
                prefix=prefix,
            ),
        )

    def _check_edit(self, req: Req, payload: dict[str, Any], msg: StoredMessage) -> None:
        problems = limits.check_message(
            payload,
            creating=False,
            file_count=len(req.uploads),
            file_sizes=[len(u.data) for u in req.uploads],
        )
        self._reject(req, problems)

    def _ensure_can_post(self, channel: dict[str, Any]) -> None:
        if channel["type"] == GUILD_FORUM:
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        if channel["type"] in THREAD_TYPES:
            meta = channel["thread_metadata"]
            if meta.get("locked"):
                raise ApiError(400, 50083, "Thread is archived")
            if meta.get("archived"):
                meta["archived"] = False  # posting unarchives an unlocked thread

    # ---- users, application, gateway ---------------------------------------------------------

    @route("GET", "/users/@me")
    async def get_me(self, req: Req) -> tuple[int, Any]:
        return 200, self.bot_user

    @route("GET", "/users/{user_id}")
    async def get_user(self, req: Req) -> tuple[int, Any]:
        user = self.users.get(int(req.params["user_id"]))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return 200, user

    @route("POST", "/users/@me/channels")
    async def create_dm(self, req: Req) -> tuple[int, Any]:
        user_id = int(self._body(req)["recipient_id"])
        return 200, self.dm_channel(user_id)

    def dm_channel(self, user_id: int) -> dict[str, Any]:
        for c in self.channels.values():
            if c["type"] == DM and c["recipients"][0]["id"] == str(user_id):
                return c
        cid = self.ids.next()
        channel = {
            "id": str(cid),
            "type": DM,
            "last_message_id": None,
            "recipients": [self.users[user_id]],
            "flags": 0,
        }
        self.channels[cid] = channel
        self._channel_messages.setdefault(cid, [])
        return channel

    @route("GET", "/oauth2/applications/@me")
    async def get_application(self, req: Req) -> tuple[int, Any]:
        return 200, self._application()

    @route("GET", "/applications/@me")
    async def get_application2(self, req: Req) -> tuple[int, Any]:
        return 200, self._application()

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": self.bot_user["username"],
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner_user,
            "summary": "",
            "verify_key": "0" * 64,
            "team": None,
            "flags": 0,
            "interactions_endpoint_url": None,
            "bot": self.bot_user,
        }

    @route("GET", "/gateway/bot")
    async def get_gateway_bot(self, req: Req) -> tuple[int, Any]:
        return 200, {
            "url": f"{self.ws_url}/gateway",
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    @route("GET", "/gateway", auth=False)
    async def get_gateway(self, req: Req) -> tuple[int, Any]:
        return 200, {"url": f"{self.ws_url}/gateway"}

    # ---- application commands ----------------------------------------------------------------

    def _check_app(self, req: Req) -> None:
        if int(req.params["app_id"]) != self.application_id:
            raise ApiError(403, 50001, "Missing Access")

    def _scope(self, req: Req) -> tuple[int | None, list[dict[str, Any]]]:
        self._check_app(req)
        if "guild_id" in req.params:
            gid = int(req.params["guild_id"])
            if gid not in self.guilds:
                raise ApiError(403, 50001, "Missing Access")
            return gid, self.guild_commands.setdefault(gid, [])
        return None, self.global_commands

    def _full_command(
        self, payload: dict[str, Any], guild_id: int | None, existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        cmd = copy.deepcopy(payload)
        cmd["id"] = existing["id"] if existing else str(self.ids.next())
        cmd["application_id"] = str(self.application_id)
        cmd["version"] = str(self.ids.next())
        cmd.setdefault("type", 1)
        cmd.setdefault("description", "" if cmd["type"] != 1 else cmd.get("description", ""))
        cmd.setdefault("options", [])
        cmd.setdefault("default_member_permissions", None)
        cmd.setdefault("nsfw", False)
        cmd.setdefault("name_localizations", None)
        cmd.setdefault("description_localizations", None)
        if guild_id is not None:
            cmd["guild_id"] = str(guild_id)
        return cmd

    @route("GET", "/applications/{app_id}/commands")
    @route("GET", "/applications/{app_id}/guilds/{guild_id}/commands")
    async def list_commands(self, req: Req) -> tuple[int, Any]:
        _, scope = self._scope(req)
        return 200, scope

    @route("PUT", "/applications/{app_id}/commands")
    @route("PUT", "/applications/{app_id}/guilds/{guild_id}/commands")
    async def bulk_overwrite_commands(self, req: Req) -> tuple[int, Any]:
        guild_id, scope = self._scope(req)
        body = req.json if req.json is not None else []
        self._reject(req, limits.check_commands(body))
        self.command_syncs.append(CommandSync(guild_id=guild_id, payload=copy.deepcopy(body)))
        old = {(c.get("type", 1), c["name"]): c for c in scope}
        new = [
            self._full_command(c, guild_id, old.get((c.get("type", 1), c["name"]))) for c in body
        ]
        scope[:] = new
        return 200, new

    @route("POST", "/applications/{app_id}/commands")
    @route("POST", "/applications/{app_id}/guilds/{guild_id}/commands")
    async def upsert_command(self, req: Req) -> tuple[int, Any]:
        guild_id, scope = self._scope(req)
        body = self._body(req)
        self._reject(req, limits.check_commands([body]))
        key = (body.get("type", 1), body.get("name"))
        for i, c in enumerate(scope):
            if (c.get("type", 1), c["name"]) == key:
                scope[i] = self._full_command(body, guild_id, c)
                return 200, scope[i]
        cmd = self._full_command(body, guild_id, None)
        scope.append(cmd)
        return 201, cmd

    def _find_command(self, scope: list[dict[str, Any]], command_id: str) -> int:
        for i, c in enumerate(scope):
            if c["id"] == command_id:
                return i
        raise ApiError(404, 10063, "Unknown application command")

    @route("GET", "/applications/{app_id}/commands/{command_id}")
    @route("GET", "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}")
    async def get_command(self, req: Req) -> tuple[int, Any]:
        _, scope = self._scope(req)
        return 200, scope[self._find_command(scope, req.params["command_id"])]

    @route("PATCH", "/applications/{app_id}/commands/{command_id}")
    @route("PATCH", "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}")
    async def edit_command(self, req: Req) -> tuple[int, Any]:
        guild_id, scope = self._scope(req)
        i = self._find_command(scope, req.params["command_id"])
        merged = {**scope[i], **self._body(req)}
        self._reject(req, limits.check_commands([merged]))
        scope[i] = self._full_command(merged, guild_id, scope[i])
        return 200, scope[i]

    @route("DELETE", "/applications/{app_id}/commands/{command_id}")
    @route("DELETE", "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}")
    async def delete_command(self, req: Req) -> tuple[int, Any]:
        _, scope = self._scope(req)
        del scope[self._find_command(scope, req.params["command_id"])]
        return 204, None

    @route("GET", "/applications/{app_id}/guilds/{guild_id}/commands/permissions")
    async def command_permissions(self, req: Req) -> tuple[int, Any]:
        self._check_app(req)
        return 200, []

    # ---- guilds ----------------------------------------------------------------------------------

    def _guild(self, req: Req) -> FakeGuild:
        guild = self.guilds.get(int(req.params["guild_id"]))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        return guild

    @route("GET", "/guilds/{guild_id}")
    async def get_guild(self, req: Req) -> tuple[int, Any]:
        payload = self.guild_create_payload(self._guild(req).id)
        for key in ("members", "channels", "threads", "voice_states", "presences", "joined_at"):
            payload.pop(key, None)
        return 200, payload

    @route("GET", "/guilds/{guild_id}/channels")
    async def get_guild_channels(self, req: Req) -> tuple[int, Any]:
        return 200, self.guild_create_payload(self._guild(req).id)["channels"]

    @route("GET", "/guilds/{guild_id}/roles")
    async def get_roles(self, req: Req) -> tuple[int, Any]:
        return 200, list(self._guild(req).roles.values())

    @route("GET", "/guilds/{guild_id}/members")
    async def get_members(self, req: Req) -> tuple[int, Any]:
        guild = self._guild(req)
        limit = int(req.query.get("limit", 1))
        after = int(req.query.get("after", 0))
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)
        return 200, [m.to_payload() for m in members[:limit]]

    @route("GET", "/guilds/{guild_id}/members/{user_id}")
    async def get_member(self, req: Req) -> tuple[int, Any]:
        member = self._guild(req).members.get(int(req.params["user_id"]))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return 200, member.to_payload()

    @route("GET", "/guilds/{guild_id}/threads/active")
    async def active_threads(self, req: Req) -> tuple[int, Any]:
        guild = self._guild(req)
        threads = [
            t
            for t in self.threads()
            if t["guild_id"] == str(guild.id) and not t["thread_metadata"]["archived"]
        ]
        return 200, {"threads": threads, "members": []}

    @route("GET", "/guilds/{guild_id}/webhooks")
    async def guild_webhooks(self, req: Req) -> tuple[int, Any]:
        guild = self._guild(req)
        return 200, [w for w in self._webhooks.values() if w["guild_id"] == str(guild.id)]

    # ---- channels --------------------------------------------------------------------------

    @route("GET", "/channels/{channel_id}")
    async def get_channel(self, req: Req) -> tuple[int, Any]:
        return 200, self._channel(req.int_param("channel_id"))

    @route("PATCH", "/channels/{channel_id}")
    async def edit_channel(self, req: Req) -> tuple[int, Any]:
        channel = self._channel(req.int_param("channel_id"))
        body = self._body(req)
        if "name" in body:
            self._reject(req, limits.check_thread_name(body["name"]))
            channel["name"] = body["name"]
        for key in ("topic", "rate_limit_per_user", "applied_tags", "nsfw", "flags"):
            if key in body:
                channel[key] = body[key]
        if channel["type"] in THREAD_TYPES:
            meta = channel["thread_metadata"]
            for key in ("archived", "locked", "auto_archive_duration", "invitable"):
                if key in body:
                    meta[key] = body[key]
            if "archived" in body:
                meta["archive_timestamp"] = iso_now()
            await self._emit("THREAD_UPDATE", copy.deepcopy(channel))
        else:
            await self._emit("CHANNEL_UPDATE", copy.deepcopy(channel))
        return 200, channel

    @route("DELETE", "/channels/{channel_id}")
    async def delete_channel(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        channel = self._channel(cid)
        del self.channels[cid]
        if channel["type"] in THREAD_TYPES:
            await self._emit(
                "THREAD_DELETE",
                {k: channel[k] for k in ("id", "guild_id", "parent_id", "type")},
            )
        else:
            await self._emit("CHANNEL_DELETE", copy.deepcopy(channel))
        return 200, channel

    @route("POST", "/channels/{channel_id}/typing")
    async def typing(self, req: Req) -> tuple[int, Any]:
        self._channel(req.int_param("channel_id"))
        return 204, None

    @route("POST", "/channels/{channel_id}/messages")
    async def create_message(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        channel = self._channel(cid)
        payload = self._body(req)
        self._check_create(req, payload)
        self._ensure_can_post(channel)
        msg = self._add_message(
            cid,
            payload,
            req.uploads,
            author=self.bot_user,
            msg_type=19 if payload.get("message_reference") else 0,
        )
        await self._emit("MESSAGE_CREATE", self._gateway_message(msg))
        return 200, msg.data

    @route("GET", "/channels/{channel_id}/messages")
    async def list_messages(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        self._channel(cid)
        msgs = self.messages(cid)
        limit = min(int(req.query.get("limit", 50)), 100)
        if "before" in req.query:
            msgs = [m for m in msgs if m.id < int(req.query["before"])]
        if "after" in req.query:
            msgs = [m for m in msgs if m.id > int(req.query["after"])]
            return 200, [m.data for m in reversed(msgs[:limit])]
        if "around" in req.query:
            around = int(req.query["around"])
            older = [m for m in msgs if m.id <= around][-(limit // 2 + 1) :]
            newer = [m for m in msgs if m.id > around][: limit - len(older)]
            return 200, [m.data for m in reversed(older + newer)]
        return 200, [m.data for m in reversed(msgs[-limit:])]

    @route("GET", "/channels/{channel_id}/messages/pins")
    async def list_pins(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        self._channel(cid)
        pinned = sorted(self._pinned(cid), key=lambda m: str(m.pinned_at), reverse=True)
        if "before" in req.query:
            pinned = [m for m in pinned if str(m.pinned_at) < req.query["before"]]
        limit = min(int(req.query.get("limit", 50)), 50)
        items = [{"pinned_at": m.pinned_at, "message": m.data} for m in pinned[:limit]]
        return 200, {"items": items, "has_more": len(pinned) > limit}

    @route("GET", "/channels/{channel_id}/pins")
    async def list_pins_legacy(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        self._channel(cid)
        return 200, [m.data for m in reversed(self._pinned(cid))]

    @route("GET", "/channels/{channel_id}/messages/{message_id}")
    async def get_message(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        self._channel(cid)
        return 200, self._msg(cid, req.params["message_id"]).data

    @route("PATCH", "/channels/{channel_id}/messages/{message_id}")
    async def edit_message(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        self._channel(cid)
        msg = self._msg(cid, req.params["message_id"])
        if msg.author.get("id") != self.bot_user["id"] or msg.webhook_id not in (
            None,
            self.application_id,
        ):
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        payload = self._body(req)
        self._check_edit(req, payload, msg)
        self._apply_edit(msg, payload, req.uploads)
        if self._empty_after_edit(msg):
            self._reject(req, [Problem("content", "Cannot send an empty message", "EMPTY_MESSAGE")])
        await self._emit("MESSAGE_UPDATE", self._gateway_message(msg))
        return 200, msg.data

    @route("DELETE", "/channels/{channel_id}/messages/{message_id}")
    async def delete_message(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        msg = self._msg(cid, req.params["message_id"])
        await self._delete(msg)
        return 204, None

    async def _delete(self, msg: StoredMessage) -> None:
        msg.deleted = True
        if not msg.ephemeral:
            event: dict[str, Any] = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
            gid = self.guild_of_channel(msg.channel_id)
            if gid is not None:
                event["guild_id"] = str(gid)
            await self._emit("MESSAGE_DELETE", event)

    @route("POST", "/channels/{channel_id}/messages/bulk-delete")
    async def bulk_delete(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        ids = self._body(req).get("messages") or []
        if not 2 <= len(ids) <= 100:
            self._reject(
                req,
                [
                    Problem(
                        "messages", "Must be between 2 and 100 in length.", "BASE_TYPE_BAD_LENGTH"
                    )
                ],
            )
        for mid in ids:
            with contextlib.suppress(ApiError):
                self._msg(cid, str(mid)).deleted = True
        return 204, None

    @route("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
    async def add_reaction(self, req: Req) -> tuple[int, Any]:
        msg = self._msg(req.int_param("channel_id"), req.params["message_id"])
        emoji = req.params["emoji"]  # aiohttp already percent-decoded the path
        if emoji not in msg.reactions:
            msg.reactions.append(emoji)
        return 204, None

    @route("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
    async def remove_reaction(self, req: Req) -> tuple[int, Any]:
        msg = self._msg(req.int_param("channel_id"), req.params["message_id"])
        emoji = req.params["emoji"]
        if emoji in msg.reactions:
            msg.reactions.remove(emoji)
        return 204, None

    @route("PUT", "/channels/{channel_id}/pins/{message_id}")
    @route("PUT", "/channels/{channel_id}/messages/pins/{message_id}")
    async def pin(self, req: Req) -> tuple[int, Any]:
        msg = self._msg(req.int_param("channel_id"), req.params["message_id"])
        msg.data["pinned"] = True
        msg.pinned_at = iso_now()
        return 204, None

    @route("DELETE", "/channels/{channel_id}/pins/{message_id}")
    @route("DELETE", "/channels/{channel_id}/messages/pins/{message_id}")
    async def unpin(self, req: Req) -> tuple[int, Any]:
        msg = self._msg(req.int_param("channel_id"), req.params["message_id"])
        msg.data["pinned"] = False
        msg.pinned_at = None
        return 204, None

    def _pinned(self, channel_id: int) -> list[StoredMessage]:
        return [m for m in self.messages(channel_id) if m.pinned_at is not None]

    # ---- threads ---------------------------------------------------------------------------------

    def _new_thread(
        self,
        parent: dict[str, Any],
        body: dict[str, Any],
        *,
        thread_id: int,
        thread_type: int,
    ) -> dict[str, Any]:
        now = iso_now()
        thread = {
            "id": str(thread_id),
            "type": thread_type,
            "guild_id": parent["guild_id"],
            "parent_id": parent["id"],
            "owner_id": self.bot_user["id"],
            "name": body["name"],
            "last_message_id": None,
            "rate_limit_per_user": body.get("rate_limit_per_user") or 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "applied_tags": [str(t) for t in body.get("applied_tags") or []],
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration")
                or parent.get("default_auto_archive_duration", 1440),
                "archive_timestamp": now,
                "locked": False,
                "create_timestamp": now,
                "invitable": body.get("invitable", True),
            },
        }
        self.channels[thread_id] = thread
        self._channel_messages.setdefault(thread_id, [])
        return thread

    def _check_thread_body(self, req: Req, body: dict[str, Any]) -> None:
        problems = limits.check_thread_name(body.get("name"))
        duration = body.get("auto_archive_duration")
        if duration is not None and duration not in (60, 1440, 4320, 10080):
            problems.append(
                Problem(
                    "auto_archive_duration",
                    "Must be one of 60, 1440, 4320, 10080.",
                    "BASE_TYPE_CHOICES",
                )
            )
        self._reject(req, problems)

    @route("POST", "/channels/{channel_id}/threads")
    async def create_thread(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        parent = self._channel(cid)
        body = self._body(req)
        self._check_thread_body(req, body)
        if parent["type"] == GUILD_FORUM:
            return await self._create_forum_post(req, parent, body)
        if parent["type"] not in (GUILD_TEXT, 5):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        thread_type = int(body.get("type") or PRIVATE_THREAD)
        thread = self._new_thread(parent, body, thread_id=self.ids.next(), thread_type=thread_type)
        await self._emit("THREAD_CREATE", {**copy.deepcopy(thread), "newly_created": True})
        return 201, thread

    async def _create_forum_post(
        self, req: Req, forum: dict[str, Any], body: dict[str, Any]
    ) -> tuple[int, Any]:
        message = body.get("message")
        if not isinstance(message, dict):
            self._reject(req, [Problem("message", "This field is required", "BASE_TYPE_REQUIRED")])
            raise AssertionError("unreachable")
        self._check_create(req, message, prefix="message")
        self._check_applied_tags(req, forum, body.get("applied_tags"))
        msg_id = self.ids.next()
        thread = self._new_thread(forum, body, thread_id=msg_id, thread_type=PUBLIC_THREAD)
        msg = self._add_message(msg_id, message, req.uploads, author=self.bot_user, msg_id=msg_id)
        forum["last_message_id"] = str(msg_id)
        await self._emit("THREAD_CREATE", {**copy.deepcopy(thread), "newly_created": True})
        await self._emit("MESSAGE_CREATE", self._gateway_message(msg))
        return 201, {**thread, "message": msg.data}

    def _check_applied_tags(self, req: Req, forum: dict[str, Any], tags: Any) -> None:
        known = {t["id"] for t in forum.get("available_tags") or []}
        tags = [str(t) for t in tags or []]
        problems = []
        if len(tags) > 5:
            problems.append(Problem("applied_tags", "Must be 5 or fewer in length."))
        problems += [
            Problem("applied_tags", f"Unknown tag {t}.", "UNKNOWN_TAG")
            for t in tags
            if t not in known
        ]
        self._reject(req, problems)
        if forum.get("flags", 0) & FORUM_REQUIRE_TAG and not tags:
            raise ApiError(400, 40067, "A tag is required to create a forum post in this channel")

    @route("POST", "/channels/{channel_id}/messages/{message_id}/threads")
    async def create_thread_from_message(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        parent = self._channel(cid)
        msg = self._msg(cid, req.params["message_id"])
        body = self._body(req)
        self._check_thread_body(req, body)
        if msg.id in self.channels:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        thread = self._new_thread(parent, body, thread_id=msg.id, thread_type=PUBLIC_THREAD)
        msg.data["thread"] = thread
        msg.data["flags"] = msg.flags | (1 << 5)  # HAS_THREAD
        await self._emit("THREAD_CREATE", {**copy.deepcopy(thread), "newly_created": True})
        return 201, thread

    @route("PUT", "/channels/{channel_id}/thread-members/@me")
    @route("DELETE", "/channels/{channel_id}/thread-members/@me")
    @route("PUT", "/channels/{channel_id}/thread-members/{user_id}")
    @route("DELETE", "/channels/{channel_id}/thread-members/{user_id}")
    async def thread_member(self, req: Req) -> tuple[int, Any]:
        channel = self._channel(req.int_param("channel_id"))
        if channel["type"] not in THREAD_TYPES:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        return 204, None

    @route("GET", "/channels/{channel_id}/threads/archived/public")
    async def archived_threads(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        self._channel(cid)
        threads = [t for t in self.threads(cid) if t["thread_metadata"]["archived"]]
        return 200, {"threads": threads, "members": [], "has_more": False}

    # ---- webhooks ----------------------------------------------------------------------------

    @route("GET", "/channels/{channel_id}/webhooks")
    async def channel_webhooks(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        self._channel(cid)
        return 200, self.webhooks(cid)

    @route("POST", "/channels/{channel_id}/webhooks")
    async def create_webhook(self, req: Req) -> tuple[int, Any]:
        cid = req.int_param("channel_id")
        channel = self._channel(cid)
        body = self._body(req)
        problems = limits.check_webhook_username(body.get("name"), "name")
        if body.get("name") is None:
            problems.append(Problem("name", "This field is required", "BASE_TYPE_REQUIRED"))
        self._reject(req, problems)
        if channel["type"] not in (GUILD_TEXT, 5, GUILD_FORUM, 16):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        if len(self.webhooks(cid)) >= WEBHOOKS_PER_CHANNEL:
            raise ApiError(400, 30007, "Maximum number of webhooks reached (15)")
        wid = self.ids.next()
        hook = {
            "id": str(wid),
            "type": 1,
            "guild_id": channel["guild_id"],
            "channel_id": str(cid),
            "name": body["name"],
            "avatar": None,
            "token": secrets.token_urlsafe(48),
            "application_id": str(self.application_id),
            "user": self.bot_user,
        }
        self._webhooks[wid] = hook
        return 200, hook

    def _webhook(self, req: Req, *, with_token: bool) -> dict[str, Any]:
        try:
            hook = self._webhooks.get(int(req.params["webhook_id"]))
        except ValueError:
            hook = None
        if hook is None or (with_token and hook["token"] != req.params.get("token")):
            raise ApiError(404, 10015, "Unknown Webhook")
        return hook

    @route("GET", "/webhooks/{webhook_id}")
    async def get_webhook(self, req: Req) -> tuple[int, Any]:
        return 200, self._webhook(req, with_token=False)

    @route("PATCH", "/webhooks/{webhook_id}")
    async def edit_webhook(self, req: Req) -> tuple[int, Any]:
        hook = self._webhook(req, with_token=False)
        body = self._body(req)
        if "name" in body:
            self._reject(req, limits.check_webhook_username(body["name"], "name"))
            hook["name"] = body["name"]
        if "channel_id" in body:
            hook["channel_id"] = str(body["channel_id"])
        return 200, hook

    @route("DELETE", "/webhooks/{webhook_id}")
    async def delete_webhook(self, req: Req) -> tuple[int, Any]:
        hook = self._webhook(req, with_token=False)
        del self._webhooks[int(hook["id"])]
        return 204, None

    @route("GET", "/webhooks/{webhook_id}/{token}", auth=False)
    async def get_webhook_token(self, req: Req) -> tuple[int, Any]:
        if self._interaction_for(req) is not None:
            raise ApiError(404, 10015, "Unknown Webhook")
        hook = dict(self._webhook(req, with_token=True))
        hook.pop("user", None)
        return 200, hook

    def _interaction_for(self, req: Req) -> InteractionRecord | None:
        if req.params.get("webhook_id") != str(self.application_id):
            return None
        rec = self._interaction_by_token.get(req.params.get("token", ""))
        if rec is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        return rec

    @route("POST", "/webhooks/{webhook_id}/{token}", auth=False)
    async def execute_webhook(self, req: Req) -> tuple[int, Any]:
        rec = self._interaction_for(req)
        if rec is not None:
            return await self._followup(req, rec)
        hook = self._webhook(req, with_token=True)
        payload = self._body(req)
        problems = limits.check_message(
            payload,
            creating=True,
            file_count=len(req.uploads),
            file_sizes=[len(u.data) for u in req.uploads],
        )
        problems += limits.check_webhook_username(
            payload.get("username"), forbidden=self.forbidden_usernames
        )
        if payload.get("thread_name") is not None:
            problems += limits.check_thread_name(payload["thread_name"], "thread_name")
        self._reject(req, problems)
        channel = self._channel(int(hook["channel_id"]))
        target_id = int(hook["channel_id"])
        created_thread: dict[str, Any] | None = None
        if req.query.get("thread_id"):
            target_id = int(req.query["thread_id"])
            thread = self.channels.get(target_id)
            if thread is None or thread.get("parent_id") != hook["channel_id"]:
                raise ApiError(400, 10003, "Unknown Channel")
            self._ensure_can_post(thread)
        elif channel["type"] in (GUILD_FORUM, 16):
            if not payload.get("thread_name"):
                raise ApiError(
                    400,
                    220001,
                    "Webhooks posted to forum channels must have a thread_name or thread_id",
                )
            self._check_applied_tags(req, channel, payload.get("applied_tags"))
            target_id = self.ids.next()
            created_thread = self._new_thread(
                channel,
                {"name": payload["thread_name"], "applied_tags": payload.get("applied_tags")},
                thread_id=target_id,
                thread_type=PUBLIC_THREAD,
            )
        elif payload.get("thread_name"):
            raise ApiError(400, 220003, "Webhooks can only create threads in forum channels")
        author = {
            "id": hook["id"],
            "username": payload.get("username") or hook["name"],
            "avatar": None,
            "discriminator": "0000",
            "bot": True,
        }
        msg = self._add_message(
            target_id,
            payload,
            req.uploads,
            author=author,
            webhook_id=int(hook["id"]),
            msg_id=target_id if created_thread else None,
        )
        if created_thread is not None:
            await self._emit(
                "THREAD_CREATE", {**copy.deepcopy(created_thread), "newly_created": True}
            )
        await self._emit("MESSAGE_CREATE", self._gateway_message(msg))
        if req.query.get("wait", "").lower() in ("1", "true"):
            return 200, msg.data
        return 204, None

    def _webhook_message(self, req: Req) -> tuple[StoredMessage, InteractionRecord | None]:
        rec = self._interaction_for(req)
        mid = req.params["message_id"]
        if rec is not None:
            if mid == "@original":
                if rec.original_message_id is None:
                    self._violate(req, "@original", "no initial response yet", "UNKNOWN_MESSAGE")
                    raise ApiError(404, 10008, "Unknown Message")
                msg = self._messages[rec.original_message_id]
            else:
                found = self._messages.get(int(mid)) if mid.isdigit() else None
                allowed = {rec.original_message_id, *rec.followup_ids}
                if found is None or found.id not in allowed:
                    raise ApiError(404, 10008, "Unknown Message")
                msg = found
            if msg.deleted:
                raise ApiError(404, 10008, "Unknown Message")
            return msg, rec
        hook = self._webhook(req, with_token=True)
        found = self._messages.get(int(mid)) if mid.isdigit() else None
        if found is None or found.deleted or found.webhook_id != int(hook["id"]):
            raise ApiError(404, 10008, "Unknown Message")
        if req.query.get("thread_id") and int(req.query["thread_id"]) != found.channel_id:
            raise ApiError(404, 10008, "Unknown Message")
        return found, None

    @route("GET", "/webhooks/{webhook_id}/{token}/messages/{message_id}", auth=False)
    async def get_webhook_message(self, req: Req) -> tuple[int, Any]:
        msg, _ = self._webhook_message(req)
        return 200, msg.data

    @route("PATCH", "/webhooks/{webhook_id}/{token}/messages/{message_id}", auth=False)
    async def edit_webhook_message(self, req: Req) -> tuple[int, Any]:
        msg, rec = self._webhook_message(req)
        payload = self._body(req)
        self._check_edit(req, payload, msg)
        self._apply_edit(msg, payload, req.uploads)
        if self._empty_after_edit(msg):
            self._reject(req, [Problem("content", "Cannot send an empty message", "EMPTY_MESSAGE")])
        if rec is not None and msg.id == rec.original_message_id:
            rec.original_edits += 1
        if not msg.ephemeral:
            await self._emit("MESSAGE_UPDATE", self._gateway_message(msg))
        return 200, msg.data

    @route("DELETE", "/webhooks/{webhook_id}/{token}/messages/{message_id}", auth=False)
    async def delete_webhook_message(self, req: Req) -> tuple[int, Any]:
        msg, _ = self._webhook_message(req)
        await self._delete(msg)
        return 204, None

    # ---- interactions: the bot's side ---------------------------------------------------------

    def _interaction_author(self, rec: InteractionRecord) -> dict[str, Any]:
        return self.bot_user

    def _interaction_metadata(self, rec: InteractionRecord) -> dict[str, Any]:
        owners = {"0": str(rec.guild_id)} if rec.guild_id else {"1": str(rec.user_id)}
        meta: dict[str, Any] = {
            "id": str(rec.id),
            "type": rec.type,
            "user": self.users[rec.user_id],
            "authorizing_integration_owners": owners,
        }
        if rec.source_message_id is not None:
            meta["interacted_message_id"] = str(rec.source_message_id)
        return meta

    def _interaction_message(
        self,
        rec: InteractionRecord,
        payload: dict[str, Any],
        uploads: list[Upload],
        *,
        flags: int = 0,
    ) -> StoredMessage:
        ephemeral = bool((int(payload.get("flags") or 0) | flags) & FLAG_EPHEMERAL)
        msg = self._add_message(
            rec.channel_id,
            payload,
            uploads,
            author=self._interaction_author(rec),
            flags=flags,
            msg_type=20 if rec.type == APPLICATION_COMMAND else 0,
            webhook_id=self.application_id,
            ephemeral=ephemeral,
            interaction_id=rec.id,
        )
        msg.data["application_id"] = str(self.application_id)
        msg.data["interaction_metadata"] = self._interaction_metadata(rec)
        return msg

    @route("POST", "/interactions/{interaction_id}/{token}/callback", auth=False)
    async def interaction_callback(self, req: Req) -> tuple[int, Any]:
        rec = self.interactions.get(int(req.params["interaction_id"]))
        if rec is None or rec.token != req.params["token"]:
            self._violate(req, "interaction", "unknown interaction id/token", "UNKNOWN_INTERACTION")
            raise ApiError(404, 10062, "Unknown interaction")
        body = self._body(req)
        ctype = body.get("type")
        data = body.get("data") or {}
        if rec.acknowledged:
            self._violate(req, "interaction", "acknowledged twice", "ALREADY_ACKNOWLEDGED")
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        elapsed = asyncio.get_running_loop().time() - rec.created_at
        if self.interaction_deadline is not None and elapsed > self.interaction_deadline:
            self._violate(
                req,
                "interaction",
                f"first response after {elapsed:.2f}s (> {self.interaction_deadline}s)",
                "INTERACTION_TIMEOUT",
            )
            raise ApiError(404, 10062, "Unknown interaction")
        allowed = {
            APPLICATION_COMMAND: {CB_MESSAGE, CB_DEFERRED, CB_MODAL},
            MESSAGE_COMPONENT: {CB_MESSAGE, CB_DEFERRED, CB_DEFERRED_UPDATE, CB_UPDATE, CB_MODAL},
            AUTOCOMPLETE: {CB_AUTOCOMPLETE},
            MODAL_SUBMIT: {CB_MESSAGE, CB_DEFERRED}
            | ({CB_DEFERRED_UPDATE, CB_UPDATE} if rec.source_message_id else set()),
        }[rec.type]
        if ctype not in allowed:
            self._violate(
                req,
                "type",
                f"callback type {ctype} is not valid for interaction type {rec.type}",
                "INTERACTION_RESPONSE_TYPE_INVALID",
            )
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                limits.errors_tree([Problem("type", "Invalid callback type", "BASE_TYPE_CHOICES")]),
            )

        problems: list[Problem] = []
        if ctype == CB_MESSAGE:
            problems = limits.check_message(
                data,
                creating=True,
                file_count=len(req.uploads),
                file_sizes=[len(u.data) for u in req.uploads],
                prefix="data",
            )
        elif ctype == CB_UPDATE:
            problems = limits.check_message(
                data, creating=False, file_count=len(req.uploads), prefix="data"
            )
        elif ctype == CB_AUTOCOMPLETE:
            problems = limits.check_choices(data.get("choices"), "data.choices")
        elif ctype == CB_MODAL:
            problems = limits.check_modal(data)
        self._reject(req, problems)

        resource_message: StoredMessage | None = None
        if ctype == CB_MESSAGE:
            resource_message = self._interaction_message(rec, data, req.uploads)
            rec.original_message_id = resource_message.id
        elif ctype == CB_DEFERRED:
            resource_message = self._interaction_message(
                rec, {"flags": int(data.get("flags") or 0)}, [], flags=FLAG_LOADING
            )
            resource_message.data["flags"] |= FLAG_LOADING
            rec.original_message_id = resource_message.id
        elif ctype in (CB_DEFERRED_UPDATE, CB_UPDATE):
            rec.original_message_id = rec.source_message_id
            resource_message = self.message(rec.source_message_id)
            if ctype == CB_UPDATE and resource_message is not None:
                self._apply_edit(resource_message, data, req.uploads)
                rec.original_edits += 1
        elif ctype == CB_AUTOCOMPLETE:
            rec.choices = list(data.get("choices") or [])
        elif ctype == CB_MODAL:
            rec.modal = copy.deepcopy(data)
        rec.callbacks.append(copy.deepcopy(body))

        if resource_message is not None and not resource_message.ephemeral:
            event = "MESSAGE_UPDATE" if ctype == CB_UPDATE else "MESSAGE_CREATE"
            if ctype in (CB_MESSAGE, CB_DEFERRED, CB_UPDATE):
                await self._emit(event, self._gateway_message(resource_message))

        if ctype == CB_AUTOCOMPLETE:
            return 204, None
        response: dict[str, Any] = {
            "interaction": {
                "id": str(rec.id),
                "type": rec.type,
                "response_message_loading": ctype == CB_DEFERRED,
                "response_message_ephemeral": bool(resource_message and resource_message.ephemeral),
            }
        }
        if resource_message is not None:
            response["interaction"]["response_message_id"] = str(resource_message.id)
        resource: dict[str, Any] = {"type": ctype}
        if resource_message is not None and ctype != CB_DEFERRED_UPDATE:
            resource["message"] = resource_message.data
        response["resource"] = resource
        return 200, response

    async def _followup(self, req: Req, rec: InteractionRecord) -> tuple[int, Any]:
        payload = self._body(req)
        self._check_create(req, payload)
        if "username" in payload or "avatar_url" in payload:
            self._violate(
                req,
                "username",
                "interaction followups cannot override username/avatar",
                "FOLLOWUP_OVERRIDE",
            )
        if not rec.acknowledged:
            self._violate(
                req, "interaction", "followup before the initial response", "FOLLOWUP_BEFORE_ACK"
            )
            raise ApiError(404, 10015, "Unknown Webhook")
        original = self.message(rec.original_message_id)
        if (
            rec.callback_type == CB_DEFERRED
            and original is not None
            and original.flags & FLAG_LOADING
        ):
            # Discord: the first followup after a deferred "thinking" response replaces it.
            self._apply_edit(original, payload, req.uploads)
            rec.original_edits += 1
            if not original.ephemeral:
                await self._emit("MESSAGE_UPDATE", self._gateway_message(original))
            return 200, original.data
        msg = self._interaction_message(rec, payload, req.uploads)
        rec.followup_ids.append(msg.id)
        if not msg.ephemeral:
            await self._emit("MESSAGE_CREATE", self._gateway_message(msg))
        return 200, msg.data

    # ---- interactions: the user's side --------------------------------------------------------

    def _user_id(self, user: int | FakeMember | None, guild_id: int | None) -> int:
        if isinstance(user, FakeMember):
            return user.id
        if user is not None:
            return int(user)
        if guild_id is not None:
            guild = self.guilds[guild_id]
            humans = [m.id for m in guild.members.values() if not m.user.get("bot")]
            if humans:
                return humans[0]
        humans = [uid for uid, u in self.users.items() if not u.get("bot")]
        if not humans:
            raise ValueError("no user to send the interaction as: add a member first")
        return humans[0]

    async def _send_interaction(
        self,
        itype: int,
        data: dict[str, Any],
        *,
        user: int | FakeMember | None,
        channel_id: int | None,
        guild_id: int | None,
        message: StoredMessage | None = None,
        app_permissions: int | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        if channel_id is None:
            raise ValueError("channel_id is required")
        channel = self.channels.get(channel_id)
        if channel is None:
            raise ValueError(f"unknown channel {channel_id}")
        if channel["type"] == DM:
            recipient = int(channel["recipients"][0]["id"])
            user_id = recipient if user is None else self._user_id(user, None)
            if user_id != recipient:
                raise ValueError(f"only user {recipient} can interact in DM channel {channel_id}")
        else:
            user_id = self._user_id(user, guild_id)
        iid = self.ids.next()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "channel_id": str(channel_id),
            "channel": copy.deepcopy(channel),
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": limits.FILE_SIZE_MAX,
            "app_permissions": str(
                self.app_permissions if app_permissions is None else app_permissions
            ),
        }
        if guild_id is not None:
            guild = self.guilds[guild_id]
            member = guild.members.get(user_id)
            if member is None:
                raise ValueError(f"user {user_id} is not a member of guild {guild_id}")
            perms = self.permissions_of(guild_id, user_id)
            payload.update(
                {
                    "guild_id": str(guild_id),
                    "guild": {"id": str(guild_id), "locale": "en-US", "features": ["COMMUNITY"]},
                    "guild_locale": "en-US",
                    "member": member.to_payload(permissions=perms),
                    "authorizing_integration_owners": {"0": str(guild_id)},
                    "context": 0,
                }
            )
        else:
            payload.update(
                {
                    "user": self.users[user_id],
                    "authorizing_integration_owners": {"1": str(user_id)},
                    "context": 1,
                }
            )
        if message is not None:
            payload["message"] = copy.deepcopy(message.data)
        rec = InteractionRecord(
            id=iid,
            token=token,
            type=itype,
            payload=payload,
            channel_id=channel_id,
            guild_id=guild_id,
            user_id=user_id,
            created_at=asyncio.get_running_loop().time(),
            source_message_id=message.id if message is not None else None,
        )
        self.interactions[iid] = rec
        self._interaction_by_token[token] = rec
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        self._notify()
        return InteractionHandle(self, rec)

    def _registered(self, name: str, guild_id: int | None, ctype: int = 1) -> dict[str, Any] | None:
        scopes = [self.guild_commands.get(guild_id, [])] if guild_id is not None else []
        scopes.append(self.global_commands)
        for scope in scopes:
            for cmd in scope:
                if cmd["name"] == name and cmd.get("type", 1) == ctype:
                    return cmd
        return None

    def _resolve_value(
        self,
        otype: int,
        value: Any,
        resolved: dict[str, dict[str, Any]],
        guild_id: int | None,
        channel_id: int,
    ) -> Any:
        if otype == 3:
            return str(value)
        if otype == 4:
            return int(value)
        if otype == 5:
            return bool(value)
        if otype == 10:
            return float(value)
        if otype == 11:
            if not isinstance(value, Attachment):
                raise TypeError("attachment options take a fakediscord.Attachment")
            stored = self._new_file(
                channel_id, value.filename, value.data, value.content_type, None
            )
            att = stored.to_payload()
            att["ephemeral"] = True
            resolved.setdefault("attachments", {})[str(stored.id)] = att
            return str(stored.id)
        target = value.id if isinstance(value, FakeMember) else int(value)
        guild = self.guilds.get(guild_id) if guild_id is not None else None
        if otype in (6, 9) and target in self.users:
            resolved.setdefault("users", {})[str(target)] = self.users[target]
            if guild is not None and target in guild.members:
                m = guild.members[target].to_payload(
                    permissions=self.permissions_of(guild.id, target)
                )
                m.pop("user")
                resolved.setdefault("members", {})[str(target)] = m
            return str(target)
        if otype in (8, 9) and guild is not None and target in guild.roles:
            resolved.setdefault("roles", {})[str(target)] = guild.roles[target]
            return str(target)
        if otype == 7 and target in self.channels:
            ch = self.channels[target]
            resolved.setdefault("channels", {})[str(target)] = {
                k: ch[k] for k in ("id", "type", "name", "parent_id", "thread_metadata") if k in ch
            } | {"permissions": str(ALL_PERMISSIONS)}
            return str(target)
        raise ValueError(f"cannot resolve {value!r} for option type {otype}")

    @staticmethod
    def _infer_type(value: Any) -> int:
        if isinstance(value, bool):
            return 5
        if isinstance(value, int):
            return 4
        if isinstance(value, float):
            return 10
        if isinstance(value, FakeMember):
            return 6
        if isinstance(value, Attachment):
            return 11
        return 3

    def _build_options(
        self,
        schema: list[dict[str, Any]] | None,
        values: Mapping[str, Any],
        resolved: dict[str, dict[str, Any]],
        guild_id: int | None,
        channel_id: int,
        focused: str | None,
    ) -> list[dict[str, Any]]:
        out = []
        by_name = {o["name"]: o for o in schema or []}
        if schema is not None:
            unknown = set(values) - set(by_name)
            if unknown:
                raise ValueError(
                    f"unknown option(s) {sorted(unknown)}; the command has {sorted(by_name)}"
                )
            if focused is None:
                missing = [
                    o["name"] for o in schema if o.get("required") and o["name"] not in values
                ]
                if missing:
                    raise ValueError(f"required option(s) missing: {missing}")
        for name, value in values.items():
            opt_schema = by_name.get(name)
            otype = opt_schema["type"] if opt_schema else self._infer_type(value)
            if name == focused:
                out.append({"name": name, "type": otype, "value": str(value), "focused": True})
                continue
            converted = self._resolve_value(otype, value, resolved, guild_id, channel_id)
            if opt_schema and opt_schema.get("choices"):
                allowed = [c["value"] for c in opt_schema["choices"]]
                if converted not in allowed:
                    raise ValueError(f"{name}={converted!r} is not one of the choices {allowed}")
            out.append({"name": name, "type": otype, "value": converted})
        return out

    def _command_data(
        self,
        command: str,
        options: Mapping[str, Any] | None,
        guild_id: int | None,
        channel_id: int,
        focused: str | None = None,
    ) -> dict[str, Any]:
        parts = command.split()
        root = parts[0]
        registered = self._registered(root, guild_id)
        resolved: dict[str, dict[str, Any]] = {}
        data: dict[str, Any] = {
            "id": registered["id"] if registered else str(self.ids.next()),
            "name": root,
            "type": 1,
        }
        if registered and registered.get("guild_id"):
            data["guild_id"] = registered["guild_id"]
        schema: list[dict[str, Any]] | None = registered.get("options", []) if registered else None
        container = data
        for depth, part in enumerate(parts[1:], start=1):
            sub_schema = None
            if schema is not None:
                sub_schema = next(
                    (o for o in schema if o["name"] == part and o["type"] in (1, 2)), None
                )
                if sub_schema is None:
                    raise ValueError(f"{' '.join(parts[:depth])!r} has no subcommand {part!r}")
                otype = sub_schema["type"]
            else:
                otype = 2 if depth < len(parts) - 1 else 1
            node: dict[str, Any] = {"name": part, "type": otype, "options": []}
            container.setdefault("options", []).append(node)
            container = node
            schema = sub_schema.get("options", []) if sub_schema is not None else None
        if schema is not None and any(o["type"] in (1, 2) for o in schema):
            raise ValueError(f"{command!r} is a group: name a subcommand")
        built = self._build_options(schema, options or {}, resolved, guild_id, channel_id, focused)
        if built or container is not data:
            container["options"] = built
        if resolved:
            data["resolved"] = resolved
        return data

    async def send_slash_command(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: int | FakeMember | None = None,
        channel_id: int | None = None,
        guild_id: int | None = -1,
        app_permissions: int | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Dispatch INTERACTION_CREATE (type 2) for ``command`` ("group sub" for subcommands).

        Option types come from the synced command when there is one (unknown or missing
        required options raise ValueError, as the Discord client would not send them);
        otherwise from the Python values. Users, roles and channels (ids or FakeMember)
        land in ``resolved``; pass :class:`Attachment` for attachment options. ``guild_id``
        defaults to the channel's guild; a DM channel gives a DM interaction.
        """
        channel_id, guild_id = self._where(channel_id, guild_id)
        data = self._command_data(command, options, guild_id, channel_id)
        return await self._send_interaction(
            APPLICATION_COMMAND,
            data,
            user=user,
            channel_id=channel_id,
            guild_id=guild_id,
            app_permissions=app_permissions,
            locale=locale,
        )

    async def send_autocomplete(
        self,
        command: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        user: int | FakeMember | None = None,
        channel_id: int | None = None,
        guild_id: int | None = -1,
    ) -> InteractionHandle:
        """Dispatch an autocomplete interaction (type 4); ``focused`` names the option typed in."""
        if focused not in options:
            raise ValueError("the focused option must be among the options")
        channel_id, guild_id = self._where(channel_id, guild_id)
        data = self._command_data(command, options, guild_id, channel_id, focused=focused)
        return await self._send_interaction(
            AUTOCOMPLETE, data, user=user, channel_id=channel_id, guild_id=guild_id
        )

    async def press_button(
        self,
        message: StoredMessage | int,
        custom_id: str,
        *,
        values: list[str] | None = None,
        user: int | FakeMember | None = None,
    ) -> InteractionHandle:
        """Dispatch a component interaction (type 3) for a component on a stored message."""
        msg = message if isinstance(message, StoredMessage) else self._messages[int(message)]
        comp = msg.find_component(custom_id)
        if comp is None:
            raise ValueError(
                f"message {msg.id} has no component {custom_id!r}; it has {msg.custom_ids()}"
            )
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp["type"]}
        if comp["type"] in (3, 5, 6, 7, 8):
            data["values"] = list(values or [])
            if comp["type"] == 3:
                allowed = [o["value"] for o in comp.get("options") or []]
                bad = [v for v in data["values"] if v not in allowed]
                if bad:
                    raise ValueError(f"{bad} are not options of {custom_id!r}: {allowed}")
        elif values:
            raise ValueError("values are only for select menus")
        guild_id = self.guild_of_channel(msg.channel_id)
        return await self._send_interaction(
            MESSAGE_COMPONENT,
            data,
            user=user,
            channel_id=msg.channel_id,
            guild_id=guild_id,
            message=msg,
        )

    select = press_button

    async def submit_modal(
        self,
        opened_by: InteractionHandle,
        values: Mapping[str, str],
        *,
        user: int | FakeMember | None = None,
    ) -> InteractionHandle:
        """Submit the modal the bot opened in answer to ``opened_by`` (type 5).

        ``values`` maps text input custom_ids to what the user typed; the submitted
        components mirror the modal's layout (action rows or labels). A key may also be
        the text input's label, as a person sees it (handy when the bot lets discord.py
        generate random custom_ids).
        """
        src = opened_by.record
        modal = src.modal
        if modal is None:
            raise ValueError(f"interaction {src.id} was not answered with a modal")
        submitted: list[dict[str, Any]] = []
        seen: set[str] = set()

        def text_input(comp: dict[str, Any], label: str | None = None) -> dict[str, Any]:
            cid = comp["custom_id"]
            label = label if label is not None else comp.get("label")
            if cid not in values and label is not None and label in values:
                seen.add(label)
                value = values[label]
            else:
                value = values.get(cid, comp.get("value") or "")
            if comp.get("required", True) and not value:
                raise ValueError(f"text input {cid!r} is required")
            if comp.get("max_length") is not None and len(value) > comp["max_length"]:
                raise ValueError(f"{cid!r} is longer than max_length {comp['max_length']}")
            if value and comp.get("min_length") is not None and len(value) < comp["min_length"]:
                raise ValueError(f"{cid!r} is shorter than min_length {comp['min_length']}")
            seen.add(cid)
            return {"type": 4, "custom_id": cid, "value": value}

        for top in modal.get("components") or []:
            if top.get("type") == 1:
                kids = [text_input(c) for c in top.get("components") or [] if c.get("type") == 4]
                submitted.append({"type": 1, "components": kids})
            elif top.get("type") == 18 and (top.get("component") or {}).get("type") == 4:
                submitted.append(
                    {"type": 18, "component": text_input(top["component"], top.get("label"))}
                )
        unknown = set(values) - seen
        if unknown:
            raise ValueError(f"the modal has no text inputs {sorted(unknown)}")
        data = {"custom_id": modal["custom_id"], "components": submitted}
        message = self.message(src.source_message_id)
        return await self._send_interaction(
            MODAL_SUBMIT,
            data,
            user=user if user is not None else src.user_id,
            channel_id=src.channel_id,
            guild_id=src.guild_id,
            message=message,
        )

    def _where(self, channel_id: int | None, guild_id: int | None) -> tuple[int, int | None]:
        if channel_id is None:
            text = [int(c["id"]) for c in self.channels.values() if c["type"] == GUILD_TEXT]
            if not text:
                raise ValueError("no text channel: pass channel_id")
            channel_id = text[0]
        if guild_id == -1:
            guild_id = self.guild_of_channel(channel_id)
        return channel_id, guild_id
