"""Per-server settings: validation, tolerant reading, storage round trip, housekeeping purge."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.guilds.config import (
    GRACE_PERIOD,
    SPEED_MAX,
    SPEED_MIN,
    ConfigError,
    GuildConfig,
    check_role,
    describe,
    load_config,
    purge_due,
)
from bot.guilds.housekeeping import purge_expired, reconcile
from bot.sources.loading import ingest_thread, parse_bytes
from bot.storage import SHIPPED, Storage
from tests.conftest import SEED_FILE, row_counts

GUILD = 111
OTHER = 222
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


async def import_seed(storage: Storage, guild_id: int, source: str = "mine.txt") -> int:
    """The seed thread imported into ``guild_id``; each ``source`` is a distinct version."""
    thread = parse_bytes(SEED_FILE.read_bytes(), source)[0]
    thread = replace(thread, title=f"{thread.title} ({source})", content_hash=f"{source}-hash")
    result = await ingest_thread(storage, thread, guild_id=guild_id)
    assert result.status == "added"
    return result.thread_id


# ---- validation --------------------------------------------------------------------------


def test_defaults_are_the_documented_ones() -> None:
    config = GuildConfig()
    assert config.roles_for("import") == () and config.roles_for("replay") == ()
    assert config.replay_max_speed == SPEED_MAX
    assert config.replay_public_threads is True
    assert config.replay_max_running is None, "None: the replay module's default applies"
    assert config.to_json() == {}, "defaults are not stored"


def test_changes_are_validated_and_only_differences_stored() -> None:
    config = GuildConfig().changed(
        {"import_role_id": 5, "replay_max_speed": 2, "replay_public_threads": False},
        guild_id=GUILD,
    )
    assert config.roles_for("import") == (5,) and config.roles_for("replay") == ()
    assert config.replay_max_speed == 2.0 and isinstance(config.replay_max_speed, float)
    assert config.to_json() == {
        "import_role_id": 5,
        "replay_max_speed": 2.0,
        "replay_public_threads": False,
    }
    assert GuildConfig.from_json(config.to_json()) == config
    assert config.changed({"import_role_id": None}).roles_for("import") == ()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"import_role_id": GUILD}, "@everyone"),
        ({"replay_role_id": -3}, "role id"),
        ({"replay_role_id": True}, "role id"),
        ({"replay_max_speed": SPEED_MAX + 0.5}, "between"),
        ({"replay_max_speed": SPEED_MIN / 2}, "between"),
        ({"replay_max_speed": float("nan")}, "between"),
        ({"replay_max_speed": "fast"}, "number"),
        ({"replay_public_threads": "yes"}, "true or false"),
        ({"replay_max_running": 0}, "between 1"),
        ({"replay_max_running": 11}, "between 1"),
        ({"colour": "blue"}, "no setting"),
    ],
)
def test_bad_values_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        GuildConfig().changed(changes, guild_id=GUILD)


def test_roles_nobody_can_hold_usefully_are_refused() -> None:
    check_role(5, GUILD, managed=False)
    with pytest.raises(ConfigError, match="@everyone"):
        check_role(GUILD, GUILD, managed=False)
    with pytest.raises(ConfigError, match="bot or integration"):
        check_role(6, GUILD, managed=True)


def test_stored_garbage_falls_back_to_defaults_per_key() -> None:
    config = GuildConfig.from_json(
        {"replay_max_speed": 99, "replay_role_id": 7, "unknown": 1, "replay_max_running": "x"}
    )
    assert config == GuildConfig(replay_role_id=7)


def test_speed_bounds_match_the_replay_module() -> None:
    from bot.guilds import config as guild_config
    from bot.replay import pacing as replay

    assert (guild_config.SPEED_MIN, guild_config.SPEED_MAX) == (replay.SPEED_MIN, replay.SPEED_MAX)


def test_describe_names_every_setting_and_the_defaults() -> None:
    text = describe(GuildConfig(), base_interval=1.5, min_interval=1.0)
    assert "Manage Server" in text and "Manage Threads" in text
    assert "no extra role" in text and "speed 4" in text and "every 1 s" in text
    assert "the bot's default" in text
    changed = GuildConfig(
        import_role_id=5, replay_max_speed=0.5, replay_public_threads=False, replay_max_running=2
    )
    text = describe(changed, base_interval=1.5, min_interval=1.0)
    assert "<@&5>" in text and "every 3 s" in text and "in the channel itself" in text
    assert "this server: 2" in text


def test_purge_is_due_exactly_after_the_grace_period() -> None:
    assert timedelta(days=7) == GRACE_PERIOD
    assert not purge_due(T0, T0 + GRACE_PERIOD - timedelta(seconds=1))
    assert purge_due(T0, T0 + GRACE_PERIOD)


# ---- storage -----------------------------------------------------------------------------


async def test_settings_round_trip_per_guild(storage: Storage) -> None:
    assert await load_config(storage, GUILD) == GuildConfig()
    assert await load_config(storage, None) == GuildConfig()
    config = GuildConfig(replay_role_id=9, replay_max_running=1)
    await storage.guilds.put_settings(GUILD, config.to_json())
    assert await load_config(storage, GUILD) == config
    assert await load_config(storage, OTHER) == GuildConfig(), "settings leaked to another guild"


async def test_leaving_and_returning_keeps_settings(storage: Storage) -> None:
    await storage.guilds.put_settings(GUILD, {"replay_max_running": 2})
    await storage.guilds.mark_left(GUILD, T0)
    await storage.guilds.mark_left(GUILD, T0 + timedelta(days=1))  # the first time is kept
    assert await storage.guilds.left() == {GUILD: T0}
    assert (await load_config(storage, GUILD)).replay_max_running == 2
    assert await storage.guilds.mark_returned(GUILD)
    assert not await storage.guilds.mark_returned(GUILD)
    assert await storage.guilds.left() == {}
    assert (await load_config(storage, GUILD)).replay_max_running == 2


async def test_purge_removes_one_guild_entirely_and_nothing_else(seeded: Storage) -> None:
    shipped_only = row_counts(seeded.path)
    mine = await import_seed(seeded, GUILD)
    await import_seed(seeded, GUILD, "second.txt")
    theirs = await import_seed(seeded, OTHER)
    await seeded.guilds.put_settings(GUILD, {"replay_max_running": 2})
    await seeded.guilds.put_settings(OTHER, {"replay_max_running": 4})
    await seeded.summaries.put(mine, "thread", "offline", "h", "{}")
    replay = await seeded.replays.start(
        guild_id=GUILD,
        channel_id=5,
        thread_id=mine,
        first_seq=1,
        last_seq=3,
        speed=1.0,
        mode="embed",
        started_by=1,
    )
    assert replay is not None
    before_other = row_counts(seeded.path)

    assert await seeded.guilds.purge(GUILD) == 2
    await import_seed(seeded, GUILD, "again.txt")  # the guild can start over
    assert await seeded.guilds.purge(GUILD) == 1

    assert await seeded.threads.count(GUILD) == 1, "only the shipped thread is left"
    assert await seeded.threads.get(theirs, OTHER) is not None
    assert (await load_config(seeded, OTHER)).replay_max_running == 4
    await seeded.guilds.purge(OTHER)
    assert row_counts(seeded.path) == shipped_only
    assert before_other != shipped_only
    assert await seeded.integrity_check() == "ok"
    with pytest.raises(ValueError, match="shipped"):
        await seeded.guilds.purge(SHIPPED)


# ---- housekeeping with a fake clock -------------------------------------------------------


async def test_housekeeping_purges_after_grace_and_spares_returning_guilds(
    seeded: Storage,
) -> None:
    await import_seed(seeded, GUILD)
    await import_seed(seeded, OTHER)
    await seeded.guilds.mark_left(GUILD, T0)
    await seeded.guilds.mark_left(OTHER, T0)

    assert await purge_expired(seeded, T0 + GRACE_PERIOD - timedelta(minutes=1)) == {}
    await seeded.guilds.mark_returned(OTHER)  # re-added within the grace period
    assert await purge_expired(seeded, T0 + GRACE_PERIOD) == {GUILD: 1}
    assert await seeded.threads.count(GUILD) == 1, "only the shipped thread is left"
    assert await seeded.threads.count(OTHER) == 2
    assert await seeded.guilds.left() == {}
    assert await purge_expired(seeded, T0 + 3 * GRACE_PERIOD) == {}


async def test_reconcile_marks_guilds_left_while_offline(seeded: Storage) -> None:
    await import_seed(seeded, GUILD)
    await import_seed(seeded, OTHER)
    await seeded.guilds.mark_left(OTHER, T0)
    changes = await reconcile(seeded, present={OTHER}, now=T0 + timedelta(days=1))
    assert changes == (frozenset({GUILD}), frozenset({OTHER}))
    assert await seeded.guilds.left() == {GUILD: T0 + timedelta(days=1)}
    # Running again changes nothing, and the first time is kept.
    again = await reconcile(seeded, present={OTHER}, now=T0 + timedelta(days=2))
    assert again == (frozenset(), frozenset())
    assert await seeded.guilds.left() == {GUILD: T0 + timedelta(days=1)}
