"""Senders: the webhook posts as the author, the embed as the bot; neither pings."""

from __future__ import annotations

from bot.replay.senders import EmbedSender, WebhookSender


def test_senders_pass_no_mentions() -> None:
    assert WebhookSender.__dataclass_fields__["mode"].default == "webhook"
    assert EmbedSender.__dataclass_fields__["mode"].default == "embed"
