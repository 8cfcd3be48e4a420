"""Checking a language model's summary against the thread before anyone reads it.

The model is asked for a stance line and points that each cite comment numbers ``[#N]``
(:mod:`bot.summaries.prompts`). Each line of its answer is kept only when

* it cites at least one comment, and every comment it cites exists and was written by the
  person the line is about (for a person's summary, that person: the article, ``#0``, counts
  for its author; for a thread's, the people the line names — a line that names nobody may
  cite anyone);
* every passage it puts in quotation marks appears in the own words of a comment it cites
  (quoted paragraphs of others do not count, punctuation, case and curly quotes aside).

What fails is dropped and counted; when nothing survives, the summary stays offline.
Pure: an answer and the thread in, the kept lines and the count out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.models import ARTICLE, StoredComment, StoredThread
from bot.summaries.sentences import article_paragraphs, name_key

_CITE = re.compile(r"#\s?(\d{1,7})")
_QUOTED = re.compile(r"“([^”]{3,})”|\"([^\"]{3,})\"")
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)
MIN_QUOTE_WORDS = 2
"""Shorter quoted bits ("so-called") are wording, not quotations: not checked."""


@dataclass(frozen=True, slots=True)
class Checked:
    """The answer's lines that passed, and how many of its lines were dropped."""

    kept: tuple[str, ...]
    dropped: int

    @property
    def total(self) -> int:
        return len(self.kept) + self.dropped


def _flat(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def _lines(answer: str) -> list[str]:
    out = []
    for raw in answer.splitlines():
        line = raw.strip()
        if line and not set(line) <= set("-*_=#` "):
            out.append(line)
    return out


def check_answer(
    answer: str,
    thread: StoredThread,
    comments: Sequence[StoredComment],
    person: str | None,
) -> Checked:
    """The lines of ``answer`` that hold up (see the module docstring).

    ``person`` is whose summary it is, or ``None`` for the thread's.
    """
    by_number: dict[int, StoredComment] = {c.number: c for c in comments}
    own = {c.number: _flat(c.own_text) for c in comments}
    own[ARTICLE] = _flat(" ".join(article_paragraphs(thread)))
    author = {c.number: name_key(c.author) for c in comments}
    author[ARTICLE] = name_key(thread.author)
    people = {name_key(c.author): c.author for c in comments}
    if thread.author:
        people[name_key(thread.author)] = thread.author
    kept: list[str] = []
    dropped = 0
    for line in _lines(answer):
        if _holds(line, person, by_number, own, author, people):
            kept.append(line)
        else:
            dropped += 1
    return Checked(tuple(kept), dropped)


def _holds(
    line: str,
    person: str | None,
    by_number: Mapping[int, StoredComment],
    own: Mapping[int, str],
    author: Mapping[int, str],
    people: Mapping[str, str],
) -> bool:
    cited = [int(n) for n in _CITE.findall(line)]
    if not cited or any(n != ARTICLE and n not in by_number for n in cited):
        return False
    if person is not None:
        allowed = {name_key(person)}
    else:
        flat_line = _flat(line)
        allowed = {key for key in people if key and f" {_flat(key)} " in f" {flat_line} "}
    if allowed and any(author.get(n) not in allowed for n in cited):
        return False
    for match in _QUOTED.finditer(line):
        quoted = _flat(match.group(1) or match.group(2))
        if len(quoted.split()) < MIN_QUOTE_WORDS:
            continue
        if not any(quoted in own.get(n, "") for n in cited):
            return False
    return True
