"""Who may import threads and run replays.

The defaults are Discord permissions a server already hands out deliberately:
*Manage Server* to import (it writes to the server's library) and *Manage
Threads* to start or stop replays (they create threads and post a lot).
Administrators always may. ``configured_roles`` is the hook for per-guild roles
(``/threadbot config``): a member holding one of them is allowed as well.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Collection
from typing import Any, Literal, TypeVar

import discord
from discord import app_commands

from bot.errors import Refused

Action = Literal["import", "replay"]

DEFAULT_PERMISSION: dict[Action, str] = {
    "import": "manage_guild",
    "replay": "manage_threads",
}
"""The ``discord.Permissions`` flag that allows each action by default."""

PERMISSION_LABEL = {"manage_guild": "Manage Server", "manage_threads": "Manage Threads"}
"""How Discord's client names each permission flag."""


def is_allowed(
    action: Action,
    permissions: discord.Permissions,
    role_ids: Collection[int] = (),
    configured_roles: Collection[int] = (),
) -> bool:
    """Pure decision: administrator, the default permission, or one of the configured roles."""
    if permissions.administrator or getattr(permissions, DEFAULT_PERMISSION[action]):
        return True
    return bool(set(role_ids) & set(configured_roles))


def server_id(interaction: discord.Interaction[Any]) -> int:
    """The server an interaction comes from; in DMs :class:`~discord.app_commands.NoPrivateMessage`
    (the tree's ``on_error`` words it once for every command)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def ensure_allowed(
    interaction: discord.Interaction[Any],
    action: Action,
    configured_roles: Collection[int] = (),
) -> None:
    """Raise :class:`Refused` unless the member behind ``interaction`` may do ``action``.

    Uses the permissions Discord resolved for the member in this channel (overwrites
    included), so no member cache or intent is needed.
    """
    server_id(interaction)
    user = interaction.user
    role_ids = [role.id for role in user.roles] if isinstance(user, discord.Member) else []
    if is_allowed(action, interaction.permissions, role_ids, configured_roles):
        return
    needed = PERMISSION_LABEL[DEFAULT_PERMISSION[action]]
    verb = "import threads" if action == "import" else "start or stop replays"
    extra = " or one of the roles set with /threadbot config" if configured_roles else ""
    raise Refused(f"You need the {needed} permission{extra} to {verb} here.")


def ensure_manager(interaction: discord.Interaction[Any]) -> None:
    """Raise :class:`Refused` unless the member may change this server's settings.

    ``/threadbot`` is hidden from members without Manage Server by default, but a
    server can show it to anyone in its Integrations settings: this check still holds.
    """
    server_id(interaction)
    permissions = interaction.permissions
    if not (permissions.administrator or permissions.manage_guild):
        raise Refused("You need the Manage Server permission to change threadbot here.")


# ---- cooldowns ---------------------------------------------------------------------------

Heavy = Literal["import", "replay", "graph"]

COOLDOWN_SECONDS: dict[Heavy, float] = {
    "import": 30.0,
    "replay": 30.0,
    "graph": 15.0,
}
"""One use per this many seconds and person, for commands that cost real work: an
import (download, parse, store), starting a replay (a thread, a webhook, many posts)
and drawing the replies picture. The tree's ``on_error`` answers "try again in N s"."""

_EXTRAS_KEY = "threadbot.cooldown"
"""Where an interaction remembers which cooldown bucket it drew from (``Interaction.extras``)."""

_issued: dict[tuple[Heavy, Any], app_commands.Cooldown] = {}
"""The live bucket of each ``(kind, key)``, so a refused invocation can be refunded."""

T = TypeVar("T")

_instances: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_instance_numbers = itertools.count(1)


def _client_number(client: Any) -> int:
    """A number unique to one bot object for the life of the process (never reused)."""
    number = _instances.get(client)
    if number is None:
        number = _instances[client] = next(_instance_numbers)
    return number


def cooldown_key(interaction: discord.Interaction[Any]) -> tuple[int, int]:
    """Per person and per bot: discord.py keeps cooldown buckets in the decorator,
    i.e. once per process, so a second bot in the same process (tests, a restart
    in place) must not inherit the first one's buckets."""
    return (_client_number(interaction.client), interaction.user.id)


def heavy_cooldown(
    kind: Heavy, *, when: Callable[[discord.Interaction[Any]], bool] | None = None
) -> Callable[[T], T]:
    """``app_commands.checks.dynamic_cooldown`` with :data:`COOLDOWN_SECONDS` for ``kind``.

    ``when`` limits the cooldown to the invocations that do the heavy work (e.g.
    ``/thread replies`` only when it draws the picture).
    """
    per = COOLDOWN_SECONDS[kind]

    def applies(interaction: discord.Interaction[Any]) -> bool:
        return when is None or when(interaction)

    def key(interaction: discord.Interaction[Any]) -> tuple[int, int, bool]:
        # Light invocations get their own key, never stored (the factory gives them no
        # bucket), so they neither use up nor wait for the heavy ones' cooldown.
        k = (*cooldown_key(interaction), applies(interaction))
        interaction.extras[_EXTRAS_KEY] = (kind, k)
        return k

    def factory(interaction: discord.Interaction[Any]) -> app_commands.Cooldown | None:
        if not applies(interaction):
            return None
        for rested in [ref for ref, b in _issued.items() if b.get_tokens() >= b.rate]:
            del _issued[rested]
        bucket = _issued[(kind, key(interaction))] = app_commands.Cooldown(1, per)
        return bucket

    return app_commands.checks.dynamic_cooldown(factory, key=key)


def refund_cooldown(interaction: discord.Interaction[Any]) -> bool:
    """Give back the use a refused invocation took (a mistyped thread name, a missing
    permission): discord.py counts it before the arguments are even resolved.

    The tree's ``on_error`` calls this only for a user-facing refusal raised before the
    command answered, i.e. before any heavy work began. ``True`` if a bucket was reset.
    """
    ref = getattr(interaction, "extras", {}).get(_EXTRAS_KEY)
    bucket = _issued.get(ref) if ref is not None else None
    if bucket is None:
        return False
    bucket.reset()
    return True
