"""Normalised words and sentences of a paragraph, the form quotes are compared in.

Words are folded (:func:`bot.text.fold`) and split at anything that is not a letter or
digit; sentences split at ``.``, ``!``, ``?`` and ``…``. Reply inference reads every
paragraph of every thread this way, so :class:`Normalised` does it in one regex pass
over the folded paragraph and cuts sentences out of that pass only when they are needed
(``test_words`` checks it against the plain definition: split the folded paragraph into
:func:`sentences`, then each sentence into :func:`words`).
"""

from __future__ import annotations

import re

from bot.text import fold_chars

MAX_WORD_CHARS = 40
"""Longer runs of letters are cut: no word is that long, and it bounds every compared text."""

_WORD = re.compile(rf"[^\W_]{{1,{MAX_WORD_CHARS}}}")
"""A word; a longer run of letters is cut into pieces (see ``MAX_WORD_CHARS``)."""
_SIC = re.compile(r"[\[(]\s*sic\s*!?\s*[\])]", re.IGNORECASE)
"""``[sic]``, ``(sic!)``: an editor's mark a commenter adds inside a quote."""
_ELLIPSIS = re.compile(r"…|\.\s*\.\s*\.|\[\s*(?:…|\.\.\.)\s*\]")
_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+|$)")


def words(text: str) -> list[str]:
    """Normalised words: folded, split at anything that is not a letter or digit.

    Quote marks and apostrophes are separators too, so ``“don’t”`` and
    ``don't`` both give ``don t``: the quote marks a commenter adds or changes
    do not matter.
    """
    return _WORD.findall(fold_chars(text))


def has_words(text: str) -> bool:
    """False for stray lines such as ``.`` or ``…`` that carry no words."""
    return _WORD.search(text) is not None


def sentences(text: str) -> list[str]:
    """Rough sentence split on ``.``, ``!``, ``?`` and ``…``; good enough for short quotes."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def segments(text: str) -> list[list[str]]:
    """The normalised words of the pieces an ellipsis cut leaves (one piece if there is no cut)."""
    return [w for w in (words(piece) for piece in _ELLIPSIS.split(_SIC.sub(" ", text))) if w]


def has_ellipsis(text: str) -> bool:
    return _ELLIPSIS.search(text) is not None


def _without_sic(text: str) -> str:
    return _SIC.sub(" ", text) if "[" in text or "(" in text else text


_WORD_OR_END = re.compile(rf"([^\W_]{{1,{MAX_WORD_CHARS}}})|[.!?…]+")
"""A word (the group), or a run of sentence ends (an empty string where a sentence ends)."""
_WORD_OR_END_NO_UNDERSCORE = re.compile(rf"(\w{{1,{MAX_WORD_CHARS}}})|[.!?…]+")
"""The same for text without ``_`` (the one character ``\\w`` adds), and faster."""
_ENDS = frozenset(".!?…")


class Normalised:
    """A paragraph read once for both looking it up and indexing it.

    The folded paragraph is read by one regex pass that yields its words and an empty
    string for each run of sentence ends; the sentences are cut out of that only when
    asked for. :func:`sentences` takes a sentence to be a stretch of other characters and
    the run of ends after it (or the end of the text), and drops blank ones; the folded
    text is stripped, so none is blank. Hence a run of ends closes a sentence unless it
    opens the paragraph, and text after the last run is one more sentence.
    """

    __slots__ = ("_items", "_sentences", "folded", "known_keys", "text", "words")

    def __init__(
        self, text: str, words: list[str], sentences: list[list[str]] | None = None
    ) -> None:
        self.text = text
        """The paragraph as written."""
        self.words = words
        """Its normalised words (``[sic]`` marks left out)."""
        self._sentences = sentences
        self._items: list[str] = []
        self.folded: str | None = None
        """The paragraph folded character by character (:func:`bot.text.fold_chars`), when
        it has no ``[sic]`` mark to leave out: its words are then all of the text's."""
        self.known_keys: list[int] | None = None
        """The shingle keys a :class:`~bot.inference.quotes.QuoteIndex` worked out for this
        paragraph once every word had its id there (ids never change, so neither do they)."""

    @classmethod
    def of(cls, text: str) -> Normalised:
        plain = _without_sic(text)
        folded = fold_chars(plain).strip()
        pattern = _WORD_OR_END if "_" in folded else _WORD_OR_END_NO_UNDERSCORE
        items = pattern.findall(folded)
        if "" not in items:
            made = cls(text, items, [items] if folded else [])
        else:
            made = cls(text, list(filter(None, items)))
            if folded[0] in _ENDS:
                del items[0]
            if folded[-1] not in _ENDS:
                items.append("")
            made._items = items
        if plain is text:
            made.folded = folded
        return made

    @property
    def sentences(self) -> list[list[str]]:
        """The words again, sentence by sentence (a sentence of punctuation alone has none)."""
        if self._sentences is None:
            items = self._items
            split = []
            start = 0
            for _ in range(items.count("")):
                end = items.index("", start)
                split.append(items[start:end])
                start = end + 1
            self._sentences = split
        return self._sentences
