"""A stable face for every commenter, without hosting any images.

Webhooks take an ``avatar_url`` that Discord fetches itself, so the image must
live at a public URL. Discord's own default avatars
(``https://cdn.discordapp.com/embed/avatars/0.png`` … ``5.png``) are always
there and involve no third party; the index comes from a hash of the folded
name, so the same person keeps the same face across replays, restarts and
machines (``hash()`` would change per process). Six faces collide often, so
embeds also get a per-name colour from the same hash, which is far more distinct.
"""

from __future__ import annotations

import colorsys
import hashlib
import unicodedata

DEFAULT_AVATAR_COUNT = 6
"""How many default avatars Discord serves under ``/embed/avatars/{n}.png``."""

_AVATAR_URL = "https://cdn.discordapp.com/embed/avatars/{index}.png"


def name_key(name: str) -> str:
    """The identity of a name: Unicode-normalised, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _digest(name: str) -> bytes:
    return hashlib.sha256(name_key(name).encode("utf-8")).digest()


def avatar_index(name: str) -> int:
    """Which of Discord's default avatars this name gets (0-5), the same everywhere."""
    return int.from_bytes(_digest(name)[:4], "big") % DEFAULT_AVATAR_COUNT


def avatar_url(name: str) -> str:
    """The webhook ``avatar_url`` for a commenter."""
    return _AVATAR_URL.format(index=avatar_index(name))


def author_colour(name: str) -> int:
    """A 24-bit embed colour for a commenter, bright enough to read on dark and light themes."""
    digest = _digest(name)
    hue = int.from_bytes(digest[4:6], "big") / 65536
    return _hsv(hue, 0.55, 0.85)


def _hsv(hue: float, saturation: float, value: float) -> int:
    r, g, b = colorsys.hsv_to_rgb(hue, saturation, value)
    return (round(r * 255) << 16) | (round(g * 255) << 8) | round(b * 255)
