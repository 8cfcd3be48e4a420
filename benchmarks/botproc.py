"""``python -m benchmarks.botproc CONFIG_JSON``: the real bot, in its own process, on the fake.

The latency benchmark measures what a user waits for, so the bot must run as it does in
production: its own interpreter (its own GIL: the fake Discord and the simulated users
live in the parent and do not slow it down), every cog, ``setup_hook``, its worker
processes. Only where Discord is differs: discord.py's REST base and gateway point at
the fake on 127.0.0.1. One extra extension, :mod:`benchmarks.ping`, adds ``/ping``:
the baseline every latency is divided by (the same round trip, no work).

It prints ``ready`` on stdout once the bot is ready, and on SIGTERM closes cleanly and
prints one JSON line: its peak resident memory (``VmHWM``) and the time it started.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from pathlib import Path

import discord
import discord.gateway
import discord.http
import yarl

from bot.app import ThreadBot, default_extensions
from bot.settings import Settings
from bot.storage.store import storage_for


def peak_rss_bytes(pid: int | str = "self") -> int:
    """Peak resident set size of a process (``VmHWM``), in bytes; 0 if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


async def _main(config: dict[str, object]) -> None:
    discord.http.Route.BASE = str(config["api_base"])
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(str(config["gateway"]))
    url = config.get("database_url")
    settings = Settings(
        token=str(config["token"]),
        database_path=Path(str(config.get("database_path", "threadbot.db"))),
        database_url=None if url is None else str(url),
        seeds_dir=Path(str(config["seeds_dir"])),
    )
    bot = ThreadBot(
        settings=settings,
        storage=storage_for(settings),
        extensions=[*default_extensions(), "benchmarks.ping"],
    )
    bot._connection.guild_ready_timeout = 0.05
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    task = asyncio.create_task(bot.start(settings.token))
    waiter = asyncio.create_task(bot.wait_until_ready())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()
        return
    print("ready", flush=True)
    await stop.wait()
    await bot.close()
    await asyncio.wait({task}, timeout=30)
    print(json.dumps({"peak_rss": peak_rss_bytes()}), flush=True)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(_main(json.loads(sys.argv[1])))


if __name__ == "__main__":
    main()
