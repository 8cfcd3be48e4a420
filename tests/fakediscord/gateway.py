"""The fake gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME, op 7/9 and dropped sockets.

discord.py always asks for ``compress=zlib-stream`` (``zstd-stream`` on Python 3.14) in the
query string, but it parses plain JSON text frames regardless, so the fake sends text
frames by default. With ``compress=True`` it honours ``zlib-stream`` the way Discord
does: one shared ``compressobj`` per connection and a ``Z_SYNC_FLUSH`` after every frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .server import FakeDiscord

HELLO, HEARTBEAT, IDENTIFY, PRESENCE, RESUME, RECONNECT = 10, 1, 2, 3, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HEARTBEAT_ACK, DISPATCH = 8, 9, 11, 0


@dataclass
class GatewaySession:
    """A gateway session: survives a dropped socket until the client RESUMEs it."""

    session_id: str
    token: str
    intents: int
    seq: int = 0
    frames: list[dict[str, Any]] = field(default_factory=list)
    connection: GatewayConnection | None = None
    invalidated: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    shard: tuple[int, int] | None = None
    """``(shard_id, shard_count)`` from IDENTIFY, for a sharded client."""

    def serves(self, guild_id: int) -> bool:
        """Whether Discord sends this guild's events to this session."""
        return self.shard is None or (guild_id >> 22) % self.shard[1] == self.shard[0]


@dataclass
class GatewayConnection:
    ws: web.WebSocketResponse
    request: web.Request
    path: str
    compressor: Any = None
    session: GatewaySession | None = None
    received: list[dict[str, Any]] = field(default_factory=list)
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        async with self.send_lock:  # keeps frames (and the shared zlib stream) in order
            if self.ws.closed:
                return
            try:
                if self.compressor is not None:
                    data = self.compressor.compress(text.encode())
                    data += self.compressor.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                pass


@dataclass
class GatewayStats:
    connections: int = 0
    identifies: int = 0
    resumes: int = 0
    failed_resumes: int = 0
    heartbeats: int = 0
    dispatched: int = 0
    presence_updates: int = 0
    member_requests: int = 0
    compressed_connections: int = 0


class FakeGateway:
    """Gateway state for one :class:`FakeDiscord`. Tests use it through ``fake.gateway``."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.heartbeat_interval_ms = 41_250
        self.compress = False
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []
        self.current: GatewaySession | None = None
        self.stats = GatewayStats()
        self.sent_log: list[dict[str, Any]] = []
        self._handlers: set[asyncio.Task[Any]] = set()

    # ---- the websocket endpoint -------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, compress=False, timeout=2.0, max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(ws=ws, request=request, path=request.path)
        if self.compress and request.query.get("compress") == "zlib-stream":
            conn.compressor = zlib.compressobj()
            self.stats.compressed_connections += 1
        self.connections.append(conn)
        self.stats.connections += 1
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        self.fake._notify()
        try:
            await conn.send(
                {
                    "op": HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(conn, json.loads(msg.data))
                elif msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE, WSMsgType.CLOSED):
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            with contextlib.suppress(ValueError):
                self.connections.remove(conn)
            if task is not None:
                self._handlers.discard(task)
            self.fake._notify()
        return ws

    async def _on_frame(self, conn: GatewayConnection, frame: dict[str, Any]) -> None:
        conn.received.append(frame)
        op = frame.get("op")
        data = frame.get("d")
        if op == HEARTBEAT:
            self.stats.heartbeats += 1
            await conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(conn, data or {})
        elif op == RESUME:
            await self._resume(conn, data or {})
        elif op == PRESENCE:
            self.stats.presence_updates += 1
        elif op == REQUEST_MEMBERS:
            self.stats.member_requests += 1
            await self._request_members(conn, data or {})
        self.fake._notify()

    async def _identify(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        if data.get("token") != self.fake.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        self.stats.identifies += 1
        raw_shard = data.get("shard")
        shard = (int(raw_shard[0]), int(raw_shard[1])) if raw_shard else None
        # A new IDENTIFY replaces the session of the same shard (shards are independent).
        for old in self.sessions.values():
            if old.shard == shard:
                old.invalidated = True
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            token=data["token"],
            intents=int(data.get("intents") or 0),
            shard=shard,
        )
        self.sessions[session.session_id] = session
        self.current = session
        async with session.lock:
            conn.session = session
            session.connection = conn
            ready = {
                "v": 10,
                "user": dict(self.fake.bot_user),
                "guilds": [
                    {"id": str(g.id), "unavailable": True} for g in self.fake.guilds.values()
                ],
                "session_id": session.session_id,
                "session_type": "normal",
                "resume_gateway_url": f"{self.fake.ws_url}/resume-gateway",
                "application": {"id": str(self.fake.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "geo_ordered_rtc_regions": [],
                "guild_join_requests": [],
                "user_settings": {},
                "_trace": ["fake-discord"],
            }
            if shard is not None:
                ready["shard"] = list(shard)
                ready["guilds"] = [g for g in ready["guilds"] if session.serves(int(g["id"]))]
            await self._send_dispatch(session, "READY", ready)
            for guild in self.fake.guilds.values():
                if not session.serves(guild.id):
                    continue
                await self._send_dispatch(
                    session,
                    "GUILD_CREATE",
                    self.fake.guild_create_payload(guild.id, intents=session.intents),
                )

    async def _resume(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.invalidated or data.get("token") != session.token:
            self.stats.failed_resumes += 1
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        self.stats.resumes += 1
        client_seq = int(data.get("seq") or 0)
        async with session.lock:
            old = session.connection
            session.connection = conn
            conn.session = session
            for frame in session.frames:
                if frame["s"] > client_seq:
                    await conn.send(frame)
            await self._send_dispatch(session, "RESUMED", {"_trace": ["fake-discord"]})
        if old is not None and old is not conn and not old.ws.closed:
            await old.ws.close(code=4000)

    async def _request_members(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        guild = self.fake.guilds.get(int(data.get("guild_id") or 0))
        if guild is None or conn.session is None:
            return
        members = list(guild.members.values())
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            members = [m for m in members if m.id in wanted]
        elif data.get("query"):
            members = [m for m in members if m.name.lower().startswith(str(data["query"]).lower())]
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunk = {
            "guild_id": str(guild.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        async with conn.session.lock:
            await self._send_dispatch(conn.session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _send_dispatch(
        self, session: GatewaySession, event: str, data: dict[str, Any]
    ) -> None:
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.frames.append(frame)
        if len(session.frames) > 20_000:  # bounded replay buffer for long benchmarks
            del session.frames[:10_000]
        self.sent_log.append(frame)
        if len(self.sent_log) > 20_000:
            del self.sent_log[:10_000]
        self.stats.dispatched += 1
        conn = session.connection
        if conn is not None:
            await conn.send(frame)

    # ---- what tests call ----------------------------------------------------------------

    @property
    def connection(self) -> GatewayConnection | None:
        session = self.current
        return session.connection if session is not None else None

    @property
    def connected(self) -> bool:
        conn = self.connection
        return conn is not None and not conn.ws.closed

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send a DISPATCH to the current session; buffered for RESUME while disconnected.
        With sharded clients, a guild's events go to the newest session of its shard.

        Returns the sequence number used. Raises if no client ever identified.
        """
        session = self.current
        guild = data.get("guild_id")
        if session is not None and session.shard is not None and guild is not None:
            serving = [
                s for s in self.sessions.values() if not s.invalidated and s.serves(int(guild))
            ]
            session = serving[-1] if serving else session
        if session is None:
            raise RuntimeError("no gateway session: the client has not identified")
        async with session.lock:
            await self._send_dispatch(session, event, data)
            return session.seq

    async def send_reconnect(self) -> None:
        """Op 7: Discord asks the client to reconnect and RESUME."""
        conn = self._require_connection()
        await conn.send({"op": RECONNECT, "d": None, "s": None, "t": None})

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Op 9: the session is gone (``resumable=False``) and the client must IDENTIFY again."""
        conn = self._require_connection()
        if not resumable and self.current is not None:
            self.current.invalidated = True
        await conn.send({"op": INVALID_SESSION, "d": resumable, "s": None, "t": None})

    async def drop(self, *, code: int | None = 4000) -> None:
        """Close the socket under the client: with a close ``code``, or abruptly if None."""
        conn = self._require_connection()
        if code is None:
            transport = conn.request.transport
            if transport is not None:
                abort: Callable[[], None] | None = getattr(transport, "abort", None)
                (abort or transport.close)()
        else:
            with contextlib.suppress(Exception):
                await conn.ws.close(code=code, message=b"fake-discord dropped the connection")

    def _require_connection(self) -> GatewayConnection:
        conn = self.connection
        if conn is None or conn.ws.closed:
            raise RuntimeError("no live gateway connection")
        return conn

    async def close_all(self) -> None:
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    conn.ws.close(code=1001, message=b"fake-discord shutting down"), 2.0
                )
        handlers = list(self._handlers)
        if handlers:
            await asyncio.wait(handlers, timeout=2.0)
