"""Who may do what, and the per-person cooldowns on heavy commands (with a fake clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.errors import NotFound, Refused
from bot.guilds.permissions import (
    COOLDOWN_SECONDS,
    cooldown_key,
    ensure_allowed,
    ensure_manager,
    heavy_cooldown,
    is_allowed,
    refund_cooldown,
)
from bot.storage import Storage
from tests.cogs.conftest import FakeInteraction, make_bot

NOTHING = discord.Permissions.none()


class Client:
    """Stands in for a bot: any object that can be weakly referenced."""


T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("action", "permissions", "roles", "configured", "allowed"),
    [
        ("import", discord.Permissions(administrator=True), [], [], True),
        ("import", discord.Permissions(manage_guild=True), [], [], True),
        ("import", discord.Permissions(manage_threads=True), [], [], False),
        ("replay", discord.Permissions(manage_threads=True), [], [], True),
        ("replay", discord.Permissions(manage_guild=True), [], [], False),
        ("replay", NOTHING, [5, 6], [6], True),
        ("replay", NOTHING, [5], [6], False),
        ("import", NOTHING, [], [], False),
    ],
)
def test_is_allowed(
    action: Any,
    permissions: discord.Permissions,
    roles: list[int],
    configured: list[int],
    allowed: bool,
) -> None:
    assert is_allowed(action, permissions, roles, configured) is allowed


def interaction(
    permissions: discord.Permissions,
    *,
    guild_id: int | None = 1,
    user_id: int = 7,
    client: Any = None,
) -> Any:
    return SimpleNamespace(
        guild_id=guild_id,
        permissions=permissions,
        user=discord.Object(user_id),
        client=client if client is not None else Client(),
        namespace=SimpleNamespace(),
        created_at=T0,
        extras={},
    )


def test_refusals_name_what_is_missing() -> None:
    with pytest.raises(Refused, match="Manage Threads permission to start or stop replays"):
        ensure_allowed(interaction(NOTHING), "replay")
    with pytest.raises(Refused, match="or one of the roles set with /threadbot config"):
        ensure_allowed(interaction(NOTHING), "import", [5])
    with pytest.raises(app_commands.NoPrivateMessage):
        ensure_allowed(interaction(discord.Permissions.all(), guild_id=None), "import")
    ensure_allowed(interaction(discord.Permissions(manage_guild=True)), "import")


def test_only_managers_change_settings() -> None:
    ensure_manager(interaction(discord.Permissions(manage_guild=True)))
    ensure_manager(interaction(discord.Permissions(administrator=True)))
    with pytest.raises(Refused, match="Manage Server"):
        ensure_manager(interaction(discord.Permissions(manage_threads=True, manage_roles=True)))
    with pytest.raises(app_commands.NoPrivateMessage):
        ensure_manager(interaction(discord.Permissions.all(), guild_id=None))


# ---- cooldowns ---------------------------------------------------------------------------


def checked(kind: Any, **kwargs: Any) -> Any:
    """The cooldown predicate ``heavy_cooldown`` adds to a command."""

    @app_commands.command(name="heavy", description="heavy")
    @heavy_cooldown(kind, **kwargs)
    async def heavy(interaction: discord.Interaction[Any]) -> None:  # pragma: no cover
        return None

    (predicate,) = heavy.checks
    return predicate


async def run(predicate: Any, inter: Any, at: datetime) -> float | None:
    """``None`` when allowed, else the seconds to wait."""
    inter.created_at = at
    try:
        assert await predicate(inter)
    except app_commands.CommandOnCooldown as exc:
        return exc.retry_after
    return None


async def test_one_heavy_use_per_person_per_period() -> None:
    check = checked("import")
    client = Client()
    alice = interaction(NOTHING, user_id=1, client=client)
    bob = interaction(NOTHING, user_id=2, client=client)
    per = COOLDOWN_SECONDS["import"]
    assert await run(check, alice, T0) is None
    wait = await run(check, alice, T0 + timedelta(seconds=10))
    assert wait == pytest.approx(per - 10)
    assert await run(check, bob, T0 + timedelta(seconds=10)) is None, "cooldowns are per person"
    assert await run(check, alice, T0 + timedelta(seconds=per + 0.1)) is None


async def test_buckets_are_per_bot_so_a_new_bot_starts_fresh() -> None:
    check = checked("replay")
    first, second = Client(), Client()
    assert cooldown_key(interaction(NOTHING, client=first)) != cooldown_key(
        interaction(NOTHING, client=second)
    )
    assert await run(check, interaction(NOTHING, client=first), T0) is None
    assert await run(check, interaction(NOTHING, client=first), T0) is not None
    assert await run(check, interaction(NOTHING, client=second), T0) is None


async def test_light_invocations_neither_wait_nor_count() -> None:
    check = checked("graph", when=lambda i: getattr(i.namespace, "comment", None) is None)
    client = Client()
    picture = interaction(NOTHING, client=client)
    detail = interaction(NOTHING, client=client)
    detail.namespace.comment = 3
    assert await run(check, detail, T0) is None
    assert await run(check, detail, T0) is None
    assert await run(check, picture, T0) is None
    assert await run(check, detail, T0) is None, "a detail view waited for the picture"
    assert await run(check, picture, T0 + timedelta(seconds=1)) is not None


async def test_a_refused_try_is_refunded_but_a_cooldown_is_not() -> None:
    check = checked("replay")
    client = Client()
    first = interaction(NOTHING, client=client)
    assert await run(check, first, T0) is None
    assert refund_cooldown(first), "the use was not given back"
    again = interaction(NOTHING, client=client)
    assert await run(check, again, T0 + timedelta(seconds=1)) is None
    blocked = interaction(NOTHING, client=client)
    assert await run(check, blocked, T0 + timedelta(seconds=2)) is not None
    # Nothing to give back for an interaction that never drew from a bucket.
    assert not refund_cooldown(interaction(NOTHING, client=client))
    assert not refund_cooldown(SimpleNamespace())


async def test_the_tree_refunds_refusals_made_before_answering(seeded: Storage) -> None:
    bot = await make_bot(seeded)
    check = checked("graph")
    fake = FakeInteraction(bot)
    fake.created_at = T0  # type: ignore[attr-defined]
    fake.extras = {}  # type: ignore[attr-defined]
    assert await run(check, fake, T0) is None
    await bot.tree.on_error(fake, NotFound("thread", "nope"))  # type: ignore[arg-type]
    assert fake.last.ephemeral and "No thread matches" in (fake.last.content or "")
    retry = FakeInteraction(bot)
    retry.user = fake.user  # the same person tries again
    retry.extras = {}  # type: ignore[attr-defined]
    assert await run(check, retry, T0 + timedelta(seconds=1)) is None, "the typo cost a cooldown"

    # A refusal after the command answered (work had begun) keeps the cooldown.
    retry.response._done = True
    await bot.tree.on_error(retry, NotFound("thread", "nope"))  # type: ignore[arg-type]
    late = FakeInteraction(bot)
    late.user = fake.user
    late.extras = {}  # type: ignore[attr-defined]
    assert await run(check, late, T0 + timedelta(seconds=2)) is not None


async def test_the_tree_answers_a_cooldown_ephemerally_with_the_wait(seeded: Storage) -> None:
    bot = await make_bot(seeded)
    fake = FakeInteraction(bot)
    error = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30.0), 12.4)
    await bot.tree.on_error(fake, error)  # type: ignore[arg-type]
    assert fake.last.ephemeral
    assert fake.last.content == "Slow down: try again in 12 s."
    assert fake.last.problems() == []
