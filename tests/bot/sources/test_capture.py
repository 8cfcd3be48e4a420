"""The thread-file parser: the seed exactly, the variations real files have, and clear errors."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.models import ELISION, ParseError
from bot.sources.capture import decode, is_date_line, parse_thread
from bot.sources.loading import parse_bytes
from tests.conftest import SEED_FILE

HEADER = re.compile(r"^  (\d+)\. (.+) says:$")


def seed_comment_blocks(text: str) -> list[tuple[int, str, list[str]]]:
    """Comments cut from the raw file independently of the parser: (number, name, lines)."""
    comments_start = text.index("\nComments\n")
    blocks: list[tuple[int, str, list[str]]] = []
    for line in text[comments_start:].split("\n")[2:]:
        match = HEADER.match(line)
        if match:
            blocks.append((int(match.group(1)), match.group(2), []))
        elif blocks:
            blocks[-1][2].append(line)
    return blocks


def test_seed_article(seed_text: str) -> None:
    thread = parse_thread(seed_text, SEED_FILE.name)
    assert thread.title == "Iraq Cease-Fire Over"
    assert thread.lede.startswith("The cease-fire that has kept")
    assert thread.lede.endswith("The US blames Iran.")
    assert len(thread.body) == 9
    assert thread.body[2] == ELISION
    assert thread.body[0].startswith("The Mahdi Army’s seven-month-long")
    assert thread.tags == ("Uncategorized",)
    assert thread.author == "James Joyner"
    assert thread.author_bio.startswith("James Joyner is Professor")
    assert thread.warnings == ()
    assert ELISION not in thread.article_paragraphs
    assert len(thread.article_paragraphs) == 9


def test_seed_comments_exact(seed_text: str) -> None:
    thread = parse_thread(seed_text, SEED_FILE.name)
    assert len(thread.comments) == 31
    assert len({c.author for c in thread.comments}) == 8
    assert [c.number for c in thread.comments] == list(range(1, 32))
    assert [c.seq for c in thread.comments] == list(range(1, 32))
    assert thread.comments[4].author == "Juho§"
    assert thread.comments[6].author == "DC Loser"
    blocks = seed_comment_blocks(seed_text)
    assert len(blocks) == 31
    for comment, (number, name, lines) in zip(thread.comments, blocks, strict=True):
        assert comment.number == number
        assert comment.author == name
        # Joining the paragraphs gives back the file's comment text (minus indentation).
        original = "\n".join(line[4:] if line.startswith("    ") else line for line in lines)
        assert "\n\n".join(comment.paragraphs) == original.strip("\n")


def test_seed_stray_line_and_multiline_paragraph(seed_text: str) -> None:
    comment = parse_thread(seed_text, SEED_FILE.name).comments[10]
    assert "." in comment.paragraphs
    joined = [p for p in comment.paragraphs if p.startswith("That was another reason")]
    assert joined and "\nBut if you’ll look" in joined[0]


def test_text_preserved(seed_text: str) -> None:
    thread = parse_thread(seed_text, SEED_FILE.name)
    everything = "\n".join(p for c in thread.comments for p in c.paragraphs)
    for fragment in ("“", "”", "’", "…", "–", "Juho§", "sh*tting"):
        assert fragment in everything or fragment in thread.comments[4].author


def test_crlf_bom_tabs_same_thread(seed_text: str) -> None:
    plain = parse_thread(seed_text, "a.txt")
    variant = "\ufeff" + seed_text.replace("\n    ", "\n\t").replace("\n", "\r\n")
    other = parse_thread(variant, "a.txt")
    assert other.comments == plain.comments
    assert other.title == plain.title and other.body == plain.body
    crlf_only = parse_thread("\ufeff" + seed_text.replace("\n", "\r\n"), "a.txt")
    assert crlf_only.content_hash == plain.content_hash


def test_decode_encodings(seed_text: str) -> None:
    assert decode(seed_text.encode("utf-8-sig"), "x") == seed_text
    cp = "Caf\u00e9 talk\n\nA lede.\n".encode("cp1252")
    assert decode(cp, "x").startswith("Café")
    with pytest.raises(ParseError, match="x:2: expected a text file"):
        decode(b"title\n\x00binary", "x")


MINIMAL = """A Title

A lede.

Body one.

Comments

  1. Ana says:

    Hello there.
"""


def test_dates_and_at_replies() -> None:
    text = """New Post

Lede here.

Body.

FILED UNDER: Politics, , Tech,
Jane Roe
About Jane Roe
Jane writes.

Comments

  1. Ömer Çelik says:
    March 25, 2008 at 10:14 am

    First!

  2. Ana says: 2024-01-02 13:45

    @Ömer Çelik: not quite.
"""
    thread = parse_thread(text, "new.txt")
    assert thread.tags == ("Politics", "Tech")
    assert thread.author == "Jane Roe"
    first, second = thread.comments
    assert first.posted == "March 25, 2008 at 10:14 am"
    assert first.paragraphs == ("First!",)
    assert second.posted == "2024-01-02 13:45"
    assert second.paragraphs == ("@Ömer Çelik: not quite.",)
    assert is_date_line("Tuesday, 3 June 2014 at 9:05 PM")
    assert not is_date_line("March on, my friends, to 2008 and beyond the hills")


def test_no_tags_no_bio_no_comments() -> None:
    thread = parse_thread("Only A Title\n\nJust a lede.\n\nA body paragraph.\n", "t.txt")
    assert thread.comments == ()
    assert thread.tags == ()
    assert thread.author_bio == ""
    assert thread.body == ("A body paragraph.",)
    assert any("no post author" in w.message for w in thread.warnings)
    with_author = parse_thread(MINIMAL.replace("Comments", "Sam Writer\n\nComments"), "t.txt")
    assert with_author.author == "Sam Writer"
    assert with_author.body == ("Body one.",)
    assert [c.author for c in with_author.comments] == ["Ana"]


def test_number_gap_and_duplicate_are_warnings() -> None:
    text = MINIMAL + "\n  3. Bo says:\n\n    Skip.\n\n  3. Cy says:\n\n    Again.\n"
    thread = parse_thread(text, "gap.txt")
    assert [c.number for c in thread.comments] == [1, 3, 3]
    assert [c.seq for c in thread.comments] == [1, 2, 3]
    messages = [(w.line, w.message) for w in thread.warnings]
    assert (13, "comment number 3 follows 1 (expected 2)") in messages
    assert (17, "comment number 3 repeats (first at line 13)") in messages
    assert "gap.txt:13: comment number 3 follows 1 (expected 2)" in map(str, thread.warnings)


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("", 1, "expected a title line"),
        ("   \n\n", 1, "expected a title line"),
        ("  1. Ana says:\n\n    hi\n", 1, "comment header before any article"),
        (MINIMAL + "Leave a reply\n", 12, "expected an indented comment paragraph"),
    ],
)
def test_errors_name_file_and_line(text: str, line: int, expected: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_thread(text, "bad.txt")
    assert info.value.file == "bad.txt"
    assert info.value.line == line
    assert expected in str(info.value)
    assert str(info.value).startswith(f"bad.txt:{line}: ")


def test_what_makes_a_header_line() -> None:
    """A header's number may be any decimal digits (``\\d``: Arabic-Indic too) after spaces
    or tabs only; a deeper-indented header is part of the comment above; a line that
    looks like a header after other white space (a no-break space) is none, and being
    unindented it is an error. Pinned because the parser only tries lines whose first
    word starts with a digit."""
    thread = parse_thread(
        MINIMAL + "\n\t\u0662) Bo wrote: hi\n\n      3. Cy says:\n\n    Quoted header.\n",
        "h.txt",
    )
    assert [(c.number, c.author) for c in thread.comments] == [(1, "Ana"), (2, "Bo")]
    assert thread.comments[1].paragraphs == ("hi", "3. Cy says:", "Quoted header.")
    with pytest.raises(ParseError) as info:
        parse_thread(MINIMAL + "\n\u00a0 2. Bo says:\n", "h.txt")
    assert info.value.line == 13
    assert "expected an indented comment paragraph" in str(info.value)


def test_the_first_comments_line_followed_by_a_header_opens_the_comments() -> None:
    text = MINIMAL.replace("Body one.", "Comments\n\nBody one.\n\nComments (2)\n\n  not one")
    thread = parse_thread(text, "m.txt")
    assert thread.body == ("Comments", "Body one.", "Comments (2)")
    assert thread.author == "not one"
    assert [c.author for c in thread.comments] == ["Ana"]


def test_text_before_first_comment_header() -> None:
    text = MINIMAL.replace("Comments\n\n  1.", "Comments\n\n  1.").replace(
        "  1. Ana says:", "  1. Ana says:"
    )
    assert parse_thread(text, "ok.txt").comments
    broken = "T\n\nL.\n\nComments\n\n  1. A says:\n\n    x\n"
    assert len(parse_thread(broken, "ok.txt").comments) == 1


@given(st.text(max_size=400))
def test_arbitrary_text_raises_only_parse_error(text: str) -> None:
    try:
        thread = parse_thread(text, "fuzz.txt")
    except ParseError as exc:
        assert exc.file == "fuzz.txt" and exc.line >= 1
    else:
        assert thread.title


@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_parse_error(data: bytes) -> None:
    try:
        parse_bytes(data, "fuzz.bin")
    except ParseError as exc:
        assert exc.file == "fuzz.bin"


COMMENTISH = st.lists(
    st.sampled_from(
        [
            "Comments",
            "  1. Ann says:",
            "  2. Bö says:",
            "    text",
            "\ttab text",
            "",
            "x",
            ".",
            "FILED UNDER: a, ,b",
            "About Ann",
            "    March 3, 2009 at 1:00 pm",
            "  3) C wrote:",
        ]
    ),
    max_size=40,
)


@given(COMMENTISH)
def test_structured_noise_raises_only_parse_error(lines: list[str]) -> None:
    try:
        parse_thread("Title\n\nLede.\n\n" + "\n".join(lines), "noise.txt")
    except ParseError as exc:
        assert exc.line >= 1
