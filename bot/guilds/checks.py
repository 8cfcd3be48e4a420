"""Who may run a command, declared on the command: ``@allowed_to("import")``, ``@in_server()``.

Each decorator is an ``app_commands.check``. discord.py runs checks before it resolves
the options and in the order they are written bottom-up, so put them *below* a
cooldown decorator: a refused person then spends no cooldown. A refusal raises
:class:`~bot.errors.Refused` (or ``NoPrivateMessage`` in DMs), which the tree's one
``on_error`` answers privately. Cogs whose every command needs the same check use
:func:`ensure_manager` in their ``interaction_check`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import discord
from discord import app_commands

from bot.guilds.config import load_config
from bot.guilds.permissions import Action, ensure_allowed, server_id
from bot.storage import Storage

T = TypeVar("T")


class _WithStorage(Protocol):
    storage: Storage


def in_server() -> Callable[[T], T]:
    """Only in a server, for commands of groups that also work in DMs."""

    def predicate(interaction: discord.Interaction[Any]) -> bool:
        server_id(interaction)
        return True

    return app_commands.check(predicate)


def allowed_to(action: Action) -> Callable[[T], T]:
    """Only members with the default permission for ``action`` or the role this server set
    for it with ``/threadbot config`` (administrators always). Implies :func:`in_server`."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        client: _WithStorage = interaction.client
        config = await load_config(client.storage, server_id(interaction))
        ensure_allowed(interaction, action, config.roles_for(action))
        return True

    return app_commands.check(predicate)
