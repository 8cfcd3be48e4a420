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
only where the punctuation makes the address unmistakable (``gl: …``,
``Well, Bit, …``, ``@jk``), a prefix of two to eight letters that only one
participant's name starts with (``gl`` for ``glasnost``), or the initials of a
name of several words (``JK`` for ``Jan Kowalski``); never a common word.

References are links too, wherever the name stands, when a cue says the
commenter answers that person: ``DC has it right``, ``as tequila points out``,
``I agree with Michael``.

Only people who commented earlier (and the post author) can be addressed; a
lookup costs a few dictionary probes per word, whatever the number of names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.inference.words import MAX_WORD_CHARS, Normalised
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

COMMON_SHORT = _wordset(
    """
    ab ad ah am as at aw be by do eh go ha he hi hm id if im in is it me mm my no of oh ok
    on or ow ox pa ps re so to uh um up us we ya ye yo act add ago aid aim air all and ant
    any ape apt arc are arm art ask ate bad bag ban bar bat bay bed bee beg bet bid big bin
 bio box boy bud bug bum bus but buy bye cab can cap car cat cop cow cry cup cut dad
    day did die dig dim dog dot dry due dug ear eat egg ego end era eve eye fan far fat fax
    fed fee few fig fit fix fly foe fog for fox fun fur gap gas gee get god got gum gun gut
    guy gym had ham has hat hay her hey him hip his hit hmm hop hot how hug huh ice ill imo
    ink inn its jam jar jaw jet job jog joy key kid kit lab lad lag law lay led leg let lid
    lie lip lit log lol lot low mad man map mat may men met mid mix mob mom mop mud mug nah
    nap net new nod nor not now nut oak odd off oil old one our out owe own pad pal pan par
    pat paw pay pea pen per pet pie pig pin pit pop pot pro pub put rag ram ran rap rat raw
    ray red rib rid rig rim rip rob rod rot row rub rug run sad sat saw say sea see set sew
    she shy sin sip sir sit six ski sky sly sob son spa spy sub sue sum sun tab tag tan tap
    tar tax tea ten the tie tin tip toe ton too top toy try tub two ugh use van vat vet via
    vow war was wax way web wed wet who why wig win wit wow yay yea yep yes yet yup zip zoo
    also anne away back bank bare base bath bear beat been beer bell best bill bird blow
    blue boat body bold bone book boom born boss both bowl burn busy call calm came camp
    card care case cash cast chat city clay club coal coat code cold come cook cool cope
    copy core cost crew cure dark data date dead deal dear deep deny desk dial diet dirt
    dish does done door dose down draw drop drug dual duck dumb dust duty each earn ease
    east easy edge edit else even ever evil exit face fact fail fair fake fall fame farm
    fast fate fear feed feel fell felt file fill film find fine fire firm fish five flag
    flat flow folk food fool foot form fort four free from fuel full fund gain game gang
    gave gear gift girl give glad goal goes gold golf gone good gray grew grey grow gulf
    guys hair half hall hand hang hard harm hate have head hear heat held hell help here
    hero hide high hill hint hire hold hole holy home hope horn host hour huge hung hunt
    hurt idea into iron item jack jail join joke jump jury just keen keep kept kick kill
    kind king knew know lack lady laid lake land lane last late lazy lead leaf lean left
    lend less lies life lift like line link list live load loan lock long look lord lose
    loss lost loud love luck made mail main make male mall many mark mass meal mean meat
    meet mere mild mile milk mind mine miss mode mood moon more most move much must myth
    name near neat neck need news next nice nine none noon norm nose note okay once only
    open oral over pace pack page paid pain pair pale palm park part pass past path peak
    pick pile pink pipe plan play plot plus poem poet pole poll pool poor port pose post
    pour pray pull pure push quit race rail rain rank rare rate read real rely rent rest
    rice rich ride ring rise risk road rock role roll roof room root rope rose rule rush
    safe said sake sale salt same sand save seat seed seek seem seen self sell send sent
    ship shoe shop shot show shut sick side sigh sign sing sink site size skin slip slow
    snow soft soil sold sole some song soon sort soul spot star stay step stop such suit
    sure take tale talk tall tank tape task team tear tech tell tend term test text than
    that them then they thin this thus tide till time tiny tone took tool tour town tree
    trip true tune turn twin type unit upon used user vast very vice view vote wage wait
    wake walk wall want warm warn wash wave weak wear week well went were west what when
    whom wide wife wild will wind wine wing wire wise wish with wood word wore work yard
    yeah year your zero zone
    """
)
"""Short words that are never taken for a short form of someone's name."""

_EDGE = "\"'“”‘’«»()[]<>*_"
_PUNCT = ",.:;!?…"
_TRAIL = _PUNCT + _EDGE
_SENTENCE_END = ".!?…"
_STRONG = ",:!"
_DASHES = frozenset({"-", "–", "—", "--"})
_MAX_NAME_WORDS = 3
_MIN_PREFIX = 2
_MAX_PREFIX = 8
"""Longest short form learnt: a name's prefixes cost memory in the square of their length."""
_MAX_INITIALS = 4
_LETTERS = re.compile(r"[^\W\d_]+")
"""The letters a name starts with: short forms are prefixes of them (``vox`` of ``vox_populi``)."""
_ALNUM_EDGES = re.compile(r"^[^\w]+|[^\w]+$")


How = Literal["name", "short", "reference"]
"""How a paragraph points at someone: a name or first name in addressing position, a short
form (prefix or initials) there, or a reference cue (``DC has it right``)."""


@dataclass(frozen=True, slots=True)
class Mention:
    """A person addressed or referred to in a paragraph: their identity key and the words used."""

    person: str
    words: str
    how: How = "name"


_CUES_BEFORE: dict[str, frozenset[str]] = {
    "as": _wordset(
        """points pointed says said notes noted mentions mentioned suggests suggested argues
        argued writes wrote observes observed explains explained puts put shows showed"""
    ),
    "with": _wordset("agree agreed agreeing concur"),
    "like": _wordset("points pointed says said notes noted wrote"),
}
"""``as X points out``, ``I agree with X``, ``like X said``: the word before the name and the
words that, right after the name (for ``as``, ``like``) or before ``with``, make it a cue."""

_CUES_AFTER = tuple(
    tuple(cue.split())
    for cue in (
        "has it right",
        "got it right",
        "gets it right",
        "had it right",
        "has a point",
        "has a good point",
        "makes a good point",
        "made a good point",
        "makes a fair point",
        "made a fair point",
        "is right",
        "is exactly right",
        "is absolutely right",
        "is quite right",
        "is correct",
        "is spot on",
        "was right",
        "nailed it",
        "said it best",
        "put it well",
        "puts it well",
    )
)
"""``X has it right``: words after a name that make it a reference to that person's comment."""


def person_key(name: str) -> str:
    """Identity of a commenter: their name folded, inner spaces collapsed."""
    return " ".join(fold(name).split())


def _bare(key: str) -> str:
    """A folded name without leading/trailing symbols: ``juho§`` → ``juho``."""
    return " ".join(_ALNUM_EDGES.sub("", part) for part in key.split()).strip()


class _Cores(dict[str, str]):
    """A token → its folded core (``@`` and surrounding punctuation left out): the same
    words come back again and again. Bounded: at most ``LIMIT`` tokens of at most
    ``LONGEST`` characters are kept (the whole cache is dropped when full)."""

    LIMIT = 50_000
    LONGEST = 64

    def __missing__(self, token: str) -> str:
        core = fold(token.lstrip("@").strip(_TRAIL))
        if len(token) <= self.LONGEST:
            if len(self) >= self.LIMIT:
                self.clear()
            self[token] = core
        return core


_CORES = _Cores()


class NameBook:
    """The names a commenter may address at this point of the thread.

    Feed it ``add_comment`` in thread order; ``addressed`` then only knows the
    people who commented before the paragraph being read (and the post author).
    """

    def __init__(self, post_author: str = "") -> None:
        self.post_author = person_key(post_author) if post_author.strip() else ""
        self._latest: dict[str, int] = {}
        self._keys: dict[str, str] = {}
        self._spelling: dict[str, str] = {}
        self._full: dict[str, set[str]] = {}
        self._first: dict[str, set[str]] = {}
        self._prefix: dict[str, set[str]] = {}
        self._starts: set[str] = set()
        """The first word of every name and form learnt (folded)."""
        self._word_starts: set[str] = set()
        """Those of ``_starts`` that are one normalised word (:mod:`bot.inference.words`)."""
        self._other_starts: list[str] = []
        """The rest (``juho§``, ``o'brien``), looked for in the folded text."""
        self._initials: dict[str, set[str]] = {}
        self._tables = (
            ("full", self._full),
            ("first", self._first),
            ("prefix", self._prefix),
            ("initials", self._initials),
        )
        if self.post_author:
            self._learn(post_author)

    def key_of(self, author: str) -> str:
        """``person_key(author)``, kept per spelling: people write many comments."""
        key = self._keys.get(author)
        if key is None:
            key = self._keys[author] = person_key(author)
        return key

    def add_comment(self, author: str, seq: int) -> None:
        """Record that ``author`` wrote comment ``seq``."""
        key = self.key_of(author)
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
                self._add_start(alias.split()[0])
        first = _bare(parts[0]) if parts else ""
        if len(parts) > 1 and len(first) >= 2 and first not in STOPWORDS:
            self._first.setdefault(first, set()).add(key)
            self._add_start(first)
        short: set[str] = set()
        letters = _LETTERS.match(first)
        if letters:
            run = letters.group()
            longest = min(len(run) + 1, len(first), _MAX_PREFIX + 1)
            short.update(run[:end] for end in range(_MIN_PREFIX, longest))
        for form in short - STOPWORDS - COMMON_SHORT:
            self._prefix.setdefault(form, set()).add(key)
            self._add_start(form)
        bare_parts = [_bare(p) for p in parts]
        if 2 <= len(parts) <= _MAX_INITIALS and all(p[:1].isalpha() for p in bare_parts):
            for initials in _initials(bare_parts) - COMMON_SHORT:
                self._initials.setdefault(initials, set()).add(key)
                self._add_start(initials)

    def _add_start(self, start: str) -> None:
        if start in self._starts:
            return
        self._starts.add(start)
        if start.isalnum() and len(start) <= MAX_WORD_CHARS:
            self._word_starts.add(start)
        else:
            self._other_starts.append(start)

    def _known(self, people: set[str], speaker: str) -> list[str]:
        latest, author = self._latest, self.post_author
        return [p for p in people if p != speaker and (p in latest or p == author)]

    def _pick(self, people: list[str]) -> str:
        """Of several people sharing a name, the one who spoke last."""
        return max(people, key=lambda p: (self._latest.get(p, -1), p))

    def addressed(self, text: str, speaker: str, para: Normalised | None = None) -> list[Mention]:
        """People addressed by name, or referred to with a cue, in an own paragraph written by
        ``speaker`` (a person key); ``para`` is the paragraph read as words, if the caller
        has it.

        Every name is found through its first word (``_starts``), as the folded core of a
        token (``@`` and edge punctuation stripped). Folding maps each character on its own
        and those edge characters stay apart from words, so a core that is one word is one
        of the paragraph's normalised words, and any core is in the folded text: a
        paragraph holding none of the first words is turned away by one set operation."""
        if para is not None and para.folded is not None:
            folded = para.folded
            if self._word_starts.isdisjoint(para.words) and not any(
                start in folded for start in self._other_starts
            ):
                return []
        tokens = text.split()
        cores = list(map(_CORES.__getitem__, tokens))
        starts = self._starts
        if starts.isdisjoint(cores):
            return []
        found: list[Mention] = []
        seen: set[str] = set()
        for i, folded in enumerate(cores):
            if folded not in starts:
                continue
            mention = self._match(tokens, i, tokens[i].startswith("@"), speaker)
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
                short = kind in ("prefix", "initials")
                if not people or (short and len(people) > 1):
                    continue
                person = self._pick(people)
                spelling = self._spelling[person]
                if kind == "prefix" and not _prefix_case_ok(cores[0], spelling):
                    continue
                if kind == "initials" and not cores[0].isupper():
                    continue
                if _addresses(kind, start_kind, at, strong, ends, cores, after, spelling):
                    return Mention(person, " ".join(span), "short" if short else "name")
                if not short and not strong and _refers(tokens, i, length):
                    return Mention(person, " ".join(span), "reference")
        return None


def _refers(tokens: list[str], i: int, length: int) -> bool:
    """Whether the name at ``tokens[i : i + length]`` stands in a reference cue."""
    after = [fold(t.strip(_TRAIL)) for t in tokens[i + length : i + length + 4]]
    for cue in _CUES_AFTER:
        if tuple(after[: len(cue)]) == cue:
            return True
    if i == 0:
        return False
    before = fold(tokens[i - 1].strip(_TRAIL))
    if tokens[i - 1].rstrip(_EDGE).endswith(tuple(_PUNCT)):
        return False
    words = _CUES_BEFORE.get(before)
    if words is None:
        return False
    if before == "with":
        verb = tokens[i - 2] if i >= 2 else "."
        return not verb.rstrip(_EDGE).endswith(tuple(_PUNCT)) and fold(verb.strip(_TRAIL)) in words
    return bool(after) and after[0] in words


_LATIN_INITIAL: dict[str, str] = {
    **dict(zip("αβγδεζθικλμνξοπρστυφψω", "abgdeztiklmnxoprstyfpo", strict=True)),
    "η": "ei",
    "χ": "chx",
    "υ": "yu",
    "ł": "l",
    "ø": "o",
    "æ": "a",
    "đ": "d",
    "ð": "d",
    "þ": "t",
}
"""How the first letter of a Greek or other non-Latin word may be written as an initial
(``JKD`` for ``John Κώστας Doe``); letters with several usual spellings list each."""


def _initials(words: list[str]) -> set[str]:
    """The initials a name of several words may be written with, folded: the letters as
    they are and, where a first letter is not Latin, in Latin letters."""
    forms = {""}
    for word in words:
        first = word[0]
        options = {first, *_LATIN_INITIAL.get(first, "")}
        forms = {form + letter for form in forms for letter in options}
    return forms


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
    if kind in ("prefix", "initials"):
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
