"""Ranking names against what someone has typed so far: prefix matches first, then fuzzy.

Pure functions over strings, so autocomplete and "did you mean" suggestions share one
notion of closeness and are tested without Discord. Matching is case- and
accent-insensitive (``juho`` finds ``Juho§``, ``cafe`` finds ``Café``).
"""

from __future__ import annotations

from collections.abc import Sequence

from discord import app_commands
from rapidfuzz import fuzz, process

from bot.text import fold, truncate
from bot.ui.limits import AUTOCOMPLETE_CHOICES_MAX, CHOICE_NAME_MAX, CHOICE_VALUE_MAX

FUZZY_CUTOFF = 60.0
SUGGEST_CUTOFF = 45.0


def rank(
    query: str,
    labels: Sequence[str],
    *,
    aliases: Sequence[Sequence[str]] = (),
    limit: int = AUTOCOMPLETE_CHOICES_MAX,
    cutoff: float = FUZZY_CUTOFF,
    empty_returns_all: bool = True,
) -> list[int]:
    """Indices into ``labels`` of the best matches for ``query``, best first, at most ``limit``.

    Order: labels starting with the query, then labels with a word starting with it
    (or an alias such as a slug or id starting with it), each in input order; then
    fuzzy matches by score. ``aliases[i]`` are extra keys for ``labels[i]``. An empty
    query returns the first ``limit`` labels (or none when ``empty_returns_all`` is off).
    """
    if limit <= 0:
        return []
    q = fold(query)
    if not q:
        return list(range(min(limit, len(labels)))) if empty_returns_all else []
    folded = [fold(label) for label in labels]
    starts: list[int] = []
    words: list[int] = []
    for i, name in enumerate(folded):
        keys = [fold(a) for a in aliases[i]] if i < len(aliases) else []
        if name.startswith(q) or any(k == q for k in keys):
            starts.append(i)
        elif any(w.startswith(q) for w in name.split()) or any(k.startswith(q) for k in keys):
            words.append(i)
    chosen = (starts + words)[:limit]
    if len(chosen) < limit:
        taken = set(chosen)
        fuzzy = process.extract(
            q,
            {i: name for i, name in enumerate(folded) if i not in taken},
            scorer=fuzz.WRatio,
            limit=limit - len(chosen),
            score_cutoff=cutoff,
        )
        chosen.extend(int(key) for _, _, key in fuzzy)
    return chosen


def suggest(query: str, labels: Sequence[str], *, limit: int = 5) -> list[str]:
    """Up to ``limit`` distinct labels close to ``query``, for a "did you mean" message."""
    out: list[str] = []
    for i in rank(query, labels, limit=limit * 2, cutoff=SUGGEST_CUTOFF, empty_returns_all=False):
        if labels[i] not in out:
            out.append(labels[i])
        if len(out) == limit:
            break
    return out


def choice(name: str, value: str) -> app_commands.Choice[str]:
    """An autocomplete choice whose name and value are within Discord's 100 characters."""
    return app_commands.Choice(
        name=truncate(" ".join(name.split()) or value, CHOICE_NAME_MAX),
        value=value[:CHOICE_VALUE_MAX],
    )
