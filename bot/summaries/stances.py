"""Who agreed with whom, and which sentences cannot stand on their own.

Both from small lists of cues, on purpose: a reply that opens "I agree" or "X has it
right" sides with X, one that opens "No." or "I'm not sure I buy that" does not. Cues are
read in the replying comment's own words only, and only where a reply says such things:
its first sentences. A sentence that opens with a pointer back ("That", "Those countries",
"Because") or is a bare short question needs what it answers next to it to be read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from bot.summaries.sentences import normalise

AGAINST = "against"
WITH = "with"

_AGREE = re.compile(
    r"\b(?:i agree|agreed|i concur|has it right|have it right|got it right|is right|"
    r"are right|exactly|good point|great point|well said|fair enough|true enough|"
    r"points out|pointed out|as \w+ said|i'll grant|granted|you're right|quite right|"
    r"thanks|thank you|precisely|indeed)\b",
    re.IGNORECASE,
)
_DISAGREE = re.compile(
    r"(?:^|\b)(?:no[.,!]|nope|wrong|not sure i buy|don't buy|i disagree|disagree|nonsense|"
    r"ridiculous|absurd|nuts|bs\b|baloney|hogwash|not true|that's not|isn't true|"
    r"you're (?:wrong|kidding)|how exactly|really\?|which one\?|so what|circular|"
    r"fails the|doesn't (?:hold|follow|pass)|on the contrary|"
    r"the problem with|you miss|missing the point|straw ?man|laughable)",
    re.IGNORECASE,
)
_OPENING_SENTENCES = 2

_DEPENDENT = re.compile(
    r"^(?:that|this|those|these|they|they're|them|he|she|his|her|which|because|so|and|but|"
    r"or|yes|yeah|no|nope|exactly|well|oh|true|um+|uh+|hm+|ah+|heh|lol|ok|okay|sure|"
    r"as i (?:say|said))\b",
    re.IGNORECASE,
)
"""Openers that point back. Not "it" ("It's in our interest to stay" stands alone)."""
SHORT_QUESTION_WORDS = 6


_OPENING_CHARS = 400
_ROUGH_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def opening(text: str) -> list[str]:
    """The first sentences of a reply, split roughly: cheap enough for every reply of a
    20,000-comment thread (the rule-based splitter is kept for what is shown)."""
    return _ROUGH_SENTENCE.split(text.strip()[:_OPENING_CHARS])[:_OPENING_SENTENCES]


def leaning(sentences: Sequence[str]) -> str:
    """``against``, ``with`` or ``""``: what the opening of a reply says about its target."""
    opening = " ".join(normalise(s) for s in sentences[:_OPENING_SENTENCES])
    agree = len(_AGREE.findall(opening))
    disagree = len(_DISAGREE.findall(opening))
    if disagree > agree:
        return AGAINST
    if agree > disagree:
        return WITH
    return ""


def overall(leanings: Sequence[str]) -> str:
    """The leaning of several replies to one person: the clear majority, else ``""``."""
    counts = Counter(x for x in leanings if x)
    if not counts:
        return ""
    (top, n), *rest = counts.most_common()
    if rest and rest[0][1] == n:
        return ""
    return top


_ASKING = re.compile(r"^(?:explain|tell me|show me|care to|name one)\b", re.IGNORECASE)
"""Questions put as requests ("Explain to me how…"): they ask, they do not state."""
_STANCE_CUE = re.compile(
    r"\b(?:i think|i believe|i'd say|i would say|my guess|it seems to me|i'm (?:sure|convinced)|"
    r"the (?:point|problem|fact|truth|reality) is|the real\b|in (?:our|their|its) (?:best )?"
    r"interests?|(?:we|they|you) (?:should|must|need to|have to)|is essentially|are essentially)",
    re.IGNORECASE,
)
"""Words with which people state where they stand, as opposed to recounting or asking."""


def _opening_text(sentence: str) -> str:
    """The sentence from its first word: opening quote marks, brackets and dots dropped."""
    return normalise(sentence).strip().lstrip("“\"'‘(…. ")


def asks(sentence: str) -> bool:
    """A question, or a request that is one."""
    text = _opening_text(sentence)
    return "?" in text or bool(_ASKING.match(text))


def states_a_view(sentence: str) -> bool:
    """Whether a sentence says where its writer stands ("My guess is that…", "…should…")."""
    return bool(_STANCE_CUE.search(normalise(sentence)))


def depends_on_context(sentence: str) -> bool:
    """A sentence that points back at what it answers, or a bare short question."""
    text = _opening_text(sentence)
    if _DEPENDENT.match(text):
        return True
    return text.endswith("?") and len(text.split()) <= SHORT_QUESTION_WORDS
