"""Fixtures for end-to-end tests: a started FakeDiscord and ``run_bot`` for any commands.Bot."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

import discord
import discord.gateway
import discord.http
import pytest
from discord.ext import commands

from tests.fakediscord import FakeDiscord, seed_test_guild

BotT = TypeVar("BotT", bound=commands.Bot)


@pytest.fixture(autouse=True)
async def _no_leaked_tasks() -> AsyncIterator[None]:
    """Fail an e2e test that leaves asyncio tasks running after its fixtures closed down
    (a bot or server not shut down cleanly)."""
    yield
    current = asyncio.current_task()
    for _ in range(50):  # give short-lived library tasks up to ~0.5 s to finish
        leaked = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        if not leaked:
            return
        await asyncio.sleep(0.01)
    for task in leaked:
        task.cancel()
    pytest.fail(f"tasks still pending after the test: {leaked}", pytrace=False)


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A FakeDiscord on 127.0.0.1 (random port) with the seeded "Test Guild" (see
    :func:`tests.fakediscord.seed_test_guild`), and discord.py pointed at it.

    At teardown the test fails if the bot sent anything Discord would refuse
    (``fake.violations``) or called a route the fake does not know
    (``fake.unknown_routes``; set ``fake.allow_unknown_routes = True`` to permit).
    Tests that provoke a violation on purpose call ``fake.take_violations()``.
    """
    fake = FakeDiscord()
    seed_test_guild(fake)
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", fake.gateway_url)
    try:
        yield fake
    finally:
        await fake.stop()
    problems = [str(v) for v in fake.violations]
    problems += [f"fake-discord internal error {e}" for e in fake.internal_errors]
    if fake.unknown_routes and not fake.allow_unknown_routes:
        problems += [f"unknown route {r}" for r in fake.unknown_routes]
    if problems:
        pytest.fail("fake Discord saw problems:\n  " + "\n  ".join(problems), pytrace=False)


@contextlib.asynccontextmanager
async def run_bot(
    bot: BotT,
    fake: FakeDiscord,
    *,
    timeout: float = 10.0,  # noqa: ASYNC109
    guild_ready_timeout: float = 0.05,
    reidentify_delay: float = 0.0,
) -> AsyncIterator[BotT]:
    """Start ``bot`` against ``fake`` (``bot.start(token)`` in a task), wait until it is
    ready (guilds cached), yield it, and close it on exit.

    ``guild_ready_timeout`` shortens discord.py's wait for late GUILD_CREATEs before
    READY fires (2 s by default) so tests start fast. An exception raised by the bot's
    startup (login, setup_hook, command sync) is re-raised here.

    discord.py's default ``before_identify_hook`` sleeps 5 s before every IDENTIFY after
    the first (e.g. after an op 9 invalid session); unless the bot class overrides the
    hook, it is replaced by one that waits ``reidentify_delay`` instead.
    """
    bot._connection.guild_ready_timeout = guild_ready_timeout
    if type(bot).before_identify_hook is discord.Client.before_identify_hook:

        async def before_identify_hook(shard_id: int | None, *, initial: bool = False) -> None:
            if not initial:
                await asyncio.sleep(reidentify_delay)

        bot.before_identify_hook = before_identify_hook  # type: ignore[method-assign]
    task = asyncio.create_task(bot.start(fake.token), name="run_bot:bot.start")
    try:
        await fake.wait_until(
            lambda: bot.is_ready() or task.done(), timeout, what="the bot to become ready"
        )
        if task.done():
            task.result()  # re-raise the startup failure
            raise AssertionError("bot.start() returned before the bot became ready")
        yield bot
    finally:
        await bot.close()
        await asyncio.wait_for(task, timeout)
        # discord.py does not cancel a READY still waiting for GUILD_CREATEs on close.
        ready_task = bot._connection._ready_task
        if ready_task is not None and not ready_task.done():
            await asyncio.wait({ready_task}, timeout=guild_ready_timeout + 1.0)


@pytest.fixture(name="run_bot")
def _run_bot_fixture() -> object:
    """The :func:`run_bot` helper as a fixture, for tests that prefer not to import it."""
    return run_bot
