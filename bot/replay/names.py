"""Webhook usernames Discord accepts, for any name a thread file may hold.

Discord refuses a webhook ``username`` that contains "discord" or "clyde" in any
case, that is exactly "everyone" or "here", or that is not 1-80 characters long;
one refused name would fail a whole replay. A hair space inside the word breaks it
without changing how the name reads (PluralKit does the same). The words are looked
for in a folded form of the name (compatibility forms, case-folded, invisible
characters left out), so look-alikes such as "ＤＩＳＣＯＲＤ", "diſcord" or
"dis\\u200bcord" are broken too, and breaking repeats until none is left:
"Discordiscord" holds two overlapping words. Names with nothing visible in them
would make invisible personas and become "Anonymous".
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata

from bot.text import truncate

WEBHOOK_USERNAME_MAX = 80
ANONYMOUS = "Anonymous"
"""The name for people whose name shows nothing (and the fallback when Discord refuses one)."""

FORBIDDEN_WORDS = ("discord", "clyde")
RESERVED_NAMES = ("everyone", "here")

_HAIR_SPACE = "\u200a"
_SINGLE_NAME_PAD = "\u17b5"
"""Makes a one-character name two characters long without showing anything."""
_FORBIDDEN = re.compile("|".join(FORBIDDEN_WORDS))
_WHITESPACE_RUN = re.compile(r"\s+")

_IGNORED = frozenset({"Cf", "Mn", "Me"})
"""Categories left out of the folded name: format characters (zero-width spaces, joiners)
and combining marks, which a name check may well strip before comparing."""
_INVISIBLE = _IGNORED | {"Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
"""Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern)."""


def webhook_username(name: str) -> str:
    """A webhook ``username`` Discord accepts that still reads as ``name``.

    Stable: applied to its own result it changes nothing.
    """
    name = _collapse(
        "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cs") or c.isspace())
    )[: WEBHOOK_USERNAME_MAX * 2]  # bounds the work below; the name is cut to 80 anyway
    if not has_visible(name):
        return ANONYMOUS
    name = _break_words(name)
    if _folded(name).strip() in RESERVED_NAMES:
        # After the first letter: after a leading space or mark, a strict check would
        # still read the bare word.
        first = next(i for i, c in enumerate(name) if _fold(c).strip())
        name = name[: first + 1] + _HAIR_SPACE + name[first + 1 :]
    # A cut keeps a prefix and adds "…": it can make no word, and leaves something visible.
    name = truncate(name, WEBHOOK_USERNAME_MAX)
    if len(name) == 1:
        name += _SINGLE_NAME_PAD
    return name


def _collapse(text: str) -> str:
    """Whitespace runs as one space, except a lone hair space, which stays (it is ours)."""
    return _WHITESPACE_RUN.sub(lambda m: m[0] if m[0] == _HAIR_SPACE else " ", text).strip()


def has_visible(name: str) -> bool:
    """Whether ``name`` shows anything: not only spaces, zero-width or format characters."""
    return any(unicodedata.category(c) not in _INVISIBLE and c not in _FILLERS for c in name)


def _fold(char: str) -> str:
    """How a name check may read one character: compatibility form, case-folded;
    invisible characters read as nothing."""
    if unicodedata.category(char) in _IGNORED or char in _FILLERS:
        return ""
    return unicodedata.normalize("NFKC", char).casefold()


def _folded(name: str) -> str:
    return "".join(_fold(c) for c in name)


def _break_words(name: str) -> str:
    """Insert hair spaces until no forbidden word is left in the folded name.

    Each round breaks the leftmost word right after its first character and makes
    no new one (a space is no letter), so it ends after at most one round per word.
    """
    while True:
        folds = [_fold(c) for c in name]
        found = _FORBIDDEN.search("".join(folds))
        if found is None:
            return name
        ends = list(itertools.accumulate(len(f) for f in folds))
        first = bisect.bisect_right(ends, found.start())  # the character the word starts in
        if ends[first] >= found.end():
            # One character that folds to the whole word: no room for a space, drop it.
            name = name[:first] + name[first + 1 :]
        else:
            name = name[: first + 1] + _HAIR_SPACE + name[first + 1 :]
