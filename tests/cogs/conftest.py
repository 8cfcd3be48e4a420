"""A real ThreadBot on a temp database, and a minimal interaction that records what is sent.

The fake interaction offers exactly the surface the cogs and the paginator use
(``response``, ``followup``, ``guild_id``, ``client``, ``namespace``) and fails the
test if an interaction is answered twice. Every recorded message can be checked
against Discord's limits and the bot's mention policy with :meth:`Sent.problems`.
Button presses are simulated from the ``custom_id`` string alone, the way Discord
delivers them (also after a restart).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.app_commands import Namespace

from bot.app import ThreadBot
from bot.models import ARTICLE, Comment, QuoteRef, ReplyEdge, ReplyStructure, Thread
from bot.settings import Settings
from bot.storage import Storage
from bot.ui.limits import check_custom_id, check_message
from bot.ui.paginator import DYNAMIC_ITEMS, JumpModal
from tests.conftest import SEEDS

GUILD = 111
OTHER_GUILD = 222
_ids = itertools.count(1000)


@dataclass
class Sent:
    """One thing the bot did in answer to an interaction."""

    how: str  # "send", "followup", "edit", "defer", "modal"
    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None
    files: list[discord.File] = field(default_factory=list)
    ephemeral: bool = False
    allowed_mentions: discord.AllowedMentions | None = None
    modal: discord.ui.Modal | None = None

    @property
    def custom_ids(self) -> list[str]:
        if self.view is None:
            return []
        return [str(c["custom_id"]) for row in self.view.to_components() for c in row["components"]]

    @property
    def labels(self) -> list[str]:
        if self.view is None:
            return []
        return [str(c.get("label")) for row in self.view.to_components() for c in row["components"]]

    def button(self, label_start: str) -> dict[str, Any]:
        assert self.view is not None, "no buttons on this message"
        for row in self.view.to_components():
            for component in row["components"]:
                if str(component.get("label", "")).startswith(label_start):
                    return dict(component)
        raise AssertionError(f"no button labelled {label_start!r} in {self.labels}")

    def text(self) -> str:
        """Everything a reader sees in this message, as one string."""
        parts = [self.content or ""]
        for embed in self.embeds:
            parts += [embed.title or "", embed.description or "", embed.author.name or ""]
            parts += [f"{f.name}\n{f.value}" for f in embed.fields]
            parts.append(embed.footer.text or "")
        return "\n".join(parts)

    def problems(self) -> list[str]:
        """Limits broken, custom_ids refused, or thread text sent without the mention guard."""
        if self.how in ("defer", "modal"):
            return []
        out = check_message(self.content, self.embeds, creating=self.how != "edit")
        if self.view is not None:
            rows = self.view.to_components()
            if len(rows) > 5 or any(len(r["components"]) > 5 for r in rows):
                out.append("components: too many rows or buttons")
            ids = self.custom_ids
            if len(ids) != len(set(ids)):
                out.append(f"components: duplicate custom_id in {ids}")
            for custom_id in ids:
                out += check_custom_id(custom_id)
        am = self.allowed_mentions
        if (self.content or self.embeds) and (
            am is None or am.everyone or am.users is not False or am.roles is not False
        ):
            out.append(f"allowed_mentions is not none(): {am!r}")
        return out


class FakeResponse:
    def __init__(self, interaction: FakeInteraction) -> None:
        self._interaction = interaction
        self._done = False

    def is_done(self) -> bool:
        return self._done

    def _answer(self) -> None:
        assert not self._done, "interaction answered twice"
        self._done = True

    async def send_message(
        self,
        content: str | None = None,
        *,
        embed: discord.Embed | None = None,
        embeds: Sequence[discord.Embed] = (),
        view: discord.ui.View | None = None,
        file: discord.File | None = None,
        files: Sequence[discord.File] = (),
        ephemeral: bool = False,
        allowed_mentions: discord.AllowedMentions | None = None,
        **_: Any,
    ) -> None:
        self._answer()
        self._interaction.record(
            Sent(
                "send",
                content,
                [embed] if embed else list(embeds),
                view,
                [file] if file else list(files),
                ephemeral,
                allowed_mentions,
            )
        )

    async def edit_message(
        self,
        *,
        content: str | None = None,
        embed: discord.Embed | None = None,
        embeds: Sequence[discord.Embed] = (),
        view: discord.ui.View | None = None,
        allowed_mentions: discord.AllowedMentions | None = None,
        **_: Any,
    ) -> None:
        self._answer()
        assert self._interaction.message_ids is not None, "edit_message needs a message"
        self._interaction.record(
            Sent(
                "edit",
                content,
                [embed] if embed else list(embeds),
                view,
                allowed_mentions=allowed_mentions,
            )
        )

    async def defer(self, *, thinking: bool = False, ephemeral: bool = False) -> None:
        self._answer()
        self._interaction.record(Sent("defer", ephemeral=ephemeral))

    async def send_modal(self, modal: discord.ui.Modal) -> None:
        self._answer()
        self._interaction.record(Sent("modal", modal=modal))


class FakeFollowup:
    def __init__(self, interaction: FakeInteraction) -> None:
        self._interaction = interaction

    async def send(
        self,
        content: str | None = None,
        *,
        embed: discord.Embed | None = None,
        embeds: Sequence[discord.Embed] = (),
        view: discord.ui.View | None = None,
        file: discord.File | None = None,
        files: Sequence[discord.File] = (),
        ephemeral: bool = False,
        allowed_mentions: discord.AllowedMentions | None = None,
        **_: Any,
    ) -> None:
        assert self._interaction.response.is_done(), "follow-up before the first response"
        self._interaction.record(
            Sent(
                "followup",
                content,
                [embed] if embed else list(embeds),
                view,
                [file] if file else list(files),
                ephemeral,
                allowed_mentions,
            )
        )


class FakeInteraction:
    """What cogs and the paginator touch on a ``discord.Interaction``, recording the answers."""

    def __init__(
        self,
        client: ThreadBot,
        *,
        guild_id: int | None = GUILD,
        options: dict[str, Any] | None = None,
        message_ids: Sequence[str] | None = None,
    ) -> None:
        self.id = next(_ids)
        self.client = client
        self.guild_id = guild_id
        self.guild = None
        self._state = client._connection
        self.user = discord.Object(next(_ids))
        self.message_ids = message_ids
        self.sent: list[Sent] = []
        self.response = FakeResponse(self)
        self.followup = FakeFollowup(self)
        raw = [{"type": 3, "name": k, "value": v} for k, v in (options or {}).items()]
        self.namespace = Namespace(self, {}, raw)  # type: ignore[arg-type]
        self.created_at = discord.utils.utcnow()
        self.extras: dict[str, Any] = {}

    def record(self, sent: Sent) -> None:
        if sent.allowed_mentions is None and sent.how not in ("defer", "modal"):
            # What discord.py sends when a call gives none: the client's default.
            sent.allowed_mentions = self.client.allowed_mentions
        self.sent.append(sent)

    @property
    def last(self) -> Sent:
        assert self.sent, "nothing was sent"
        return self.sent[-1]


async def press(
    bot: ThreadBot, custom_id: str, *, guild_id: int | None = GUILD, label: str = "x"
) -> FakeInteraction:
    """Deliver a button press the way discord.py's view store does for dynamic items:
    match the custom_id against the bot's registered templates, rebuild the item with
    ``from_custom_id`` from a bare button, run its callback."""
    interaction = FakeInteraction(bot, guild_id=guild_id, message_ids=[custom_id])
    # The registry discord.py's view store consults for every component interaction.
    registered = bot._connection._view_store._dynamic_items
    for pattern, factory in registered.items():
        match = pattern.fullmatch(custom_id)
        if match is None:
            continue
        base = discord.ui.Button[discord.ui.View](custom_id=custom_id, label=label)
        item = await factory.from_custom_id(interaction, base, match)  # type: ignore[arg-type]
        await item.callback(interaction)  # type: ignore[arg-type]
        return interaction
    raise AssertionError(f"no dynamic item matches {custom_id!r}")


async def submit(
    bot: ThreadBot, modal: discord.ui.Modal, value: str, *, guild_id: int | None = GUILD
) -> FakeInteraction:
    """Submit a jump modal with ``value`` typed in."""
    assert isinstance(modal, JumpModal)
    modal.target._value = value
    interaction = FakeInteraction(bot, guild_id=guild_id, message_ids=["modal"])
    await modal.on_submit(interaction)  # type: ignore[arg-type]
    return interaction


def synthetic_thread(comments: int = 500, long_at: int = 250, long_chars: int = 30_000) -> Thread:
    """A thread far bigger than the seed: many comments, one of them 30,000 characters,
    quotes of earlier comments and of the article, and hostile text (mentions, markdown)."""
    sentence = "This sentence is here to make the comment long, with words of ordinary size. "
    long_text = (sentence * (long_chars // len(sentence) + 1))[:long_chars]
    long_paragraphs = tuple(long_text[i : i + 1500] for i in range(0, len(long_text), 1500))
    items = []
    for seq in range(1, comments + 1):
        author = f"Person {seq % 37}" if seq % 11 else "Zoë @everyone <@123>"
        if seq == long_at:
            paragraphs = long_paragraphs
        else:
            paragraphs = (
                f"Quoted words from comment {max(seq - 1, 1)}.",
                f"Comment {seq}: *stars* __under__ @here <@&456> <#789> > not a quote.",
            )
        items.append(Comment(seq=seq, number=seq, author=author, paragraphs=paragraphs))
    return Thread(
        source="synthetic.txt",
        title="A synthetic thread " + "with a very long title " * 20,
        lede="A lede with @everyone in it.",
        body=("First paragraph of the body. " * 80, "[…]", "Second part of the body. " * 150),
        tags=("Testing", "Limits", "@everyone"),
        author="Synthetic Author",
        author_bio="Writes synthetic threads. " * 100,
        comments=tuple(items),
        url="https://example.com/synthetic_thread?a=b",
    )


def synthetic_replies(thread: Thread) -> ReplyStructure:
    """Quotes and edges made by hand, independent of reply inference."""
    quotes: dict[tuple[int, int], QuoteRef] = {}
    edges = []
    for comment in thread.comments:
        if len(comment.paragraphs) == 2 and comment.seq > 1:
            quotes[(comment.seq, 0)] = QuoteRef(comment.seq - 1, 1)
            edges.append(ReplyEdge(comment.seq, comment.seq - 1, "quote", "Quoted words"))
        elif comment.seq == 1:
            quotes[(1, 0)] = QuoteRef(ARTICLE, 0)
            edges.append(ReplyEdge(1, ARTICLE, "quote", "A lede"))
    return ReplyStructure(quotes=quotes, edges=tuple(edges))


async def make_bot(storage: Storage, seeds: Path = SEEDS) -> ThreadBot:
    """A ThreadBot wired like ``setup_hook`` does, minus logging in and syncing."""
    bot = ThreadBot(
        settings=Settings(token="test", seeds_dir=seeds),
        storage=storage,
        extensions=["cogs.threads", "cogs.authors"],
        load_seeds=False,
    )
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    for extension in bot.initial_extensions:
        await bot.load_extension(extension)
    return bot


@pytest.fixture
async def bot(seeded: Storage) -> AsyncIterator[ThreadBot]:
    """A ThreadBot with both cogs loaded, on a database holding the seed thread."""
    yield await make_bot(seeded)


def text_of(sent: Sent) -> str:
    return sent.text()


MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>|@everyone|@here")


async def invoke(command: Any, cog: Any, interaction: Any, *args: Any, **kwargs: Any) -> None:
    """Run an app command as discord.py's tree does once the options are resolved: its checks
    (the cog's ``interaction_check`` and the declared ones, which raise their refusal), then
    its callback."""
    if not await command._check_can_run(interaction):
        raise app_commands.CheckFailure(f"a check of /{command.qualified_name} returned False")
    await command.callback(cog, interaction, *args, **kwargs)
