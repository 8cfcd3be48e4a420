"""``/thread …``: list the threads here, read one, page through its comments, see who replied.

Thin on purpose: each command parses its options (resolved by the transformers),
calls storage and the pure renderers in ``bot/``, and sends. Errors for unknown
threads or comments are raised, not answered: the tree's ``on_error`` replies.
"""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ThreadBot
from bot.errors import NotFound
from bot.guilds.checks import allowed_to
from bot.guilds.permissions import heavy_cooldown, server_id
from bot.sources.uploads import ImportRefused, check_size, import_upload
from bot.sources.uploads import describe as describe_import
from bot.sources.web import LinkOptions, import_link
from bot.sources.web.fetch import check_url
from bot.ui import paginator, rendering
from bot.ui.graph import draw_in_worker
from bot.ui.pages import CommentsSource, ThreadListSource
from bot.ui.rendering import Source
from bot.ui.summary_commands import llm_cooldown, send_summary
from bot.ui.transformers import COMMENT_NUMBER, ThreadArg, comment_seq
from bot.workers import WorkerError

GRAPH_FILE = "replies.png"

log = logging.getLogger(__name__)


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
class Threads(
    commands.GroupCog, group_name="thread", group_description="Read blog comment threads"
):
    """The ``/thread`` group. New subcommands are appended as further methods."""

    def __init__(self, bot: ThreadBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="list", description="Threads you can read here")
    async def list_threads(self, interaction: discord.Interaction[ThreadBot]) -> None:
        await paginator.start(interaction, ThreadListSource(self.bot.storage, interaction.guild_id))

    @app_commands.command(name="read", description="Post a thread's article in this channel")
    @app_commands.describe(thread="The thread (start typing its title)")
    async def read(self, interaction: discord.Interaction[ThreadBot], thread: ThreadArg) -> None:
        messages = rendering.article_messages(thread)
        await interaction.response.send_message(embeds=messages[0])
        for embeds in messages[1:]:
            await interaction.followup.send(embeds=embeds)

    @app_commands.command(name="comments", description="Page through a thread's comments")
    @app_commands.describe(
        thread="The thread (start typing its title)",
        start="The comment number to open at (default: the first)",
    )
    async def comments(
        self,
        interaction: discord.Interaction[ThreadBot],
        thread: ThreadArg,
        start: COMMENT_NUMBER | None = None,
    ) -> None:
        seq = 1 if start is None else await comment_seq(self.bot.storage, thread, start)
        await paginator.start(interaction, CommentsSource(self.bot.storage, thread), page=seq)

    @app_commands.command(
        name="replies", description="Who replied to whom, in a thread or a comment"
    )
    @app_commands.describe(
        thread="The thread (start typing its title)",
        comment="A comment number: what it replies to and what replies to it",
    )
    @heavy_cooldown("graph", when=lambda i: getattr(i.namespace, "comment", None) is None)
    async def replies(
        self,
        interaction: discord.Interaction[ThreadBot],
        thread: ThreadArg,
        comment: COMMENT_NUMBER | None = None,
    ) -> None:
        storage = self.bot.storage
        if comment is not None:
            seq = await comment_seq(self.bot.storage, thread, comment)
            stored = await storage.comments.get(thread.id, seq)
            if stored is None:
                raise NotFound("comment", f"#{comment}")
            outgoing, incoming = await storage.edges.of_comment(thread.id, seq)
            seqs = sorted({e.target for e in outgoing} | {e.source for e in incoming})
            sources = {
                c.seq: Source(c.number, c.author)
                for c in await storage.comments.by_seq(thread.id, seqs)
            }
            embed = rendering.comment_replies_embed(thread, stored, outgoing, incoming, sources)
            await interaction.response.send_message(embed=embed)
            return
        # Drawing the graph can take over a second (in a worker process): acknowledge first.
        await interaction.response.defer(thinking=True)
        pairs = await storage.edges.pair_counts(thread.id)
        try:
            key = ("graph", interaction.guild_id)  # one drawing per server at a time
            png = await draw_in_worker(pairs, title=thread.title, key=key)
        except WorkerError as exc:  # the table still answers the question
            log.warning("drawing the reply graph of thread %s failed: %s", thread.id, exc)
            await interaction.followup.send(embed=rendering.reply_table_embed(thread, pairs))
            return
        embed = rendering.reply_table_embed(thread, pairs, image=GRAPH_FILE)
        await interaction.followup.send(
            embed=embed,
            file=discord.File(io.BytesIO(png), filename=GRAPH_FILE),
        )

    @app_commands.command(
        name="summary", description="What a thread is about and who argued with whom"
    )
    @app_commands.describe(thread="The thread (start typing its title)")
    @app_commands.checks.dynamic_cooldown(llm_cooldown)
    async def summary(self, interaction: discord.Interaction[ThreadBot], thread: ThreadArg) -> None:
        bot = self.bot
        await send_summary(interaction, bot.storage, bot.settings, thread, None)

    @app_commands.command(
        name="import",
        description="Import a thread here: a file (capture, WordPress or Disqus export) or a link",
    )
    @app_commands.describe(
        file="A thread capture (.txt), a WordPress export or a Disqus export (.xml)",
        url="A link to a WordPress post, a Reddit thread or a Hacker News item",
    )
    @heavy_cooldown("import")
    @allowed_to("import")
    async def import_thread(
        self,
        interaction: discord.Interaction[ThreadBot],
        file: discord.Attachment | None = None,
        url: app_commands.Range[str, 1, 2000] | None = None,
    ) -> None:
        """In ``/thread`` (not the Manage-Server-only ``/threadbot``) so that a role set with
        ``/threadbot config`` can import without extra Integrations settings. Checks come
        first and cost nothing: server and permission (declared above), one source, then
        the declared size."""
        guild_id = server_id(interaction)
        settings = self.bot.settings
        if (file is None) == (url is None):
            raise ImportRefused("Give either a `file` or a `url` to import, not both.")
        if file is not None:
            check_size(file.filename, file.size, settings.import_max_bytes)
        else:
            check_url(url or "")
        await interaction.response.defer(ephemeral=True, thinking=True)
        if file is not None:
            report = await import_upload(
                self.bot.storage,
                file,
                guild_id=guild_id,
                max_bytes=settings.import_max_bytes,
                max_comments=settings.import_max_comments,
            )
        else:
            report = await import_link(
                self.bot.storage,
                url or "",
                guild_id=guild_id,
                options=LinkOptions.from_settings(settings),
            )
        await interaction.followup.send(describe_import(report), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, ThreadBot):
        raise TypeError("cogs.threads needs a ThreadBot")
    await bot.add_cog(Threads(bot))
