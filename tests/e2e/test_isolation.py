"""Two servers, one import each, every command and autocomplete from both sides and from DMs:
nothing of one server ever reaches the other, DMs see only the shipped threads, and a
hand-crafted button naming another server's thread is refused. Also, through the real
client: the per-server admin controls, cooldowns, and the leave/return bookkeeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.app import ThreadBot
from bot.guilds.config import GuildConfig, load_config
from bot.sources.loading import ingest_thread, parse_bytes
from bot.storage import SHIPPED, Storage
from bot.ui.paginator import JumpButton, PageButton
from tests.backends import MakeDb
from tests.e2e.conftest import run_bot
from tests.fakediscord import (
    ADMIN_ID,
    BOT_LOG_ID,
    FORUM_ID,
    GENERAL_ID,
    GUILD_ID,
    MEMBER_ID,
    MODERATOR_PERMISSIONS,
    MODERATOR_ROLE_ID,
    Attachment,
    FakeDiscord,
    InteractionReply,
    StoredMessage,
)
from tests.fakediscord.threadbot import SEED_SLUG, make_threadbot, message_text, thread_file

pytestmark = pytest.mark.e2e

OTHER_GUILD_ID = 5000
OTHER_GENERAL_ID = 6000
OTHER_MOD_ROLE_ID = 5100
CAROL = 200  # moderator of the other guild
DAVE = 201  # plain member of the other guild
LIBRARIAN_ROLE_ID = 5200  # a role with no permissions, for /threadbot config set import_role
ERIN, FRANK = 202, 203  # members of the other guild holding only that role


@dataclass(frozen=True)
class Side:
    """One place commands come from: a guild channel (with its moderator) or a DM."""

    name: str
    guild_id: int | None
    channel_id: int
    user: int
    secrets: tuple[str, ...] = ()
    """Words only this guild's import contains."""


THREAD_A = thread_file(
    "Aardvark almanac",
    [
        ("Annabel Alphason", ["Alpha-secret-wombat paragraph."]),
        ("Abner Alphason", ["Annabel Alphason, alpha-secret-wombat again."]),
    ],
)
THREAD_B = thread_file(
    "Bumblebee bulletin",
    [
        ("Bertram Betaford", ["Beta-secret-quokka paragraph."]),
        ("Bella Betaford", ["Bertram Betaford, beta-secret-quokka again."]),
    ],
)
SECRETS_A = ("Aardvark almanac", "Annabel Alphason", "Alpha-secret-wombat")
SECRETS_B = ("Bumblebee bulletin", "Bertram Betaford", "Beta-secret-quokka")


def add_other_guild(fake: FakeDiscord) -> None:
    """A second guild beside the seeded one: #general, a Moderators role, carol and dave."""
    fake.add_guild(OTHER_GUILD_ID, "Other Guild")
    fake.add_role(OTHER_GUILD_ID, "Moderators", MODERATOR_PERMISSIONS, role_id=OTHER_MOD_ROLE_ID)
    fake.add_channel(OTHER_GUILD_ID, "general", channel_id=OTHER_GENERAL_ID)
    fake.add_member(OTHER_GUILD_ID, CAROL, "carol", roles=[OTHER_MOD_ROLE_ID])
    fake.add_member(OTHER_GUILD_ID, DAVE, "dave")
    fake.add_role(OTHER_GUILD_ID, "Librarians", 0, role_id=LIBRARIAN_ROLE_ID)
    fake.add_member(OTHER_GUILD_ID, ERIN, "erin", roles=[LIBRARIAN_ROLE_ID])
    fake.add_member(OTHER_GUILD_ID, FRANK, "frank", roles=[LIBRARIAN_ROLE_ID])


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll an async condition (a listener runs as its own task after an event)."""
    for _ in range(250):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def answer(handle_coro: Awaitable[Any]) -> InteractionReply:
    handle = await handle_coro
    reply: InteractionReply = await handle.response()
    return reply


def reply_text(reply: InteractionReply) -> str:
    return "\n".join(message_text(m) for m in reply.messages)


@dataclass
class World:
    bot: ThreadBot
    fake: FakeDiscord
    a: Side
    b: Side
    dm: Side
    dm2: Side
    a_id: int
    b_id: int
    shipped_id: int


@pytest.fixture
async def world(fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb) -> AsyncIterator[World]:
    add_other_guild(fake_discord)
    dm_channel = int(fake_discord.dm_channel(MEMBER_ID)["id"])
    a = Side("guild A", GUILD_ID, GENERAL_ID, ADMIN_ID, SECRETS_A)
    b = Side("guild B", OTHER_GUILD_ID, OTHER_GENERAL_ID, CAROL, SECRETS_B)
    dm = Side("DM", None, dm_channel, MEMBER_ID)
    dm2 = Side("DM 2", None, int(fake_discord.dm_channel(DAVE)["id"]), DAVE)
    async with run_bot(make_threadbot(fake_discord, await make_db("bot.db")), fake_discord) as bot:
        ids = []
        for side, text, name in ((a, THREAD_A, "a.txt"), (b, THREAD_B, "b.txt")):
            reply = await answer(
                fake_discord.send_slash_command(
                    "thread import",
                    {"file": Attachment(name, text.encode())},
                    user=side.user,
                    channel_id=side.channel_id,
                )
            )
            assert "Imported" in reply_text(reply), reply_text(reply)
            (thread,) = [t for t in await bot.storage.threads.all() if t.source == name]
            assert thread.guild_id == side.guild_id
            ids.append(thread.id)
        shipped = await bot.storage.threads.find(SEED_SLUG, None)
        assert shipped is not None and shipped.guild_id == SHIPPED
        yield World(bot, fake_discord, a, b, dm, dm2, ids[0], ids[1], shipped.id)


def subcommands(fake: FakeDiscord) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """``(qualified name, top-level command, options)`` of every synced slash command."""
    out = []

    def walk(prefix: str, top: dict[str, Any], options: list[dict[str, Any]]) -> None:
        subs = [o for o in options if o["type"] in (1, 2)]
        if not subs:
            out.append((prefix, top, options))
        for sub in subs:
            walk(f"{prefix} {sub['name']}", top, sub.get("options") or [])

    for command in fake.commands():
        if command.get("type", 1) == 1:
            walk(command["name"], command, command.get("options") or [])
    return out


def fill(options: list[dict[str, Any]], thread: int, person: str) -> dict[str, Any] | None:
    """Values for every required option (and ``thread``/``name``); ``None`` if one can't be
    given from a test (an attachment or a role)."""
    values: dict[str, Any] = {}
    for option in options:
        name, kind = option["name"], option["type"]
        if name == "thread":
            values[name] = str(thread)
        elif name == "name" and kind == 3:
            values[name] = person
        elif name == "query" and kind == 3:
            values[name] = "secret"  # a word both imports contain
        elif not option.get("required"):
            continue
        elif option.get("choices"):
            values[name] = option["choices"][0]["value"]
        elif kind == 3:
            values[name] = "secret"
        elif kind == 4:
            values[name] = max(1, int(option.get("min_value", 1)))
        elif kind == 10:
            values[name] = float(option.get("min_value", 1.0))
        elif kind == 5:
            values[name] = False
        else:
            return None
    return values


def allowed_in_dms(top: dict[str, Any]) -> bool:
    contexts = top.get("contexts")
    return contexts is None or 1 in contexts


def leaks(text: str, secrets: tuple[str, ...]) -> list[str]:
    folded = text.casefold()
    return [s for s in secrets if s.casefold() in folded]


async def test_every_command_from_every_side_shows_nothing_of_the_other_guild(
    world: World,
) -> None:
    fake = world.fake
    probes = {
        "guild A": (world.a, world.b_id, "Bertram Betaford", SECRETS_B),
        "guild B": (world.b, world.a_id, "Annabel Alphason", SECRETS_A),
        "DM (A's thread)": (world.dm, world.a_id, "Annabel Alphason", SECRETS_A + SECRETS_B),
        "DM (B's thread)": (world.dm2, world.b_id, "Bertram Betaford", SECRETS_A + SECRETS_B),
    }
    ran: dict[str, list[str]] = {}
    for label, (side, foreign_id, person, forbidden) in probes.items():
        ran[label] = []
        for name, top, options in subcommands(fake):
            if side.guild_id is None and not allowed_in_dms(top):
                continue
            values = fill(options, foreign_id, person)
            if values is None:
                continue
            reply = await answer(
                fake.send_slash_command(name, values, user=side.user, channel_id=side.channel_id)
            )
            text = reply_text(reply)
            assert not leaks(text, forbidden), f"{label}: /{name} {values} showed {text!r}"
            if "thread" in values:
                assert reply.ephemeral, f"{label}: /{name} answered publicly: {text!r}"
                assert "No thread matches" in text, f"{label}: /{name}: {text!r}"
            ran[label].append(name)
    for label, names in ran.items():
        assert {"thread read", "thread comments", "thread replies", "author list"} <= set(names), (
            label,
            names,
        )
    assert {"replay start", "threadbot delete"} <= set(ran["guild B"])
    # Refused deletes deleted nothing.
    assert await world.bot.storage.threads.get(world.a_id, GUILD_ID) is not None
    assert await world.bot.storage.threads.get(world.b_id, OTHER_GUILD_ID) is not None

    # And nothing either guild imported appears anywhere outside it: every message the bot
    # sent (public, ephemeral, in DMs) is checked against where it was sent.
    for message in fake.all_messages():
        guild = fake.guild_of_channel(message.channel_id)
        forbidden = {GUILD_ID: SECRETS_B, OTHER_GUILD_ID: SECRETS_A}.get(
            guild or 0, SECRETS_A + SECRETS_B
        )
        text = message_text(message)
        assert not leaks(text, forbidden), f"message in {message.channel_id}: {text!r}"


async def test_each_side_lists_and_autocompletes_only_what_it_may_see(world: World) -> None:
    fake = world.fake
    visible = {
        "guild A": (world.a, {world.a_id, world.shipped_id}),
        "guild B": (world.b, {world.b_id, world.shipped_id}),
        "DM": (world.dm, {world.shipped_id}),
    }
    for label, (side, ids) in visible.items():
        listing = await answer(
            fake.send_slash_command("thread list", user=side.user, channel_id=side.channel_id)
        )
        text = reply_text(listing)
        assert "Iraq Cease-Fire Over" in text, (label, text)
        own = {"guild A": "Aardvark almanac", "guild B": "Bumblebee bulletin"}.get(label)
        assert own is None or own in text, (label, text)
        if own is not None:  # the control: the same command works for the guild's own thread
            mine = next(i for i in ids if i != world.shipped_id)
            read = await answer(
                fake.send_slash_command(
                    "thread read", {"thread": str(mine)}, user=side.user, channel_id=side.channel_id
                )
            )
            assert not read.ephemeral and own in reply_text(read), reply_text(read)
        others = {"guild A": SECRETS_B, "guild B": SECRETS_A}.get(label, SECRETS_A + SECRETS_B)
        assert not leaks(text, others), (label, text)

        autocompleted = 0
        for name, top, options in subcommands(fake):
            if side.guild_id is None and not allowed_in_dms(top):
                continue
            if not any(o["name"] == "thread" and o.get("autocomplete") for o in options):
                continue
            for typed in ("", "Aardvark", "Bumblebee", "alm", "bull"):
                handle = await fake.send_autocomplete(
                    name,
                    {"thread": typed},
                    focused="thread",
                    user=side.user,
                    channel_id=side.channel_id,
                )
                reply = await handle.response()
                assert reply.choices is not None
                values = {int(c["value"]) for c in reply.choices}
                assert values <= ids, (label, name, typed, reply.choices)
                names = " ".join(c["name"] for c in reply.choices)
                assert not leaks(names, others), (label, name, typed, names)
                if typed == "":
                    assert values == ids, (label, name, reply.choices)
            autocompleted += 1
        assert autocompleted >= 4, label

        # People: the other guild's thread named in the same command gives no names.
        for foreign_id, person in ((world.a_id, "Anna"), (world.b_id, "Bert")):
            if foreign_id in ids:
                continue
            handle = await fake.send_autocomplete(
                "author comments",
                {"thread": str(foreign_id), "name": person},
                focused="name",
                user=side.user,
                channel_id=side.channel_id,
            )
            reply = await handle.response()
            assert reply.choices == [], (label, reply.choices)


async def send_crafted(world: World, side: Side, custom_ids: list[str]) -> StoredMessage:
    """A bot message carrying buttons with hand-written custom_ids, in ``side``'s channel."""
    channel = world.bot.get_channel(side.channel_id) or await world.bot.fetch_channel(
        side.channel_id
    )
    view = discord.ui.View(timeout=None)
    for custom_id in custom_ids:
        item: discord.ui.Item[Any]
        if ":j:" in custom_id:
            item = JumpButton(custom_id, label="…")
        else:
            item = PageButton(custom_id, label="▶")
        view.add_item(item)
    assert isinstance(channel, discord.abc.Messageable)
    sent = await channel.send("crafted", view=view)
    message = world.fake.message(sent.id)
    assert message is not None
    return message


async def test_crafted_buttons_naming_another_guilds_thread_are_refused(world: World) -> None:
    fake = world.fake
    cases = [(world.b, world.a_id, SECRETS_A), (world.a, world.b_id, SECRETS_B)]
    cases += [(world.dm, world.a_id, SECRETS_A), (world.dm2, world.b_id, SECRETS_B)]
    for side, foreign, secrets in cases:
        ids = [
            f"tb:pg:c:n:{foreign}:2:0",
            f"tb:pg:p:l:{foreign}:1:0",
            f"tb:pg:a:n:{foreign}:2:0:1",
            f"tb:pg:c:j:{foreign}:1:0",
        ]
        message = await send_crafted(world, side, ids)
        for custom_id in ids:
            handle = await fake.press_button(message, custom_id, user=side.user)
            reply = await handle.response()
            text = reply_text(reply)
            assert reply.modal is None, f"{side.name}: {custom_id} opened a modal"
            assert reply.ephemeral and "isn't available here" in text, (side.name, text)
            assert not leaks(text, secrets), (side.name, custom_id, text)
        # The crafted message itself was never edited into the other guild's content.
        after = fake.message(message.id)
        assert after is not None and message_text(after) == "crafted"

    # The thread-list button shows the presser's own list, whatever page it names.
    message = await send_crafted(world, world.b, ["tb:pg:t:n:0:1:0"])
    reply = await (await fake.press_button(message, "tb:pg:t:n:0:1:0", user=CAROL)).response()
    text = reply_text(reply)
    assert "Bumblebee bulletin" in text and not leaks(text, SECRETS_A)


# ---- admin controls through the real client ------------------------------------------------


async def test_config_is_per_guild_and_for_managers_only(world: World) -> None:
    fake = world.fake
    refused = await answer(
        fake.send_slash_command("threadbot config show", user=DAVE, channel_id=OTHER_GENERAL_ID)
    )
    assert refused.ephemeral and "Manage Server" in refused.content

    saved = await answer(
        fake.send_slash_command(
            "threadbot config set",
            {"max_speed": 1.5, "public_threads": False, "replay_role": OTHER_MOD_ROLE_ID},
            user=CAROL,
            channel_id=OTHER_GENERAL_ID,
        )
    )
    assert saved.ephemeral and "Saved." in saved.content, saved.content
    assert "speed 1.5" in saved.content and f"<@&{OTHER_MOD_ROLE_ID}>" in saved.content
    assert saved.message is not None
    assert not any(saved.message.pings().values()), "showing the settings pinged the role"
    assert await load_config(world.bot.storage, OTHER_GUILD_ID) == GuildConfig(
        replay_role_id=OTHER_MOD_ROLE_ID, replay_max_speed=1.5, replay_public_threads=False
    )
    assert await load_config(world.bot.storage, GUILD_ID) == GuildConfig()

    shown_a = await answer(
        fake.send_slash_command("threadbot config show", user=ADMIN_ID, channel_id=GENERAL_ID)
    )
    assert (
        shown_a.ephemeral and "speed 4" in shown_a.content and "speed 1.5" not in (shown_a.content)
    )

    everyone = await answer(
        fake.send_slash_command(
            "threadbot config set",
            {"import_role": OTHER_GUILD_ID},
            user=CAROL,
            channel_id=OTHER_GENERAL_ID,
        )
    )
    assert everyone.ephemeral and "@everyone" in everyone.content

    reset = await answer(
        fake.send_slash_command(
            "threadbot config reset", {"setting": "all"}, user=CAROL, channel_id=OTHER_GENERAL_ID
        )
    )
    assert reset.ephemeral and "Reset." in reset.content
    assert await load_config(world.bot.storage, OTHER_GUILD_ID) == GuildConfig()


async def test_a_configured_role_lets_a_member_import(world: World) -> None:
    fake = world.fake
    upload = {"file": Attachment("c.txt", THREAD_B.replace("Bumblebee", "Cicada").encode())}

    before = await answer(
        fake.send_slash_command("thread import", upload, user=ERIN, channel_id=OTHER_GENERAL_ID)
    )
    assert before.ephemeral and "Manage Server" in before.content

    await answer(
        fake.send_slash_command(
            "threadbot config set",
            {"import_role": LIBRARIAN_ROLE_ID},
            user=CAROL,
            channel_id=OTHER_GENERAL_ID,
        )
    )
    # A different member with the role (erin's own import is cooling down for 30 s).
    after = await answer(
        fake.send_slash_command("thread import", upload, user=FRANK, channel_id=OTHER_GENERAL_ID)
    )
    assert "Imported" in reply_text(after), reply_text(after)
    titles = [t.title for t in await world.bot.storage.threads.visible(OTHER_GUILD_ID)]
    assert "Cicada bulletin" in titles


async def test_delete_removes_an_import_and_refuses_shipped_threads(world: World) -> None:
    fake = world.fake
    storage = world.bot.storage
    shipped = await answer(
        fake.send_slash_command(
            "threadbot delete",
            {"thread": str(world.shipped_id)},
            user=CAROL,
            channel_id=OTHER_GENERAL_ID,
        )
    )
    assert shipped.ephemeral and "ships with threadbot" in shipped.content
    assert await storage.threads.get(world.shipped_id, None) is not None

    member = await answer(
        fake.send_slash_command(
            "threadbot delete", {"thread": str(world.b_id)}, user=DAVE, channel_id=OTHER_GENERAL_ID
        )
    )
    assert member.ephemeral and "Manage Server" in member.content
    assert await storage.threads.get(world.b_id, OTHER_GUILD_ID) is not None

    done = await answer(
        fake.send_slash_command(
            "threadbot delete",
            {"thread": str(world.b_id)},
            user=CAROL,
            channel_id=OTHER_GENERAL_ID,
        )
    )
    assert done.ephemeral and "Deleted **Bumblebee bulletin**" in done.content
    assert await storage.threads.get(world.b_id, OTHER_GUILD_ID) is None
    assert await storage.threads.get(world.a_id, GUILD_ID) is not None
    assert await storage.integrity_check() == "ok"


async def test_heavy_commands_cool_down_per_person(world: World) -> None:
    fake = world.fake

    async def replies(user: int, **options: Any) -> InteractionReply:
        return await answer(
            fake.send_slash_command(
                "thread replies",
                {"thread": SEED_SLUG, **options},
                user=user,
                channel_id=GENERAL_ID,
            )
        )

    typo = await answer(
        fake.send_slash_command(
            "thread replies", {"thread": "no such thread"}, user=ADMIN_ID, channel_id=GENERAL_ID
        )
    )
    assert typo.ephemeral and "No thread matches" in typo.content  # and costs no cooldown:
    first = await replies(ADMIN_ID)
    drawn = [f for m in first.messages for f in m.files]
    assert not first.ephemeral and drawn, "the picture was not drawn"
    second = await replies(ADMIN_ID)
    assert second.ephemeral, second.content
    assert "Slow down: try again in" in second.content and " s." in second.content
    seconds = int(second.content.split("try again in ")[1].split(" s")[0])
    assert 0 < seconds <= 15
    # One comment's replies draw nothing: no cooldown; and another person is not affected.
    detail = await replies(ADMIN_ID, comment=3)
    assert not detail.ephemeral and detail.embeds
    other = await replies(MEMBER_ID)
    assert not other.ephemeral


# ---- leaving and coming back ---------------------------------------------------------------


async def test_leaving_records_the_time_and_returning_clears_it(world: World) -> None:
    fake = world.fake
    storage = world.bot.storage
    await fake.dispatch("GUILD_DELETE", {"id": str(OTHER_GUILD_ID)})

    async def left() -> bool:
        return OTHER_GUILD_ID in await storage.guilds.left()

    await eventually(left, "the guild to be recorded as left")
    assert GUILD_ID not in await storage.guilds.left()
    # Still there during the grace period.
    assert await storage.threads.get(world.b_id, OTHER_GUILD_ID) is not None

    # Being added to a guild: GUILD_CREATE without "unavailable" (with it, it would be an
    # outage ending, which discord.py reports as on_guild_available instead).
    joined = fake.guild_create_payload(OTHER_GUILD_ID)
    joined.pop("unavailable", None)
    await fake.dispatch("GUILD_CREATE", joined)

    async def back() -> bool:
        return OTHER_GUILD_ID not in await storage.guilds.left()

    await eventually(back, "the guild's left_at to be cleared")
    assert await storage.threads.get(world.b_id, OTHER_GUILD_ID) is not None


async def test_replay_settings_bind_that_guild_only(world: World) -> None:
    fake = world.fake
    moderators = iter(range(300, 310))  # one replay start per person per 30 s

    def moderator() -> int:
        user = next(moderators)
        fake.add_member(GUILD_ID, user, f"mod{user}", roles=[MODERATOR_ROLE_ID])
        return user

    async def start(channel: int, **options: Any) -> InteractionReply:
        return await answer(
            fake.send_slash_command(
                "replay start",
                {"thread": SEED_SLUG, **options},
                user=moderator(),
                channel_id=channel,
            )
        )

    await answer(
        fake.send_slash_command(
            "threadbot config set",
            {"max_speed": 1.0, "public_threads": False, "replays_at_once": 1},
            user=ADMIN_ID,
            channel_id=GENERAL_ID,
        )
    )
    too_fast = await start(GENERAL_ID, speed=2.0)
    assert too_fast.ephemeral and "between 0.25 and 1 here" in too_fast.content

    forum = await start(FORUM_ID)
    assert forum.ephemeral and "don't let replays open forum posts" in forum.content
    assert fake.threads(FORUM_ID) == []
    assert await world.bot.storage.replays.latest(FORUM_ID) is None, "refused after starting"

    in_place = await start(GENERAL_ID, **{"from": 1, "to": 2})
    assert "Replaying" in reply_text(in_place) and " here:" in reply_text(in_place)
    assert fake.threads(GENERAL_ID) == [], "a replay opened a thread although it may not"

    second = await start(BOT_LOG_ID)
    assert second.ephemeral and "already runs 1 replay" in second.content

    replay_cog = world.bot.get_cog("Replay")
    assert replay_cog is not None
    other = await replay_cog.replays.limits(OTHER_GUILD_ID)  # type: ignore[attr-defined]
    assert (other.speed_max, other.public_threads, other.max_per_guild) == (4.0, True, 3)

    stopped = await answer(
        fake.send_slash_command("replay stop", user=ADMIN_ID, channel_id=GENERAL_ID)
    )
    assert "Stopped" in stopped.content


async def test_start_up_purges_guilds_past_their_grace_period(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    db = await make_db("bot.db")
    gone_long_ago, gone_while_offline = 7777, 7778
    async with Storage(db) as storage:
        for guild, text in ((gone_long_ago, THREAD_A), (gone_while_offline, THREAD_B)):
            (thread,) = parse_bytes(text.encode(), f"{guild}.txt")
            await ingest_thread(storage, thread, guild_id=guild)
        await storage.guilds.put_settings(gone_long_ago, {"replay_max_running": 1})
        await storage.guilds.mark_left(gone_long_ago, datetime.now(UTC) - timedelta(days=8))

    async with run_bot(make_threadbot(fake_discord, db), fake_discord) as bot:

        async def purged() -> bool:
            return await bot.storage.guilds.settings(gone_long_ago) == {}

        await eventually(purged, "the expired guild to be purged at start")
        assert await bot.storage.threads.count(gone_long_ago) == 1, "only the shipped thread"
        # Left while the bot was offline: its grace period starts now; nothing is deleted.
        left = await bot.storage.guilds.left()
        assert set(left) == {gone_while_offline}
        assert datetime.now(UTC) - left[gone_while_offline] < timedelta(minutes=5)
        assert await bot.storage.threads.count(gone_while_offline) == 2
        assert await bot.storage.integrity_check() == "ok"
