"""A fixed corpus of threads and a digest of what reply inference finds in each of them.

Speeding up inference must not change a single answer: ``unchanged.json`` holds, per
thread, a digest of its input and of its inferred quotes and edges (every field), taken
before the speed-ups; ``test_unchanged`` checks them. The corpus mixes every source of
threads the project has: the seed capture, the WordPress theme test data, the benchmark's
synthetic threads (several seeds and sizes), the independent style generator's threads
and synthetic threads with odd Unicode, ``[sic]`` marks, stray punctuation and very long
words scattered through their paragraphs (what folding and word splitting must get right).

When inference is meant to change (``INFERENCE_VERSION`` is bumped), write the file again:
``.venv/bin/python -m tests.bot.inference.unchanged``.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path

from benchmarks.synthetic import generate_thread
from bot.inference.replies import infer_replies
from bot.models import ReplyStructure, Thread
from bot.sources.capture import parse_thread
from bot.sources.wxr import parse_wxr
from tests.bot.inference.style_threads import generate
from tests.conftest import SEED_FILE, SHARED

FIXTURE = Path(__file__).with_name("unchanged.json")
THEME_TEST = SHARED / "data" / "wordpress-theme-unit-test.xml"

SYNTHETIC = [(150, seed) for seed in range(8)] + [(600, 11), (2000, 12)]
STYLE_SEEDS = range(8)
ODD = [(200, seed) for seed in range(6)]
_ODD_PIECES = (
    *("´", "¨", "ß", "İ", "ﬁ", "Ǆ", "ΣΑΣ", "ς", "e\u0301", "\u00a0", "\u2003", "№", "½"),
    *("…", "...", ". . .", "[sic]", "(sic!)", "[…]", "“", "”", '"', "«", "»", "‘", "’"),
    *("—", "--", "-", "@", "_", "__", ":", ";", "!", "?", ".", ",", "1,000", "3.5"),
    *("x" * 45, "ab" * 30, "O’Brien", "l'état", "İstanbul", "ﬀ", "Å", "Ⅻ"),
)


def _odd(text: str, seed: int) -> str:
    """``text`` with odd pieces put into about a third of its comment paragraphs."""
    rng = random.Random(seed)
    lines = text.split("\n")
    in_comments = False
    for i, line in enumerate(lines):
        if line == "Comments":
            in_comments = True
        if not in_comments or not line.startswith("    ") or rng.random() > 0.35:
            continue
        chars = list(line[4:])
        for _ in range(rng.randint(1, 4)):
            at = rng.randint(0, len(chars))
            piece = rng.choice(_ODD_PIECES)
            glue = rng.choice(("", " "))
            chars[at:at] = list(glue + piece + glue)
        lines[i] = "    " + "".join(chars).strip()
    return "\n".join(lines)


def corpus() -> Iterator[tuple[str, Thread]]:
    """Every thread of the corpus, with a name that says where it comes from."""
    yield "seed", parse_thread(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name)
    for i, thread in enumerate(parse_wxr(THEME_TEST.read_text(encoding="utf-8"), "theme.xml")):
        yield f"wordpress-{i}", thread
    for comments, seed in SYNTHETIC:
        made = generate_thread(comments, seed)
        yield f"synthetic-{comments}-{seed}", parse_thread(made.text, made.source)
    for seed in STYLE_SEEDS:
        styled = generate(seed)
        yield f"styles-{seed}", parse_thread(styled.text, styled.source)
    for comments, seed in ODD:
        made = generate_thread(comments, 100 + seed)
        yield f"odd-{comments}-{seed}", parse_thread(_odd(made.text, seed), made.source)


def _digest(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def input_digest(thread: Thread) -> str:
    """What inference reads of a thread: a change here is the parser's, not inference's."""
    return _digest(
        [
            thread.author,
            thread.article_paragraphs,
            [
                [c.seq, c.number, c.author, c.parent_number, c.paragraphs, sorted(c.quoted)]
                for c in thread.comments
            ],
        ]
    )


def answers(found: ReplyStructure) -> list[object]:
    """Every quote and edge, in a canonical order, every field."""
    quotes = sorted([*key, ref.seq, ref.paragraph] for key, ref in found.quotes.items())
    edges = [[e.source, e.target, e.via, e.snippet, e.confidence] for e in found.edges]
    return [quotes, edges]


def output_digest(found: ReplyStructure) -> str:
    return _digest(answers(found))


def snapshot() -> dict[str, object]:
    """The fixture's content: digests per thread, and the seed's answers in full."""
    threads: dict[str, list[str]] = {}
    seed: list[object] = []
    for name, thread in corpus():
        found = infer_replies(thread)
        threads[name] = [input_digest(thread), output_digest(found)]
        if name == "seed":
            seed = answers(found)
    return {"threads": threads, "seed": seed}


def write_fixture() -> None:
    """One line per thread and per seed answer, so that a diff shows what changed."""
    content = snapshot()
    threads = content["threads"]
    seed = content["seed"]
    assert isinstance(threads, dict) and isinstance(seed, list)
    quotes, edges = seed

    def lines(items: list[object]) -> str:
        return ",\n".join("    " + json.dumps(x, ensure_ascii=False) for x in items)

    named = ",\n".join(f"    {json.dumps(k)}: {json.dumps(v)}" for k, v in threads.items())
    FIXTURE.write_text(
        f'{{\n  "threads": {{\n{named}\n  }},\n'
        f'  "seed": [\n  [\n{lines(quotes)}\n  ],\n  [\n{lines(edges)}\n  ]\n  ]\n}}\n',
        encoding="utf-8",
    )


if __name__ == "__main__":
    write_fixture()
    print(f"wrote {FIXTURE}")
