"""Discord-safe text: markdown shows literally, mentions stay inert, splitting respects limits."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import (
    ELLIPSIS,
    ZWSP,
    escape_markdown,
    fold,
    fold_chars,
    neutralise_mentions,
    safe,
    shorten,
    slugify,
    snippet,
    split_text,
    truncate,
    word_count,
)

MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>|</[\w ]+:\d+>|<a?:\w+:\d+>|@everyone|@here")
_DISCORD_ESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")


def as_discord_shows(text: str) -> str:
    """What a reader sees: Discord drops a backslash before punctuation; ZWSPs are invisible."""
    return _DISCORD_ESCAPE.sub(r"\1", text).replace(ZWSP, "")


@pytest.mark.parametrize(
    "raw",
    ["@everyone", "@here", "<@123>", "<@!123>", "<@&456>", "<#789>", "</thread read:42>", "<:e:5>"],
)
def test_mentions_show_as_text(raw: str) -> None:
    out = neutralise_mentions(f"hello {raw} there")
    assert MENTION.search(out) is None
    assert out.replace(ZWSP, "") == f"hello {raw} there"


def test_email_like_at_signs_are_left_alone() -> None:
    assert neutralise_mentions("mail me at a@example.com") == "mail me at a@example.com"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("*bold*", r"\*bold\*"),
        ("__under__", r"\_\_under\_\_"),
        ("~~gone~~", r"\~\~gone\~\~"),
        ("||secret||", r"\|\|secret\|\|"),
        ("`code`", r"\`code\`"),
        ("[site](http://x.y)", r"\[site](http://x.y)"),
        ("> not a quote", r"\> not a quote"),
        ("# not a heading", r"\# not a heading"),
        ("-# not small", r"\-# not small"),
        ("- not a list", r"\- not a list"),
        ("12. not a list", r"12\. not a list"),
    ],
)
def test_markdown_that_would_change_meaning_is_escaped(raw: str, escaped: str) -> None:
    assert escape_markdown(raw) == escaped
    assert as_discord_shows(escape_markdown(raw)) == raw


@pytest.mark.parametrize(
    "plain",
    [
        "snake_case_name stays",
        "a~b and a|b are fine alone",
        "the [\u2026] elision stays visible",
        "see https://example.com/a_b__c~~d and more",
        "1990 was a year. 2. is not at the start",
        "C:\\path\\file",
    ],
)
def test_harmless_text_is_untouched(plain: str) -> None:
    assert escape_markdown(plain) == plain


@given(st.text(alphabet=st.sampled_from(list("ab _*~|`\\[]()>#-+.1\n @<&!:")), max_size=80))
def test_escaping_round_trips_through_discords_unescape(text: str) -> None:
    assert as_discord_shows(safe(text)) == text


@given(st.text(alphabet=st.sampled_from(list("ab @<>#&!:123everyonhr")), max_size=60))
def test_no_mention_survives(text: str) -> None:
    assert MENTION.search(safe(text)) is None


def test_split_prefers_paragraphs_and_marks_every_cut() -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 40 for i in range(12)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    pieces = split_text(text, 700)
    assert len(pieces) > 1
    for piece in pieces[:-1]:
        assert len(piece) <= 700
        assert piece.endswith(" " + ELLIPSIS)
        body = piece.removesuffix(" " + ELLIPSIS)
        assert body.rstrip().endswith("word"), "cut inside a paragraph"
    assert not pieces[-1].endswith(ELLIPSIS)
    # paragraph cuts do not need a leading marker
    assert all(not p.startswith(ELLIPSIS) for p in pieces)


def test_split_falls_back_to_sentences_then_words() -> None:
    sentences = " ".join(f"Sentence number {i} ends here." for i in range(200))
    pieces = split_text(sentences, 500)
    assert all(p.removesuffix(" " + ELLIPSIS).endswith("here.") for p in pieces[:-1])
    assert all(p.startswith(ELLIPSIS + " ") for p in pieces[1:])
    words = "word " * 500
    pieces = split_text(words, 300)
    assert all(len(p) <= 300 for p in pieces)
    assert all(w == "word" for p in pieces for w in p.split() if w != ELLIPSIS)


def test_a_word_longer_than_the_limit_is_cut_hard() -> None:
    pieces = split_text("x" * 1000, 300)
    assert len(pieces) == 4
    assert all(len(p) <= 300 for p in pieces)
    assert "".join(p.replace(ELLIPSIS, "").replace(" ", "") for p in pieces) == "x" * 1000


def test_hard_cut_never_separates_an_escape() -> None:
    text = safe("*" * 1000)
    for piece in split_text(text, 301):
        body = piece.removeprefix(ELLIPSIS + " ").removesuffix(" " + ELLIPSIS)
        assert as_discord_shows(body) == "*" * (len(body) // 2)


words = st.text(alphabet="abcdefghij", min_size=1, max_size=30)
separators = st.sampled_from([" ", "  ", "\n", "\n\n", ". ", "! ", " \n\n "])


@given(st.lists(st.tuples(words, separators), min_size=1, max_size=300), st.integers(60, 900))
def test_split_keeps_every_word_whole_and_within_the_limit(
    parts: list[tuple[str, str]], limit: int
) -> None:
    text = "".join(w + s for w, s in parts)
    pieces = split_text(text, limit)
    assert all(len(p) <= limit for p in pieces)
    seen = [
        w for p in pieces for w in p.replace(".", " ").replace("!", " ").split() if w != ELLIPSIS
    ]
    assert seen == text.replace(".", " ").replace("!", " ").split()


def test_blank_text_gives_no_pieces() -> None:
    assert split_text(" \n\n ", 100) == []
    assert split_text("short", 100) == ["short"]


def test_truncate_and_snippet() -> None:
    assert truncate("short", 10) == "short"
    cut = truncate("one two three four five six", 15)
    assert len(cut) <= 15 and cut.endswith(ELLIPSIS) and cut.startswith("one two")
    assert not cut.removesuffix(ELLIPSIS).endswith(" ")
    assert snippet("a\n\nb   c", 100) == "a b c"
    assert len(snippet("x" * 500, 100)) == 100


# ---- fold: the one key for matching, searching and autocomplete ---------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("José ", "jose"),  # accents go, ends are stripped
        ("ZOË Ångström", "zoe angstrom"),
        ("STRASSE Straße", "strasse strasse"),  # casefold, not lower
        ("  Bit\thead \n\n  Jr  ", "bit head jr"),  # any whitespace run is one space
        ("Juho§", "juho§"),  # symbols stay
        ("ﬁne №５", "fine no5"),  # compatibility forms decompose
        ("שָׁלוֹם", "שלום"),  # Hebrew niqqud (vowel points, shin dot) dropped
        ("مُحَمَّد", "محمد"),  # Arabic harakat (fatha, damma, shadda) dropped
        ("Ἀθῆναι", "αθηναι"),  # Greek breathings and accents dropped
        ("", ""),
    ],
)
def test_fold_pins_case_accents_whitespace_and_marks(text: str, folded: str) -> None:
    assert fold(text) == folded


@given(st.text(max_size=40))
def test_fold_is_idempotent_and_insensitive_to_case_and_spacing(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert fold(text.casefold()) == once
    assert fold(f"  {text}\t ") == once
    assert once == once.strip() and "  " not in once


def test_slugify_and_word_count() -> None:
    assert slugify("Iraq Cease-Fire Over") == "iraq-cease-fire-over"
    assert slugify("Ἀθῆναι!!") == "thread"
    assert slugify("Café  au lait, s'il vous plaît") == "cafe-au-lait-s-il-vous-plait"
    assert word_count(["one two", " three\n four ", ""]) == 4


def _fold_whole_text(text: str) -> str:
    """The definition of ``fold``: decompose the whole text, drop every combining mark."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    unmarked = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unmarked.casefold().split())


@given(st.text())
def test_fold_character_by_character_equals_folding_the_whole_text(text: str) -> None:
    assert fold(text) == _fold_whole_text(text)


@given(
    st.text(
        alphabet=st.one_of(
            st.characters(max_codepoint=0x17F), st.sampled_from("’‘“”–—…€™•‰ŒœŠšŽžŸƒˆ˜†")
        )
    )
)
def test_latin1_text_folds_as_the_whole_text_does(text: str) -> None:
    """Text of Latin-1 letters and typed punctuation takes a byte-table way
    (``bytes.translate``); any other character, such as ``½`` or ``ſ`` here, sends it the
    general way."""
    assert fold(text) == _fold_whole_text(text)
    assert " ".join(fold_chars(text).split()) == fold(text)


def test_fold_chars_keeps_spacing() -> None:
    assert fold_chars(" Ça  va ½\t") == " ca  va 1⁄2\t"
    assert fold_chars("Ärger ÿ º") == "arger y o"
    assert fold_chars("Don’t “Šta”… Œuvre – ™") == "don’t “sta”... œuvre – tm"


def _shorten_whole(text: str, limit: int) -> str:
    """``shorten`` as first written: the whole text flattened before anything is cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if flat[limit - 1] != " " and space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.–—-") + "…"


@given(
    st.lists(
        st.one_of(
            st.text(alphabet="ab,.–", min_size=1, max_size=12),
            st.text(alphabet=" \t\n\u00a0\u2003", min_size=1, max_size=200),
        ),
        max_size=60,
    ),
    st.integers(1, 120),
)
def test_shorten_flattens_only_what_it_keeps(pieces: list[str], limit: int) -> None:
    """Flattening a prefix first (a speed-up) gives what flattening everything gives, also
    when long runs of whitespace make the prefix too short."""
    text = "".join(pieces)
    assert shorten(text, limit) == _shorten_whole(text, limit)
    assert len(shorten(text, limit)) <= limit
