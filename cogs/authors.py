"""``/author …``: who took part in a thread, and one person's comments (optionally searched).

Thin like ``cogs.threads``: options are resolved by the transformers, pages come from
the shared paginator, and unknown names are raised for the tree's ``on_error``.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ThreadBot
from bot.ui import paginator
from bot.ui.limits import CUSTOM_ID_MAX
from bot.ui.pages import AuthorCommentsSource, ParticipantsSource
from bot.ui.summary_commands import llm_cooldown, send_summary
from bot.ui.transformers import AuthorArg, ThreadArg, resolve_subject, subject_choices_for

SEARCH = app_commands.Range[str, 1, CUSTOM_ID_MAX]


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
class Authors(
    commands.GroupCog, group_name="author", group_description="The people in a comment thread"
):
    """The ``/author`` group. New subcommands are appended as further methods."""

    def __init__(self, bot: ThreadBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="list", description="Who commented on a thread, and how much")
    @app_commands.describe(thread="The thread (start typing its title)")
    async def list_authors(
        self, interaction: discord.Interaction[ThreadBot], thread: ThreadArg
    ) -> None:
        await paginator.start(interaction, ParticipantsSource(self.bot.storage, thread))

    @app_commands.command(name="comments", description="One person's comments in a thread")
    @app_commands.describe(
        thread="The thread (start typing its title)",
        name="The person (start typing their name)",
        query="Only comments whose own words contain these words",
    )
    async def comments(
        self,
        interaction: discord.Interaction[ThreadBot],
        thread: ThreadArg,
        name: AuthorArg,
        query: SEARCH | None = None,
    ) -> None:
        source = await AuthorCommentsSource.create(self.bot.storage, thread, name, query)
        note = None
        if source.query:
            pages = await source.pages()
            if pages > 1 and not source.fits(pages):
                note = (
                    f"This search is too long to keep in the page buttons, so only the first "
                    f"of {pages} matches is shown: shorten it to page through them all."
                )
        await paginator.start(interaction, source, note=note)

    @app_commands.command(name="summary", description="What one person argued in a thread")
    @app_commands.describe(
        thread="The thread (start typing its title)",
        name="The person, or the post's author (start typing their name)",
    )
    @app_commands.checks.dynamic_cooldown(llm_cooldown)
    async def summary(
        self,
        interaction: discord.Interaction[ThreadBot],
        thread: ThreadArg,
        name: app_commands.Range[str, 1, CUSTOM_ID_MAX],
    ) -> None:
        storage = self.bot.storage
        person = await resolve_subject(storage, thread, name)
        await send_summary(interaction, storage, self.bot.settings, thread, person)

    @summary.autocomplete("name")
    async def summary_name(
        self, interaction: discord.Interaction[ThreadBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await subject_choices_for(interaction, current)


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, ThreadBot):
        raise TypeError("cogs.authors needs a ThreadBot")
    await bot.add_cog(Authors(bot))
