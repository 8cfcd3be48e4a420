"""Free user input as a full-text query, for each backend, with the same meaning.

A search matches a comment when every word of the query occurs in the comment's own
words, ignoring case and accents, the last word as a prefix (so results narrow while
someone types). Words are what ``\\w+`` finds; at most 32 count. Nothing the user
types is query syntax: SQLite gets every word as a quoted FTS5 string, PostgreSQL a
``tsquery`` assembled here from letters and digits only.

SQLite's FTS5 ``unicode61`` tokenizer splits text into runs of letters and digits and
folds case and diacritics. PostgreSQL's own text parser differs (it keeps URLs, e-mail
addresses and hyphenated words as tokens, and with a C locale counts every non-ASCII
character as a letter), so for PostgreSQL the same split is made here, in Python, on
both sides: :func:`ts_document` turns a comment's text into a ``tsvector`` literal and
:func:`ts_query` a user's query into a ``tsquery`` literal, from the same tokens.
"""

from __future__ import annotations

import re

from bot.text import fold

MAX_WORDS = 32
"""Query words beyond this many are ignored (both backends)."""

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"[^\W_]+")
_MAX_LEXEME = 255
"""Characters kept of one token: PostgreSQL refuses lexemes over 2 KB, and nobody
searches for a longer word."""
_MAX_POSITION = 16_383
"""The largest position a ``tsvector`` stores; later words count at this position."""
_MAX_POSITIONS_PER_LEXEME = 256
_MAX_DOCUMENT_CHARS = 400_000
"""Lexeme characters kept per comment: a ``tsvector`` holds at most 1 MB."""


def fts_query(text: str) -> str | None:
    """Turn free user input into a safe FTS5 query: every word quoted, AND-ed, last one a prefix.

    Returns ``None`` when the input has no searchable word at all.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words[:MAX_WORDS]]
    quoted[-1] += "*"
    return " ".join(quoted)


def tokens(text: str) -> list[str]:
    """Case- and accent-folded runs of letters and digits, as FTS5's ``unicode61`` splits."""
    return [t[:_MAX_LEXEME] for t in _TOKEN.findall(fold(text))]


def ts_document(text: str) -> str:
    """A ``tsvector`` literal of ``text``'s tokens with their positions (for phrases)."""
    positions: dict[str, list[int]] = {}
    size = 0
    for n, token in enumerate(tokens(text), start=1):
        seen = positions.get(token)
        if seen is None:
            size += len(token)
            if size > _MAX_DOCUMENT_CHARS:
                break
            positions[token] = seen = []
        if len(seen) < _MAX_POSITIONS_PER_LEXEME:
            seen.append(min(n, _MAX_POSITION))
    return " ".join(
        f"'{token}':{','.join(map(str, sorted(set(places))))}"
        for token, places in positions.items()
    )


def ts_query(text: str) -> str | None:
    """A ``tsquery`` literal meaning what :func:`fts_query` means to FTS5, or ``None``.

    A query word that splits into several tokens (``foo_bar``) must match them as a
    phrase, as FTS5 matches a quoted string; a word with no letter or digit at all
    (``_``) is left out, as FTS5 ignores an empty phrase.
    """
    # Folded before it is split, as the document is: a character that only becomes a
    # letter when folded (a circled letter, say) must not split the word here alone.
    words = _WORD.findall(fold(text))[:MAX_WORDS]
    groups = [parts for parts in (tokens(w) for w in words) if parts]
    if not groups:
        return None
    terms = []
    for i, parts in enumerate(groups):
        quoted = [f"'{p}'" for p in parts]
        if i == len(groups) - 1:
            quoted[-1] += ":*"
        terms.append(quoted[0] if len(quoted) == 1 else "(" + " <-> ".join(quoted) + ")")
    return " & ".join(terms)
