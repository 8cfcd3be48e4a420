"""``/threadbot …``: server administration — delete an imported thread, the server's settings.

The group is hidden from members without Manage Server by default (Discord's
``default_member_permissions``) and the cog's ``interaction_check`` checks again before
every subcommand, since a server can show the group to anyone in its Integrations
settings. Importing lives in ``/thread import`` instead, so that a role set with
``/threadbot config set import_role`` can use it without that. Refusals are raised as
errors; the tree's ``on_error`` answers them ephemerally.
"""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ThreadBot
from bot.errors import Busy, NotAllowed, UserFacingError
from bot.guilds.config import (
    REPLAYS_PER_GUILD_MAX,
    SPEED_MAX,
    SPEED_MIN,
    GuildConfig,
    check_role,
    describe,
    load_config,
)
from bot.guilds.permissions import ensure_manager, server_id
from bot.replay import pacing_floor
from bot.storage import SHIPPED
from bot.text import safe, truncate
from bot.ui.transformers import ThreadArg

ResettableSetting = Literal[
    "import_role", "replay_role", "max_speed", "public_threads", "replays_at_once", "all"
]
_SETTING_KEYS: dict[str, str] = {
    "import_role": "import_role_id",
    "replay_role": "replay_role_id",
    "max_speed": "replay_max_speed",
    "public_threads": "replay_public_threads",
    "replays_at_once": "replay_max_running",
}
"""Option names (what admins type) → :class:`GuildConfig` fields."""


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Admin(
    commands.GroupCog, group_name="threadbot", group_description="Manage threadbot in this server"
):
    """The ``/threadbot`` group."""

    config = app_commands.Group(name="config", description="This server's threadbot settings")

    def __init__(self, bot: ThreadBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Every ``/threadbot`` command: Manage Server (or administrator), in a server."""
        ensure_manager(interaction)
        return True

    # ---- delete ------------------------------------------------------------------------

    @app_commands.command(
        name="delete", description="Delete a thread imported in this server, with everything"
    )
    @app_commands.describe(thread="The imported thread to delete (start typing its title)")
    async def delete(self, interaction: discord.Interaction[ThreadBot], thread: ThreadArg) -> None:
        """Comments, reply edges, summaries, search rows and replay records go with it."""
        guild_id = server_id(interaction)
        if thread.guild_id == SHIPPED:
            raise NotAllowed(
                f"**{safe(truncate(thread.title, 150))}** ships with threadbot and can't be "
                "deleted from Discord; only threads imported in this server can."
            )
        if thread.guild_id != guild_id:  # the transformer already scopes; never trust one layer
            raise NotAllowed("That thread isn't available here.")
        storage = self.bot.storage
        if await storage.replays.count_running(thread_id=thread.id):
            raise Busy(
                "A replay of this thread is running: stop it with `/replay stop` in its "
                "channel first."
            )
        if not await storage.threads.delete(thread.id):
            raise UserFacingError("That thread was already deleted.")
        await interaction.response.send_message(
            f"Deleted **{safe(truncate(thread.title, 150))}** (`{thread.slug}`) and its "
            f"{thread.comment_count:,} comments, reply links, summaries and replay records.",
            ephemeral=True,
        )

    # ---- config ------------------------------------------------------------------------

    @config.command(name="show", description="Show this server's threadbot settings")
    async def config_show(self, interaction: discord.Interaction[ThreadBot]) -> None:
        guild_id = server_id(interaction)
        config = await load_config(self.bot.storage, guild_id)
        await self._show(interaction, config)

    @config.command(name="set", description="Change this server's threadbot settings")
    @app_commands.describe(
        import_role="Members with this role may import threads (besides Manage Server)",
        replay_role="Members with this role may start and stop replays (besides Manage Threads)",
        max_speed=f"Fastest replay speed allowed here ({SPEED_MIN:g}–{SPEED_MAX:g})",
        public_threads="May a replay open a new thread or forum post? (no: it posts in place)",
        replays_at_once=f"Replays running at once in this server (1–{REPLAYS_PER_GUILD_MAX})",
    )
    async def config_set(
        self,
        interaction: discord.Interaction[ThreadBot],
        import_role: discord.Role | None = None,
        replay_role: discord.Role | None = None,
        max_speed: app_commands.Range[float, SPEED_MIN, SPEED_MAX] | None = None,
        public_threads: bool | None = None,
        replays_at_once: app_commands.Range[int, 1, REPLAYS_PER_GUILD_MAX] | None = None,
    ) -> None:
        guild_id = server_id(interaction)
        changes: dict[str, Any] = {}
        for key, role in (("import_role_id", import_role), ("replay_role_id", replay_role)):
            if role is not None:
                check_role(role.id, guild_id, managed=role.managed)
                changes[key] = role.id
        if max_speed is not None:
            changes["replay_max_speed"] = float(max_speed)
        if public_threads is not None:
            changes["replay_public_threads"] = public_threads
        if replays_at_once is not None:
            changes["replay_max_running"] = int(replays_at_once)
        if not changes:
            raise UserFacingError(
                "Give at least one setting to change; `/threadbot config show` lists them."
            )
        storage = self.bot.storage
        config = (await load_config(storage, guild_id)).changed(changes, guild_id=guild_id)
        await storage.guilds.put_settings(guild_id, config.to_json())
        await self._show(interaction, config, "Saved.")

    @config.command(name="reset", description="Put one setting (or all) back to its default")
    @app_commands.describe(setting="The setting to reset, or all of them")
    async def config_reset(
        self, interaction: discord.Interaction[ThreadBot], setting: ResettableSetting
    ) -> None:
        guild_id = server_id(interaction)
        storage = self.bot.storage
        if setting == "all":
            config = GuildConfig()
        else:
            key = _SETTING_KEYS[setting]
            default = getattr(GuildConfig(), key)
            config = (await load_config(storage, guild_id)).changed({key: default})
        await storage.guilds.put_settings(guild_id, config.to_json())
        await self._show(interaction, config, "Reset.")

    async def _show(
        self, interaction: discord.Interaction[ThreadBot], config: GuildConfig, note: str = ""
    ) -> None:
        base = self.bot.settings.replay_interval
        min_interval, _ = pacing_floor(base)  # what the replay manager paces with
        text = describe(config, base_interval=base, min_interval=min_interval)
        await interaction.response.send_message(f"{note}\n{text}" if note else text, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, ThreadBot):
        raise TypeError("cogs.admin needs a ThreadBot")
    await bot.add_cog(Admin(bot))
