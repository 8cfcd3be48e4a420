"""The thread's text as sentences and words: what sentence choice and key phrases work on.

``pysbd`` splits sentences by rules (it knows "U.S." and "Adm." are not sentence ends);
it downloads no model and gives the same answer for the same text. Only paragraphs of a
person's own are ever cut into candidate sentences: quoted paragraphs are left out here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import TypeVar

import pysbd  # type: ignore[import-untyped]

from bot.models import ARTICLE, ELISION, StoredComment, StoredThread
from bot.summaries.results import KeySentence
from bot.text import fold

T = TypeVar("T")

WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+", re.UNICODE)
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_SENTENCE_FALLBACK = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")


def normalise(text: str) -> str:
    """Typographic apostrophes as ASCII, so "don’t" and "don't" are one word."""
    return text.replace("’", "'").replace("‘", "'")


@functools.cache
def stopwords() -> frozenset[str]:
    """yake's English stopword list, so sentence choice and key phrases skip the same words.

    Imported here, not at the top: yake brings numpy (about 27 MB), and the bot process
    imports this module for its prompts but computes summaries only in workers."""
    import yake  # type: ignore[import-untyped]

    words: set[str] = yake.KeywordExtractor(lan="en").stopword_set
    return frozenset(normalise(w.lower()) for w in words)


@functools.lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A light suffix stripper: enough for "attacks"/"attack", cheap and predictable."""
    for suffix, keep in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


@functools.lru_cache(maxsize=65_536)
def name_key(name: str) -> str:
    """:func:`bot.text.fold` of a person's name, remembered: a big thread folds the same few
    thousand names hundreds of thousands of times."""
    return fold(name)


def evenly(items: Sequence[T], most: int) -> list[T]:
    """At most ``most`` of ``items``, evenly spaced and in order: a deterministic sample, so
    work over a whole thread stays bounded however long the thread is."""
    if len(items) <= most:
        return list(items)
    step = len(items) / most
    return [items[int(i * step)] for i in range(most)]


def content_words(text: str) -> list[str]:
    """Stemmed words that carry meaning: lowercase, no stopwords, no one-letter words."""
    stop = stopwords()
    words = (w for w in WORD.findall(normalise(text).lower()) if len(w) > 1)
    return [stem(w) for w in words if w not in stop and not w.endswith("'t")]


@functools.lru_cache(maxsize=16_384)
def split_sentences(paragraph: str) -> tuple[str, ...]:
    """Sentences of one paragraph, each an exact substring of it (whitespace aside).

    Cached: pysbd takes milliseconds a paragraph, and every summary of a thread splits
    the whole thread again (the IDF counts every sentence).
    """
    out: list[str] = []
    segmenter = pysbd.Segmenter(language="en", clean=False)
    for line in paragraph.splitlines():
        if not line.strip():
            continue
        pieces = [p.strip() for p in segmenter.segment(line)]
        if not all(p in line for p in pieces):
            # pysbd promises not to change the text; if it ever does, fall back to rules.
            pieces = [p.strip() for p in _SENTENCE_FALLBACK.split(line)]
        for piece in pieces:
            if not LETTER.search(piece):
                continue
            if out and piece[0].islower():
                # "True… NOW…. not 30 years ago": an ellipsis is not a sentence end here.
                out[-1] = f"{out[-1]} {piece}"
            else:
                out.append(piece)
    return tuple(out)


# ---- the thread's text as sentences ------------------------------------------------------


def article_paragraphs(thread: StoredThread) -> list[str]:
    paragraphs = [thread.lede] if thread.lede else []
    return paragraphs + [p for p in thread.body if p != ELISION]


def own_sentences(comment: StoredComment) -> list[KeySentence]:
    """The sentences of a comment's own paragraphs: what it quoted is left out."""
    return [
        KeySentence(comment.number, comment.seq, s, k, i == 0)
        for k, p in enumerate(comment.paragraphs)
        if p.own
        for i, s in enumerate(split_sentences(p.text))
    ]


def paragraph_sentences(paragraphs: Iterable[str]) -> list[KeySentence]:
    return [
        KeySentence(ARTICLE, ARTICLE, s, k, i == 0)
        for k, p in enumerate(paragraphs)
        for i, s in enumerate(split_sentences(p))
    ]


def article_sentences(thread: StoredThread) -> list[KeySentence]:
    return paragraph_sentences(article_paragraphs(thread))
