"""ThreadBot itself through the fake Discord: setup_hook, seeds, deliberate command sync, errors."""

from __future__ import annotations

from pathlib import Path

import discord
from discord import app_commands

from bot.app import ThreadBot
from bot.errors import NotFound
from bot.settings import Settings
from bot.storage import Storage
from tests.backends import MakeDb
from tests.conftest import SEEDS
from tests.e2e.conftest import run_bot
from tests.fakediscord import FakeDiscord
from tests.fakediscord.threadbot import database


def make_bot(fake: FakeDiscord, db: Path | str, *, guild_id: int | None = None) -> ThreadBot:
    """A bot with no cogs and one command of its own, so the sync policy is tested alone."""
    settings = Settings(token=fake.token, **database(db), seeds_dir=SEEDS, guild_id=guild_id)
    bot = ThreadBot(settings=settings, storage=Storage(db), extensions=[])

    @bot.tree.command(name="boom", description="fails in a known or an unknown way")
    async def boom(interaction: discord.Interaction[ThreadBot], known: bool) -> None:
        if known:
            raise NotFound("thread", "nope", ["iraq-cease-fire-over"])
        raise RuntimeError("an unexpected bug")

    return bot


async def test_seeds_loaded_and_global_sync_only_when_changed(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    db = await make_db("bot.db")
    async with run_bot(make_bot(fake_discord, db), fake_discord) as bot:
        threads = await bot.storage.threads.visible(None)
        assert [t.slug for t in threads] == ["iraq-cease-fire-over"]
    assert len(fake_discord.command_syncs) == 1
    assert [c["name"] for c in fake_discord.commands()] == ["boom"]

    # Restart on the same database with the same commands: no sync at all.
    async with run_bot(make_bot(fake_discord, db), fake_discord):
        pass
    assert len(fake_discord.command_syncs) == 1

    # A changed command set syncs again.
    changed = make_bot(fake_discord, db)

    @changed.tree.command(name="extra", description="a new command")
    async def extra(interaction: discord.Interaction[ThreadBot]) -> None:
        await interaction.response.send_message("hi")

    async with run_bot(changed, fake_discord):
        pass
    assert len(fake_discord.command_syncs) == 2
    assert sorted(c["name"] for c in fake_discord.commands()) == ["boom", "extra"]


async def test_guild_id_syncs_to_that_guild(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    guild = fake_discord.seed.guild_id
    async with run_bot(make_bot(fake_discord, await make_db("b.db"), guild_id=guild), fake_discord):
        pass
    assert [c["name"] for c in fake_discord.commands(guild)] == ["boom"]
    assert fake_discord.commands() == []


async def test_errors_become_ephemeral_messages(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    async with run_bot(make_bot(fake_discord, await make_db("c.db")), fake_discord):
        known = await fake_discord.send_slash_command("boom", {"known": True})
        reply = await known.response()
        assert reply.message is not None
        assert "No thread matches “nope”" in reply.message.content
        assert "iraq-cease-fire-over" in reply.message.content
        assert reply.message.ephemeral

        unknown = await fake_discord.send_slash_command("boom", {"known": False})
        reply = await unknown.response()
        assert reply.message is not None
        assert "went wrong" in reply.message.content
        assert "RuntimeError" not in reply.message.content
        assert reply.message.ephemeral


def test_tree_class_has_the_single_error_handler() -> None:
    from bot.app import ThreadTree

    assert ThreadTree.on_error is not app_commands.CommandTree.on_error
