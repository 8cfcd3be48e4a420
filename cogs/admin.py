"""``/threadbot …``: server administration. ``import`` loads a thread file for this server.

Refusals (permission, size, a bad file naming its line) are raised as user-facing
errors; the tree's ``on_error`` answers them ephemerally. Further subcommands
(``config``, ``delete``) are appended to this group as methods.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ThreadBot
from bot.importing import check_size, describe, import_upload
from bot.permissions import ensure_allowed

NONE = discord.AllowedMentions.none()


@app_commands.guild_only()
class Admin(
    commands.GroupCog, group_name="threadbot", group_description="Manage threadbot in this server"
):
    """The ``/threadbot`` group."""

    def __init__(self, bot: ThreadBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name="import", description="Import a thread file (text capture or WordPress export)"
    )
    @app_commands.describe(
        file="A thread capture (.txt, UTF-8 or Windows-1252) or a WordPress export (.xml)"
    )
    async def import_thread(
        self, interaction: discord.Interaction[ThreadBot], file: discord.Attachment
    ) -> None:
        """Checks come first and cost nothing: permission, then the declared size."""
        ensure_allowed(interaction, "import")
        settings = self.bot.settings
        check_size(file.filename, file.size, settings.import_max_bytes)
        assert interaction.guild_id is not None  # guild_only
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await import_upload(
            self.bot.storage,
            file,
            guild_id=interaction.guild_id,
            max_bytes=settings.import_max_bytes,
            max_comments=settings.import_max_comments,
        )
        await interaction.followup.send(describe(report), ephemeral=True, allowed_mentions=NONE)


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, ThreadBot):
        raise TypeError("cogs.admin needs a ThreadBot")
    await bot.add_cog(Admin(bot))
