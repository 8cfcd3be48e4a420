"""What ``/thread summary`` and ``/author summary`` share: the answer and the cooldown.

Discord-only glue kept out of :mod:`bot.summaries` (which knows nothing of interactions)
and out of the cogs (a cog does not import another cog).
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.models import StoredThread
from bot.settings import Settings
from bot.storage import Storage
from bot.summaries.service import author_view, is_cached, llm_engine, thread_view
from bot.ui.summary_rendering import author_summary_embed, thread_summary_embed

LLM_COOLDOWN_RATE = 2
LLM_COOLDOWN_PER = 60.0
"""Summaries one person may ask for per minute when they may call the model."""


def llm_cooldown(interaction: discord.Interaction[Any]) -> app_commands.Cooldown | None:
    """A per-person cooldown only when summaries may call the model (it costs time and money)."""
    settings = getattr(interaction.client, "settings", None)
    if not isinstance(settings, Settings) or llm_engine(settings) is None:
        return None
    return app_commands.Cooldown(LLM_COOLDOWN_RATE, LLM_COOLDOWN_PER)


async def send_summary(
    interaction: discord.Interaction[Any],
    storage: Storage,
    settings: Settings,
    thread: StoredThread,
    name: str | None,
) -> None:
    """Answer with the summary: at once when cached, else defer first (it may take seconds)."""
    deferred = False
    if not await is_cached(storage, settings, thread, name):
        await interaction.response.defer(thinking=True)
        deferred = True
    if name is None:
        embed = thread_summary_embed(thread, await thread_view(storage, settings, thread))
    else:
        embed = author_summary_embed(thread, await author_view(storage, settings, thread, name))
    if deferred:
        await interaction.followup.send(embed=embed)
    else:
        await interaction.response.send_message(embed=embed)
