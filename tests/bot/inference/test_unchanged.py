"""Reply inference gives exactly the answers recorded in ``unchanged.json`` (see ``unchanged``).

Its speed-ups (whole-thread prefilters, caches, one pass instead of several) are only
allowed to change how fast the answers come, never one quote or edge: every field of
every edge (source, target, via, snippet, confidence) and every quoted paragraph's source.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.inference.replies import infer_replies
from tests.bot.inference.unchanged import (
    FIXTURE,
    THEME_TEST,
    answers,
    corpus,
    input_digest,
    output_digest,
)
from tests.conftest import ROOT

RECORDED = json.loads(FIXTURE.read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(
    not THEME_TEST.is_file(), reason="../shared/data is not checked out here"
)


def test_every_thread_of_the_corpus_gets_the_recorded_answers() -> None:
    seen: dict[str, list[str]] = {}
    changed = []
    for name, thread in corpus():
        found = infer_replies(thread)
        seen[name] = [input_digest(thread), output_digest(found)]
        recorded = RECORDED["threads"].get(name)
        assert recorded is not None, f"{name} is not in {FIXTURE.name}: write it again"
        assert seen[name][0] == recorded[0], f"{name}: the parsed thread changed, not inference"
        if seen[name][1] != recorded[1]:
            changed.append(name)
        if name == "seed":
            assert answers(found) == RECORDED["seed"], "the seed's quotes or edges changed"
    assert not changed, f"inference answers changed on {changed}"
    assert seen.keys() == RECORDED["threads"].keys()


def test_answers_do_not_depend_on_string_hashing() -> None:
    """Python salts ``str`` hashes per process: set order must never pick an answer."""
    script = (
        "from tests.bot.inference.unchanged import corpus, output_digest\n"
        "from bot.inference.replies import infer_replies\n"
        "for name, thread in corpus():\n"
        "    if name.startswith(('odd-', 'synthetic-150')):\n"
        "        print(name, output_digest(infer_replies(thread)))\n"
    )
    outputs = set()
    for salt in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": salt, "PYTHONPATH": str(ROOT)}
        run = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(run.stdout)
        assert run.stdout.count("\n") == 14
    assert len(outputs) == 1
