"""``/ping``: the latency baseline, loaded only into the benchmark's bot process.

It answers at once with a fixed text, so its round trip is what every command pays
whatever it does: the fake Discord's gateway dispatch, discord.py's parsing and command
tree, one HTTP callback. Every command's latency is reported as a ratio to it.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands


class Ping(commands.Cog):
    @app_commands.command(name="ping", description="Answer at once (benchmark baseline)")
    async def ping(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("pong")


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Ping())
