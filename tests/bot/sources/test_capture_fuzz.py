"""Parser fuzzing: near-valid thread files built from the seed, generated threads, any text.

``tests/bot/sources/test_capture.py`` pins the seed and each documented variation by
hand and throws short random text at the parser. Here hypothesis mutates the
real seed file (junk lines, CRLF, tabs, BOM, truncated headers, numbers out of
order, deleted or duplicated lines) and writes whole well-formed threads, and
checks two things for every input: the only exception is ``ParseError`` (with
the file and a line inside it), and when parsing succeeds the thread is
consistent with the text it came from. Where the effect of a mutation is known
(a formatting change, a junk line, a cut header, renumbering) the exact outcome
is asserted. ``HYPOTHESIS_PROFILE=full`` runs 10,000 inputs per test.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from functools import cache

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.models import Comment, ParseError, Thread, content_hash
from bot.sources.capture import is_date_line, normalise, parse_thread
from tests.conftest import SEED_FILE

pytestmark = pytest.mark.slow  # fuzzing

SOURCE = "fuzz.txt"
# Looser than the parser's own header pattern: whatever might be read as a header.
LOOKS_LIKE_HEADER = re.compile(r"^\s*\d+\s*[.)]\s*.*\b(says|said|wrote)\b\s*:", re.IGNORECASE)


@cache
def seed_lines() -> tuple[str, ...]:
    return tuple(SEED_FILE.read_text(encoding="utf-8").split("\n"))


@cache
def seed_thread() -> Thread:
    return parse_thread("\n".join(seed_lines()), SOURCE)


@cache
def header_indexes() -> tuple[int, ...]:
    """0-based indexes of the seed's comment header lines, in order."""
    return tuple(c.line - 1 for c in seed_thread().comments)


def without_lines(comments: tuple[Comment, ...]) -> list[Comment]:
    return [replace(c, line=0) for c in comments]


def parse_or_error(text: str) -> Thread | ParseError:
    """Parse, insisting that ``ParseError`` is the only way to fail and that it is well formed."""
    try:
        thread = parse_thread(text, SOURCE)
    except ParseError as exc:
        assert exc.file == SOURCE
        assert 1 <= exc.line <= normalise(text).count("\n") + 1, exc
        assert str(exc).startswith(f"{SOURCE}:{exc.line}: ")
        return exc
    check_invariants(thread, text)
    return thread


def check_invariants(thread: Thread, text: str) -> None:
    """What must hold of any parsed thread, whatever the input looked like."""
    plain = normalise(text)
    lines = plain.split("\n")
    stripped = {line.strip() for line in lines}
    assert thread.source == SOURCE
    assert thread.content_hash == content_hash(plain)
    assert thread.title and thread.title == thread.title.strip() and thread.title in stripped
    assert [c.seq for c in thread.comments] == list(range(1, len(thread.comments) + 1))
    assert len(thread.comments) <= sum(1 for line in lines if LOOKS_LIKE_HEADER.match(line))
    for comment in thread.comments:
        assert 1 <= comment.line <= len(lines)
        header = lines[comment.line - 1]
        number = re.match(r"[ \t]*(\d+)", header)
        assert number is not None and int(number.group(1)) == comment.number
        assert comment.author and comment.author == comment.author.strip()
        assert comment.author in header
        assert comment.posted is None or is_date_line(comment.posted)
        for paragraph in comment.paragraphs:
            # Text round-trips: every line of a paragraph is a line of the file, trimmed
            # (or the rest of a header line, "1. Ana says: hello").
            assert paragraph and paragraph == paragraph.strip() and "\r" not in paragraph
            for part in paragraph.split("\n"):
                assert part in stripped or part in header, (comment.seq, part)
    assert all(thread.body)
    for paragraph in (thread.lede, *thread.body):
        for part in paragraph.split("\n") if paragraph else ():
            assert part in stripped
    for warning in thread.warnings:
        assert warning.file == SOURCE and 1 <= warning.line <= len(lines)
    assert parse_thread(text, SOURCE) == thread  # a pure function: same text, same thread


# ---- formatting only: the same thread ------------------------------------------------------

PARAGRAPH_INDENTS = ["    ", "\t", "  \t", "        ", " ", "\t\t"]
HEADER_INDENTS = ["  ", " ", "\t", "", "  "]
LINE_ENDS = ["\n", "\r\n", "\r"]
TRAILING = [" ", "\t", "  \t ", "\u00a0", "\u3000"]


@st.composite
def reformatted_seed(draw: st.DrawFn) -> tuple[str, bool]:
    """The seed with only layout changed; also whether just the BOM/line ends changed."""
    lines = list(seed_lines())
    n = len(lines)
    headers = set(header_indexes())
    indentable = [
        i
        for i, line in enumerate(lines)
        if i > min(headers) and line.startswith("    ") and not LOOKS_LIKE_HEADER.match(line)
    ]
    blanks = [i for i, line in enumerate(lines) if not line.strip()]
    header_indent = draw(st.sampled_from(HEADER_INDENTS))
    indents = draw(
        st.lists(
            st.tuples(st.sampled_from(indentable), st.sampled_from(PARAGRAPH_INDENTS)), max_size=40
        )
    )
    trailing = draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(TRAILING)), max_size=30)
    )
    extra = draw(
        st.lists(st.tuples(st.sampled_from(blanks), st.sampled_from(["", " ", "\t"])), max_size=20)
    )
    out = [
        header_indent + line.lstrip(" ") if i in headers else line for i, line in enumerate(lines)
    ]
    for i, indent in indents:
        out[i] = indent + lines[i][4:]
    for i, tail in trailing:
        out[i] += tail
    for i, blank in sorted(extra, reverse=True):
        out.insert(i, blank)  # an extra blank line next to a blank line
    touched = out != lines
    if draw(st.booleans()):
        # One style for the whole file: mixing "\r" with "\n" could make "\r\n" of two ends.
        text = draw(st.sampled_from(LINE_ENDS)).join(out)
    else:
        crlf = set(draw(st.lists(st.integers(0, len(out) - 2), max_size=60)))
        ends = ["\r\n" if i in crlf else "\n" for i in range(len(out) - 1)] + [""]
        text = "".join(line + end for line, end in zip(out, ends, strict=True))
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text, not touched


@given(reformatted_seed())
def test_layout_changes_give_the_same_thread(case: tuple[str, bool]) -> None:
    text, same_text = case
    thread = parse_or_error(text)
    assert isinstance(thread, Thread), thread
    seed = seed_thread()
    assert without_lines(thread.comments) == without_lines(seed.comments)
    assert (thread.title, thread.lede, thread.body) == (seed.title, seed.lede, seed.body)
    assert (thread.tags, thread.author, thread.author_bio) == (
        seed.tags,
        seed.author,
        seed.author_bio,
    )
    if same_text:
        assert thread.content_hash == seed.content_hash
        assert thread.comments == seed.comments


# ---- mutations with a known effect -----------------------------------------------------------

NOT_NEWLINE = st.characters(exclude_characters="\r\n", exclude_categories=("Cs",))
VISIBLE = st.characters(categories=("L", "N", "P", "S"))
JUNK = st.builds(
    lambda first, rest: first + rest, VISIBLE, st.text(NOT_NEWLINE, max_size=60)
).filter(lambda s: not LOOKS_LIKE_HEADER.match(s))


@given(data=st.data(), junk=JUNK)
@example(data=None, junk="Leave a reply")
def test_unindented_junk_in_comments_is_an_error_at_its_line(
    data: st.DataObject | None, junk: str
) -> None:
    lines = list(seed_lines())
    first = header_indexes()[0]
    at = len(lines) if data is None else data.draw(st.integers(first + 1, len(lines)), label="at")
    lines.insert(at, junk)
    error = parse_or_error("\n".join(lines))
    assert isinstance(error, ParseError)
    assert error.line == at + 1
    assert "expected an indented comment paragraph" in error.expected


@given(data=st.data(), junk=JUNK, indent=st.sampled_from(["    ", "\t", " ", "      ", "\t "]))
def test_indented_junk_joins_the_comment_above(data: st.DataObject, junk: str, indent: str) -> None:
    lines = list(seed_lines())
    headers = header_indexes()
    at = data.draw(st.integers(headers[0] + 1, len(lines)), label="at")
    lines.insert(at, indent + junk)
    thread = parse_or_error("\n".join(lines))
    assert isinstance(thread, Thread), thread
    seed = seed_thread()
    assert [(c.number, c.author) for c in thread.comments] == [
        (c.number, c.author) for c in seed.comments
    ]
    owner = thread.comments[sum(1 for h in headers if h < at) - 1]
    assert junk.strip() in "\n".join(owner.paragraphs) or owner.posted == junk.strip()
    for new, old in zip(thread.comments, seed.comments, strict=True):
        if new.seq != owner.seq:
            assert new.paragraphs == old.paragraphs


@given(data=st.data())
def test_cut_header_folds_into_the_comment_above(data: st.DataObject) -> None:
    lines = list(seed_lines())
    headers = header_indexes()
    k = data.draw(st.integers(1, len(headers) - 1), label="comment index")
    header = lines[headers[k]]
    cut = data.draw(st.integers(0, len(header) - 1), label="cut")
    lines[headers[k]] = header[:cut]
    thread = parse_or_error("\n".join(lines))
    assert isinstance(thread, Thread), thread
    seed = list(seed_thread().comments)
    assert len(thread.comments) == len(seed) - 1
    merged = thread.comments[k - 1]
    assert (merged.number, merged.author) == (seed[k - 1].number, seed[k - 1].author)
    leftover = [header[:cut].strip()] if header[:cut].strip() else []
    assert merged.paragraphs == seed[k - 1].paragraphs + tuple(leftover) + seed[k].paragraphs
    assert [c.author for c in thread.comments] == [c.author for c in seed[:k] + seed[k + 1 :]]


NUMBER = st.one_of(st.integers(0, 40), st.integers(0, 999_999_999)).map(str)
PADDED = st.tuples(NUMBER, st.integers(0, 3)).map(lambda p: p[0].zfill(min(9, len(p[0]) + p[1])))
# Mostly the right numbers with a few edits (what real files do), sometimes any numbers at all.
RENUMBERED = st.one_of(
    st.lists(st.tuples(st.integers(0, 30), PADDED), max_size=6).map(
        lambda edits: [dict(edits).get(i, str(i + 1)) for i in range(31)]
    ),
    st.lists(PADDED, min_size=31, max_size=31),
)


@given(numbers=RENUMBERED)
@example(numbers=[str(n) for n in range(1, 32)])
@example(numbers=["0" * 8 + "1"] + [str(n) for n in range(2, 32)])
@example(numbers=[str(n) for n in range(31, 0, -1)])
def test_renumbered_headers_keep_order_and_warn(numbers: list[str]) -> None:
    lines = list(seed_lines())
    for index, number in zip(header_indexes(), numbers, strict=True):
        lines[index] = re.sub(r"\d+", number, lines[index], count=1)
    thread = parse_or_error("\n".join(lines))
    assert isinstance(thread, Thread), thread
    values = [int(n) for n in numbers]
    assert [c.number for c in thread.comments] == values
    assert [c.seq for c in thread.comments] == list(range(1, 32))
    assert without_lines(thread.comments) == [
        replace(c, number=v, line=0) for c, v in zip(seed_thread().comments, values, strict=True)
    ]
    number_warnings = [w for w in thread.warnings if "comment number" in w.message]
    out_of_order = any(b != a + 1 for a, b in itertools.pairwise(values))
    assert bool(number_warnings) == out_of_order
    header_lines = {c.line for c in thread.comments}
    assert all(w.line in header_lines for w in number_warnings)


# ---- anything goes: only ParseError, and consistency when it parses ------------------------


@st.composite
def mangled_seed(draw: st.DrawFn) -> str:
    """The seed after a handful of random line edits, line-end changes and a cut."""
    lines = list(seed_lines())
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "cut", "indent"]))
        if op == "insert":
            lines.insert(at, draw(st.one_of(JUNK, st.text(NOT_NEWLINE, max_size=40), st.just(""))))
        elif op == "delete" and len(lines) > 1:
            del lines[at]
        elif op == "duplicate":
            lines.insert(at, lines[at])
        elif op == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif op == "cut":
            lines[at] = lines[at][: draw(st.integers(0, max(len(lines[at]) - 1, 0)))]
        elif op == "indent":
            lines[at] = draw(st.sampled_from(["", " ", "\t", "      "])) + lines[at].lstrip()
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


@given(mangled_seed())
@example("\ufeff")
@example("\n".join(seed_lines()[:29]))  # cut right after "Comments"
def test_mangled_seed_raises_only_parse_error(text: str) -> None:
    parse_or_error(text)


@given(st.text(alphabet=st.characters(), max_size=300))
@example("Title\n\nlede \udc80\n")
@example("\ud800")
@example("T\n\nL.\n\nComments\n\n  1. A says: \udfff\n")
def test_any_text_including_lone_surrogates_raises_only_parse_error(text: str) -> None:
    parse_or_error(text)


# ---- well-formed threads written from scratch round-trip exactly ---------------------------

# A fixed alphabet (generating from whole Unicode categories costs more than the parse).
ALPHABET = "abcdefghijkxyzABCXYZ0189éßöçİıЖжΩ中文ب…“”‘’–—-.!?§*@#$%&()[]{}<>'\"/\\|~^_:;+=`"
WORD_CHARS = st.sampled_from(ALPHABET)
WORDS = st.lists(st.text(WORD_CHARS, min_size=1, max_size=8), min_size=1, max_size=5).map(" ".join)
SAFE_LINE = WORDS.filter(
    lambda s: (
        not is_date_line(s)
        and not LOOKS_LIKE_HEADER.match(s)
        and not re.match(
            r"(?i)^(filed under|tags)\s*:|^About\s|^(\d+\s+)?(comments|responses|replies)\b", s
        )
    )
)
PARAGRAPH = st.lists(SAFE_LINE, min_size=1, max_size=2)
NAME_CHARS = st.sampled_from("abcxyzABCXYZ019éöİЖΩ中§.-'")
NAME = (
    st.lists(st.text(NAME_CHARS, min_size=1, max_size=10), min_size=1, max_size=3)
    .map(" ".join)
    .filter(lambda s: s[0] not in ".-'")
)


@st.composite
def written_thread(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    title = draw(SAFE_LINE)
    lede = draw(PARAGRAPH)
    body = draw(st.lists(PARAGRAPH, max_size=4))
    tags = draw(st.lists(st.text(WORD_CHARS, min_size=1, max_size=10), max_size=4))
    author = draw(NAME)
    bio = draw(st.lists(PARAGRAPH, max_size=2))
    comments = draw(
        st.lists(
            st.tuples(NAME, st.lists(PARAGRAPH, min_size=1, max_size=3)), min_size=1, max_size=5
        )
    )
    out = [title, ""]
    for paragraph in [lede, *body]:
        out += [*paragraph, ""]
    out += [f"FILED UNDER: {', '.join(tags)}", author, f"About {author}"]
    out += [line for p in bio for line in [*p, ""]]
    out += ["", "Comments", ""]
    for number, (name, paragraphs) in enumerate(comments, start=1):
        out.append(f"  {number}. {name} says:")
        out.append("")
        for paragraph in paragraphs:
            out += [f"    {line}" for line in paragraph] + [""]
    expected: dict[str, object] = {
        "title": title,
        "lede": "\n".join(lede),
        "body": tuple("\n".join(p) for p in body),
        "tags": tuple(tags),
        "author": author,
        "author_bio": "\n\n".join("\n".join(p) for p in bio),
        "comments": [
            (number, name, tuple("\n".join(p) for p in paragraphs))
            for number, (name, paragraphs) in enumerate(comments, start=1)
        ],
    }
    return "\n".join(out), expected


@given(written_thread())
def test_written_threads_round_trip(case: tuple[str, dict[str, object]]) -> None:
    text, expected = case
    thread = parse_or_error(text)
    assert isinstance(thread, Thread), (thread, text)
    got = {
        "title": thread.title,
        "lede": thread.lede,
        "body": thread.body,
        "tags": thread.tags,
        "author": thread.author,
        "author_bio": thread.author_bio,
        "comments": [(c.number, c.author, c.paragraphs) for c in thread.comments],
    }
    assert got == expected
    assert thread.warnings == ()
    assert all(c.posted is None for c in thread.comments)


def test_lone_surrogate_is_a_parse_error_at_its_line() -> None:
    """A ``str`` made in Python (not decoded from a file) may hold one; it cannot be stored."""
    try:
        parse_thread("Title\n\nA lede.\n\nBody \udc80 text.\n", SOURCE)
    except ParseError as exc:
        assert (exc.line, exc.file) == (5, SOURCE)
        assert "surrogate" in exc.expected
    else:
        raise AssertionError("a lone surrogate was accepted")
