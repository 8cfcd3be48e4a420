"""Forget servers the bot has left: record when, purge after the grace period.

``on_guild_remove`` starts a server's grace period, ``on_guild_join`` within it ends
it, and a periodic task (its first run at start-up) purges the servers whose grace
period is over. After connecting, the server list is reconciled with the records,
for servers that removed the bot while it was offline. The logic lives in
:mod:`bot.guilds.housekeeping`; this cog only connects it to Discord's events and a clock.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import discord
from discord.ext import commands, tasks

from bot.app import ThreadBot
from bot.guilds.housekeeping import purge_expired, reconcile

log = logging.getLogger(__name__)

PURGE_EVERY_HOURS = 1.0


def utcnow() -> datetime:
    return datetime.now(UTC)


class Housekeeping(commands.Cog):
    """Guild join/leave bookkeeping and the periodic purge."""

    def __init__(self, bot: ThreadBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.purge_loop.start()

    async def cog_unload(self) -> None:
        self.purge_loop.cancel()

    @tasks.loop(hours=PURGE_EVERY_HOURS)
    async def purge_loop(self) -> None:
        """Runs once as soon as the cog loads (the check on start), then every hour; with
        several processes on one PostgreSQL database, only in the one that takes the
        round's lease (SQLite has one process: it always runs)."""
        now = utcnow()
        stamp = now.timestamp()
        storage = self.bot.storage
        try:
            if storage.backend != "sqlite" and not await storage.leases.acquire(
                "housekeeping", self.bot.owner, stamp + PURGE_EVERY_HOURS * 3600 - 60, stamp
            ):
                log.info("housekeeping: another process does this round")
                return
            await purge_expired(storage, now)
        except Exception:
            log.exception("housekeeping purge failed; will retry next round")

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Servers left while the bot was offline start their grace period now."""
        present = {guild.id for guild in self.bot.guilds}
        gone, back = await reconcile(self.bot.storage, present, utcnow(), self.bot.serves)
        if gone:
            log.info("left while offline, grace period starts now: %s", sorted(gone))
        if back:
            log.info("back in servers marked as left: %s", sorted(back))

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.bot.storage.guilds.mark_left(guild.id, utcnow())
        log.info("left server %s: its imports and settings go after the grace period", guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        if await self.bot.storage.guilds.mark_returned(guild.id):
            log.info("back in server %s within its grace period: nothing is purged", guild.id)


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, ThreadBot):
        raise TypeError("cogs.housekeeping needs a ThreadBot")
    await bot.add_cog(Housekeeping(bot))
