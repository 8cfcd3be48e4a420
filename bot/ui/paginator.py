"""The one paginator: persistent page buttons whose whole state lives in their ``custom_id``.

A paginated message carries five buttons (first, previous, "page n/N" which opens a
jump modal, next, last). Each is a :class:`discord.ui.DynamicItem`, so a press is
understood from its ``custom_id`` alone, also after a restart, with no memory of the
message. The ``custom_id`` names the *target* of the button::

    tb:pg:<kind>:<action>:<thread_id>:<page>:<part>[:<extra>]

``kind`` is the page source (``t`` thread list, ``c`` a thread's comments, ``a`` one
person's comments, ``p`` a thread's participants), ``action`` one of ``f p n l`` (first,
previous, next, last) or ``j`` (jump: page and part are the current ones),
``thread_id`` is ``0`` for the thread list, ``page`` is 1-based, ``part`` is the
0-based piece of a long comment or ``L`` for its last piece, and ``extra`` is the
source's own state (for ``a``: the seq of the person's first comment, ``.`` and a short
hash of their name, then ``:`` and the search query when it fits in 100 characters).

Every press rebuilds its source from storage scoped to the presser's guild, so a
button (or a crafted ``custom_id``) for another server's thread is refused, and
answers exactly once: ``edit_message`` for a page, an ephemeral message for a
refusal, a modal for the jump button.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.errors import UserFacingError
from bot.text import truncate
from bot.ui.limits import BUTTON_LABEL_MAX
from bot.ui.pages import (
    LAST,
    PREFIX,
    Action,
    Page,
    PageSource,
    open_source,
    storage_of,
)

log = logging.getLogger(__name__)


_FIELDS = r"(?P<thread>[0-9]{1,20}):(?P<page>[0-9]{1,9}):(?P<part>[0-9]{1,4}|L)(?::(?P<extra>.*))?"
NAV_TEMPLATE = re.compile(rf"{PREFIX}:(?P<kind>[tcap]):(?P<action>[fpnl]):{_FIELDS}", re.DOTALL)
JUMP_TEMPLATE = re.compile(rf"{PREFIX}:(?P<kind>[tcap]):j:{_FIELDS}", re.DOTALL)


# ---- the buttons ---------------------------------------------------------------------


_STYLE = discord.ButtonStyle.secondary
_LABELS: dict[str, str] = {"f": "⏮", "p": "◀", "n": "▶", "l": "⏭"}


class PageButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=NAV_TEMPLATE):
    """First / previous / next / last: the custom_id names the page to show."""

    def __init__(self, custom_id: str, *, label: str, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, custom_id=custom_id, style=_STYLE, disabled=disabled, row=0
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PageButton:
        label = getattr(item, "label", None) or _LABELS.get(match["action"], "?")
        return cls(match.string, label=str(label))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        match = self.template.fullmatch(self.custom_id)
        if match is None:  # pragma: no cover - the template matched to get here
            return
        part = LAST if match["part"] == "L" else int(match["part"])
        await show(
            interaction,
            match["kind"],
            int(match["thread"]),
            match["extra"] or "",
            page=int(match["page"]),
            part=part,
        )


class JumpButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=JUMP_TEMPLATE
):
    """The middle "page n/N" button: opens a modal asking where to go."""

    def __init__(self, custom_id: str, *, label: str, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                custom_id=custom_id,
                style=discord.ButtonStyle.primary,
                disabled=disabled,
                row=0,
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> JumpButton:
        return cls(match.string, label=str(getattr(item, "label", None) or "…"))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        match = self.template.fullmatch(self.custom_id)
        if match is None:  # pragma: no cover
            return
        try:
            source = await open_source(
                storage_of(interaction),
                interaction.guild_id,
                match["kind"],
                int(match["thread"]),
                match["extra"] or "",
            )
            pages = await source.pages()
        except UserFacingError as exc:
            await _refuse(interaction, exc.message)
            return
        await interaction.response.send_modal(JumpModal(source, pages))


class JumpModal(discord.ui.Modal):
    """Asks for a page (or, for comments, a comment number) and shows it in the same message."""

    def __init__(self, source: PageSource, pages: int) -> None:
        super().__init__(title=source.jump_title, timeout=600)
        self.source = source
        self.pages = pages
        self.target: discord.ui.TextInput[JumpModal] = discord.ui.TextInput(
            label=source.jump_label,
            placeholder=truncate(f"a number from 1 to {pages}", 100),
            min_length=1,
            max_length=12,
        )
        self.add_item(self.target)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        source = self.source
        try:
            # Re-check visibility: the modal may be submitted long after it was opened.
            source = await open_source(
                storage_of(interaction),
                interaction.guild_id,
                source.kind,
                source.thread_id,
                source.extra,
            )
            pages = await source.pages()
            page = await source.resolve_jump(self.target.value, pages)
        except UserFacingError as exc:
            await _refuse(interaction, exc.message)
            return
        if page is None:
            await _refuse(
                interaction, f"“{truncate(self.target.value, 20)}” is not a page from 1 to {pages}."
            )
            return
        rendered = await source.render(page, 0)
        await interaction.response.edit_message(
            content=rendered.content,
            embeds=rendered.embeds,
            view=build_view(source, rendered),
        )


async def _refuse(interaction: discord.Interaction[Any], message: str) -> None:
    await interaction.response.send_message(message, ephemeral=True)


@dataclass(slots=True)
class _Nav:
    """The targets of the four arrow buttons for one page."""

    targets: dict[str, tuple[int, int]] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)


def navigation(page: int, pages: int, part: int, parts: int) -> _Nav:
    """Where first/previous/next/last lead from ``page`` (piece ``part`` of ``parts``)."""
    nav = _Nav()
    nav.targets["f"] = (1, 0)
    if page == 1 and part == 0:
        nav.disabled.add("f")
    if part > 0:
        nav.targets["p"] = (page, part - 1)
    elif page > 1:
        nav.targets["p"] = (page - 1, LAST)
    else:
        nav.targets["p"] = (1, 0)
        nav.disabled.add("p")
    if part < parts - 1:
        nav.targets["n"] = (page, part + 1)
    elif page < pages:
        nav.targets["n"] = (page + 1, 0)
    else:
        nav.targets["n"] = (pages, part)
        nav.disabled.add("n")
    nav.targets["l"] = (pages, 0)
    if page >= pages:
        nav.disabled.add("l")
    return nav


def build_view(source: PageSource, page: Page) -> discord.ui.View | None:
    """The five buttons for ``page``, or ``None`` when there is nowhere else to go."""
    if page.pages <= 1 and page.parts <= 1:
        return None
    if not source.fits(page.pages):
        return None
    nav = navigation(page.page, page.pages, page.part, page.parts)
    view = discord.ui.View(timeout=None)
    before: tuple[Action, ...] = ("f", "p")
    after: tuple[Action, ...] = ("n", "l")
    for action in before:
        target, part = nav.targets[action]
        view.add_item(
            PageButton(
                source.custom_id(action, target, part),
                label=_LABELS[action],
                disabled=action in nav.disabled,
            )
        )
    label = f"{page.page} / {page.pages}"
    if page.parts > 1:
        label += f" · part {page.part + 1}/{page.parts}"
    view.add_item(
        JumpButton(
            source.custom_id("j", page.page, page.part),
            label=truncate(label, BUTTON_LABEL_MAX),
            disabled=page.pages <= 1,
        )
    )
    for action in after:
        target, part = nav.targets[action]
        view.add_item(
            PageButton(
                source.custom_id(action, target, part),
                label=_LABELS[action],
                disabled=action in nav.disabled,
            )
        )
    return view


async def show(
    interaction: discord.Interaction[Any],
    kind: str,
    thread_id: int,
    extra: str,
    *,
    page: int,
    part: int,
) -> None:
    """Answer a press: re-check the thread from the presser's guild, then edit the message."""
    try:
        source = await open_source(
            storage_of(interaction), interaction.guild_id, kind, thread_id, extra
        )
        rendered = await source.render(page, part)
    except UserFacingError as exc:
        await _refuse(interaction, exc.message)
        return
    except Exception:
        log.exception("page %s:%s:%s failed", kind, thread_id, page)
        await _refuse(interaction, "Something went wrong on my side; it has been logged.")
        return
    await interaction.response.edit_message(
        content=rendered.content,
        embeds=rendered.embeds,
        view=build_view(source, rendered),
    )


async def start(
    interaction: discord.Interaction[Any],
    source: PageSource,
    *,
    page: int = 1,
    part: int = 0,
    note: str | None = None,
) -> Page:
    """Send the first page of ``source`` publicly (as a follow-up if the command deferred)."""
    rendered = await source.render(page, part)
    view = build_view(source, rendered)
    content = note if note is not None else rendered.content
    kwargs: dict[str, Any] = {"embeds": rendered.embeds}
    if content:
        kwargs["content"] = content
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)
    return rendered


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (PageButton, JumpButton)
"""Registered by ``ThreadBot.setup_hook`` so presses on old messages keep working."""

__all__ = [
    "DYNAMIC_ITEMS",
    "JumpButton",
    "JumpModal",
    "PageButton",
    "build_view",
    "navigation",
    "show",
    "start",
]
