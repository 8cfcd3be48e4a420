"""``python -m tests.e2e.bot_process API_BASE GATEWAY_URL [COMMAND]``: ``python -m bot run``
(or COMMAND), pointed at
a fake Discord, for tests that need the bot as its own process (signals, exit codes).

Settings come from the environment as usual. With ``THREADBOT_TEST_SLOW_READ=FILE``, reading
an upload in the worker writes the worker's pid to FILE and then spins until stopped: it
stands in for a file that takes long to parse. SIGUSR1 prints every thread's stack.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
from pathlib import Path

import discord.gateway
import discord.http
import yarl

from bot import cli
from bot.sources import uploads


def slow_read(*_: object, **__: object) -> None:
    marker = Path(os.environ["THREADBOT_TEST_SLOW_READ"])
    partial = marker.with_suffix(".partial")
    partial.write_text(str(os.getpid()))
    partial.rename(marker)  # whole or absent: the test reads it as soon as it exists
    while True:
        pass


def main() -> int:
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # a test's view of a hang
    discord.http.Route.BASE = sys.argv[1]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sys.argv[2])
    if os.environ.get("THREADBOT_TEST_SLOW_READ"):
        uploads.read_upload = slow_read  # type: ignore[assignment]
    return cli.main(["--env-file", os.devnull, *(sys.argv[3:] or ["run"])])


if __name__ == "__main__":
    sys.exit(main())
