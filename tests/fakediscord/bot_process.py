"""The real bot in a process of its own, against a FakeDiscord served by the test process.

``python -m tests.fakediscord.bot_process`` reads the bot's settings from the
environment as ``python -m bot`` does, plus ``FAKE_DISCORD_API`` and
``FAKE_DISCORD_GATEWAY`` (where discord.py is pointed instead of Discord) and
``FAKE_DISCORD_TOKEN`` (the fake's token, which is not shaped like a real one).
SIGTERM closes the bot cleanly; SIGKILL is what a crash looks like. Used by the
scale-out tests: several bot processes on one PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import signal

import discord
import discord.gateway
import discord.http
import yarl

from bot.app import make_bot
from bot.settings import Settings


async def run() -> None:
    discord.http.Route.BASE = os.environ["FAKE_DISCORD_API"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_DISCORD_GATEWAY"])
    token = os.environ["FAKE_DISCORD_TOKEN"]
    settings = dataclasses.replace(
        Settings.from_mapping(os.environ, require_token=False), token=token
    )
    logging.basicConfig(level=settings.log_level, format=f"%(asctime)s {os.getpid()} %(message)s")
    bot = make_bot(settings)
    bot._connection.guild_ready_timeout = 0.05
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
    async with bot:
        await bot.start(token)


if __name__ == "__main__":
    asyncio.run(run())
