"""A stable face and colour per commenter, the same on every machine."""

from __future__ import annotations

import re

from bot.replay.avatars import DEFAULT_AVATAR_COUNT, author_colour, avatar_index, avatar_url


def test_avatars_are_stable_and_per_name() -> None:
    assert avatar_url("Bithead") == avatar_url("bithead") == avatar_url(" Bithead ")
    assert re.fullmatch(r"https://cdn\.discordapp\.com/embed/avatars/[0-5]\.png", avatar_url("x"))
    indexes = {avatar_index(f"person {i}") for i in range(200)}
    assert indexes == set(range(DEFAULT_AVATAR_COUNT))
    # Fixed values: the same on every machine and Python run (no salted hash()).
    assert avatar_index("glasnost") == avatar_index("GLASNOST")
    assert author_colour("glasnost") == author_colour("glasnost") != author_colour("Bithead")
    assert 0 <= author_colour("anyone") <= 0xFFFFFF
