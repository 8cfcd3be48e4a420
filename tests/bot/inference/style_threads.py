"""An independent generator of labelled comment threads that mix real reply styles (issue 15).

Written by a helper from the problem statement and the seed capture only, without reading the
inference code: it is evaluation data, not a mirror of the rules.  ``generate(seed)`` is pure and
deterministic (one seeded ``random.Random``); it returns a thread in the seed's plain-text capture
format (title, lede, body, ``FILED UNDER:``, author, ``About NAME``, bio, ``Comments``, then
``  N. Name says:`` and paragraphs indented by four spaces, blank lines between, no trailing
newline) and the reply edges a careful reader would draw.

Labels
------
``StyleThread.edges`` lists every expected edge ``Edge(from_number, to_number, style)``; a comment
may have several; ``to_number == 0`` is the article.  Every comment has at least one edge: a
comment with no reply cue gets ``Edge(n, 0, "article")``.  ``StyleThread.negatives`` lists pairs a
reader would NOT link although a naive rule might (same ``Edge`` shape, ``style`` says which trap);
they are never in ``edges``.  Any predicted edge not in ``edges`` is a false positive.

Rules decided here (what a reader understands)
----------------------------------------------
* Addressing a person (``prefix``, ``initials``, ``at_name``, ``full_name``, ``reference``) answers
  that person's most recent comment before this one.
* ``prefix``: the first 2-4 letters of a name's first word, shorter than that word, followed by
  ``:`` or ``,`` at the start of a paragraph ("gl: ...", "Mich, ...").  Only generated when no
  other participant's name (or any word of it) starts with the same letters, it is not anyone's
  initials, and it is not a common English word.  Distractor (negative ``prefix``): a paragraph
  that opens with a common word which happens to start a participant's handle ("Well, ..." with
  ``wellspring`` taking part, "Tea is ..." with ``teabag``) is not addressed to that person.
* ``initials``: first letters of the words of a 2-3 word name, upper case, accent-folded and
  Greek letters transliterated ("JKD" for "John Κώστας Doe", "ZB" for "Zoë Brönte"), at the start
  of a paragraph before ``:`` or ``,``.  Only when unique, not a common word or acronym.
* ``at_name``: "@Name" / "@Name:" at the start of a paragraph (full name, spaces included).
* ``full_name``: the full name at the start of a paragraph followed by ``,`` or ``:``.
* ``reference``: "X has it right", "As X points out", "I agree with X": X's latest comment.
* ``quote``: a paragraph of an earlier comment pasted verbatim as its own paragraph (the seed's
  habit), followed by the answer.  The edge goes to the comment whose OWN words were pasted.
* ``edited_quote``: as ``quote`` but edited when pasting: typos of the original fixed (originals
  are generated with swapped, doubled or dropped letters and missing apostrophes), punctuation
  changed, curly and straight quote marks swapped, "[sic]" inserted after a typo, or a middle
  sentence cut and replaced by "(…)".
* ``curly_quote``: one sentence of an earlier comment quoted inside “curly quotes” within the
  replier's own paragraph.
* ``quote_of_quote``: comment C2 pasted a paragraph P of C1 and answered it with R.  A later
  comment C3 pastes P followed by R (C2's quote together with C2's own answer).  A reader sees C3
  answering C2 (whose exchange is being pasted), so the edge is C3 -> C2 only; P is context, and
  C3 -> C1 is listed as a negative.  Pasting P alone, which a reader would credit to C1 whoever
  re-posted it, is a plain ``quote`` of C1 and is never generated from a re-posted copy.
* ``implicit``: when B's comment answered A's and A's comment had answered B (an ongoing
  two-person exchange), a short bare comment or question by A right after B's comment, with no
  quote and no name, answers that immediately preceding comment.  To keep this unambiguous, no
  other short comment follows an exchange partner, and an ``article`` comment is never written by
  the person the previous comment answered.
* ``article``: a comment with no cue at all, two or three paragraphs of own prose.
* Negative ``topical``: a paragraph on the same subject reusing the noun phrases of an earlier
  paragraph in new sentences: not a quote, no edge.
* Negative ``third_person``: a person named mid-sentence ("I doubt glasnost would agree, but ...")
  is not addressed, unless the words are one of the ``reference`` cues above.
* Quotes are only taken from own-prose paragraphs that nobody quoted before (except for
  ``quote_of_quote``), every own sentence is unique in the thread, and nobody answers themselves.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["ALL_STYLES", "NEGATIVE_STYLES", "Edge", "StyleThread", "generate"]

ALL_STYLES: tuple[str, ...] = (
    "prefix",
    "initials",
    "quote",
    "edited_quote",
    "curly_quote",
    "quote_of_quote",
    "at_name",
    "full_name",
    "reference",
    "implicit",
    "article",
    "topical",
    "third_person",
)
#: styles that only produce negatives (their comments carry an ``article`` edge unless combined)
NEGATIVE_STYLES: tuple[str, ...] = ("topical", "third_person")


#: styles that cannot occur without others: added at a low weight when the style is requested
SUPPORT: dict[str, tuple[str, ...]] = {
    "quote_of_quote": ("quote",),
    "implicit": ("full_name", "at_name"),
}


@dataclass(frozen=True)
class Edge:
    from_number: int
    to_number: int
    style: str


@dataclass
class StyleThread:
    text: str
    source: str
    edges: list[Edge]
    negatives: list[Edge] = field(default_factory=list)
    authors: dict[int, str] = field(default_factory=dict)
    participants: list[str] = field(default_factory=list)

    def edges_of(self, style: str) -> list[Edge]:
        return [e for e in self.edges if e.style == style]


# --------------------------------------------------------------------------------------------
# names

HANDLES = [
    "glasnost",
    "tequila_sunrise",
    "duckspeaker",
    "panopticon",
    "Bithead",
    "gravitas",
    "xerxes",
    "hyperion",
    "old_sarge",
    "ridgeback",
    "Kolya",
    "quietdissent",
    "zugzwang",
    "marmoset",
    "Pangloss",
    "vox_clamantis",
]
# handles whose start is a common word: hosts for prefix distractors (never addressed by prefix)
TRAP_HANDLES = {
    "teabag": "Tea",
    "wellspring": "Well",
    "nowhere_man": "Now",
    "yesman": "Yes",
    "butterfingers": "But",
    "sober_thoughts": "So",
}
MULTI = [
    "Michael Reynolds",
    "John Κώστας Doe",
    "Anna Maria Ortiz",
    "Pete Kowalski",
    "Grace Liu",
    "Samuel Achebe",
    "Henrik Lund",
    "Rosa Vidal",
]
NON_ASCII = ["Juho§", "Zoë Brönte", "Dvořák", "Søren Kirk", "François Dupré", "Ærling", "Łucja"]

_COMMON_WORDS_TEXT = """
a ab ad ah ai al am an and any are art as ask at aw ax ay be bed bee bet big bit bo boo bow boy
bra bud bug bun bus but buy by ca can cap car cat cow cry cub cup cut da dad day den dew did
die dig dim do doc doe dog don dot dry due dug duh dye ea ear eat eh el elf elk em end er era
eve ew ex eye fa fad fan far fat fax fed fee few fib fig fin fir fit fix flu fly fog for fox
fry fun fur gal gap gas gee gel gem get gig gin go god got gum gun gut guy ha had ham has hat
he hem hen her hey hi hid him hip his hit ho hog hop hot how hub hue hug huh hum hut i ice icy
id if ill in ink inn ion is it its ivy jab jam jar jaw jet jig job jog jot joy jug ka keg key
kid kin kit la lab lad lap law lay leg let lid lie lip lit lo log lot low ma mad man map mat
may me men met mid mix mob mom mop mud mug mum my nag nap net new nil nip no nod nor not now
nun nut o oak oar odd of off oh oil ok old on one or our out owe owl own ox pa pad pal pan par
pat paw pay pea peg pen per pet pie pig pin pit ply pod pop pot pro pub pun pup put rag ram ran
rap rat raw ray red rib rid rig rim rip rob rod rot row rub rug rum run sad sag sat saw say sea
see set sew she shy sin sip sir sit six ski sky sly so sob sod son sow soy spa spy sue sum sun
tab tag tan tap tar tax tea ted tee ten the tie tin tip to toe ton too top toy try tub tug two
um up us use van vat vet via vow wad wag war was wax way we web wed wet who why wig win wit woe
wok won wow ya yak yam yap yes yet you zip zoo able also away back band bank bare base bath
bear beat been beer bell belt best bird bite blow blue boat body bold bone book boom born boss
both bowl bulk burn busy cake call calm came camp card care case cash cast cell chip city clay
club coal coat code cold come cook cool cope copy core corn cost crew crop cure dark data date
dawn dead deal dear debt deep deny desk diet dirt dish dive dock does done door dose down drag
draw drew drop drug drum dual duck dull dust duty each earn ease east easy edge else even ever
evil exit face fact fail fair fall fame farm fast fate fear feed feel feet fell felt file fill
film find fine fire firm fish five flag flat flow folk food foot form fort four free from fuel
full fund gain game gate gave gear gift girl give glad glow goal goes gold golf gone good grab
gray grew grey grip grow gulf hair half hall hand hang hard harm hate have head hear heat held
hell help here hero hide high hill hint hire hold hole holy home hope horn host hour huge hung
hunt hurt idea inch into iron item jack jail jane jazz john join joke jump jury just keen keep
kept kick kill kind king knee knew know lack lady laid lake land lane last late lead leaf lean
left lend less life lift like line link list live load loan lock long look lord lose loss lost
loud love luck made mail main make male mall many mark mass meal mean meat meet mere mild mile
milk mill mind mine miss mode mood moon more most move much must name navy near neck need news
next nice nine none nose note okay once only open oral over pace pack page paid pain pair palm
park part pass past path peak pick pile pink pipe plan play plot plus poem poet poll pool poor
port pose post pour pray pull pump pure push quit race rage rail rain rank rare rate read real
rely rent rest rice rich ride ring rise risk road rock role roll roof room root rope rose rule
rush safe said sake sale salt same sand save seat seed seek seem seen self sell send sent ship
shoe shop shot show shut sick side sign sing sink site size skin slip slow snow soft soil sold
sole some song soon sort soul spin spot star stay step stop such suit sure take tale talk tall
tank tape task team tear tell tend term test text than that them then they thin this thus tide
tile till time tiny tone took tool tour town tree trip true tune turn twin type unit upon used
user vast very vice view vote wage wait wake walk wall want warm warn wash wave weak wear week
well went were west what when whom wide wife wild will wind wine wing wire wise wish with wood
word wore work yard yeah year your zero zone jo al ed mo sam max mike bob pat dan don ray rod
art kit gus hal lou ron ted tom bill us uk un eu aq aqi gop cia fbi nato ok am pm ad tv dc nyc
usa ceo irs doj ira
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())

GREEK = str.maketrans(
    {
        "Α": "A",
        "Β": "B",
        "Γ": "G",
        "Δ": "D",
        "Ε": "E",
        "Ζ": "Z",
        "Η": "E",
        "Θ": "T",
        "Ι": "I",
        "Κ": "K",
        "Λ": "L",
        "Μ": "M",
        "Ν": "N",
        "Ξ": "X",
        "Ο": "O",
        "Π": "P",
        "Ρ": "R",
        "Σ": "S",
        "Τ": "T",
        "Υ": "Y",
        "Φ": "F",
        "Χ": "C",
        "Ψ": "P",
        "Ω": "O",
    }
)


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.translate(GREEK))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return (
        s.replace("Ł", "L")
        .replace("ł", "l")
        .replace("Æ", "AE")
        .replace("æ", "ae")
        .replace("Ø", "O")
        .replace("ø", "o")
        .lower()
    )


def initials(name: str) -> str | None:
    words = name.split()
    if not 2 <= len(words) <= 3:
        return None
    out = ""
    for w in words:
        c = fold(w[0].translate(GREEK))[:1].upper()
        if not c.isalpha():
            return None
        out += c
    return out


def _lower_first(s: str) -> str:
    return s if re.match(r"I\b|I’", s) else s[0].lower() + s[1:]


def _letters_prefix(word: str) -> str:
    m = re.match(r"[^\W\d_]+", word)
    return m.group(0) if m else ""


# --------------------------------------------------------------------------------------------
# prose

TOPICS: dict[str, list[str]] = {
    # singular or mass nouns only, so every template agrees with every phrase
    "transit": [
        "the new tram line",
        "the bus fare freeze",
        "the congestion charge",
        "the city budget",
        "the ring road",
        "the night bus service",
        "the transit authority",
        "parking revenue",
        "the bike lane network",
        "the regional rail plan",
        "the commuter lobby",
        "the maintenance backlog",
    ],
    "housing": [
        "rent control",
        "the zoning board",
        "the new tower block",
        "the first-time buyer scheme",
        "the housing waiting list",
        "the short-term rental market",
        "the tenant union",
        "the property tax",
        "the vacancy rate",
        "social housing",
        "the landlord lobby",
        "the building permit queue",
    ],
    "energy": [
        "the nuclear plant",
        "the offshore wind farm",
        "the grid operator",
        "the household energy bill",
        "the coal phase-out",
        "the gas import deal",
        "battery storage",
        "the carbon tax",
        "rooftop solar",
        "the energy ministry",
        "the industrial tariff",
        "winter peak demand",
    ],
    "schools": [
        "the phone ban",
        "standardized testing",
        "the teachers union",
        "the class size cap",
        "the school board",
        "the homework policy",
        "the new curriculum",
        "the rural school fund",
        "the exam system",
        "the parent council",
        "the after-school program",
        "the inspection regime",
    ],
    "work": [
        "the four-day week",
        "remote work",
        "the minimum wage",
        "the small business lobby",
        "the pilot program",
        "the overtime rule",
        "the productivity report",
        "the office lease market",
        "the chamber of commerce",
        "the gig economy",
        "the labour ministry",
        "the youth wage",
    ],
}

# {a} and {b} are noun phrases; {A} is {a} capitalised.
TEMPLATES = [
    "The real problem with {a} is that nobody budgeted for {b}.",
    "Nobody who has looked closely at {a} thinks {b} will fix it.",
    "{A} was sold to us as a saving, and what we got instead was {b}.",
    "If {a} worked as advertised, we’d already see the difference in {b}.",
    "I’ve watched {a} for ten years and it has never once been about {b}.",
    "You can’t talk about {a} without talking about {b}, and that’s what the post avoids.",
    "{A} is a symptom, not a cause; the cause is {b}.",
    "Every time {a} comes up, somebody blames {b}, and it’s never that simple.",
    "The numbers on {a} look fine until you add {b} to the picture.",
    "It isn’t {a} that worries me but what happens to {b} afterwards.",
    "Whoever designed {a} clearly never had to deal with {b}.",
    "The people defending {a} are the same people who promised us {b} would pay for itself.",
    "{A} doesn’t need another review, it needs someone willing to take on {b}.",
    "Compare {a} with {b} and the double standard is obvious.",
    "There’s a reason {a} keeps failing, and it has a lot to do with {b}.",
    "Cutting {a} to pay for {b} is the oldest trick in the book.",
    "Most of the anger about {a} is really anger about {b}.",
    "Nobody voted for {a}, and nobody will vote for {b} either.",
    "{A} only looks cheap because {b} carries the real cost.",
    "We were told {a} would be temporary; so was {b}.",
    "I’d take {a} seriously if its supporters ever mentioned {b}.",
    "The honest case for {a} rests entirely on {b}.",
    "What {a} shows is that {b} was never the bottleneck.",
    "Ask anyone who depends on {b} what they think of {a}.",
    "Why does nobody ask what {a} did to {b}?",
    "The last time we tried {a}, {b} took the hit.",
    "Half the problem with {a} is that its fans have never looked at {b}.",
    "{A} and {b} are not the same fight, however often people pretend they are.",
    "My own experience with {a} says more about {b} than any study.",
    "Blaming {a} for everything lets {b} off the hook.",
    "There is no version of {a} that works without fixing {b} first.",
    "Supporters of {a} should explain why {b} got worse, not better.",
    "Give it two years and {a} will be blamed for {b}.",
    "The debate about {a} would be shorter if anyone had read the report on {b}.",
]
#: sentences that cannot follow "that" (imperatives, first person, questions)
NOT_AFTER_THAT = re.compile(r"^(Ask|Compare|I[ ’]|Why|My )|\?$")
CLOSERS = [
    "That’s the part nobody wants to say out loud.",
    "I don’t see how that’s controversial.",
    "It’s been like this for years.",
    "We’ll see who’s right by next spring.",
    "None of this is new.",
    "The rest is noise.",
    "That should worry everyone here.",
    "Anyone who reads the actual reports can see it.",
]
REPLY_OPENERS = [
    "That’s simply not what happened.",
    "I think you’ve got this backwards.",
    "Fair point, as far as it goes.",
    "That’s a stretch.",
    "Not quite.",
    "You’re half right.",
    "I’d put it differently.",
    "That’s exactly the problem.",
]
BARE = [
    "How exactly?",
    "Says who?",
    "Source?",
    "And you think that settles it?",
    "Which is it, then?",
    "Compared to what?",
    "So what would you do instead?",
    "Really? Based on what?",
    "That doesn’t follow.",
    "Name one.",
]
THIRD_PERSON = [
    "I doubt {X} would agree, but {s}",
    "Even people who usually side with {X} on this blog should admit that {s}",
]
REFERENCE = [
    "{X} has it right: {s}",
    "As {X} points out, {s}",
    "I agree with {X} that {s}",
    "I agree with {X}. {S}",
]
CURLY = [
    "When you say “{q}”, you skip the obvious point. {S}",
    "I keep rereading “{q}” and I still can’t see how it follows. {S}",
    "The claim that “{q}” doesn’t survive contact with the numbers. {S}",
    "“{q}” Really? {S}",
]
TRAP_LEAD = {
    "Tea": ("Tea is a good example, because {s}", "Tea, bread, bus fares: {s}"),
    "Well": ("Well, {s}", "Well {s}"),
    "Now": ("Now, {s}", "Now {s}"),
    "Yes": ("Yes, {s}", "Yes, and {s}"),
    "But": ("But {s}", "But, frankly, {s}"),
    "So": ("So, {s}", "So {s}"),
}


@dataclass
class Para:
    text: str  # as printed
    clean: str  # before typos
    kind: str  # "own", "quote", "cue", "trap"
    sents: list[tuple[int, tuple[str, str]]] = field(default_factory=list)  # (template, nps)
    quoted: bool = False  # already quoted by someone
    src: int = 0  # for kind "quote": the comment whose words these are
    typo_words: list[tuple[str, str]] = field(default_factory=list)  # (typo, fixed)


@dataclass
class Comment:
    number: int
    author: str
    paras: list[Para]
    edges: list[tuple[int, str]]
    blocked: set[str] = field(default_factory=set)  # authors of this comment's negatives


class _Gen:
    def __init__(self, seed: int, n: int, weights: dict[str, float]) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.n = n
        self.weights = weights
        self.used_sents: set[str] = set()
        self.comments: list[Comment] = []
        self.negatives: list[Edge] = []
        self.counts = {s: 0 for s in weights}
        self.topics = self.rng.sample(sorted(TOPICS), 2)
        self._pick_people()

    # ---- people -----------------------------------------------------------------------------
    def _pick_people(self) -> None:
        rng = self.rng
        k = rng.randint(6, 12)
        while True:
            n_multi = rng.randint(1, 3)
            n_na = rng.randint(1, 3)
            n_trap = rng.randint(1, 2)
            pool = (
                rng.sample(MULTI, n_multi)
                + rng.sample(NON_ASCII, n_na)
                + rng.sample(sorted(TRAP_HANDLES), n_trap)
            )
            rest = k - len(pool)
            if rest < 1:
                continue
            pool += rng.sample(HANDLES, rest)
            if not self._names_ok(pool):
                continue
            self.people = pool
            self.initials = self._usable_initials(pool)
            if "initials" in self.weights and not any(self.initials.values()):
                continue
            if "prefix" in self.weights and not any(self._prefixes(p) for p in pool):
                continue
            break
        rng.shuffle(pool)
        self.people = pool
        self.prefixes = {p: self._prefixes(p) for p in pool}

    @staticmethod
    def _usable_initials(pool: list[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for p in pool:
            ini = initials(p)
            firsts = [fold(o.split()[0]) for o in pool if o != p]
            if ini and (fold(ini) in COMMON_WORDS or any(w.startswith(fold(ini)) for w in firsts)):
                ini = None
            out[p] = ini
        return out

    @staticmethod
    def _names_ok(pool: list[str]) -> bool:
        folded = [fold(p) for p in pool]
        firsts = [f.split()[0] for f in folded]
        if len(set(firsts)) != len(firsts):
            return False
        for i, a in enumerate(folded):
            for j, b in enumerate(folded):
                if i != j and b.startswith(a):
                    return False
        inits = [initials(p) for p in pool if initials(p)]
        return len(set(inits)) == len(inits)

    def _prefixes(self, person: str) -> list[str]:
        if person in TRAP_HANDLES:
            return []
        first = person.split()[0]
        letters = _letters_prefix(first)
        out = []
        others = [o for o in self.people if o != person]
        other_words = [fold(w) for o in others for w in o.split()]
        inits = {fold(i) for i in (initials(o) for o in self.people) if i}
        for size in (2, 3, 4):
            if len(letters) < size or len(first) <= size:
                continue
            pre = letters[:size]
            fp = fold(pre)
            if fp in COMMON_WORDS or fp in inits:
                continue
            if any(w.startswith(fp) for w in other_words):
                continue
            out.append(pre)
        return out

    # ---- prose ------------------------------------------------------------------------------
    def _topic(self) -> str:
        return self.topics[0] if self.rng.random() < 0.7 else self.topics[1]

    def _sentence(
        self,
        nps: tuple[str, str] | None = None,
        avoid_t: int | None = None,
        topic: str | None = None,
    ) -> tuple[str, tuple[int, tuple[str, str]]]:
        topic = topic or self._topic()
        for _ in range(400):
            t = self.rng.randrange(len(TEMPLATES))
            if t == avoid_t:
                continue
            if nps is None:
                a, b = self.rng.sample(TOPICS[topic], 2)
            else:
                a, b = nps
            s = TEMPLATES[t].format(a=a, b=b, A=a[0].upper() + a[1:])
            if s not in self.used_sents:
                self.used_sents.add(s)
                return s, (t, (a, b))
        raise RuntimeError("sentence space exhausted")

    def _closer(self) -> str:
        return self.rng.choice(CLOSERS)

    def own_para(self, n_sent: int | None = None, typos: bool = True) -> Para:
        n_sent = n_sent or self.rng.randint(2, 3)
        topic = self._topic()
        sents, meta = [], []
        for _ in range(n_sent):
            s, m = self._sentence(topic=topic)
            sents.append(s)
            meta.append(m)
        if self.rng.random() < 0.3:
            sents.append(self._closer())
        clean = " ".join(sents)
        p = Para(clean, clean, "own", meta)
        if typos and self.rng.random() < 0.35:
            self._add_typos(p)
        return p

    def _add_typos(self, p: Para) -> None:
        words = p.text.split(" ")
        idx = [
            i
            for i, w in enumerate(words)
            if re.fullmatch(r"[a-z]{6,}[.,;:]?|[a-z]+’[a-z]+[.,;:]?", w)
        ]
        if not idx:
            return
        for i in self.rng.sample(idx, min(len(idx), self.rng.randint(1, 2))):
            w = words[i]
            core = w.rstrip(".,;:")
            tail = w[len(core) :]
            if "’" in core:
                bad = core.replace("’", "")
            else:
                kind = self.rng.randrange(3)
                j = self.rng.randrange(1, len(core) - 2)
                if kind == 0 and core[j] != core[j + 1]:
                    bad = core[:j] + core[j + 1] + core[j] + core[j + 2 :]
                elif kind == 1:
                    bad = core[:j] + core[j] + core[j:]
                else:
                    bad = core[:j] + core[j + 1 :]
            if bad == core:
                continue
            words[i] = bad + tail
            p.typo_words.append((bad, core))
        p.text = " ".join(words)

    def own_lower(self, after_that: bool = False) -> tuple[str, Para]:
        while True:
            p = self.own_para(n_sent=self.rng.randint(1, 2), typos=False)
            if not after_that or not NOT_AFTER_THAT.search(p.clean.split(". ")[0]):
                return _lower_first(p.clean), p

    # ---- helpers ----------------------------------------------------------------------------
    def latest(self, person: str, before: int) -> Comment:
        found = self.latest_of(person, before)
        assert found is not None, (person, before)
        return found

    def latest_of(self, person: str, before: int) -> Comment | None:
        for c in reversed(self.comments):
            if c.number < before and c.author == person:
                return c
        return None

    def answered_people(self, c: Comment) -> set[str]:
        return {self.comments[t - 1].author for t, _ in c.edges if t > 0}

    def in_exchange(self, a: str, prev: Comment) -> bool:
        """prev (by B) answered a comment of a explicitly, and that comment had answered B."""
        for t, style in prev.edges:
            if t > 0 and style != "implicit":
                tc = self.comments[t - 1]
                if tc.author == a and prev.author in self.answered_people(tc):
                    return True
        return False

    def quotable(self, author: str, before: int, recent: int = 12) -> list[tuple[Comment, Para]]:
        out = []
        for c in self.comments[max(0, before - 1 - recent) : before - 1]:
            if c.author == author:
                continue
            for p in c.paras:
                if p.kind == "own" and not p.quoted:
                    out.append((c, p))
        return out

    # ---- main loop --------------------------------------------------------------------------
    def run(self) -> None:
        for i in range(1, self.n + 1):
            self.comments.append(self._comment(i))

    def _choose_style(self, i: int, author: str) -> str:
        feasible = [s for s in self.weights if self._feasible(s, i, author)]
        if not feasible:
            return "article"
        # exchanges that allow an implicit reply are rare: take the chance most of the time
        if "implicit" in feasible and self.rng.random() < 0.5:
            return "implicit"
        unused = [s for s in feasible if self.counts[s] == 0]
        if unused and self.rng.random() < 0.5:
            return self.rng.choice(unused)
        w = [self.weights[s] for s in feasible]
        return self.rng.choices(feasible, weights=w)[0]

    def _others_with_comments(self, i: int, author: str) -> list[str]:
        return sorted({c.author for c in self.comments if c.author != author})

    def _feasible(self, style: str, i: int, author: str) -> bool:
        prev = self.comments[-1] if self.comments else None
        others = self._others_with_comments(i, author)
        if style == "article":
            return prev is None or (
                author != prev.author and author not in self.answered_people(prev)
            )
        if style == "topical":
            return any(cc.number < i - 1 for cc, _ in self.quotable(author, i)) and self._feasible(
                "article", i, author
            )
        if style == "third_person":
            recent = {cc.author for cc in self.comments[-2:]}
            return bool(set(others) - recent) and self._feasible("article", i, author)
        if style == "implicit":
            return prev is not None and prev.author != author and self.in_exchange(author, prev)
        if style == "prefix":
            return any(self.prefixes[o] for o in others)
        if style == "initials":
            return any(self.initials[o] for o in others)
        if style in ("at_name", "full_name", "reference"):
            return bool(others)
        if style in ("quote", "curly_quote"):
            return bool(self.quotable(author, i))
        if style == "edited_quote":
            return any(self._edit_options(p) for _, p in self.quotable(author, i))
        if style == "quote_of_quote":
            return bool(self._qoq_candidates(i, author))
        return False

    def _pick_author(self, i: int) -> str:
        prev = self.comments[-1] if self.comments else None
        rng = self.rng
        if prev is not None and rng.random() < 0.45:
            # the person just answered tends to answer back
            back = [self.comments[t - 1].author for t, _ in prev.edges if t > 0]
            back = [b for b in back if b != prev.author]
            if back:
                return back[0]
        # a few people write most comments
        weights = [1.0 / (1 + k) for k in range(len(self.people))]
        while True:
            a = rng.choices(self.people, weights=weights)[0]
            if prev is None or a != prev.author:
                return a

    def _comment(self, i: int) -> Comment:
        author = self._pick_author(i)
        style = self._choose_style(i, author)
        c = Comment(i, author, [], [])
        self._apply(style, c)
        # sometimes a second block with an explicit cue to another person
        if (
            style not in ("implicit", "article", "topical", "third_person")
            and self.rng.random() < 0.2
        ):
            second = [
                s
                for s in (
                    "quote",
                    "at_name",
                    "full_name",
                    "reference",
                    "curly_quote",
                    "prefix",
                    "initials",
                    "edited_quote",
                )
                if s in self.weights and self._feasible(s, i, author)
            ]
            if second:
                self._apply(self.rng.choice(second), c, extra=True)
        # prefix distractor: a paragraph opening with a common word that starts a handle
        if "prefix" in self.weights and self.rng.random() < 0.12 and style != "implicit":
            self._trap(c)
        if not c.edges:
            c.edges.append((0, "article"))
        for s in {s for _, s in c.edges} | ({style} if style in NEGATIVE_STYLES else set()):
            if s in self.counts:
                self.counts[s] += 1
        return c

    def _target_person(self, c: Comment, pool: list[str]) -> str | None:
        taken = {self.comments[t - 1].author for t, _ in c.edges if t > 0} | c.blocked
        pool = [p for p in pool if p not in taken and p != c.author]
        if not pool:
            return None
        prev = self.comments[-1] if self.comments else None
        if (
            prev is not None
            and not c.edges
            and prev.author in pool
            and (self.in_exchange(c.author, prev) or c.author in self.answered_people(prev))
            and (self.in_exchange(c.author, prev) or self.rng.random() < 0.7)
        ):
            return prev.author
        # prefer the recently active
        recent = [p for p in pool if any(x.author == p for x in self.comments[-6:])]
        return self.rng.choice(recent or pool)

    def _trap(self, c: Comment) -> None:
        traps = [p for p in self.people if p in TRAP_HANDLES and p != c.author]
        targeted = {self.comments[t - 1].author for t, _ in c.edges if t > 0}
        prev_author = self.comments[-1].author if self.comments else None
        traps = [
            p
            for p in traps
            if p not in targeted and p != prev_author and self.latest_of(p, c.number)
        ]
        if not traps:
            return
        p = self.rng.choice(traps)
        s, _ = self.own_lower(after_that=True)
        text = self.rng.choice(TRAP_LEAD[TRAP_HANDLES[p]]).format(s=s)
        c.paras.append(Para(text, text, "trap"))
        self.negatives.append(Edge(c.number, self.latest(p, c.number).number, "prefix"))

    def _answer(self, c: Comment, n: int | None = None) -> None:
        n = n or self.rng.randint(1, 2)
        for k in range(n):
            p = self.own_para()
            if k == 0 and self.rng.random() < 0.4:
                op = self.rng.choice(REPLY_OPENERS)
                p.text = op + " " + p.text
                p.clean = op + " " + p.clean
                p.kind = "reply"  # not quotable (starts with a reply opener)
            c.paras.append(p)

    def _address(self, c: Comment, style: str) -> bool:
        i = c.number
        others = self._others_with_comments(i, c.author)
        rng = self.rng
        if style == "prefix":
            x = self._target_person(c, [o for o in others if self.prefixes[o]])
            if x is None:
                return False
            lead = rng.choice(self.prefixes[x]) + rng.choice([": ", ", "])
        elif style == "initials":
            x = self._target_person(c, [o for o in others if self.initials[o]])
            if x is None:
                return False
            lead = (self.initials[x] or "") + rng.choice([": ", ", "])
        elif style == "at_name":
            x = self._target_person(c, others)
            if x is None:
                return False
            lead = "@" + x + rng.choice([": ", ", "] + ([" "] if " " not in x else []))
        elif style == "full_name":
            x = self._target_person(c, others)
            if x is None:
                return False
            lead = x + rng.choice([": ", ", "])
        else:  # reference
            x = self._target_person(c, others)
            if x is None:
                return False
            tpl = rng.choice(REFERENCE)
            s, _ = self.own_lower(after_that="that {s}" in tpl)
            text = tpl.format(X=x, s=s, S=s[0].upper() + s[1:])
            c.paras.append(Para(text, text, "cue"))
            c.edges.append((self.latest(x, i).number, style))
            if rng.random() < 0.5:
                self._answer(c, 1)
            return True
        s, _ = self.own_lower()
        opener = rng.random() < 0.3
        body = (rng.choice(REPLY_OPENERS) + " " + s[0].upper() + s[1:]) if opener else s
        if lead.endswith(": ") or (lead.startswith("@") and not lead.endswith(", ")):
            body = body[0].upper() + body[1:]
        else:
            body = _lower_first(body)
        text = lead + body
        c.paras.append(Para(text, text, "cue"))
        c.edges.append((self.latest(x, i).number, style))
        if rng.random() < 0.6:
            self._answer(c, 1)
        return True

    def _edit_options(self, p: Para) -> list[str]:
        opts = []
        if p.typo_words:
            opts += ["fix", "sic"]
        if "’" in p.text or "“" in p.text:
            opts.append("straight")
        if ", " in p.text or p.text.endswith("."):
            opts.append("punct")
        if len(re.findall(r"[.?!](?= )", p.text)) >= 2:
            opts.append("elide")
        return opts

    def _edited(self, p: Para) -> str:
        kind = self.rng.choice(self._edit_options(p))
        if kind == "fix":
            return p.clean
        if kind == "sic":
            bad, _ = p.typo_words[0]
            return re.sub(
                r"(?<![\w’])" + re.escape(bad) + r"(?![\w’])", bad + " [sic]", p.text, count=1
            )
        if kind == "straight":
            return p.text.replace("’", "'").replace("“", '"').replace("”", '"')
        if kind == "punct":
            if ", " in p.text and (self.rng.random() < 0.6 or not p.text.endswith(".")):
                return p.text.replace(", ", " — ", 1)
            return p.text[:-1] + "!"
        # elide: keep first and last sentence, cut the middle
        sents = re.split(r"(?<=[.?!]) ", p.text)
        return sents[0] + " (…) " + " ".join(sents[-1:])

    def _qoq_candidates(self, i: int, author: str) -> list[tuple[Comment, Para, Para]]:
        out = []
        for c2 in self.comments[max(0, i - 13) : i - 1]:
            if c2.author == author:
                continue
            for k, p in enumerate(c2.paras[:-1]):
                if p.kind != "quote" or p.quoted:
                    continue
                nxt = c2.paras[k + 1]
                if nxt.kind in ("own", "reply") and not nxt.quoted and p.src:
                    c1 = self.comments[p.src - 1]
                    if c1.author != author:
                        out.append((c2, p, nxt))
        return out

    def _apply(self, style: str, c: Comment, extra: bool = False) -> None:
        rng = self.rng
        i = c.number
        if style == "article":
            for _ in range(rng.randint(2, 3)):
                c.paras.append(self.own_para())
        elif style == "implicit":
            prev = self.comments[-1]
            text = rng.choice(BARE)
            if rng.random() < 0.4 and not text.endswith("?"):
                text = text + " " + self._sentence()[0]
            c.paras.append(Para(text, text, "cue"))
            c.edges.append((prev.number, "implicit"))
        elif style in ("prefix", "initials", "at_name", "full_name", "reference"):
            if not self._address(c, style) and not extra:
                self._apply("article", c)
        elif style in ("quote", "edited_quote", "curly_quote"):
            cands = [
                (cc, p)
                for cc, p in self.quotable(c.author, i)
                if cc.author not in {self.comments[t - 1].author for t, _ in c.edges if t > 0}
                and cc.author not in c.blocked
            ]
            if style == "edited_quote":
                cands = [(cc, p) for cc, p in cands if self._edit_options(p)]
            last = self.comments[-1] if self.comments else None
            if last is not None and not c.edges and c.author in self.answered_people(last):
                mine = [(cc, p) for cc, p in cands if cc is last]
                if mine and (self.in_exchange(c.author, last) or rng.random() < 0.7):
                    cands = mine
            if not cands:
                if not extra:
                    self._apply("article", c)
                return
            src, p = rng.choice(cands)
            p.quoted = True
            if style == "quote":
                c.paras.append(Para(p.text, p.clean, "quote", src=src.number))
            elif style == "edited_quote":
                t = self._edited(p)
                c.paras.append(Para(t, t, "quote", src=src.number))
            else:
                sents = re.split(r"(?<=[.?!]) ", p.text)
                q = rng.choice(sents[:2]).rstrip(".")
                _, ap = self.own_lower()
                t = rng.choice(CURLY).format(q=q, S=ap.clean)
                c.paras.append(Para(t, t, "cue"))
            c.edges.append((src.number, style))
            if style != "curly_quote" or rng.random() < 0.5:
                self._answer(c)
        elif style == "quote_of_quote":
            c2, p, r = rng.choice(self._qoq_candidates(i, c.author))
            p.quoted = r.quoted = True
            c.paras.append(Para(p.text, p.clean, "quote", src=p.src))
            c.paras.append(Para(r.text, r.clean, "quote", src=c2.number))
            c.edges.append((c2.number, "quote_of_quote"))
            self.negatives.append(Edge(i, p.src, "quote_of_quote"))
            c.blocked.add(self.comments[p.src - 1].author)
            self._answer(c)
        elif style == "topical":
            src, p = rng.choice(
                [(cc, pp) for cc, pp in self.quotable(c.author, i) if cc.number < i - 1]
            )
            sents = []
            for tpl_id, (a, b) in p.sents:
                s, _ = self._sentence((b, a) if rng.random() < 0.5 else (a, b), avoid_t=tpl_id)
                sents.append(s)
            text = " ".join(sents)
            c.paras.append(Para(text, text, "own", []))
            c.paras[-1].quoted = True  # never quoted later: its words echo another comment
            self.negatives.append(Edge(i, src.number, "topical"))
            if rng.random() < 0.5:
                c.paras.append(self.own_para())
        elif style == "third_person":
            recent = {cc.author for cc in self.comments[-2:]}
            x = rng.choice(
                [o for o in self._others_with_comments(i, c.author) if o not in recent]
                or self._others_with_comments(i, c.author)
            )
            tpl = rng.choice(THIRD_PERSON)
            s, _ = self.own_lower(after_that=True)
            text = tpl.format(X=x, s=s)
            if rng.random() < 0.5:
                c.paras.append(self.own_para())
            c.paras.append(Para(text, text, "trap"))
            if rng.random() < 0.5:
                c.paras.append(self.own_para())
            self.negatives.append(Edge(i, self.latest(x, i).number, "third_person"))
        else:
            raise ValueError(style)


# --------------------------------------------------------------------------------------------
# rendering

TITLES = {
    "transit": "The Tram Line Nobody Asked For",
    "housing": "Rent Control Returns",
    "energy": "The Grid Bill Comes Due",
    "schools": "Phones Out of the Classroom",
    "work": "Is the Four-Day Week Working?",
}
LEDES = {
    "transit": "The council approved the tram extension on Tuesday. Commuters are not convinced.",
    "housing": "A cap on rent rises passed its first reading. Landlords say supply will dry up.",
    "energy": "Household bills rise again this winter, and the ministry blames gas imports.",
    "schools": "The phone ban starts in September. Teachers are split.",
    "work": "Six months into the pilot, the first productivity figures are in.",
}
AUTHORS = [
    (
        "Dana Whitfield",
        "Dana Whitfield writes about cities and public policy. She was a municipal budget"
        " analyst for a decade. Views expressed here are her own.",
    ),
    (
        "Tomas Reyes",
        "Tomas Reyes is a contributing editor and former reporter. He covers local government."
        " Follow Tomas on Twitter @treyes_writes.",
    ),
]


def _render(g: _Gen) -> str:
    rng = g.rng
    topic = g.topics[0]
    author, bio = rng.choice(AUTHORS)
    lines = [TITLES[topic], "", LEDES[topic], ""]
    for k in range(rng.randint(3, 5)):
        p = g.own_para(n_sent=rng.randint(2, 4), typos=False)
        lines += [p.text, ""]
        if k == 1:
            lines += ["[…]", ""]
    k = rng.randint(0, 6)
    tags = f"{topic.capitalize()}, Politics" + (", " * k + "," if k else "")
    lines += [f"FILED UNDER: {tags}", author, f"About {author}", bio, "", "Comments", ""]
    for c in g.comments:
        lines += [f"  {c.number}. {c.author} says:", ""]
        for p in c.paras:
            lines += ["    " + p.text, ""]
    return "\n".join(lines).rstrip("\n")


def generate(
    seed: int, n_comments: int = 60, styles: Sequence[str] | Mapping[str, float] | None = None
) -> StyleThread:
    """A labelled thread of ``n_comments`` comments mixing ``styles``.

    ``styles``: a sequence of style names (equal weight; repeat a name to weight it) or a mapping
    name -> weight; ``None`` means all of ``ALL_STYLES`` with ``article`` at half weight.  Every
    requested style appears at least once when ``n_comments`` leaves room for it (60 does).
    Styles that need material are given it (``SUPPORT``): requesting ``quote_of_quote`` adds
    plain quotes, ``implicit`` adds full-name and @-addressed replies, at a quarter of the total
    weight; those comments are labelled with their own style.  ``negatives`` of style ``prefix``
    appear whenever ``prefix`` is requested and a trap handle takes part.
    """
    if styles is None:
        weights = {s: 1.0 for s in ALL_STYLES}
        weights["article"] = 0.5
    elif isinstance(styles, Mapping):
        weights = {s: float(w) for s, w in styles.items() if w > 0}
    else:
        weights = {}
        for s in styles:
            weights[s] = weights.get(s, 0.0) + 1.0
    unknown = set(weights) - set(ALL_STYLES)
    if unknown:
        raise ValueError(f"unknown styles: {sorted(unknown)}")
    if not weights:
        raise ValueError("no styles")
    # styles that need material get it: a quote to re-paste, an exchange to continue
    total = sum(weights.values())
    for style, helpers in SUPPORT.items():
        if style in weights:
            for h in helpers:
                weights.setdefault(h, 0.25 * total / len(helpers))
    g = _Gen(seed, n_comments, weights)
    g.run()
    edges = [Edge(c.number, t, s) for c in g.comments for t, s in c.edges]
    return StyleThread(
        text=_render(g),
        source=f"style_{seed}.txt",
        edges=edges,
        negatives=list(g.negatives),
        authors={c.number: c.author for c in g.comments},
        participants=list(g.people),
    )


if __name__ == "__main__":  # pragma: no cover - manual look
    import sys

    t = generate(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(t.text)
    print()
    for e in t.edges:
        print(e)
    for e in t.negatives:
        print("NOT", e)
