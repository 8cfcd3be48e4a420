"""Managing replays: one asyncio task each, where to post, the webhook, resume after restart.

:class:`ReplayManager` claims the channel, picks the place to post (a new thread,
a forum post, or the current channel), gets the channel's webhook (else embeds),
runs :func:`~bot.replay.runner.run_replay` as a task, and resumes replays a restart
left running.

Several bot processes may share one (PostgreSQL) database: each running replay is
run by exactly one of them, the holder of its lease in the database. The holder
renews the lease while it runs (and before every post, so a process that lost it
never posts); when a process dies its leases lapse and another process's periodic
:meth:`ReplayManager.resume_all` takes the replays over, reading the target's newest
messages back first, so no comment is posted twice. On SQLite (one process by
design) a restart takes its replays back at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import discord

from bot.errors import Busy, UserFacingError
from bot.guilds.config import load_config
from bot.models import StoredThread
from bot.replay.pacing import (
    MIN_INTERVAL,
    PART_GAP,
    SPEED_MAX,
    SPEED_MIN,
    WINDOW_MESSAGES,
    WINDOW_SECONDS,
    Pacing,
    interval_for,
)
from bot.replay.plan import thread_name
from bot.replay.runner import ReplayFailed, run_replay, skip_if_posted
from bot.replay.senders import (
    EMBED_NOTICE,
    NO_MENTIONS,
    WEBHOOK_NAME,
    EmbedSender,
    Sender,
    webhook_sender,
)
from bot.storage import ReplayMode, ReplayRecord, Storage
from bot.storage.leases import process_name
from bot.text import safe, truncate

log = logging.getLogger(__name__)

MAX_RUNNING = 20
"""Replays running at once in this process: 20 × ≤1 message/s stays far below Discord's
global 50 requests/s, so replays never starve other commands of requests."""
MAX_PER_GUILD = 3
"""Replays running at once in one guild, unless its configuration says otherwise."""
LEASE_SECONDS = 30.0
"""How long a replay stays with its process without a renewal (renewed every third of it)."""


CHANNEL_BUSY = "A replay is already running here: see `/replay status`, or `/replay stop`."
NO_FORUM_POSTS = (
    "This server's settings don't let replays open forum posts: start it in a text channel "
    "or an existing thread instead."
)
"""The refusal in a forum when ``/threadbot config`` turned new threads off."""


def guild_busy(limit: int) -> str:
    """The refusal when a guild already runs its most replays at once."""
    return (
        f"This server already runs {limit} replay{'s' if limit != 1 else ''} at once, the most "
        "allowed: stop one with `/replay stop` in its channel, or wait for one to end."
    )


@dataclass(frozen=True, slots=True)
class ReplayLimits:
    """What bounds replays in one guild, read in one place: :meth:`ReplayManager.limits`."""

    max_per_guild: int = MAX_PER_GUILD
    speed_min: float = SPEED_MIN
    speed_max: float = SPEED_MAX
    public_threads: bool = True
    """May a replay open a new public thread or forum post (``/threadbot config``)?"""

    def check_speed(self, speed: float) -> float:
        """``speed`` if allowed here; a :class:`UserFacingError` naming the bounds if not."""
        if not self.speed_min <= speed <= self.speed_max:
            raise UserFacingError(
                f"Speed must be between {self.speed_min:g} and {self.speed_max:g} here."
            )
        return speed


class _NoWebhooks(Exception):
    """The place to post has no webhooks at all (e.g. a DM)."""


@dataclass(slots=True)
class _Handle:
    task: asyncio.Task[None]
    pacing: Pacing
    channel_id: int


@dataclass(frozen=True, slots=True)
class Started:
    """What ``/replay start`` did, for its answer."""

    replay: ReplayRecord
    target: discord.abc.Messageable
    target_id: int
    created: bool
    """``True`` when a new Discord thread or forum post was made for the replay."""
    mode: ReplayMode
    comments: int


class ReplayManager:
    """Runs replays as background tasks and resumes the ones a restart interrupted."""

    def __init__(
        self,
        client: discord.Client,
        storage: Storage,
        *,
        base_interval: float,
        min_interval: float = MIN_INTERVAL,
        part_gap: float = PART_GAP,
        max_running: int = MAX_RUNNING,
        max_per_guild: int = MAX_PER_GUILD,
        window: int = WINDOW_MESSAGES,
        window_seconds: float | None = None,
        owner: str | None = None,
        lease_seconds: float = LEASE_SECONDS,
        exclusive: bool | None = None,
    ) -> None:
        self.client = client
        self.storage = storage
        self.base_interval = base_interval
        self.min_interval = min_interval
        self.part_gap = part_gap
        self.max_running = max_running
        self.max_per_guild = max_per_guild
        self.window = window
        # The window follows the floor: a floor set lower (tests, benchmarks) shrinks it alike.
        self.window_seconds = (
            WINDOW_SECONDS * min(1.0, min_interval / MIN_INTERVAL)
            if window_seconds is None
            else window_seconds
        )
        self.owner = owner or process_name()
        self.lease_seconds = lease_seconds
        self.exclusive = storage.backend == "sqlite" if exclusive is None else exclusive
        """The only process on the database: take replays over without waiting for leases."""
        self._handles: dict[int, _Handle] = {}
        self._starting: set[int] = set()

    # ---- queries

    def is_active(self, replay_id: int) -> bool:
        return replay_id in self._handles

    @property
    def active(self) -> int:
        return len(self._handles)

    async def wait(self, replay_id: int) -> None:
        """Until the replay's task ends (tests, shutdown)."""
        handle = self._handles.get(replay_id)
        if handle is not None:
            await asyncio.wait({handle.task})

    async def limits(self, guild_id: int) -> ReplayLimits:
        """The limits for replays in ``guild_id``: the one place they are read.

        The guild's ``/threadbot config`` where it set one, else this manager's defaults.
        """
        config = await load_config(self.storage, guild_id)
        return ReplayLimits(
            max_per_guild=config.replay_max_running or self.max_per_guild,
            speed_max=min(SPEED_MAX, config.replay_max_speed),
            public_threads=config.replay_public_threads,
        )

    def _lease_until(self) -> float:
        return time.time() + self.lease_seconds

    async def still_ours(self, replay_id: int) -> bool:
        """Renew the replay's lease; ``False`` if another process holds it or it ended."""
        return await self.storage.replays.renew(replay_id, self.owner, self._lease_until())

    def interval(self, speed: float) -> float:
        """Seconds between comments at ``speed`` with this manager's pacing."""
        return interval_for(speed, self.base_interval, self.min_interval)

    # ---- start

    async def start(
        self,
        *,
        channel: Any,
        guild_id: int,
        user_id: int,
        thread: StoredThread,
        first_seq: int,
        last_seq: int,
        speed: float,
        can_webhook: bool,
    ) -> Started:
        """Claim the channel, pick where to post, get a sender, and start the task.

        Raises :class:`Busy` when a replay already runs in or into this channel, or
        too many run in the guild or at once; :class:`UserFacingError` for a speed
        outside the guild's limits or when there is nowhere to post.
        """
        limits = await self.limits(guild_id)
        limits.check_speed(speed)
        if self.active >= self.max_running:
            raise Busy(f"{self.active} replays are running already; try again when one ends.")
        mode: ReplayMode = "webhook" if can_webhook else "embed"
        record = await self.storage.replays.start(
            guild_id=guild_id,
            channel_id=channel.id,
            thread_id=thread.id,
            first_seq=first_seq,
            last_seq=last_seq,
            speed=speed,
            mode=mode,
            started_by=user_id,
            guild_limit=limits.max_per_guild,
            owner=self.owner,
            lease_until=self._lease_until(),
        )
        if record is None:
            if await self.storage.replays.running(channel.id) is not None:
                raise Busy(CHANNEL_BUSY)
            raise Busy(guild_busy(limits.max_per_guild))
        self._starting.add(record.id)
        try:
            target, created = await self._make_target(
                channel, thread, last_seq - first_seq + 1, public=limits.public_threads
            )
            await self.storage.replays.set_target(record.id, target.id)
            sender = await self._sender(record.id, target, mode, notice=False)
            record = await self.storage.replays.get(record.id) or record
            if record.status != "running":
                # ``/replay stop`` came while the thread and webhook were being set up.
                raise UserFacingError("The replay was stopped before its first message.")
            self._spawn(record, target, sender)
        except BaseException as exc:
            reason = exc.message if isinstance(exc, UserFacingError) else type(exc).__name__
            await self.storage.replays.end(record.id, "failed", reason)
            raise
        finally:
            self._starting.discard(record.id)
        return Started(record, target, target.id, created, sender.mode, last_seq - first_seq + 1)

    async def _make_target(
        self, channel: Any, thread: StoredThread, comments: int, *, public: bool = True
    ) -> tuple[Any, bool]:
        """A new thread in a text channel, a new post in a forum, else the channel itself.

        With ``public=False`` (the guild's config) no thread or post is created: a text
        channel gets the replay in place, a forum (which only holds posts) refuses.
        """
        name = thread_name(thread.title)
        reason = f"threadbot replay of {thread.slug}"
        if not public:
            if isinstance(channel, discord.ForumChannel):
                raise UserFacingError(NO_FORUM_POSTS)
            return channel, False
        if isinstance(channel, discord.ForumChannel):
            intro = f"Replay of **{safe(truncate(thread.title, 150))}** ({comments} comments)."
            try:
                made = await channel.create_thread(
                    name=name, content=intro, allowed_mentions=NO_MENTIONS, reason=reason
                )
            except discord.HTTPException as exc:
                raise UserFacingError(
                    f"I couldn't create a post in this forum ({exc.text or exc.status}); "
                    "check my Create Posts permission and the forum's required tags."
                ) from None
            return made.thread, True
        if isinstance(channel, discord.TextChannel):
            try:
                created = await channel.create_thread(
                    name=name,
                    type=discord.ChannelType.public_thread,
                    auto_archive_duration=1440,
                    reason=reason,
                )
            except discord.HTTPException as exc:
                log.info("cannot create a thread in %s (%s): replaying in place", channel.id, exc)
                return channel, False
            return created, True
        return channel, False

    async def _webhook_channel(self, target: Any) -> Any:
        """The channel that owns webhooks for ``target`` (a thread's parent)."""
        if isinstance(target, discord.Thread):
            parent = target.parent or self.client.get_channel(target.parent_id)
            return parent or await self.client.fetch_channel(target.parent_id)
        return target

    async def _webhook(self, target: Any) -> discord.Webhook:
        owner = await self._webhook_channel(target)
        if not hasattr(owner, "webhooks") or not hasattr(owner, "create_webhook"):
            raise _NoWebhooks(f"{type(owner).__name__} has no webhooks")
        me = self.client.user
        for hook in await owner.webhooks():
            if (
                hook.name == WEBHOOK_NAME
                and hook.token
                and hook.user
                and me
                and hook.user.id == me.id
            ):
                return hook  # type: ignore[no-any-return]
        hook = await owner.create_webhook(name=WEBHOOK_NAME, reason="threadbot replays")
        return hook  # type: ignore[no-any-return]

    async def _sender(
        self, replay_id: int, target: Any, mode: ReplayMode, *, notice: bool
    ) -> Sender:
        """A webhook sender when allowed and possible, else embeds (saying so if ``notice``)."""
        if mode == "embed":
            return EmbedSender(target)
        try:
            webhook = await self._webhook(target)
        except (discord.HTTPException, _NoWebhooks) as exc:
            log.info("replay %s: no webhook (%s); using embeds", replay_id, exc)
            return await self._embeds(replay_id, target, notice=notice)
        return webhook_sender(webhook, target)

    async def _embeds(self, replay_id: int, target: Any, *, notice: bool) -> Sender:
        """Switch a replay to embeds for good (stored, so a resume does not say it again)."""
        await self.storage.replays.set_mode(replay_id, "embed")
        if notice:
            await target.send(EMBED_NOTICE, allowed_mentions=NO_MENTIONS)
        return EmbedSender(target)

    # ---- running

    def _spawn(self, record: ReplayRecord, target: Any, sender: Sender) -> None:
        pacing = Pacing(
            interval=self.interval(record.speed),
            part_gap=self.part_gap,
            window=self.window,
            window_seconds=self.window_seconds,
        )
        task = asyncio.create_task(
            self._run(record, target, sender, pacing), name=f"replay-{record.id}"
        )
        self._handles[record.id] = _Handle(task, pacing, record.channel_id)

    async def _run(self, record: ReplayRecord, target: Any, sender: Sender, pacing: Pacing) -> None:
        webhook_again = True

        async def switch() -> Sender:
            """The webhook failed: once, look for it again (someone may have deleted it, and
            a new one is made), then fall back to embeds for good."""
            nonlocal webhook_again
            if webhook_again:
                webhook_again = False
                try:
                    hook = await self._webhook(target)
                except (discord.HTTPException, _NoWebhooks) as exc:
                    log.info("replay %s: no webhook any more (%s)", record.id, exc)
                else:
                    log.info("replay %s: posting through webhook %s now", record.id, hook.id)
                    return webhook_sender(hook, target)
            return await self._embeds(record.id, target, notice=True)

        async def keep_lease() -> None:
            """Renew the lease while the replay waits between posts; let go when lost."""
            while True:
                await asyncio.sleep(self.lease_seconds / 3)
                if not await self.still_ours(record.id):
                    pacing.stop.set()
                    return

        keeper = asyncio.create_task(keep_lease(), name=f"replay-{record.id}-lease")
        try:
            status = await run_replay(
                self.storage,
                record,
                sender,
                pacing,
                switch_to_embeds=switch,
                still_ours=lambda: self.still_ours(record.id),
            )
            if status == "finished":
                await self.storage.replays.end(record.id, "finished")
                log.info("replay %s finished", record.id)
        except ReplayFailed as exc:
            log.warning("replay %s failed: %s", record.id, exc)
            await self.storage.replays.end(record.id, "failed", str(exc))
        except asyncio.CancelledError:
            log.info("replay %s interrupted; it resumes on the next start", record.id)
            raise
        except Exception as exc:
            log.exception("replay %s crashed", record.id)
            await self.storage.replays.end(record.id, "failed", f"internal error: {exc!r}")
        finally:
            keeper.cancel()
            self._handles.pop(record.id, None)

    # ---- stop, resume, shutdown

    async def stop(self, channel_id: int, *, wait: bool = False) -> ReplayRecord | None:
        """Stop the replay running in or into ``channel_id``; the stopped record, or ``None``.

        The task ends at its next pause: a message already on its way is still posted
        and recorded. ``wait`` waits for that (an interaction cannot wait long).
        """
        record = await self.storage.replays.running(channel_id)
        if record is None:
            return None
        await self.storage.replays.end(record.id, "stopped")
        handle = self._handles.get(record.id)
        if handle is not None:
            handle.pacing.stop.set()
            if wait:
                await asyncio.wait({handle.task}, timeout=30)
        return await self.storage.replays.get(record.id)

    async def resume_all(self) -> list[int]:
        """Take over every replay the database marks running that no process holds (its
        lease lapsed: a restart, or another process died); returns their ids."""
        resumed: list[int] = []
        for listed in await self.storage.replays.all_running():
            if listed.id in self._handles or listed.id in self._starting:
                continue
            claimed = await self.storage.replays.claim(
                listed.id, self.owner, self._lease_until(), time.time(), force=self.exclusive
            )
            record = await self.storage.replays.get(listed.id) if claimed else None
            if record is None or record.status != "running":
                continue  # another process runs it, or it just ended
            try:
                target = await self._resolve_target(record)
                sender = await self._sender(record.id, target, record.mode, notice=True)
            except ReplayFailed as exc:
                log.warning("replay %s cannot resume: %s", record.id, exc)
                await self.storage.replays.end(record.id, "failed", str(exc))
                continue
            except discord.HTTPException as exc:
                log.warning("replay %s cannot resume: %s", record.id, exc)
                await self.storage.replays.end(record.id, "failed", f"cannot post: {exc.text}")
                continue
            await skip_if_posted(self.storage, record, target, sender, self.client.user)
            fresh = await self.storage.replays.get(record.id) or record
            if fresh.status != "running":
                continue  # stopped while its target was being looked up
            self._spawn(fresh, target, sender)
            resumed.append(record.id)
            log.info("replay %s resumed at comment seq %s", record.id, record.next_seq)
        return resumed

    async def _resolve_target(self, record: ReplayRecord) -> Any:
        if record.target_id is None:
            raise ReplayFailed("interrupted before it had a place to post")
        channel = self.client.get_channel(record.target_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(record.target_id)
            except (discord.NotFound, discord.Forbidden) as exc:
                raise ReplayFailed(f"its channel is gone or hidden ({exc.status})") from None
        if not isinstance(channel, discord.abc.Messageable):
            raise ReplayFailed("its channel cannot hold messages")
        return channel

    async def shutdown(self, grace: float = 10.0) -> None:
        """Ask every replay to pause (they stay running in the database), wait for them, and
        give their leases up so that another process (or the next start) resumes them."""
        held = list(self._handles.items())
        for _, handle in held:
            handle.pacing.stop.set()
        if not held:
            return
        _, pending = await asyncio.wait({h.task for _, h in held}, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=grace)
        for replay_id, _ in held:
            await self.storage.replays.release(replay_id, self.owner)
