"""The ``/threadbot`` cog without Discord: who may do what, config round trips, a delete that
leaves no row behind anywhere, and import limits from settings that store nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.app import ThreadBot
from bot.errors import Busy, NotAllowed, Refused, UserFacingError
from bot.guilds.config import ConfigError, GuildConfig, load_config
from bot.models import StoredThread
from bot.settings import Settings
from bot.sources.loading import ingest_thread, parse_bytes
from bot.sources.uploads import ImportRefused
from bot.storage import Storage
from cogs.admin import Admin
from cogs.threads import Threads
from tests.cogs.conftest import GUILD, OTHER_GUILD, FakeInteraction, invoke, make_bot
from tests.conftest import SEED_FILE, row_counts

MANAGER = discord.Permissions(manage_guild=True)
MEMBER = discord.Permissions(send_messages=True)


class AdminInteraction(FakeInteraction):
    """A guild interaction by a member with ``permissions`` (no roles)."""

    def __init__(
        self, client: ThreadBot, *, permissions: discord.Permissions, guild_id: int = GUILD
    ) -> None:
        super().__init__(client, guild_id=guild_id)
        self.permissions = permissions


@dataclass
class FakeUpload:
    filename: str
    data: bytes
    reads: int = 0

    @property
    def size(self) -> int:
        return len(self.data)

    async def read(self) -> bytes:
        self.reads += 1
        return self.data


@pytest.fixture
async def cog(seeded: Storage) -> AsyncIterator[Admin]:
    yield Admin(await make_bot(seeded))


async def import_seed(storage: Storage, guild_id: int = GUILD) -> StoredThread:
    thread = parse_bytes(SEED_FILE.read_bytes(), "mine.txt")[0]
    thread = replace(thread, title="My own copy", content_hash="my-own-copy")
    result = await ingest_thread(storage, thread, guild_id=guild_id)
    stored = await storage.threads.get(result.thread_id, guild_id)
    assert stored is not None
    return stored


async def shipped(storage: Storage) -> StoredThread:
    (thread,) = await storage.threads.visible(None)
    return thread


# ---- delete ------------------------------------------------------------------------------


async def test_delete_leaves_no_row_anywhere(cog: Admin) -> None:
    storage = cog.bot.storage
    before = row_counts(storage.path)
    thread = await import_seed(storage)
    await storage.summaries.put(thread.id, "thread", "offline", thread.content_hash, "{}")
    await storage.summaries.put(thread.id, "person:Bithead", "offline", thread.content_hash, "{}")
    replay = await storage.replays.start(
        guild_id=GUILD,
        channel_id=9,
        thread_id=thread.id,
        first_seq=1,
        last_seq=31,
        speed=1.0,
        mode="webhook",
        started_by=1,
    )
    assert replay is not None
    await storage.replays.record_progress(replay.id, 4, 0)
    assert await storage.replays.end(replay.id, "finished")
    imported = row_counts(storage.path)
    derived = ("authors", "comments", "paragraphs", "edges", "comment_fts", "summaries", "replays")
    for table in derived:
        assert imported[table] > before[table], f"the import made no {table} rows to delete"

    interaction = AdminInteraction(cog.bot, permissions=MANAGER)
    await invoke(cog.delete, cog, interaction, thread)

    assert interaction.last.ephemeral and "Deleted **My own copy**" in (
        interaction.last.content or ""
    )
    assert interaction.last.problems() == []
    assert row_counts(storage.path) == before
    assert await storage.integrity_check() == "ok"
    assert await storage.threads.get(thread.id, GUILD) is None


async def test_delete_refuses_shipped_threads_members_and_running_replays(cog: Admin) -> None:
    storage = cog.bot.storage
    seed = await shipped(storage)
    with pytest.raises(NotAllowed, match="ships with threadbot"):
        await invoke(cog.delete, cog, AdminInteraction(cog.bot, permissions=MANAGER), seed)
    mine = await import_seed(storage)
    member = AdminInteraction(cog.bot, permissions=MEMBER)
    with pytest.raises(Refused, match="Manage Server"):
        await invoke(cog.delete, cog, member, mine)
    theirs = AdminInteraction(cog.bot, permissions=MANAGER, guild_id=OTHER_GUILD)
    with pytest.raises(NotAllowed, match="isn't available here"):
        await invoke(cog.delete, cog, theirs, mine)

    replay = await storage.replays.start(
        guild_id=GUILD,
        channel_id=9,
        thread_id=mine.id,
        first_seq=1,
        last_seq=3,
        speed=1.0,
        mode="embed",
        started_by=1,
    )
    assert replay is not None
    with pytest.raises(Busy, match="replay of this thread is running"):
        await invoke(cog.delete, cog, AdminInteraction(cog.bot, permissions=MANAGER), mine)
    assert await storage.threads.get(mine.id, GUILD) is not None
    assert await storage.threads.get(seed.id, None) is not None


# ---- config ------------------------------------------------------------------------------


def role(role_id: int, *, managed: bool = False) -> Any:
    return SimpleNamespace(id=role_id, managed=managed)


async def test_config_set_show_and_reset_round_trip(cog: Admin) -> None:
    storage = cog.bot.storage
    group = cog.config
    show = AdminInteraction(cog.bot, permissions=MANAGER)
    await invoke(cog.config_show, cog, show)
    assert show.last.ephemeral and "no extra role set" in (show.last.content or "")
    assert group.name == "config"

    saved = AdminInteraction(cog.bot, permissions=MANAGER)
    await invoke(cog.config_set, cog, saved, import_role=role(77), max_speed=2.0, replays_at_once=1)
    text = saved.last.content or ""
    assert saved.last.ephemeral and text.startswith("Saved.") and "<@&77>" in text
    assert saved.last.problems() == [], "the settings message must not ping the role"
    assert await load_config(storage, GUILD) == GuildConfig(
        import_role_id=77, replay_max_speed=2.0, replay_max_running=1
    )
    assert await load_config(storage, OTHER_GUILD) == GuildConfig()

    reset = AdminInteraction(cog.bot, permissions=MANAGER)
    await invoke(cog.config_reset, cog, reset, "max_speed")
    assert await load_config(storage, GUILD) == GuildConfig(import_role_id=77, replay_max_running=1)
    await invoke(cog.config_reset, cog, AdminInteraction(cog.bot, permissions=MANAGER), "all")
    assert await load_config(storage, GUILD) == GuildConfig()


async def test_config_refusals_change_nothing(cog: Admin) -> None:
    storage = cog.bot.storage
    await storage.guilds.put_settings(GUILD, {"replay_max_running": 2})
    member = AdminInteraction(cog.bot, permissions=MEMBER)
    with pytest.raises(Refused, match="Manage Server"):
        await invoke(cog.config_set, cog, member, max_speed=1.0)
    with pytest.raises(Refused, match="Manage Server"):
        await invoke(cog.config_show, cog, member)
    manager = AdminInteraction(cog.bot, permissions=MANAGER)
    with pytest.raises(ConfigError, match="@everyone"):
        await invoke(cog.config_set, cog, manager, replay_role=role(GUILD))
    with pytest.raises(ConfigError, match="bot or integration"):
        await invoke(cog.config_set, cog, manager, import_role=role(5, managed=True), max_speed=1.0)
    with pytest.raises(UserFacingError, match="at least one setting"):
        await invoke(cog.config_set, cog, manager)
    assert manager.sent == [] and member.sent == []
    assert await load_config(storage, GUILD) == GuildConfig(replay_max_running=2)


async def test_administrators_pass_every_check(cog: Admin) -> None:
    admin = AdminInteraction(cog.bot, permissions=discord.Permissions(administrator=True))
    await invoke(cog.config_set, cog, admin, public_threads=False)
    assert (await load_config(cog.bot.storage, GUILD)).replay_public_threads is False


# ---- /thread import: limits from settings, the configured role ----------------------------


async def limited_cog(storage: Storage, **limits: int) -> Threads:
    bot = await make_bot(storage)
    bot.settings = replace(bot.settings, **limits)  # type: ignore[arg-type]
    return Threads(bot)


async def test_import_over_the_byte_limit_is_refused_before_download(seeded: Storage) -> None:
    cog = await limited_cog(seeded, import_max_bytes=1_000)
    before = row_counts(seeded.path)
    upload = FakeUpload("big.txt", SEED_FILE.read_bytes())
    interaction = AdminInteraction(cog.bot, permissions=MANAGER)
    with pytest.raises(ImportRefused, match=r"big\.txt is \d+ kB; imports are limited to 1 kB"):
        await invoke(cog.import_thread, cog, interaction, upload)
    assert upload.reads == 0 and interaction.sent == [], "downloaded or answered before refusing"
    assert row_counts(seeded.path) == before


async def test_import_over_the_comment_limit_stores_nothing(seeded: Storage) -> None:
    cog = await limited_cog(seeded, import_max_comments=30)
    before = row_counts(seeded.path)
    upload = FakeUpload("mine.txt", SEED_FILE.read_bytes().replace(b"Iraq", b"Iran"))
    interaction = AdminInteraction(cog.bot, permissions=MANAGER)
    with pytest.raises(ImportRefused, match="31 comments; imports are limited to 30"):
        await invoke(cog.import_thread, cog, interaction, upload)
    assert row_counts(seeded.path) == before
    # Within the limit the same file is stored, for this guild only.
    roomy = await limited_cog(seeded, import_max_comments=31)
    ok = AdminInteraction(roomy.bot, permissions=MANAGER)
    await invoke(roomy.import_thread, roomy, ok, upload)
    assert ok.last.ephemeral and "Imported" in (ok.last.content or "")
    assert await seeded.threads.count(GUILD) == 2 and await seeded.threads.count(OTHER_GUILD) == 1


async def test_import_needs_the_permission_or_the_configured_role(seeded: Storage) -> None:
    cog = await limited_cog(seeded)
    member = AdminInteraction(cog.bot, permissions=MEMBER)
    with pytest.raises(Refused, match="Manage Server permission to import"):
        await invoke(cog.import_thread, cog, member, FakeUpload("x.txt", b"x"))
    await seeded.guilds.put_settings(GUILD, {"import_role_id": 77})
    with pytest.raises(Refused, match="or one of the roles set with /threadbot config"):
        await invoke(cog.import_thread, cog, member, FakeUpload("x.txt", b"x"))


def test_settings_defaults_for_import_limits() -> None:
    settings = Settings(token="t")
    assert settings.import_max_bytes == 2_000_000 and settings.import_max_comments == 20_000
