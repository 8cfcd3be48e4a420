"""Who may import threads and run replays.

The defaults are Discord permissions a server already hands out deliberately:
*Manage Server* to import (it writes to the server's library) and *Manage
Threads* to start or stop replays (they create threads and post a lot).
Administrators always may. ``configured_roles`` is the hook for per-guild roles
(``/threadbot config``): a member holding one of them is allowed as well.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

import discord

from bot.errors import NotAllowed

Action = Literal["import", "replay"]

DEFAULT_PERMISSION: dict[Action, str] = {
    "import": "manage_guild",
    "replay": "manage_threads",
}
"""The ``discord.Permissions`` flag that allows each action by default."""

_LABEL = {"manage_guild": "Manage Server", "manage_threads": "Manage Threads"}


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


def ensure_allowed(
    interaction: discord.Interaction[Any],
    action: Action,
    configured_roles: Collection[int] = (),
) -> None:
    """Raise :class:`NotAllowed` unless the member behind ``interaction`` may do ``action``.

    Uses the permissions Discord resolved for the member in this channel (overwrites
    included), so no member cache or intent is needed.
    """
    if interaction.guild_id is None:
        raise NotAllowed("This command works in a server, not in DMs.")
    user = interaction.user
    role_ids = [role.id for role in user.roles] if isinstance(user, discord.Member) else []
    if is_allowed(action, interaction.permissions, role_ids, configured_roles):
        return
    needed = _LABEL[DEFAULT_PERMISSION[action]]
    verb = "import threads" if action == "import" else "start or stop replays"
    extra = " or one of the roles set with /threadbot config" if configured_roles else ""
    raise NotAllowed(f"You need the {needed} permission{extra} to {verb} here.")
