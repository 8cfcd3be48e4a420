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

    @discord.ui.button(label="Reset", custom_id="tiny:reset")
    async def reset(
        self, interaction: discord.Interaction[TinyBot], _: discord.ui.Button[CounterView]
    ) -> None:
        await interaction.response.defer()  # deferred update (type 6)
        interaction.client.clicks = 0
        await interaction.edit_original_response(content="reset", view=None)


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
        assert reply.message.custom_ids() == ["tiny:count", "tiny:reset"]
        assert reply.message.allowed_mentions == {"parse": []}
        assert [m.content for m in fake_discord.messages(GENERAL_ID)] == ["HELLO"]

        handle = await fake_discord.send_slash_command(
            "echo", {"text": "<@101> <@&1100> @everyone"}
        )
        reply = await handle.response()
        assert reply.message is not None
        assert reply.message.pings() == {"users": [], "roles": [], "everyone": False}


async def test_deferred_response_then_followup(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord):
        handle = await fake_discord.send_slash_command("slow", {"text": "hi"})
        reply = await handle.response()
        assert reply.type == 5
        assert not reply.loading
        # Discord: the first followup after a "thinking" defer replaces the loading message.
        assert reply.content == "after thinking: hi"
        assert reply.followups == []
        assert len(fake_discord.messages(GENERAL_ID)) == 1


async def test_subcommand_autocomplete_and_invoke(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord):
        handle = await fake_discord.send_autocomplete("tag add", {"name": "py"}, focused="name")
        reply = await handle.response()
        assert reply.type == 8
        assert reply.choices == [
            {"name": "python", "value": "python"},
            {"name": "pytest", "value": "pytest"},
        ]
        sent = handle.record.payload["data"]
        assert sent["guild_id"] == str(GUILD_ID)  # guild-synced command
        assert sent["options"][0]["type"] == 1 and sent["options"][0]["name"] == "add"
        assert sent["options"][0]["options"][0]["focused"] is True

        handle = await fake_discord.send_slash_command("tag add", {"name": "python"})
        reply = await handle.response()
        assert reply.ephemeral and reply.content == "tagged python"
        assert fake_discord.messages(GENERAL_ID) == []  # ephemeral: not in the channel


async def test_unknown_option_is_refused_by_the_fake(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord):
        with pytest.raises(ValueError, match="unknown option"):
            await fake_discord.send_slash_command("echo", {"txt": "typo"})
        with pytest.raises(ValueError, match="required option"):
            await fake_discord.send_slash_command("echo", {"loud": True})


async def test_component_press_updates_the_message(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord) as bot:
        first = await (
            await fake_discord.send_slash_command("echo", {"text": "count me"})
        ).response()
        assert first.message is not None
        press = await fake_discord.press_button(first.message, "tiny:count", user=MEMBER_ID)
        reply = await press.response()
        assert reply.type == 7
        assert reply.message is not None and reply.message.id == first.message.id
        assert reply.content == "clicked 1"
        assert bot.clicks == 1

        reset = await fake_discord.press_button(reply.message, "tiny:reset")
        deferred = await reset.response()
        assert deferred.type == 6
        edited = await reset.edits(1)
        assert edited.message is not None and edited.message.id == first.message.id
        assert edited.content == "reset" and edited.components == []
        assert bot.clicks == 0
        with pytest.raises(ValueError, match="no component"):
            await fake_discord.press_button(first.message, "tiny:nope")


async def test_modal_roundtrip(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord):
        opened = await fake_discord.send_slash_command("feedback")
        reply = await opened.response()
        assert reply.type == 9
        assert reply.modal is not None and reply.modal["title"] == "Feedback"
        submitted = await fake_discord.submit_modal(opened, {"feedback:text": "great bot"})
        answer = await submitted.response()
        assert answer.ephemeral and answer.content == "thanks: great bot"


async def test_dm_interaction(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord):
        dm_id = int(fake_discord.dm_channel(MEMBER_ID)["id"])
        handle = await fake_discord.send_slash_command("echo", {"text": "psst"}, channel_id=dm_id)
        payload = handle.record.payload
        assert "member" not in payload and payload["user"]["id"] == str(MEMBER_ID)
        assert "guild_id" not in payload
        reply = await handle.response()
        assert reply.content == "psst"
        assert [m.content for m in fake_discord.messages(dm_id)] == ["psst"]


async def test_429_is_retried_and_posted_once(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord) as bot:
        fault = fake_discord.fail_next("POST", "/channels/{channel_id}/messages", retry_after=0.05)
        channel = bot.get_channel(GENERAL_ID)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("after a rate limit")
        assert fault.served == 1
        attempts = fake_discord.requests_to("POST", "/channels/{channel_id}/messages")
        assert [r.status for r in attempts] == [429, 200]
        assert [m.content for m in fake_discord.messages(GENERAL_ID)] == ["after a rate limit"]
        assert sent.id == fake_discord.messages(GENERAL_ID)[0].id
        assert fake_discord.served_429 == 1


async def test_429_without_via_is_not_retried(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord) as bot:
        fake_discord.fail_next("POST", "/channels/{channel_id}/messages", via=False)
        channel = bot.get_channel(GENERAL_ID)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as caught:
            await channel.send("blocked")
        assert caught.value.status == 429
        assert fake_discord.messages(GENERAL_ID) == []


async def test_500_is_retried(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord) as bot:
        fake_discord.fail_next("POST", "/channels/{channel_id}/messages", status=500)
        channel = bot.get_channel(GENERAL_ID)
        assert isinstance(channel, discord.TextChannel)
        await channel.send("survived a 500")  # discord.py sleeps 1 s before retrying
        attempts = fake_discord.requests_to("POST", "/channels/{channel_id}/messages")
        assert [r.status for r in attempts] == [500, 200]
        assert len(fake_discord.messages(GENERAL_ID)) == 1


async def test_steady_rate_limit_is_paced_by_discord_py(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord) as bot:
        rule = fake_discord.rate_limit("POST", "/channels/{channel_id}/messages", limit=2, per=0.25)
        channel = bot.get_channel(GENERAL_ID)
        assert isinstance(channel, discord.TextChannel)
        await asyncio.gather(*(channel.send(f"m{i}") for i in range(5)))
        assert sorted(m.content for m in fake_discord.messages(GENERAL_ID)) == [
            f"m{i}" for i in range(5)
        ]
        assert rule.accepted == 5
        # 2 per 0.25 s: the 5th request cannot land before the third window opens.
        assert rule.accepted_at[-1] - rule.accepted_at[0] >= 0.45
        # discord.py reads X-RateLimit-Remaining/Reset-After and waits: no 429 is needed.
        assert rule.served_429 == 0 and rule.requests == 5


async def test_too_long_content_is_a_violation(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord):
        handle = await fake_discord.send_slash_command("echo", {"text": "x" * 2001})
        await fake_discord.wait_until(lambda: bool(fake_discord.violations))
        [violation] = fake_discord.take_violations()
        assert violation.field == "data.content"
        assert violation.code == "BASE_TYPE_MAX_LENGTH"
        assert "2000" in violation.message
        assert handle.reply is None  # Discord refused it: the user saw nothing
        assert fake_discord.messages(GENERAL_ID) == []

        handle = await fake_discord.send_slash_command("echo", {"text": "x" * 2000})
        assert len((await handle.response()).content) == 2000


async def test_embed_limits_and_mention_policy(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord) as bot:
        channel = bot.get_channel(GENERAL_ID)
        assert isinstance(channel, discord.TextChannel)
        embeds = [discord.Embed(description="d" * 4000) for _ in range(2)]
        with pytest.raises(discord.HTTPException) as caught:
            await channel.send(embeds=embeds)
        assert caught.value.status == 400 and caught.value.code == 50035
        [violation] = fake_discord.take_violations()
        assert violation.code == "MAX_EMBED_SIZE_EXCEEDED"

        too_many_fields = discord.Embed(title="t")
        for i in range(26):
            too_many_fields.add_field(name=f"n{i}", value="v")
        with pytest.raises(discord.HTTPException):
            await channel.send(embed=too_many_fields)
        assert [v.field for v in fake_discord.take_violations()] == ["embeds.0.fields"]

        # A raw send without allowed_mentions breaks the bot's policy.
        params = handle_message_parameters(content="no policy")
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=GENERAL_ID)
        with pytest.raises(discord.HTTPException):
            await bot.http.request(route, json=params.payload)
        assert [v.field for v in fake_discord.take_violations()] == ["allowed_mentions"]
        assert fake_discord.messages(GENERAL_ID) == []


async def _echo_works(fake: FakeDiscord, text: str) -> None:
    reply = await (await fake.send_slash_command("echo", {"text": text})).response()
    assert reply.content == text


async def test_dropped_connection_resumes_and_replays(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord):
        stats = fake_discord.gateway.stats
        await fake_discord.drop_gateway(code=4000)
        # Dispatched while the bot is away: buffered and replayed on RESUME.
        handle = await fake_discord.send_slash_command("echo", {"text": "while away"})
        await fake_discord.wait_until(lambda: stats.resumes == 1, what="a RESUME")
        assert (await handle.response()).content == "while away"
        assert stats.identifies == 1 and stats.failed_resumes == 0
        conn = fake_discord.gateway.connection
        assert conn is not None and conn.path == "/resume-gateway"  # READY's resume_gateway_url
        await _echo_works(fake_discord, "after resume")


async def test_abrupt_drop_resumes(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord):
        await fake_discord.drop_gateway(code=None)
        await fake_discord.wait_until(lambda: fake_discord.gateway.stats.resumes == 1)
        await _echo_works(fake_discord, "after an abrupt drop")


async def test_op7_reconnect_resumes(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord) as bot:
        resumed = asyncio.Event()

        async def on_resumed() -> None:
            resumed.set()

        bot.add_listener(on_resumed)
        await fake_discord.send_reconnect()
        await asyncio.wait_for(resumed.wait(), 5)
        stats = fake_discord.gateway.stats
        assert stats.resumes == 1 and stats.identifies == 1 and stats.connections == 2
        await _echo_works(fake_discord, "after op 7")


async def test_invalid_session_identifies_again(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord) as bot:
        readies: list[int] = []

        async def on_ready() -> None:
            readies.append(1)

        bot.add_listener(on_ready)
        await fake_discord.invalidate_session(resumable=False)
        await fake_discord.wait_until(lambda: readies == [1], what="a second READY")
        assert fake_discord.gateway.stats.identifies == 2
        assert fake_discord.gateway.stats.resumes == 0
        assert bot.get_guild(GUILD_ID) is not None
        await _echo_works(fake_discord, "after op 9")


async def test_zlib_stream_compression(fake_discord: FakeDiscord) -> None:
    fake_discord.gateway.compress = True
    async with run_bot(TinyBot(), fake_discord):
        assert fake_discord.gateway.stats.compressed_connections == 1
        await _echo_works(fake_discord, "compressed")
        await fake_discord.send_reconnect()
        await fake_discord.wait_until(lambda: fake_discord.gateway.stats.resumes == 1)
        assert fake_discord.gateway.stats.compressed_connections == 2
        await _echo_works(fake_discord, "compressed again")


async def test_messages_threads_webhooks_and_forum_posts(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord) as bot:
        general = bot.get_channel(GENERAL_ID)
        forum = bot.get_channel(FORUM_ID)
        assert isinstance(general, discord.TextChannel)
        assert isinstance(forum, discord.ForumChannel)

        sent = await general.send("first", file=discord.File(io.BytesIO(b"hello bytes"), "a.txt"))
        [stored] = fake_discord.messages(GENERAL_ID)
        assert stored.files[0].filename == "a.txt" and stored.files[0].data == b"hello bytes"
        assert await sent.attachments[0].read() == b"hello bytes"  # served back by the fake
        await sent.edit(content="first, edited")
        assert stored.content == "first, edited" and stored.edited
        assert [m.content async for m in general.history(limit=5)] == ["first, edited"]
        await sent.pin()
        assert [m.id async for m in general.pins()] == [sent.id]
        await sent.add_reaction("\N{THUMBS UP SIGN}")
        assert stored.reactions == ["\N{THUMBS UP SIGN}"]

        thread = await sent.create_thread(name="Discussion")
        assert thread.id == sent.id  # Discord reuses the message id
        await fake_discord.wait_until(lambda: bot.get_channel(thread.id) is not None)
        await thread.send("in the thread")
        assert [m.content for m in fake_discord.messages(thread.id)] == ["in the thread"]

        hook = await general.create_webhook(name="Mirror")
        via_hook = await hook.send(
            "from a commenter",
            username="Carol (blog)",
            avatar_url="https://example.invalid/carol.png",
            thread=thread,
            wait=True,
        )
        posted = fake_discord.message(via_hook.id)
        assert posted is not None and posted.channel_id == thread.id
        assert posted.username == "Carol (blog)" and posted.author["username"] == "Carol (blog)"
        assert posted.avatar_url == "https://example.invalid/carol.png"
        assert posted.webhook_id == hook.id and posted.allowed_mentions == {"parse": []}

        with pytest.raises(discord.HTTPException):
            await hook.send("x", username="Discord Official", wait=True)
        assert [v.code for v in fake_discord.take_violations()] == ["USERNAME_INVALID_CONTAINS"]

        tag = forum.available_tags[0]
        post = await forum.create_thread(
            name="A long thread",
            content="starter post",
            file=discord.File(io.BytesIO(b"%PDF"), "thread.pdf"),
            applied_tags=[tag],
        )
        assert post.thread.id == post.message.id
        [forum_thread] = fake_discord.threads(FORUM_ID)
        assert forum_thread["name"] == "A long thread" and forum_thread["applied_tags"] == [
            str(tag.id)
        ]
        [starter] = fake_discord.messages(post.thread.id)
        assert starter.content == "starter post" and starter.files[0].data == b"%PDF"

        await sent.delete()
        assert fake_discord.messages(GENERAL_ID) == []


async def test_unknown_route_is_recorded(fake_discord: FakeDiscord) -> None:
    async with run_bot(TinyBot(), fake_discord) as bot:
        guild = bot.get_guild(GUILD_ID)
        assert guild is not None
        with pytest.raises(discord.NotFound):
            await guild.fetch_emojis()
        assert fake_discord.unknown_routes == [f"GET /guilds/{GUILD_ID}/emojis"]
        fake_discord.unknown_routes.clear()
