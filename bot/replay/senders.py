"""Sending one planned message: as its author through the channel webhook, or as an embed.

A send returns once Discord has the message (webhooks post with ``wait=True``) and
raises ``discord.HTTPException`` when it did not take it; no mention ever pings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

import discord

from bot.replay.names import ANONYMOUS
from bot.replay.plan import Post
from bot.storage import ReplayMode

log = logging.getLogger(__name__)

WEBHOOK_NAME = "threadbot replays"
"""Name of the one webhook per channel the bot creates and reuses."""

NO_MENTIONS = discord.AllowedMentions.none()


class Sender(Protocol):
    """Posts one planned message; raises ``discord.HTTPException`` on failure."""

    mode: ReplayMode

    async def send(self, post: Post) -> None: ...


@dataclass(slots=True)
class WebhookSender:
    """Posts as the author through the channel's webhook (``thread`` for threads and posts).

    Should Discord still refuse a name (a rule the sanitiser does not know), the message goes
    out once more as "Anonymous", and so do that name's later messages: a 400 means
    nothing was posted, so the retry cannot post twice.
    """

    webhook: discord.Webhook
    thread: discord.abc.Snowflake | None = None
    mode: ReplayMode = "webhook"
    refused: set[str] = field(default_factory=set)
    """Usernames Discord refused during this replay."""

    async def send(self, post: Post) -> None:
        username = post.persona.username
        if username in self.refused:
            username = ANONYMOUS
        try:
            await self._execute(post, username)
        except discord.HTTPException as exc:
            if username == ANONYMOUS or not refuses_username(exc):
                raise
            log.warning(
                "Discord refused the webhook name %r (%s); posting as %s",
                username,
                exc.text,
                ANONYMOUS,
            )
            self.refused.add(username)
            await self._execute(post, ANONYMOUS)

    async def _execute(self, post: Post, username: str) -> None:
        await self.webhook.send(
            post.content,
            username=username,
            avatar_url=post.persona.avatar_url,
            thread=self.thread if self.thread is not None else discord.utils.MISSING,
            allowed_mentions=NO_MENTIONS,
            wait=True,
        )


def refuses_username(exc: discord.HTTPException) -> bool:
    """Whether Discord's answer is a 400 Invalid Form Body (50035) about ``username``."""
    return (
        exc.status == 400
        and exc.code == 50035
        and any(line.startswith("In username:") for line in exc.text.splitlines())
    )


@dataclass(slots=True)
class EmbedSender:
    """Posts as the bot, with the author as the embed's title."""

    target: discord.abc.Messageable
    mode: ReplayMode = "embed"

    async def send(self, post: Post) -> None:
        await self.target.send(embed=post.embed(), allowed_mentions=NO_MENTIONS)


def webhook_sender(webhook: discord.Webhook, target: Any) -> WebhookSender:
    """Posts into ``target``: a thread or forum post is named on each message."""
    return WebhookSender(webhook, target if isinstance(target, discord.Thread) else None)


EMBED_NOTICE = (
    "I can't use a webhook here (I need the **Manage Webhooks** permission), so comments "
    "are shown as embeds with the author as title instead of under each author's name."
)
