"""Seeded random threads in the seed-file format, with the reply structure they were built with.

For testing and benchmarking reply inference: ``generate_thread(n, seed)``
writes a thread that :func:`bot.sources.capture.parse_thread` reads, and returns the
quotes and edges a perfect :func:`bot.inference.replies.infer_replies` would find.

What goes in (each at a configurable rate): commenters with non-ASCII,
multi-word, symbol-carrying and ordinary-word names; own paragraphs of
random-ish prose with shared stock phrases; quotes of earlier own paragraphs —
whole, one or two sentences, a clause, with a typo, with quote marks, with
changed punctuation, with an ellipsis cut, split off by a stray ``.`` line —
quotes of quotes, quotes of the article, short exact quotes of recent
comments; names in addressing position (``Name,``, ``Well, Bit,``, ``@Name``,
``…, Name.``, the post author) and the same name words as decoys where they
address nobody (mid-sentence, inside a link).

The expected structure follows the rules of :mod:`bot.inference.replies`: a quote is
credited to the paragraph whose own words it copies, a mention of someone this
comment quotes merges into that quote edge, one edge per target (``quote``
over ``mention``), and the article when nothing else applies. Quotes are only
generated in forms those rules can see (a quote under six words must be an
exact sentence of one of the last few comments, by someone else, and
answered).

Speed: about 100,000 comments in a few seconds; memory is the text plus the
expected structure.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.inference.mentions import GREETINGS, STOPWORDS
from bot.inference.words import words
from bot.models import ARTICLE, QuoteRef, ReplyEdge, ReplyStructure, Via
from bot.text import fold


def _split(text: str) -> list[str]:
    return text.split()


_COMMON_WORDS = _split(
    """
time year people way day man thing woman life child world school state family student
group country problem hand part place case week company system program question work
government number night point home water room mother area money story fact month lot
right study book eye job word business issue side kind head house service friend father
power hour game line end member law car city community name president team minute idea
kid body information back parent face others level office door health person art war
history party result change morning reason research girl guy moment air teacher force
education foot boy age policy process music market sense nation plan college interest
death experience effect use class control care field development role effort rate heart
drug show leader light voice wife police mind price report decision son view relationship
town road arm difference value building action model season society tax director position
player record paper space ground form event official matter center couple site project
activity star table need court oil situation cost industry figure street image phone data
picture practice piece land product doctor wall patient worker news test movie north love
support technology step baby computer type attention film tree source organization hair
window evidence population site training floor mean army theory border press coverage
pullout strategy alliance platform proxy enemy threat region security interest support
think know want make see look find give tell work call try ask feel become leave put
keep let begin seem help talk turn start show hear play run move like live believe hold
bring happen write provide sit stand lose pay meet include continue set learn lead
understand watch follow stop create speak read allow add spend grow open walk win offer
remember consider appear buy wait serve die send expect build stay fall cut reach kill
remain suggest raise pass sell require report decide pull argue explain attack defend
good new first last long great little own other old big high different small large next
early young important few public bad same able free sure real whole clear simple recent
certain likely strong local military political economic serious whole quick stable
the of and to in for on with at by from about into over after under between through
during without before against among also very often still already even never always
"""
)

_STOCK_PHRASES = (
    "on the other hand",
    "at the end of the day",
    "in the first place",
    "as far as I can tell",
    "for what it is worth",
    "I do not think",
    "the fact of the matter is",
    "when all is said and done",
    "to be fair",
    "as you may recall",
    "more or less",
    "in the long run",
)

_SYLLABLES = _split(
    "ka lo mi ra jä ön ße ñu el to vi sa ku ré an lø be zo ti ha ur ik se po da ny fé ol "
    "ma ro ve li ta gu ös ar em ji ce wa bé ys"
)

_WORD_NAMES = ("legion", "tequila", "glasnost", "Michael", "Rook", "sparrow", "Bishop", "tinker")
"""Commenter names that are also ordinary words, used as decoys in prose."""

_QUESTION_HEADS = ("Which", "Why", "How", "Who", "Where", "What")


@dataclass(frozen=True, slots=True)
class SyntheticConfig:
    """Rates of everything the generator can put in a comment."""

    authors: int = 0
    """Number of commenters; 0 means about one per eight comments (at least 6)."""
    quote_rate: float = 0.55
    article_quote_rate: float = 0.08
    quote_of_quote_rate: float = 0.08
    short_quote_rate: float = 0.12
    far_quote_rate: float = 0.15
    typo_rate: float = 0.15
    quote_marks_rate: float = 0.15
    punctuation_rate: float = 0.1
    ellipsis_cut_rate: float = 0.1
    split_dot_rate: float = 0.06
    mention_rate: float = 0.2
    post_author_mention_rate: float = 0.05
    decoy_rate: float = 0.1
    echo_rate: float = 0.05
    """Own paragraphs that open with a few words of a recent sentence, then go their own way."""


@dataclass(frozen=True, slots=True)
class SyntheticThread:
    """A generated thread file's text and the reply structure it was built with."""

    text: str
    expected: ReplyStructure
    source: str
    authors: tuple[str, ...] = ()
    post_author: str = ""


@dataclass(slots=True)
class _Own:
    """An own paragraph that later comments may quote."""

    seq: int
    idx: int
    author: str
    sentences: list[str]


@dataclass(slots=True)
class _Quoted:
    """A quote paragraph as written, for quotes of quotes."""

    text: str
    ref: QuoteRef
    n_words: int


@dataclass(slots=True)
class _Person:
    name: str
    key: str
    forms: list[str] = field(default_factory=list)
    """Ways to address them that name nobody else: full name, first word, short form."""
    strong_forms: list[str] = field(default_factory=list)
    """Short forms, only written where punctuation makes the address unmistakable."""


def generate_thread(
    comments: int, seed: int = 0, *, config: SyntheticConfig | None = None
) -> SyntheticThread:
    """A thread of ``comments`` comments, the same for the same ``seed`` and ``config``."""
    return _Generator(comments, seed, config or SyntheticConfig()).run()


class _Generator:
    def __init__(self, comments: int, seed: int, config: SyntheticConfig) -> None:
        self.n = comments
        self.seed = seed
        self.cfg = config
        self.rng = random.Random(seed)
        self.people = self._make_people()
        self.post_author = self.people.pop()
        aliases = self._claim_forms()
        self.vocab = self._make_vocab(aliases)
        self.own: list[_Own] = []
        self.own_by_seq: list[list[_Own]] = [[]]
        self.short_by_seq: list[list[tuple[_Own, str]]] = [[]]
        self.quoted: list[_Quoted] = []
        self.author_of: list[str] = [self.post_author.key]
        self.latest: dict[str, int] = {}
        self.quotes: dict[tuple[int, int], QuoteRef] = {}
        self.edges: list[ReplyEdge] = []
        self.lines: list[str] = []
        self.addressing: set[str] = set()
        """Sentences that address someone: an echo must not copy their opening."""

    # ---- cast ------------------------------------------------------------------------

    def _make_people(self) -> list[_Person]:
        rng = self.rng
        count = self.cfg.authors or max(6, self.n // 8)
        people: list[_Person] = []
        keys: set[str] = set()
        word_names = list(_WORD_NAMES)
        rng.shuffle(word_names)
        while len(people) < count + 1:
            roll = rng.random()
            if word_names and roll < 0.08:
                name = word_names.pop()
            else:
                name = self._syllable_name(rng.randint(2, 3))
                if roll < 0.3:
                    name = f"{self._syllable_name(1).upper()[:2]} {name}"
                elif roll < 0.5:
                    name = f"{name} {self._syllable_name(rng.randint(2, 3))}"
                elif roll < 0.55:
                    name += rng.choice("§†*")
            key = " ".join(fold(name).split())
            if key in keys or _is_stopword(key):
                continue
            keys.add(key)
            people.append(_Person(name, key))
        return people

    def _syllable_name(self, syllables: int) -> str:
        return "".join(self.rng.choices(_SYLLABLES, k=syllables)).capitalize()

    def _claim_forms(self) -> set[str]:
        """Give everyone the address forms no one else shares; return every alias in use."""
        claims: dict[str, set[str]] = {}
        everyone = [*self.people, self.post_author]
        for person in everyone:
            for alias in _aliases(person.name):
                claims.setdefault(alias, set()).add(person.key)
        for person in everyone:
            parts = person.name.split()
            full = person.name
            candidates = [full]
            if len(parts) > 1:
                candidates.append(parts[0])
            for form in candidates:
                if claims.get(fold(form).strip("§†*"), set()) == {person.key}:
                    person.forms.append(form)
            first = parts[0]
            if len(parts) == 1 and first[:1].isupper() and first.isalpha() and len(first) > 4:
                short = first[: self.rng.randint(3, 4)]
                if claims.get(fold(short)) == {person.key} and fold(short) not in STOPWORDS:
                    person.strong_forms.append(short)
        return set(claims)

    def _make_vocab(self, aliases: set[str]) -> list[str]:
        rng = random.Random(self.seed * 7919 + 1)
        made = {"".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(4000)}
        pool = [w for w in (*_COMMON_WORDS, *sorted(made)) if w.isalpha()]
        banned = aliases | {fold(n) for n in _WORD_NAMES}
        return [w for w in pool if fold(w) not in banned]

    # ---- prose -----------------------------------------------------------------------

    def sentence(self, low: int = 5, high: int = 20) -> str:
        rng = self.rng
        ws = rng.choices(self.vocab, k=rng.randint(low, high))
        if len(ws) >= 8 and rng.random() < 0.15:
            phrase = rng.choice(_STOCK_PHRASES).split()
            at = rng.randint(1, len(ws) - 1)
            ws[at:at] = phrase
        if len(ws) >= 7 and rng.random() < 0.35:
            j = rng.randint(3, len(ws) - 3)
            ws[j] += ","
        if len(ws) >= 7 and rng.random() < 0.05:
            j = rng.randint(3, len(ws) - 3)
            ws[j] += "…"
        ws[0] = ws[0].capitalize()
        return " ".join(ws) + rng.choice("....!?")

    def short_sentence(self) -> str:
        rng = self.rng
        ws = rng.choices(self.vocab, k=rng.randint(2, 4))
        return f"{rng.choice(_QUESTION_HEADS)} {' '.join(ws)}?"

    def own_paragraph(self) -> list[str]:
        rng = self.rng
        sentences = [self.sentence() for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.3:
            sentences.insert(rng.randint(0, len(sentences)), self.short_sentence())
        return sentences

    # ---- thread ----------------------------------------------------------------------

    def run(self) -> SyntheticThread:
        self._article()
        self.lines.append("Comments")
        self.lines.append("")
        for seq in range(1, self.n + 1):
            self._comment(seq)
        self.edges.sort(key=lambda e: (e.source, e.target))
        return SyntheticThread(
            text="\n".join(self.lines) + "\n",
            expected=ReplyStructure(quotes=self.quotes, edges=tuple(self.edges)),
            source=f"synthetic-{self.n}-{self.seed}.txt",
            authors=tuple(p.name for p in self.people),
            post_author=self.post_author.name,
        )

    def _article(self) -> None:
        rng = self.rng
        title = " ".join(w.capitalize() for w in rng.choices(self.vocab, k=4))
        paragraphs = [self.own_paragraph() for _ in range(rng.randint(5, 8))]
        self.lines += [title, ""]
        for i, sentences in enumerate(paragraphs):
            self.lines += [" ".join(sentences), ""]
            if i == 2:
                self.lines += ["[…]", ""]
            record = _Own(ARTICLE, i, self.post_author.key, sentences)
            self.own.append(record)
            self.own_by_seq[0].append(record)
            self.short_by_seq[0].extend((record, s) for s in sentences if _is_short(s))
        author = self.post_author.name
        self.lines += [
            "FILED UNDER: " + ", ".join(rng.choices(self.vocab, k=3)),
            author,
            f"About {author}",
            f"{author} writes here. " + self.sentence(),
            "",
        ]

    def _comment(self, seq: int) -> None:
        rng, cfg = self.rng, self.cfg
        person = self._pick_author(seq)
        paragraphs: list[list[str] | str] = []
        """Own paragraphs as lists of sentences (still editable), quotes as text."""
        refs: dict[int, QuoteRef] = {}
        own: list[int] = []

        def add_own(sentences: list[str]) -> None:
            own.append(len(paragraphs))
            paragraphs.append(sentences)

        if seq > 1 and rng.random() < cfg.quote_rate:
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                quote = self._quote(seq, person)
                if quote is None:
                    continue
                texts, ref = quote
                for text in texts:
                    refs[len(paragraphs)] = ref
                    paragraphs.append(text)
                add_own(self.own_paragraph())
        if not own or rng.random() < 0.3:
            for _ in range(rng.randint(1, 2)):
                add_own(self._echo(seq) if rng.random() < cfg.echo_rate else self.own_paragraph())
        if rng.random() < cfg.decoy_rate:
            self._decoy(_sentences_of(paragraphs[rng.choice(own)]))
        mentioned = self._mention(seq, person, [_sentences_of(paragraphs[i]) for i in own])
        self._record(seq, person, paragraphs, refs, mentioned)

    def _pick_author(self, seq: int) -> _Person:
        rng = self.rng
        active = self.people[: max(3, len(self.people) * min(seq, self.n) // max(self.n, 1))]
        pool = active if rng.random() < 0.8 else self.people
        while True:
            person = rng.choice(pool)
            if seq == 1 or person.key != self.author_of[seq - 1] or len(self.people) == 1:
                return person

    # ---- quotes ----------------------------------------------------------------------

    def _quote(self, seq: int, person: _Person) -> tuple[list[str], QuoteRef] | None:
        rng, cfg = self.rng, self.cfg
        roll = rng.random()
        if roll < cfg.short_quote_rate:
            return self._short_quote(seq, person)
        roll -= cfg.short_quote_rate
        if roll < cfg.quote_of_quote_rate and self.quoted:
            for _ in range(4):
                q = rng.choice(self.quoted[-200:])
                if q.n_words >= 12 and q.ref.seq < seq:
                    text = q.text
                    if rng.random() < cfg.quote_marks_rate:
                        text = _with_quote_marks(text, rng)
                    return [text], q.ref
            return None
        roll -= cfg.quote_of_quote_rate
        if roll < cfg.article_quote_rate:
            return self._copy(rng.choice(self.own_by_seq[0]))
        source = self._pick_source(seq, person)
        return None if source is None else self._copy(source)

    def _pick_source(self, seq: int, person: _Person) -> _Own | None:
        rng = self.rng
        for _ in range(6):
            if rng.random() < self.cfg.far_quote_rate:
                back = rng.randint(1, seq - 1)
            else:
                back = min(seq - 1, int(rng.expovariate(1 / 3)) + 1)
            candidates = self.own_by_seq[seq - back]
            if candidates:
                source = rng.choice(candidates)
                if source.author != person.key:
                    return source
        return None

    def _short_quote(self, seq: int, person: _Person) -> tuple[list[str], QuoteRef] | None:
        rng = self.rng
        for back in rng.sample(range(1, 6), 5):
            if back >= seq:
                continue
            shorts = [s for s in self.short_by_seq[seq - back] if s[0].author != person.key]
            if shorts:
                source, text = rng.choice(shorts)
                return [text], QuoteRef(source.seq, source.idx)
        return None

    def _copy(self, source: _Own) -> tuple[list[str], QuoteRef] | None:
        """A quote of ``source`` in one of the forms commenters use."""
        rng, cfg = self.rng, self.cfg
        ref = QuoteRef(source.seq, source.idx)
        sentences = source.sentences
        kind = rng.random()
        if kind < 0.35 or len(sentences) == 1:
            text = " ".join(sentences)
        elif kind < 0.7:
            text = rng.choice(sentences)
        elif kind < 0.85:
            at = rng.randint(0, len(sentences) - 2)
            text = " ".join(sentences[at : at + 2])
        else:
            longest = max(sentences, key=len)
            ws = longest.split()
            if len(ws) < 10:
                text = " ".join(sentences)
            else:
                start = rng.randint(0, len(ws) - 8)
                text = " ".join(ws[start : start + rng.randint(8, len(ws) - start)])
        n = len(words(text))
        if n < 6:
            text = " ".join(sentences)
            n = len(words(text))
            if n < 6:
                return None
        if n >= 12 and rng.random() < cfg.typo_rate:
            text = _typo(text, rng)
        if n >= 14 and rng.random() < cfg.ellipsis_cut_rate:
            text = _cut(text, rng)
        if rng.random() < cfg.punctuation_rate:
            text = _punctuate(text, rng)
        if rng.random() < cfg.quote_marks_rate:
            text = _with_quote_marks(text, rng)
        elif text.endswith(".") and rng.random() < cfg.split_dot_rate:
            return [text[:-1], "."], ref
        return [text], ref

    # ---- own words that look like something else ------------------------------------

    def _echo(self, seq: int) -> list[str]:
        """Open with a few words of a recent sentence, then carry on differently."""
        recent = self.own_by_seq[max(0, seq - 3) : seq]
        flat = [s for records in recent for r in records for s in r.sentences]
        sentences = self.own_paragraph()
        longer = [s for s in flat if len(s.split()) >= 8 and s not in self.addressing]
        if longer:
            opening = [w.strip(",…") for w in self.rng.choice(longer).split()[:4]]
            sentences[0] = " ".join(opening) + " " + self.sentence(10, 18).lower()
        return sentences

    def _decoy(self, sentences: list[str]) -> None:
        """Put a name word somewhere it addresses nobody: mid-sentence or inside a link."""
        rng = self.rng
        word = rng.choice(_WORD_NAMES)
        i = rng.randrange(len(sentences))
        ws = sentences[i].split()
        if rng.random() < 0.5 or len(ws) < 7:
            link = f"https://example.org/{word.lower()}/{rng.randint(1, 999)}"
            sentences[i] = f"{sentences[i][:-1]} at {link} too{sentences[i][-1]}"
            return
        at = rng.randint(3, len(ws) - 2)
        prev = ws[at - 1].rstrip(",…")
        if prev.casefold() in GREETINGS:
            return
        ws[at - 1] = prev
        ws.insert(at, word)
        sentences[i] = " ".join(ws)

    # ---- mentions --------------------------------------------------------------------

    def _mention(self, seq: int, person: _Person, own: list[list[str]]) -> list[str]:
        """Address someone in one own paragraph; returns the keys of the people addressed."""
        rng, cfg = self.rng, self.cfg
        if rng.random() >= cfg.mention_rate:
            return []
        if rng.random() < cfg.post_author_mention_rate:
            target = self.post_author
        else:
            recent = self.author_of[max(1, seq - 12) : seq]
            keys = [k for k in recent if k != person.key]
            if not keys:
                return []
            key = rng.choice(keys)
            target = next(p for p in self.people if p.key == key)
        if not target.forms:
            return []
        sentences = rng.choice(own)
        form = rng.choice(target.forms + target.strong_forms)
        style = rng.randrange(4 if form in target.strong_forms else 6)
        if style == 0:
            sentences[0] = f"{form}, {_lower_first(sentences[0])}"
        elif style == 1:
            greeting = rng.choice(("Well", "So", "Oh", "Okay"))
            sentences[0] = f"{greeting}, {form}, {_lower_first(sentences[0])}"
        elif style == 2:
            body = sentences[-1].rstrip(".!?…,")
            sentences[-1] = f"{body}, {form}{rng.choice('.?!')}"
        elif style == 3:
            sentences[0] = f"{form}: {sentences[0]}"
        elif style == 4:
            sentences[0] = f"@{form} {sentences[0]}"
        else:
            sentences[0] = f"Hi {form}, {_lower_first(sentences[0])}"
        self.addressing.add(sentences[-1] if style == 2 else sentences[0])
        return [target.key]

    # ---- bookkeeping -----------------------------------------------------------------

    def _record(
        self,
        seq: int,
        person: _Person,
        paragraphs: list[list[str] | str],
        refs: dict[int, QuoteRef],
        mentioned: list[str],
    ) -> None:
        lines = self.lines
        lines += [f"  {seq}. {person.name} says:", ""]
        records: list[_Own] = []
        for idx, para in enumerate(paragraphs):
            if isinstance(para, list):
                records.append(_Own(seq, idx, person.key, para))
                text = " ".join(para)
                if len(para) > 1 and self.rng.random() < 0.03:
                    text = para[0] + "\n" + " ".join(para[1:])
            else:
                text = para
            lines.extend("    " + line for line in text.split("\n"))
            lines.append("")
        self.own.extend(records)
        self.own_by_seq.append(records)
        self.short_by_seq.append([(r, s) for r in records for s in r.sentences if _is_short(s)])
        for idx, ref in refs.items():
            self.quotes[(seq, idx)] = ref
            quoted = paragraphs[idx]
            if isinstance(quoted, str) and quoted != ".":
                self.quoted.append(_Quoted(quoted, ref, len(words(quoted))))
        best: dict[int, Via] = {ref.seq: "quote" for ref in refs.values()}
        quoted_by: dict[str, int] = {}
        for ref in refs.values():
            if ref.seq:
                key = self.author_of[ref.seq]
                quoted_by[key] = max(quoted_by.get(key, 0), ref.seq)
        for key in mentioned:
            if key == self.post_author.key:
                best.setdefault(ARTICLE, "mention")
            else:
                best.setdefault(quoted_by.get(key, self.latest[key]), "mention")
        if not best:
            best[ARTICLE] = "article"
        self.edges.extend(ReplyEdge(seq, target, via) for target, via in best.items())
        self.author_of.append(person.key)
        self.latest[person.key] = seq
        if len(self.quoted) > 400:
            del self.quoted[:200]


# ---- edits ---------------------------------------------------------------------------


def _aliases(name: str) -> set[str]:
    """Every folded string :class:`bot.inference.mentions.NameBook` could take for this name."""
    key = " ".join(fold(name).split())
    parts = key.split()
    out = {key, key.strip("§†*")}
    first = parts[0].strip("§†*")
    out.add(first)
    if first.isalpha():
        out.update(first[:end] for end in range(3, len(first)))
    return out


def _sentences_of(paragraph: list[str] | str) -> list[str]:
    assert isinstance(paragraph, list), "own paragraphs are kept as sentence lists"
    return paragraph


def _is_stopword(key: str) -> bool:
    return any(part in STOPWORDS for part in key.split())


def _is_short(sentence: str) -> bool:
    return 3 <= len(words(sentence)) < 6 and "…" not in sentence


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower() and first != "I":
        return text[:1].lower() + text[1:]
    return text


def _typo(text: str, rng: random.Random) -> str:
    """Swap, drop or double a letter in one longer word."""
    ws = text.split(" ")
    long_words = [i for i, w in enumerate(ws) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    w = ws[i]
    j = rng.randint(1, len(w) - 3)
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif kind == 1:
        w = w[:j] + w[j + 1 :]
    else:
        w = w[:j] + w[j] + w[j:]
    ws[i] = w
    return " ".join(ws)


def _cut(text: str, rng: random.Random) -> str:
    """Leave out a few words from the middle, marking the cut with an ellipsis."""
    ws = text.split(" ")
    if len(ws) < 14:
        return text
    start = rng.randint(6, len(ws) - 7)
    length = rng.randint(1, min(5, len(ws) - start - 6))
    mark = rng.choice(("…", "...", "[…]"))
    return " ".join([*ws[:start], mark, *ws[start + length :]])


def _punctuate(text: str, rng: random.Random) -> str:
    """Change the punctuation the way retyping does: commas, apostrophes, the final stop."""
    roll = rng.randrange(3)
    if roll == 0 and "," in text:
        return text.replace(",", ";", 1)
    if roll == 1 and text[-1:] in ".!?":
        return text[:-1]
    ws = text.split(" ")
    if len(ws) > 4:
        at = rng.randint(1, len(ws) - 3)
        ws[at] = ws[at].rstrip(",") + ","
    return " ".join(ws)


def _with_quote_marks(text: str, rng: random.Random) -> str:
    opening, closing = rng.choice((("“", "”"), ('"', '"'), ("‘", "’"), ("«", "»")))
    return f"{opening}{text}{closing}"
