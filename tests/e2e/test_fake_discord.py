"""The fake Discord drives the real discord.py client: connect, sync, interactions, faults."""

from __future__ import annotations

import asyncio
import io

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord.http import Route, handle_message_parameters

from tests.e2e.conftest import run_bot
from tests.fakediscord import (
    FORUM_ID,
    GENERAL_ID,
    GUILD_ID,
    MEMBER_ID,
    FakeDiscord,
)

pytestmark = pytest.mark.e2e

TAGS = ["python", "pytest", "discord", "asyncio"]


class CounterView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Count", custom_id="tiny:count", style=discord.ButtonStyle.primary)
    async def count(
        self, interaction: discord.Interaction[TinyBot], _: discord.ui.Button[CounterView]
    ) -> None:
        interaction.client.clicks += 1
        await interaction.response.edit_message(content=f"clicked {interaction.client.clicks}")


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="Your feedback", custom_id="feedback:text", max_length=200
    )

    async def on_submit(self, interaction: discord.Interaction[TinyBot]) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


@app_commands.command(name="echo", description="Say it back")
@app_commands.describe(text="What to say", loud="Shout it")
async def echo(interaction: discord.Interaction[TinyBot], text: str, loud: bool = False) -> None:
    await interaction.response.send_message(text.upper() if loud else text, view=CounterView())


@app_commands.command(name="slow", description="Think first, then answer")
async def slow(interaction: discord.Interaction[TinyBot], text: str) -> None:
    await interaction.response.defer(thinking=True)
    await asyncio.sleep(0.01)
    await interaction.followup.send(f"after thinking: {text}")


@app_commands.command(name="feedback", description="Open a feedback form")
async def feedback(interaction: discord.Interaction[TinyBot]) -> None:
    await interaction.response.send_modal(FeedbackModal())


tag = app_commands.Group(name="tag", description="Tags")


@tag.command(name="add", description="Add a tag")
async def tag_add(interaction: discord.Interaction[TinyBot], name: str) -> None:
    await interaction.response.send_message(f"tagged {name}", ephemeral=True)


@tag_add.autocomplete("name")
async def tag_name(_: discord.Interaction[TinyBot], current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=t, value=t) for t in TAGS if t.startswith(current)]


class TinyBot(commands.Bot):
    """A throwaway bot: a few slash commands, one button, one modal; syncs to the test guild."""

    def __init__(self) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.clicks = 0

    async def setup_hook(self) -> None:
        for command in (echo, slow, feedback, tag):
            self.tree.add_command(command)
        self.add_view(CounterView())
        guild = discord.Object(GUILD_ID)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)


async def test_connects_ready_with_guild_cached(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord) as bot:
        assert bot.user is not None and bot.user.id == fake_discord.application_id
        assert bot.application_id == fake_discord.application_id
        guild = bot.get_guild(GUILD_ID)
        assert guild is not None and guild.name == "Test Guild"
        general = guild.get_channel(GENERAL_ID)
        assert isinstance(general, discord.TextChannel) and general.name == "general"
        forum = guild.get_channel(FORUM_ID)
        assert isinstance(forum, discord.ForumChannel)
        assert sorted(t.name for t in forum.available_tags) == ["discussion", "meta"]
        assert guild.me is not None and guild.me.id == bot.user.id
        # Without the members intent only the bot's own member is cached; others are fetched.
        assert guild.get_member(fake_discord.seed.admin_id) is None
        admin = await guild.fetch_member(fake_discord.seed.admin_id)
        assert admin.name == "alice" and admin.guild_permissions.manage_threads
        assert not guild.get_role(fake_discord.seed.guild_id).permissions.manage_threads
        assert fake_discord.gateway.stats.identifies == 1
        await fake_discord.wait_until(lambda: fake_discord.gateway.stats.heartbeats >= 1)


async def test_command_sync_records_payload(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord):
        [sync] = fake_discord.command_syncs
        assert sync.guild_id == GUILD_ID
        assert sorted(sync.names) == ["echo", "feedback", "slow", "tag"]
        echo_payload = next(c for c in sync.payload if c["name"] == "echo")
        options = {o["name"]: o for o in echo_payload["options"]}
        assert options["text"]["type"] == 3 and options["text"]["required"] is True
        assert options["loud"]["type"] == 5 and not options["loud"].get("required", False)
        tag_payload = next(c for c in sync.payload if c["name"] == "tag")
        assert tag_payload["options"][0]["type"] == 1  # subcommand
        assert tag_payload["options"][0]["options"][0]["autocomplete"] is True
        assert all(c["id"] for c in fake_discord.commands(GUILD_ID))
        assert fake_discord.commands() == []  # nothing global


async def test_slash_command_is_answered(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord):
        handle = await fake_discord.send_slash_command(
            "echo", {"text": "hello", "loud": True}, user=MEMBER_ID, channel_id=GENERAL_ID
        )
        reply = await handle.response()
        assert reply.type == 4
        assert reply.content == "HELLO"
        assert not reply.ephemeral
        assert reply.message is not None
        assert reply.message.custom_ids() == ["tiny:count"]
        assert reply.message.allowed_mentions == {"parse": []}
        assert [m.content for m in fake_discord.messages(GENERAL_ID)] == ["HELLO"]
