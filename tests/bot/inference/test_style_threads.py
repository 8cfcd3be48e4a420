"""Checks of the independent style-thread generator itself (not of the bot's inference)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from tests.bot.inference.style_threads import (
    ALL_STYLES,
    NEGATIVE_STYLES,
    StyleThread,
    fold,
    generate,
    initials,
)

COMMENT = re.compile(r"^  (\d+)\. (.+) says:$")
SEEDS = range(8)


def _comments(t: StyleThread) -> dict[int, tuple[str, list[str]]]:
    """number -> (author, paragraphs), parsed from the text the way the seed is laid out."""
    lines = t.text.split("\n")
    start = lines.index("Comments")
    out: dict[int, tuple[str, list[str]]] = {}
    cur = None
    for line in lines[start + 1 :]:
        m = COMMENT.match(line)
        if m:
            cur = int(m.group(1))
            out[cur] = (m.group(2), [])
        elif line.startswith("    "):
            assert cur is not None
            out[cur][1].append(line[4:])
        else:
            assert line == "", repr(line)
    return out


def _norm(s: str) -> str:
    s = s.replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"[^\w ]", "", unicodedata.normalize("NFC", s.lower()))


@pytest.mark.parametrize("seed", SEEDS)
def test_deterministic(seed: int) -> None:
    a, b = generate(seed), generate(seed)
    assert a.text == b.text and a.edges == b.edges and a.negatives == b.negatives
    assert a.source == f"style_{seed}.txt"
    assert generate(seed + 100).text != a.text


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_format(seed: int) -> None:
    t = generate(seed)
    lines = t.text.split("\n")
    assert not t.text.endswith("\n") and "\r" not in t.text
    assert lines[0].strip() and lines[0] == lines[0].strip() and lines[1] == ""
    assert lines[2].strip() and lines[3] == ""
    i = next(k for k, line in enumerate(lines) if line.startswith("FILED UNDER: "))
    assert re.fullmatch(r"FILED UNDER: \w[^,]*(, [^,]*)*,?", lines[i])
    author = lines[i + 1]
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", author)
    assert lines[i + 2] == f"About {author}"
    assert lines[i + 3].strip() and lines[i + 4] == ""
    assert lines[i + 5] == "Comments" and lines[i + 6] == ""
    assert COMMENT.match(lines[i + 7]) and lines[i + 8] == ""
    # body: paragraphs separated by single blank lines, an elision marker somewhere
    body = lines[4:i]
    assert "[…]" in body and all(x == "" for x in body[1::2])
    # comments: header, blank, indented paragraph, blank, ...
    for k in range(i + 7, len(lines)):
        line = lines[k]
        assert line == "" or COMMENT.match(line) or re.match(r"    \S", line), line
        if COMMENT.match(line):
            assert lines[k + 1] == "" and lines[k + 2].startswith("    ")


@pytest.mark.parametrize("seed", SEEDS)
def test_numbers_and_authors(seed: int) -> None:
    t = generate(seed, n_comments=45)
    cs = _comments(t)
    assert list(cs) == list(range(1, 46))
    assert {n: a for n, (a, _) in cs.items()} == t.authors
    assert 6 <= len(t.participants) <= 12
    assert set(t.authors.values()) <= set(t.participants)
    assert any(" " in p for p in t.participants)
    assert any(any(ord(ch) > 127 for ch in p) for p in t.participants)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_style_appears_by_default(seed: int) -> None:
    t = generate(seed, n_comments=60)
    seen = {e.style for e in t.edges} | {e.style for e in t.negatives}
    assert set(ALL_STYLES) <= seen, set(ALL_STYLES) - seen


@pytest.mark.parametrize("style", ALL_STYLES)
def test_single_style_requested(style: str) -> None:
    for seed in range(3):
        t = generate(seed, n_comments=60, styles=[style])
        pool = t.negatives if style in NEGATIVE_STYLES else t.edges
        assert sum(e.style == style for e in pool) >= 3, (seed, style)


def test_weights_control_frequency() -> None:
    lots = generate(5, 80, {"at_name": 8, "quote": 1, "article": 1})
    few = generate(5, 80, {"at_name": 1, "quote": 8, "article": 1})
    assert len(lots.edges_of("at_name")) > 2 * len(few.edges_of("at_name"))
    with pytest.raises(ValueError):
        generate(1, styles=["no_such_style"])


@pytest.mark.parametrize("seed", SEEDS)
def test_labels_are_consistent(seed: int) -> None:
    t = generate(seed, n_comments=60)
    cs = _comments(t)
    edges_from: dict[int, list] = {}
    for e in t.edges:
        edges_from.setdefault(e.from_number, []).append(e)
        assert 0 <= e.to_number < e.from_number
        if e.to_number:
            assert t.authors[e.to_number] != t.authors[e.from_number]
    assert set(edges_from) == set(cs)  # every comment has at least one edge
    for es in edges_from.values():
        assert len({e.to_number for e in es}) == len(es)
        if any(e.to_number == 0 for e in es):
            assert len(es) == 1 and es[0].style == "article"
    pairs = {(e.from_number, e.to_number) for e in t.edges}
    assert not pairs & {(e.from_number, e.to_number) for e in t.negatives}

    def latest(name: str, before: int) -> int:
        return max(k for k, a in t.authors.items() if a == name and k < before)

    for e in t.edges:
        paras = cs[e.from_number][1]
        target = t.authors.get(e.to_number, "")
        if e.style in ("at_name", "full_name", "prefix", "initials", "reference"):
            assert e.to_number == latest(target, e.from_number)
        if e.style == "at_name":
            assert any(p.startswith("@" + target) for p in paras)
        elif e.style == "full_name":
            assert any(re.match(re.escape(target) + r"[,:] ", p) for p in paras)
        elif e.style == "initials":
            assert any(re.match(re.escape(initials(target)) + r"[,:] ", p) for p in paras)
        elif e.style == "prefix":
            first = target.split()[0]
            m = [
                p
                for p in paras
                if re.match(r"([^\W\d_]{2,4})[,:] ", p)
                and first.startswith(p.split()[0][:-1])
                and p.split()[0][:-1] != first
            ]
            assert m, (target, paras)
            addr = fold(m[0].split()[0][:-1])
            others = [fold(w) for o in t.participants if o != target for w in o.split()]
            assert not any(w.startswith(addr) for w in others)
        elif e.style == "reference":
            cue = r"(?:{0} has it right|[Aa]s {0} points out|I agree with {0})".format(
                re.escape(target)
            )
            assert any(re.search(cue, p) for p in paras)
        elif e.style == "curly_quote":
            src = [_norm(p) for p in cs[e.to_number][1]]
            qs = [q for p in paras for q in re.findall(r"“([^”]+)”", p)]
            assert any(_norm(q) in s for q in qs for s in src)
        elif e.style in ("quote", "edited_quote", "quote_of_quote"):
            src = {_norm(p) for p in cs[e.to_number][1]}
            assert any(_norm(p) in src for p in paras) or e.style == "edited_quote"
        elif e.style == "implicit":
            assert e.to_number == e.from_number - 1
            assert len(paras) == 1 and len(paras[0].split()) <= 30
            assert "@" not in paras[0] and "“" not in paras[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_paragraph_lengths(seed: int) -> None:
    t = generate(seed)
    lengths = [len(p.split()) for _, ps in _comments(t).values() for p in ps]
    inside = sum(12 <= n <= 70 for n in lengths)
    assert inside >= 0.85 * len(lengths)
    assert len(set(p for _, ps in _comments(t).values() for p in ps)) > 0.8 * len(lengths)


def test_edges_and_negatives_never_conflict_over_many_seeds() -> None:
    for seed in range(150):
        t = generate(seed, n_comments=80)
        pos = {(e.from_number, e.to_number) for e in t.edges}
        neg = {(e.from_number, e.to_number) for e in t.negatives}
        assert not pos & neg, (seed, pos & neg)
        for e in t.edges + t.negatives:
            assert 0 <= e.to_number < e.from_number <= 80
