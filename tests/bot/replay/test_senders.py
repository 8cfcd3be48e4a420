"""Senders: the webhook posts as the author, the embed as the bot; neither pings; a name
Discord refuses is posted once more as "Anonymous" instead of failing the replay."""

from __future__ import annotations

from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.replay.plan import Persona, Post
from bot.replay.senders import EmbedSender, WebhookSender, refuses_username
from tests.bot.replay.conftest import no_mentions


def post(author: str, seq: int = 1) -> Post:
    return Post(
        seq=seq, part=0, parts=1, persona=Persona(author), header="-# #1", body="hi", title=author
    )


def invalid_form_body(field: str, code: str, message: str) -> discord.HTTPException:
    """What discord.py raises for Discord's 400 Invalid Form Body (code 50035)."""
    response = MagicMock(status=400, reason="Bad Request", headers={})
    errors = {field: {"_errors": [{"code": code, "message": message}]}}
    return discord.HTTPException(
        response, {"code": 50035, "message": "Invalid Form Body", "errors": errors}
    )


REFUSED_NAME = invalid_form_body(
    "username", "USERNAME_INVALID_CONTAINS", 'Username cannot contain "bob"'
)


class Hook:
    """A webhook that refuses the usernames in ``refuse`` like Discord, and logs the rest."""

    def __init__(self, refuse: set[str] = frozenset(), error: Any = REFUSED_NAME) -> None:
        self.refuse = refuse
        self.error = error
        self.tried: list[str] = []
        self.posted: list[dict[str, Any]] = []

    async def send(self, content: str, **kwargs: Any) -> None:
        self.tried.append(kwargs["username"])
        if kwargs["username"] in self.refuse:
            raise self.error
        self.posted.append({"content": content, **kwargs})


async def test_the_webhook_posts_as_the_author_and_pings_no_one() -> None:
    hook = Hook()
    thread = discord.Object(77)
    await WebhookSender(hook, thread).send(post("Discord Fan"))
    (sent,) = hook.posted
    assert sent["content"] == "-# #1\nhi"
    assert sent["username"] == "D\u200aiscord Fan"
    assert sent["avatar_url"] == Persona("Discord Fan").avatar_url
    assert sent["thread"] is thread and sent["wait"] is True
    assert no_mentions(sent["allowed_mentions"])
    await WebhookSender(hook).send(post("Ann"))
    assert hook.posted[-1]["thread"] is discord.utils.MISSING


async def test_a_refused_name_is_posted_as_anonymous_once_asked() -> None:
    hook = Hook(refuse={"Bob"})
    sender = WebhookSender(hook)
    for author in ("Bob", "Ann", "Bob"):
        await sender.send(post(author))
    assert [m["username"] for m in hook.posted] == ["Anonymous", "Ann", "Anonymous"]
    # Discord was asked with the name once: the second post of Bob went as Anonymous at once.
    assert hook.tried == ["Bob", "Anonymous", "Ann", "Anonymous"]
    assert sender.refused == {"Bob"}


async def test_other_refusals_are_not_retried() -> None:
    content = invalid_form_body("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer")
    hook = Hook(refuse={"Bob"}, error=content)
    with pytest.raises(discord.HTTPException):
        await WebhookSender(hook).send(post("Bob"))
    assert hook.tried == ["Bob"]
    # Anonymous itself refused: nothing left to try, the error goes up to the run loop.
    anonymous = Hook(refuse={"Anonymous"})
    with pytest.raises(discord.HTTPException):
        await WebhookSender(anonymous).send(post("\u200b"))
    assert anonymous.tried == ["Anonymous"]


def test_refuses_username_reads_discord_s_answer() -> None:
    assert refuses_username(REFUSED_NAME)
    reserved = invalid_form_body("username", "USERNAME_INVALID", 'Username cannot be "here"')
    assert refuses_username(reserved)
    assert not refuses_username(invalid_form_body("content", "BASE_TYPE_MAX_LENGTH", "long"))
    forbidden = discord.Forbidden(MagicMock(status=403, reason="x", headers={}), "Missing Access")
    assert not refuses_username(forbidden)


async def test_embeds_post_as_the_bot_and_ping_no_one() -> None:
    target = MagicMock(spec=discord.TextChannel)
    target.send = AsyncMock()
    await EmbedSender(target).send(post("Ann"))
    kwargs = target.send.await_args.kwargs
    assert kwargs["embed"].title == "Ann" and kwargs["embed"].description == "hi"
    assert no_mentions(kwargs["allowed_mentions"])
