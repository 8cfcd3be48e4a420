"""The one ``commands.Bot`` subclass: owns storage, loads cogs, syncs commands deliberately."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import pkgutil
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

import cogs
from bot.errors import UserFacingError
from bot.guilds.housekeeping import serves
from bot.guilds.permissions import refund_cooldown
from bot.settings import Settings
from bot.sources.loading import ingest_seeds
from bot.storage import Storage, storage_for
from bot.storage.leases import process_name
from bot.workers import shutdown_workers, workers

log = logging.getLogger(__name__)

COMMAND_HASH_KEY = "global_command_hash"
STOPPED_WORK_GRACE_S = 1.0
"""On close, how long answers about stopped worker calls ("the bot is restarting") get."""


def default_extensions() -> list[str]:
    """Every module in the ``cogs`` package is one extension."""
    return [f"cogs.{m.name}" for m in pkgutil.iter_modules(cogs.__path__) if not m.ispkg]


class ThreadTree(app_commands.CommandTree["ThreadBot"]):
    """The command tree with the bot's single error handler."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """The one place errors become messages: known ones ephemeral, the rest logged."""
        original: BaseException = error
        if isinstance(error, app_commands.CommandInvokeError):
            original = error.original
        elif isinstance(error, app_commands.TransformerError) and error.__cause__ is not None:
            original = error.__cause__
        if isinstance(original, UserFacingError):
            message = original.message
            if original.refunds_cooldown or not interaction.response.is_done():
                # Refused before any work began, or nothing came of it: that try
                # doesn't count against a cooldown.
                refund_cooldown(interaction)
        elif isinstance(original, app_commands.CommandOnCooldown):
            message = f"Slow down: try again in {original.retry_after:.0f} s."
        elif isinstance(original, app_commands.MissingPermissions):
            needed = ", ".join(p.replace("_", " ").title() for p in original.missing_permissions)
            message = f"You need the {needed} permission for this."
        elif isinstance(original, app_commands.BotMissingPermissions):
            needed = ", ".join(p.replace("_", " ").title() for p in original.missing_permissions)
            message = f"I need the {needed} permission here for this."
        elif isinstance(original, app_commands.NoPrivateMessage):
            message = "This command works in a server, not in DMs."
        elif isinstance(original, app_commands.CheckFailure):
            # A check refused before the command ran (bot.guilds.checks): nothing was done.
            message = str(original) or "You can't use this command here."
            refund_cooldown(interaction)
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command %s failed", command, exc_info=original)
            message = "Something went wrong on my side; it has been logged."
        await send_ephemeral(interaction, message)


class ThreadBot(commands.Bot):
    """threadbot. Its dependencies are passed in; ``setup_hook`` opens and wires them."""

    def __init__(
        self,
        *,
        settings: Settings,
        storage: Storage,
        extensions: Sequence[str] | None = None,
        force_sync: bool = False,
        load_seeds: bool = True,
        **client_options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            # Every message the bot sends pings nobody unless it says otherwise; discord.py
            # applies this to responses, follow-ups and webhooks alike.
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=ThreadTree,
            **client_options,
        )
        self.owner = process_name()
        """This process, for leases on work that one process of several does."""
        self.settings = settings
        self.storage = storage
        self.initial_extensions = (
            list(extensions) if extensions is not None else default_extensions()
        )
        self.force_sync = force_sync
        self.load_seeds = load_seeds

    async def setup_hook(self) -> None:
        await self.storage.open()
        await workers().start()  # the first import then does not wait for it
        if self.load_seeds:
            await self.ingest_seeds()
        from bot.ui.paginator import DYNAMIC_ITEMS

        self.add_dynamic_items(*DYNAMIC_ITEMS)
        for extension in self.initial_extensions:
            await self.load_extension(extension)
        if self.syncs_commands or self.force_sync:
            await self.sync_commands(force=self.force_sync)

    @property
    def syncs_commands(self) -> bool:
        """Commands are synced by one process only: the one that serves shard 0 (or any
        that is asked to: ``python -m bot sync``)."""
        return self.settings.shard_ids is None or 0 in self.settings.shard_ids

    def serves(self, guild_id: int) -> bool:
        """Whether this process serves ``guild_id`` (its shard is one of ours)."""
        return serves(guild_id, self.settings.shard_count, self.settings.shard_ids)

    async def ingest_seeds(self) -> None:
        """Load every thread file in ``SEEDS_DIR``; a bad file is logged and skipped."""
        await ingest_seeds(self.storage, self.settings.seeds_dir)

    def command_payload_hash(self) -> str:
        """A fingerprint of the global command set, to sync only when it changed."""
        payload = [cmd.to_dict(self.tree) for cmd in self.tree.get_commands()]
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()

    async def sync_commands(self, *, force: bool = False) -> str:
        """Sync to ``GUILD_ID`` in development; globally only when the set changed or forced."""
        if self.settings.guild_id is not None:
            guild = discord.Object(self.settings.guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), self.settings.guild_id)
            return "guild"
        digest = self.command_payload_hash()
        if not force and await self.storage.meta.get(COMMAND_HASH_KEY) == digest:
            log.info("command set unchanged: not syncing")
            return "unchanged"
        synced = await self.tree.sync()
        await self.storage.meta.set(COMMAND_HASH_KEY, digest)
        log.info("synced %d commands globally", len(synced))
        return "global"

    async def close(self) -> None:
        # Children parsing uploads are killed first: stopping never waits for a parse.
        if await shutdown_workers():
            # Let the people whose imports were stopped hear it before the connection goes.
            await asyncio.sleep(STOPPED_WORK_GRACE_S)
        await super().close()
        await self.storage.close()


class ShardedThreadBot(ThreadBot, commands.AutoShardedBot):
    """threadbot serving the shards ``SHARD_COUNT`` and ``SHARD_IDS`` name, through
    discord.py's ``AutoShardedBot`` (one gateway connection per shard)."""


def make_bot(settings: Settings, storage: Storage | None = None, **options: Any) -> ThreadBot:
    """The bot for ``settings``: sharded as ``SHARD_COUNT``/``SHARD_IDS`` say, else one
    connection as today; its storage from ``DATABASE_URL``/``DATABASE_PATH``."""
    storage = storage or storage_for(settings)
    if settings.shard_count is None:
        return ThreadBot(settings=settings, storage=storage, **options)
    ids = list(settings.shard_ids) if settings.shard_ids is not None else None
    return ShardedThreadBot(
        settings=settings,
        storage=storage,
        shard_count=settings.shard_count,
        shard_ids=ids,
        **options,
    )


async def send_ephemeral(interaction: discord.Interaction[Any], message: str) -> None:
    """Answer an interaction once: a first response, or a follow-up if one was sent already."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message for interaction %s", interaction.id)
    except (RuntimeError, OSError):
        if not interaction.client.is_closed():
            raise
        # The bot is stopping and its connection is closed already ("Session is closed").
        log.info("stopping: could not deliver an error message for interaction %s", interaction.id)
