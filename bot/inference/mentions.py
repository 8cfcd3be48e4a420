"""Who a paragraph addresses by name: ``DC,``, ``Well, Bit,``, ``@Juho§``, ``…, James.``

Names are only taken in addressing position, because commenters' names are
often ordinary words (``legion``, ``tequila``, ``Michael`` in a link). The
positions that count:

* ``@Name`` anywhere;
* at the start of a sentence, or after a greeting such as ``Well,`` / ``So,`` /
  ``Hi``, followed by ``,`` ``:`` ``!`` or a dash (``So, Bithead, under what…``);
* after a salutation with no punctuation (``Hi Michael you…``, ``Thank you
  Michael.``), but not after an opener such as ``But`` or ``So`` with no comma
  (``But DC has it right`` speaks *about* DC);
* after a greeting and its comma, closing the sentence or followed by a
  second-person word (``Ah, Michael.``; ``Yes, Michael is right`` is about him);
* a vocative between a comma and the end of a sentence or another comma
  (``I'm not sure I buy that one, either, DC.``);
* the very start of the paragraph, spelled exactly as the name is, followed by
  a second-person word (``Bithead you're wrong``; ``Bithead is wrong`` is about him).

Short forms: the first word of a longer name (``DC`` for ``DC Loser``) and,
only where the punctuation makes the address unmistakable, a prefix of at
least three letters (``Bit`` for ``Bithead``).

Only people who commented earlier (and the post author) can be addressed; a
lookup costs a few dictionary probes per word, whatever the number of names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import fold


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


GREETINGS = _wordset(
    """
    well so hi hey hello dear ok okay oh ah yes no yeah nope sorry thanks thank you look
    listen um uh er right now see yo gee wow and but sir again heh ha lol true indeed agreed
    sure hmm hmmm please
    """
)
"""Words that may stand between the start of a sentence and the name addressed."""

SECOND_PERSON = _wordset("you you're youre you've you'd you'll your yours yourself u ur")
"""Words after a bare name at the start of a paragraph that show it is spoken to."""

SALUTATIONS = _wordset("hi hey hello dear yo thanks howdy")
"""Greetings that address the next name even with no comma between them."""

STOPWORDS = (
    _wordset(
        """
        a about after again all also an and any are as at be because been before but by can
        could did do does even every for from had has have he her here him his how i if in
        into is it its just let like many may me might more most much must my never no not
        now of on once one only or other our out over perhaps really she should since so
        some still such than that the their them then there these they this those though to
        too under until up us very was we were what when where which while who whom why will
        with would yes yet you your mr mrs ms dr
        """
    )
    | GREETINGS
)
"""Words never taken as a first name or short form: too common to mean a person."""

_EDGE = "\"'“”‘’«»()[]<>*_"
_PUNCT = ",.:;!?…"
_TRAIL = _PUNCT + _EDGE
_SENTENCE_END = ".!?…"
_STRONG = ",:!"
_DASHES = frozenset({"-", "–", "—", "--"})
_MAX_NAME_WORDS = 3
_MIN_PREFIX = 3
_MAX_PREFIX = 8
"""Longest short form learnt: a name's prefixes cost memory in the square of their length."""
_CACHE_LIMIT = 200_000
_ALNUM_EDGES = re.compile(r"^[^\w]+|[^\w]+$")


@dataclass(frozen=True, slots=True)
class Mention:
    """A person addressed in a paragraph: their identity key and the words used."""

    person: str
    words: str


def person_key(name: str) -> str:
    """Identity of a commenter: their name folded, inner spaces collapsed."""
    return " ".join(fold(name).split())


def _bare(key: str) -> str:
    """A folded name without leading/trailing symbols: ``juho§`` → ``juho``."""
    return " ".join(_ALNUM_EDGES.sub("", part) for part in key.split()).strip()


class NameBook:
    """The names a commenter may address at this point of the thread.

    Feed it ``add_comment`` in thread order; ``addressed`` then only knows the
    people who commented before the paragraph being read (and the post author).
    """

    def __init__(self, post_author: str = "") -> None:
        self.post_author = person_key(post_author) if post_author.strip() else ""
        self._latest: dict[str, int] = {}
        self._spelling: dict[str, str] = {}
        self._full: dict[str, set[str]] = {}
        self._first: dict[str, set[str]] = {}
        self._prefix: dict[str, set[str]] = {}
        self._starts: set[str] = set()
        self._folded: dict[str, str] = {}
        """Folded cores of tokens seen, since the same words come back again and again."""
        self._tables = (("full", self._full), ("first", self._first), ("prefix", self._prefix))
        if self.post_author:
            self._learn(post_author)

    def add_comment(self, author: str, seq: int) -> None:
        """Record that ``author`` wrote comment ``seq``."""
        key = person_key(author)
        if not key:
            return
        if key not in self._spelling:
            self._learn(author)
        self._latest[key] = seq

    def latest(self, person: str) -> int | None:
        """The seq of the person's most recent comment so far."""
        return self._latest.get(person)

    def _learn(self, name: str) -> None:
        key = person_key(name)
        self._spelling.setdefault(key, " ".join(name.split()))
        parts = key.split()
        for alias in {key, _bare(key)}:
            if alias:
                self._full.setdefault(alias, set()).add(key)
                self._starts.add(alias.split()[0])
        first = _bare(parts[0]) if parts else ""
        if len(parts) > 1 and len(first) >= 2 and first not in STOPWORDS:
            self._first.setdefault(first, set()).add(key)
            self._starts.add(first)
        if len(first) > _MIN_PREFIX and first.isalpha():
            for end in range(_MIN_PREFIX, min(len(first), _MAX_PREFIX + 1)):
                prefix = first[:end]
                if prefix not in STOPWORDS:
                    self._prefix.setdefault(prefix, set()).add(key)
                    self._starts.add(prefix)

    def _known(self, people: set[str], speaker: str) -> list[str]:
        latest, author = self._latest, self.post_author
        return [p for p in people if p != speaker and (p in latest or p == author)]

    def _pick(self, people: list[str]) -> str:
        """Of several people sharing a name, the one who spoke last."""
        return max(people, key=lambda p: (self._latest.get(p, -1), p))

    def addressed(self, text: str, speaker: str) -> list[Mention]:
        """People addressed by name in an own paragraph written by ``speaker`` (a person key)."""
        tokens = text.split()
        found: list[Mention] = []
        seen: set[str] = set()
        starts = self._starts
        cache = self._folded
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        for i, raw in enumerate(tokens):
            folded = cache.get(raw)
            if folded is None:
                folded = cache[raw] = fold(raw.lstrip("@").strip(_TRAIL))
            if folded not in starts:
                continue
            mention = self._match(tokens, i, raw.startswith("@"), speaker)
            if mention is not None and mention.person not in seen:
                seen.add(mention.person)
                found.append(mention)
        return found

    def _match(self, tokens: list[str], i: int, at: bool, speaker: str) -> Mention | None:
        start_kind = _position_before(tokens, i)
        for length in range(min(_MAX_NAME_WORDS, len(tokens) - i), 0, -1):
            span = tokens[i : i + length]
            inner_ok = all(not t.rstrip(_EDGE).endswith(tuple(_PUNCT)) for t in span[:-1])
            if not inner_ok:
                continue
            cores = [t.lstrip("@").strip(_TRAIL) for t in span]
            name = person_key(" ".join(cores))
            last = span[-1].rstrip(_EDGE)
            after = tokens[i + length] if i + length < len(tokens) else None
            strong = last.endswith(tuple(_STRONG)) or after in _DASHES
            ends = last.endswith(tuple(_SENTENCE_END)) or after is None
            for kind, table in self._tables:
                people = self._known(table.get(name, set()), speaker)
                if not people:
                    continue
                person = self._pick(people)
                spelling = self._spelling[person]
                if kind == "prefix" and not _prefix_case_ok(cores[0], spelling):
                    continue
                if _addresses(kind, start_kind, at, strong, ends, cores, after, spelling):
                    return Mention(person, " ".join(span))
        return None


def _position_before(tokens: list[str], i: int) -> str:
    """What precedes token ``i``: ``para``, ``sentence``, ``salutation``, ``greeting``,
    ``opener`` (a greeting word with no comma: ``But DC has…``), ``comma`` or ``other``."""
    if i == 0:
        return "para"
    j = i - 1
    while j >= 0 and i - j <= 2:
        word = tokens[j].strip(_TRAIL).casefold()
        if word not in GREETINGS:
            break
        if j == 0 or tokens[j - 1].rstrip(_EDGE).endswith(tuple(_SENTENCE_END)):
            before = tokens[i - 1]
            word = before.strip(_TRAIL).casefold()
            thank_you = word == "you" and i >= 2 and tokens[i - 2].casefold() == "thank"
            if word in SALUTATIONS or thank_you:
                return "salutation"
            if before.rstrip(_EDGE).endswith((",", ";")):
                return "greeting"
            if not before.rstrip(_EDGE).endswith(tuple(_PUNCT)):
                return "opener"
            break
        j -= 1
    prev = tokens[i - 1].rstrip(_EDGE)
    if prev.endswith(tuple(_SENTENCE_END)):
        return "sentence"
    if prev.endswith((",", ";")) or prev in _DASHES:
        return "comma"
    return "other"


def _prefix_case_ok(written: str, spelling: str) -> bool:
    """A short form must be capitalised like the name (``Bit`` for ``Bithead``, not ``bit``)."""
    return written[:1].isupper() or not spelling[:1].isupper()


def _addresses(
    kind: str,
    start: str,
    at: bool,
    strong: bool,
    ends: bool,
    cores: list[str],
    after: str | None,
    spelling: str,
) -> bool:
    """Whether a name in this position reads as addressing someone."""
    if at:
        return True
    if start in ("para", "sentence", "salutation", "greeting", "opener") and strong:
        return True
    if kind == "prefix":
        return start == "comma" and (strong or ends) and cores[0][:1].isupper()
    if start == "comma" and (strong or ends):
        return True
    spoken_to = after is None or fold(after.strip(_TRAIL)).replace("’", "'") in SECOND_PERSON
    if start == "salutation":
        return True
    if start == "greeting":
        return ends or spoken_to
    if start == "para":
        exact = " ".join(cores) == spelling or (kind == "first" and cores[0] == spelling.split()[0])
        return exact and spoken_to
    return False
