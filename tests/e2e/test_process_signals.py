"""``python -m bot run`` as its own process: SIGTERM stops it within 5 s (idle, or while an
upload is being read in a worker, which is killed too), and an unreachable Discord at start
is one line per try and a retry with backoff, not a traceback.

These start the real entry point in a subprocess (``tests/e2e/bot_process.py`` points it at
the fake Discord), so they are slow-marked.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS
from tests.fakediscord import Attachment, FakeDiscord, seed_test_guild

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAw.abcdef.ghijklmnopqrstuvwxyz012345"
STOP_WITHIN_S = 5.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord(token=TOKEN)
    seed_test_guild(fake)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def start_bot(
    tmp_path: Path, api_base: str, gateway: str, *command: str, **env: str
) -> asyncio.subprocess.Process:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "DATABASE"))},
        "DISCORD_TOKEN": TOKEN,
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "SEEDS_DIR": str(SEEDS),
        **env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.e2e.bot_process",
        api_base,
        gateway,
        *command,
        cwd=ROOT,
        env=environment,
        stdout=(tmp_path / "stdout").open("wb"),
        stderr=(tmp_path / "stderr").open("wb"),
    )


async def stop_and_time(process: asyncio.subprocess.Process, stderr: Path) -> float:
    """Send SIGTERM; seconds until the process exited. After 20 s it is killed and the test
    fails with the stacks of its threads (what it was waiting for)."""
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 20)
    except TimeoutError:
        process.send_signal(signal.SIGUSR1)
        await asyncio.sleep(1)
        process.kill()
        await process.wait()
        pytest.fail(f"still running 20 s after SIGTERM:\n{stderr.read_text()[-3000:]}")
    return time.monotonic() - began


def alive(pid: int) -> bool:
    try:
        with Path(f"/proc/{pid}/stat").open() as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


async def ready(fake: FakeDiscord, process: asyncio.subprocess.Process) -> None:
    await fake.wait_until(
        lambda: (
            (bool(fake.gateway.sessions) and bool(fake.commands()))
            or process.returncode is not None
        ),
        60,
        what="the bot process to connect and sync its commands",
    )
    assert process.returncode is None, "the bot exited while starting"


async def test_sigterm_while_an_upload_is_being_read(fake: FakeDiscord, tmp_path: Path) -> None:
    marker = tmp_path / "reading"
    process = await start_bot(
        tmp_path, fake.api_base, str(fake.gateway_url), THREADBOT_TEST_SLOW_READ=str(marker)
    )
    try:
        await ready(fake, process)
        data = (SEEDS / "000_f0163f8d9acaa1b0.txt").read_bytes()
        handle = await fake.send_slash_command(
            "thread import", {"file": Attachment("slow.txt", data)}
        )
        await fake.wait_until(marker.exists, 30, what="the worker to start reading")
        worker = int(marker.read_text())
        assert alive(worker)
        took = await stop_and_time(process, tmp_path / "stderr")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = (tmp_path / "stderr").read_text()
    assert took < STOP_WITHIN_S, stderr
    assert process.returncode == 0, stderr
    assert not alive(worker)
    assert "Traceback" not in stderr
    # The person was told, before the bot's connection closed.
    told = await handle.response()  # the deferred "thinking…", then what came of it
    assert "The bot is restarting, so slow.txt was not read; nothing was stored" in told.content


async def test_sigterm_when_idle(fake: FakeDiscord, tmp_path: Path) -> None:
    process = await start_bot(tmp_path, fake.api_base, str(fake.gateway_url))
    try:
        await ready(fake, process)
        took = await stop_and_time(process, tmp_path / "stderr")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = (tmp_path / "stderr").read_text()
    assert took < STOP_WITHIN_S, stderr
    assert process.returncode == 0 and "Traceback" not in stderr


async def test_discord_unreachable_at_start_is_one_line_a_try_and_a_retry(
    tmp_path: Path,
) -> None:
    # Port 9 (discard) on 127.0.0.1: nothing listens, connections are refused.
    process = await start_bot(tmp_path, "http://127.0.0.1:9/api/v10", "ws://127.0.0.1:9")
    stderr_file = tmp_path / "stderr"
    try:
        async with asyncio.timeout(60):
            while stderr_file.read_text().count("cannot reach Discord") < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
        took = await stop_and_time(process, tmp_path / "stderr")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = stderr_file.read_text()
    assert took < STOP_WITHIN_S, stderr
    assert process.returncode == 0
    assert "Traceback" not in stderr
    tries = [line for line in stderr.splitlines() if line.startswith("threadbot: cannot reach")]
    assert "127.0.0.1:9" in tries[0] and tries[0].endswith("retrying in 1 s")
    assert tries[1].endswith("retrying in 2 s")


async def test_sync_with_discord_unreachable_is_one_line_and_exit_1(tmp_path: Path) -> None:
    process = await start_bot(tmp_path, "http://127.0.0.1:9/api/v10", "ws://127.0.0.1:9", "sync")
    assert await asyncio.wait_for(process.wait(), 60) == 1
    stderr = (tmp_path / "stderr").read_text()
    assert "Traceback" not in stderr
    (line,) = [line for line in stderr.splitlines() if line.startswith("threadbot:")]
    assert line.startswith("threadbot: cannot reach Discord (") and "127.0.0.1:9" in line
