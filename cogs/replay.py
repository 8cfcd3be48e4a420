"""``/replay start|stop|status``: replay a stored thread into Discord, comment by comment.

The work happens in :class:`bot.replay.manager.ReplayManager` (one asyncio task per replay);
this cog checks who may do what, turns options into a range, answers, and resumes
the replays a restart interrupted as soon as the cog is loaded.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ThreadBot
from bot.errors import Busy, UserFacingError
from bot.guilds.checks import allowed_to
from bot.guilds.permissions import heavy_cooldown, server_id
from bot.models import StoredThread
from bot.replay import (
    CHANNEL_BUSY,
    EMBED_NOTICE,
    NO_FORUM_POSTS,
    SPEED_MAX,
    SPEED_MIN,
    ReplayManager,
    guild_busy,
    pacing_floor,
)
from bot.storage import ReplayRecord
from bot.text import safe, truncate
from bot.ui.transformers import COMMENT_NUMBER, ThreadArg, comment_seq

log = logging.getLogger(__name__)

SPEED = app_commands.Range[float, SPEED_MIN, SPEED_MAX]


@app_commands.guild_only()
class Replay(
    commands.GroupCog,
    group_name="replay",
    group_description="Replay a thread here, one comment at a time under each author's name",
):
    """The ``/replay`` group."""

    def __init__(self, bot: ThreadBot) -> None:
        self.bot = bot
        base = bot.settings.replay_interval
        min_interval, part_gap = pacing_floor(base)
        self.replays = ReplayManager(
            bot,
            bot.storage,
            base_interval=base,
            min_interval=min_interval,
            part_gap=part_gap,
            lease_seconds=bot.settings.replay_lease,
        )
        self._resume_task: asyncio.Task[None] | None = None
        super().__init__()

    async def cog_load(self) -> None:
        """Resume replays a restart interrupted (in the background: setup goes on); with a
        shared database, keep looking for replays whose process died, twice per lease."""
        self._resume_task = asyncio.create_task(self._resume(), name="replay-resume")

    async def _resume(self) -> None:
        while True:
            try:
                resumed = await self.replays.resume_all()
            except Exception:
                log.exception("could not resume replays")
                resumed = []
            if resumed:
                log.info("resumed %d replay(s): %s", len(resumed), resumed)
            if self.replays.exclusive:
                return
            await asyncio.sleep(self.replays.lease_seconds / 2)

    async def cog_unload(self) -> None:
        """Pause every replay (they stay running in the database and resume next start)."""
        if self._resume_task is not None and not self._resume_task.done():
            self._resume_task.cancel()
            await asyncio.wait({self._resume_task})
        await self.replays.shutdown()

    @app_commands.command(name="start", description="Replay a thread here, comment by comment")
    @app_commands.rename(first="from", last="to")
    @app_commands.describe(
        thread="The thread (start typing its title)",
        first="First comment number (default: the first)",
        last="Last comment number (default: the last)",
        speed=f"2 = twice as fast, 0.5 = half as fast ({SPEED_MIN:g}–{SPEED_MAX:g}; default 1)",
    )
    @heavy_cooldown("replay")
    @allowed_to("replay")
    async def start(
        self,
        interaction: discord.Interaction[ThreadBot],
        thread: ThreadArg,
        first: COMMENT_NUMBER | None = None,
        last: COMMENT_NUMBER | None = None,
        speed: SPEED = 1.0,
    ) -> None:
        guild_id = server_id(interaction)
        channel = interaction.channel
        if channel is None:
            raise UserFacingError("I can't see this channel.")
        if thread.comment_count == 0:
            raise UserFacingError("That thread has no comments to replay.")
        first_seq = 1 if first is None else await comment_seq(self.bot.storage, thread, first)
        last_seq = (
            thread.comment_count
            if last is None
            else await comment_seq(self.bot.storage, thread, last)
        )
        if first_seq > last_seq:
            raise UserFacingError("`from` must not come after `to`.")
        # Refused before deferring, so the refusal stays private (the manager checks again,
        # atomically, for two starts racing).
        limits = await self.replays.limits(guild_id)
        limits.check_speed(speed)
        if not limits.public_threads and isinstance(channel, discord.ForumChannel):
            raise UserFacingError(NO_FORUM_POSTS)
        if await self.bot.storage.replays.running(channel.id) is not None:
            raise Busy(CHANNEL_BUSY)
        if await self.bot.storage.replays.count_running(guild_id) >= (limits.max_per_guild):
            raise Busy(guild_busy(limits.max_per_guild))
        # Creating a thread and finding the webhook are a few requests: acknowledge first.
        await interaction.response.defer(thinking=True)
        started = await self.replays.start(
            channel=channel,
            guild_id=guild_id,
            user_id=interaction.user.id,
            thread=thread,
            first_seq=first_seq,
            last_seq=last_seq,
            speed=float(speed),
            can_webhook=interaction.app_permissions.manage_webhooks,
        )
        seconds = self.replays.interval(speed)
        where = f"in <#{started.target_id}>" if started.created else "here"
        text = (
            f"Replaying **{safe(truncate(thread.title, 150))}** {where}: "
            f"{_range(started.replay)}, one every {seconds:g} s. Stop it with `/replay stop`."
        )
        if started.mode == "embed":
            text += "\n" + EMBED_NOTICE
        await interaction.followup.send(text)

    @app_commands.command(name="stop", description="Stop the replay running in this channel")
    @allowed_to("replay")
    async def stop(self, interaction: discord.Interaction[ThreadBot]) -> None:
        channel_id = interaction.channel_id
        record = None if channel_id is None else await self.replays.stop(channel_id)
        if record is None:
            raise UserFacingError("No replay is running here.")
        thread = await self.bot.storage.threads.get(record.thread_id, record.guild_id)
        await interaction.response.send_message(
            f"Stopped the replay of **{_title(thread)}** after {_progress(record)}."
        )

    @app_commands.command(name="status", description="How far the replay in this channel is")
    async def status(self, interaction: discord.Interaction[ThreadBot]) -> None:
        channel_id = interaction.channel_id
        record = None if channel_id is None else await self.bot.storage.replays.latest(channel_id)
        if record is None:
            raise UserFacingError("No replay has run in this channel yet: try `/replay start`.")
        thread = await self.bot.storage.threads.get(record.thread_id, record.guild_id)
        lines = [
            f"**{_title(thread)}** — {record.status}"
            + (f" ({safe(truncate(record.error, 200))})" if record.error else ""),
            f"{_progress(record)} of {_range(record)} · {record.posted} messages posted",
            f"speed {record.speed:g} · "
            + ("as each author (webhook)" if record.mode == "webhook" else "as embeds")
            + (f" · in <#{record.target_id}>" if record.target_id else ""),
            f"started by <@{record.started_by}> {_when(record.started_at)}",
        ]
        await interaction.response.send_message("\n".join(lines), ephemeral=True)


def _title(thread: StoredThread | None) -> str:
    return safe(truncate(thread.title, 150)) if thread else "a deleted thread"


def _range(record: ReplayRecord) -> str:
    count = record.last_seq - record.first_seq + 1
    return f"{count} comment{'s' if count != 1 else ''}"


def _progress(record: ReplayRecord) -> str:
    """How many comments of the range are fully posted (the article counts as none)."""
    if record.next_seq == 0:
        return "0 comments (the article is being posted)" if record.posted else "0 comments"
    done = min(record.next_seq, record.last_seq + 1) - record.first_seq
    return f"{max(done, 0)} comment{'s' if done != 1 else ''}"


def _when(iso: str) -> str:
    try:
        return f"<t:{int(datetime.fromisoformat(iso).timestamp())}:R>"
    except ValueError:
        return iso


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, ThreadBot):
        raise TypeError("cogs.replay needs a ThreadBot")
    await bot.add_cog(Replay(bot))
