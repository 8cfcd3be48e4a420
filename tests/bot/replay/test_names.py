"""Webhook usernames: whatever the thread file says, Discord accepts the name we send.

Discord's rules (the fake Discord in tests/fakediscord/limits.py applies the same):
no "discord" or "clyde" in any case, not exactly "everyone" or "here", 1-80 characters.
The check here reads names more strictly than Discord is known to (compatibility forms,
case folding, invisible characters left out), so look-alikes cannot slip through.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.replay.names import webhook_username

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164", "\u2800"]
"""Zero-width space/joiners, word joiner, BOM, soft hyphen, Hangul filler, blank Braille."""


def strict_fold(name: str) -> str:
    """The name as the strictest check would read it: format characters and combining
    marks dropped, compatibility forms, case-folded."""
    kept = "".join(
        c
        for c in name
        if unicodedata.category(c) not in ("Cf", "Mn", "Me") and c not in "\u3164\u2800"
    )
    return unicodedata.normalize("NFKC", kept).casefold()


def assert_accepted(username: str) -> None:
    assert 1 < len(username) <= 80
    for reading in (username.lower(), username.casefold(), strict_fold(username)):
        assert "discord" not in reading and "clyde" not in reading, repr(username)
    assert strict_fold(username).strip() not in ("everyone", "here"), repr(username)
    assert username.strip() and username == username.strip()


@pytest.mark.parametrize(
    "name",
    [
        "Discord Fan",
        "CLYDE",
        "the clyde discord",
        "everyone",
        "Here",
        " here ",
        "x",
        "",
        "  ",
        "a" * 200,
        "Discordiscord",
        "clydeclyde",
        "DISCORDISCORDISCORD",
        "ＤＩＳＣＯＲＤ",
        "diſcord",
        "dis\u200bcord",
        "c\u0301lyde",
        "\u200beveryone\u200b",
        "\u17b5 everyone",
        "x" * 79 + "discord",
    ],
)
def test_names_discord_refuses_are_made_acceptable(name: str) -> None:
    username = webhook_username(name)
    assert_accepted(username)
    assert webhook_username(username) == username


def test_names_keep_reading_the_same() -> None:
    assert webhook_username("John Γιάννης Doe") == "John Γιάννης Doe"
    assert webhook_username("Discord Fan") == "D\u200aiscord Fan"
    # Two overlapping words: breaking the first leaves the second, which is broken too.
    assert webhook_username("Discordiscord") == "D\u200aiscord\u200aiscord"
    assert webhook_username("  Bit   head ") == "Bit head"
    assert webhook_username("here and there") == "here and there"  # only the exact name
    assert webhook_username("x") == "x\u17b5"


@pytest.mark.parametrize("name", ["", "   ", "\u200b\u200b", "\u200d\u3164 \u2800", "\ufeff\n\t"])
def test_names_that_show_nothing_become_anonymous(name: str) -> None:
    assert webhook_username(name) == "Anonymous"


PIECES = ["discord", "Discord", "DISCORD", "clyde", "Clyde", "iscord", "lyde", "d", "c", "D"]
PIECES += ["everyone", "here", "Here", "ſ", "ＤＩＳＣＯＲＤ", " ", "\u200a", "\u17b5", *INVISIBLE]
words = st.sampled_from(PIECES)
names = st.lists(words | st.characters(), max_size=60).map("".join) | st.text(max_size=300)


@given(names)
@example("Discordiscord")
@example("d\u200ais\u200bcord")
@example("\u200bhere")
def test_any_name_becomes_an_accepted_name_and_stays_it(name: str) -> None:
    username = webhook_username(name)
    assert_accepted(username)
    assert webhook_username(username) == username
