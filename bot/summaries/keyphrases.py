"""Key phrases: noun phrases that name what was talked about, or none.

Candidates are runs of one to three content words between function words and punctuation,
ranked by how often they occur (longer runs and names a little higher). Without a
part-of-speech model, a phrase counts as a noun phrase when no function word sits inside it
("risk of landing", "order to provide" and "border and varied" are out), it ends in no verb
or adverb form ("-ing", "-ed", "-ly"), names no weekday or month ("Green Zone Tuesday"), and
it recurs: a name capitalised mid-sentence once is enough, any other phrase must occur at
least twice ("landing square" was a one-off slice of a sentence), a single plain word four
times. Kept phrases share no word. (yake, used before, took a second per 20,000 characters;
this is a single pass.)
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.models import StoredComment
from bot.summaries.sentences import LETTER, WORD, evenly, normalise, stem, stopwords
from bot.text import fold

MAX_PHRASES = 5
MIN_REPEATS = 2
"""Times a phrase that is not a capitalised name must occur to be a topic, not a scrap."""
MIN_WORD_REPEATS = 4
"""A single lowercase word must be a running theme, not a word that came up."""
_CALENDAR = frozenset(
    (
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december", "today", "yesterday"),
    )
)
_VERBAL = ("ing", "ed", "ly")
_SENTENCES = re.compile(r"(?<=[.!?…])\s+|\n+")
_BREAK = re.compile(r"[,;:()\[\]\"“”‘’—–/]+|\s-\s|[.!?…]+")
CANDIDATES = 60
"""Best-ranked candidates looked at; the filters rarely go past the first twenty."""
KEYWORD_TEXT_MAX = 16_000
"""Characters read at most: a bigger text is represented by an even sample of its
paragraphs (16,000 characters of a big thread name its topics as well as all of it)."""
COMMON_SAMPLE = 4000
"""Comments read to find the words everybody uses (an even sample of a bigger thread)."""


def key_phrases(
    texts: Iterable[str],
    *,
    exclude: Iterable[str] = (),
    common: Iterable[str] = (),
    top: int = MAX_PHRASES,
) -> tuple[str, ...]:
    """Up to ``top`` noun phrases of ``texts`` (see the module docstring), best first.

    Left out: names in ``exclude`` (who is shown elsewhere), single words in ``common``
    (what everybody in the thread talks about says little about one person).
    """
    text = _sample_text([normalise(t) for t in texts], KEYWORD_TEXT_MAX)
    if not LETTER.search(text):
        return ()
    stop = stopwords()
    banned = {w for name in exclude if name.strip() for w in WORD.findall(fold(name))}
    ordinary = {fold(w) for w in common}
    phrases: list[str] = []
    kept: list[set[str]] = []
    found = _candidates(text, stop)
    for phrase in found:
        words = WORD.findall(fold(phrase))
        if not words or any(w in banned for w in words):
            continue
        if sum(len(w) for w in words) < 4 or all(w.isdigit() for w in words):
            continue
        if len(words) == 1 and words[0] in ordinary:
            continue
        if not _noun_phrase(words, found[phrase]):
            continue
        bag = {stem(w) for w in words}
        if any(bag & other for other in kept):
            continue
        kept.append(bag)
        phrases.append(phrase)
        if len(phrases) == top:
            break
    return tuple(phrases)


def _sample_text(texts: Sequence[str], most: int) -> str:
    """``texts`` joined, or an even sample of them about ``most`` characters long."""
    total = sum(len(t) + 2 for t in texts)
    if total <= most:
        return "\n\n".join(texts)
    share = max(1, round(len(texts) * most / total))
    return "\n\n".join(evenly(texts, share))[:most]


@dataclass(slots=True)
class _Seen:
    count: int = 0
    named: bool = False
    """Capitalised word for word somewhere other than at the start of a sentence."""

    def score(self, words: int) -> float:
        return self.count * (1.0 + 0.6 * (words - 1)) * (1.5 if self.named else 1.0)


def _candidates(text: str, stop: frozenset[str]) -> dict[str, _Seen]:
    """Runs of one to three content words between function words and punctuation, as first
    written, with how often each occurs; best first (the dict keeps that order)."""
    seen: dict[str, _Seen] = {}
    surface: dict[str, str] = {}
    for sentence in _SENTENCES.split(text):
        for c, chunk in enumerate(_BREAK.split(sentence)):
            run: list[tuple[str, bool]] = []
            for t, token in enumerate([*chunk.split(), ""]):
                word = token.strip("'’-")
                key = word.casefold()
                if not word or key in stop or not WORD.fullmatch(key) or len(key) < 2:
                    _count(run, seen, surface)
                    run = []
                else:
                    run.append((word, c > 0 or t > 0))
    ranked = sorted(seen.items(), key=lambda kv: (-kv[1].score(len(kv[0].split())), kv[0]))
    return {surface[key]: info for key, info in ranked}


def _count(run: list[tuple[str, bool]], seen: dict[str, _Seen], surface: dict[str, str]) -> None:
    for n in (1, 2, 3):
        for i in range(len(run) - n + 1):
            gram = run[i : i + n]
            key = " ".join(w.casefold() for w, _ in gram)
            info = seen.setdefault(key, _Seen())
            surface.setdefault(key, " ".join(w for w, _ in gram))
            info.count += 1
            if gram[0][1] and all(w[:1].isupper() for w, _ in gram):
                info.named = True


def _noun_phrase(words: Sequence[str], info: _Seen) -> bool:
    if any(w in _CALENDAR for w in words):
        return False
    if words[-1].endswith(_VERBAL) or (len(words) == 1 and words[0].endswith(_VERBAL)):
        return False
    needed = MIN_REPEATS if len(words) > 1 else MIN_WORD_REPEATS
    return info.named or info.count >= needed


def common_words(comments: Sequence[StoredComment], share: float = 0.5) -> set[str]:
    """Words in the own text of at least ``share`` of the commenters (and at least three)."""
    people: dict[str, set[str]] = defaultdict(set)
    for c in evenly(comments, COMMON_SAMPLE):
        people[fold(c.author)].update(WORD.findall(normalise(c.own_text).casefold()))
    if len(people) < 3:
        return set()
    counts: Counter[str] = Counter(w for words in people.values() for w in words)
    needed = max(3, math.ceil(share * len(people)))
    return {fold(w) for w, n in counts.items() if n >= needed}
