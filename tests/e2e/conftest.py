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
) -> AsyncIterator[BotT]:
    """Start ``bot`` against ``fake`` (``bot.start(token)`` in a task), wait until it is
    ready (guilds cached), yield it, and close it on exit.

    ``guild_ready_timeout`` shortens discord.py's wait for late GUILD_CREATEs before
    READY fires (2 s by default) so tests start fast. An exception raised by the bot's
    startup (login, setup_hook, command sync) is re-raised here.
    """
    bot._connection.guild_ready_timeout = guild_ready_timeout
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


@pytest.fixture(name="run_bot")
def _run_bot_fixture() -> object:
    """The :func:`run_bot` helper as a fixture, for tests that prefer not to import it."""
    return run_bot
