"""The standard test guild every e2e test starts from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import BASIC_PERMISSIONS, MODERATOR_PERMISSIONS, FakeMember
from .server import GUILD_FORUM, FakeDiscord, FakeGuild

GUILD_ID = 1000
GENERAL_ID = 2000
BOT_LOG_ID = 2001
FORUM_ID = 3000
MODERATOR_ROLE_ID = 1100
ADMIN_ID = 100
MEMBER_ID = 101


@dataclass
class Seed:
    """Ids and records of the seeded guild (also reachable as ``fake.seed``)."""

    guild: FakeGuild
    general: dict[str, Any]
    bot_log: dict[str, Any]
    forum: dict[str, Any]
    moderator_role: dict[str, Any]
    admin: FakeMember
    member: FakeMember
    guild_id: int = GUILD_ID
    general_id: int = GENERAL_ID
    bot_log_id: int = BOT_LOG_ID
    forum_id: int = FORUM_ID
    admin_id: int = ADMIN_ID
    member_id: int = MEMBER_ID


def seed_test_guild(fake: FakeDiscord) -> Seed:
    """Guild "Test Guild" (1000): text channels #general (2000) and #bot-log (2001), forum
    #threads (3000, tags "discussion" and "meta"), a Moderators role (Manage Guild, Manage
    Threads, Manage Webhooks, Manage Messages), admin "alice" (100, moderator) and plain
    member "bob" (101). The bot is a member with its own managed role."""
    guild = fake.add_guild(GUILD_ID, "Test Guild", owner_id=1)
    role = fake.add_role(GUILD_ID, "Moderators", MODERATOR_PERMISSIONS, role_id=MODERATOR_ROLE_ID)
    general = fake.add_channel(GUILD_ID, "general", channel_id=GENERAL_ID, topic="General chat")
    bot_log = fake.add_channel(GUILD_ID, "bot-log", channel_id=BOT_LOG_ID)
    forum = fake.add_channel(GUILD_ID, "threads", channel_type=GUILD_FORUM, channel_id=FORUM_ID)
    fake.add_forum_tag(FORUM_ID, "discussion")
    fake.add_forum_tag(FORUM_ID, "meta")
    admin = fake.add_member(GUILD_ID, ADMIN_ID, "alice", roles=[MODERATOR_ROLE_ID])
    member = fake.add_member(GUILD_ID, MEMBER_ID, "bob")
    assert int(guild.roles[GUILD_ID]["permissions"]) == BASIC_PERMISSIONS
    seed = Seed(
        guild=guild,
        general=general,
        bot_log=bot_log,
        forum=forum,
        moderator_role=role,
        admin=admin,
        member=member,
    )
    fake.seed = seed
    return seed
