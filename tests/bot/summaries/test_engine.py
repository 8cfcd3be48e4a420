"""The offline summariser: own words only, quality against hand-written points, figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.models import ARTICLE, StoredComment, StoredEdge, StoredThread
from bot.sources.capture import parse_thread
from bot.storage import Storage
from bot.summaries.engine import summarise_author, summarise_thread
from bot.summaries.results import AuthorSummary, ThreadSummary, from_json, to_json
from tests.conftest import SEED_FILE

POINTS = json.loads((Path(__file__).parent / "seed_points.json").read_text(encoding="utf-8"))
SEED_PEOPLE = sorted(POINTS["people"])


def flat(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


Seed = tuple[StoredThread, list[StoredComment], list[StoredEdge]]


@pytest.fixture
async def seed(seeded: Storage) -> Seed:
    thread = await seeded.threads.find("iraq-cease-fire-over", any_guild=True)
    assert thread is not None
    return thread, await seeded.comments.all(thread.id), await seeded.edges.all(thread.id)


# ---- own words only, and quality -------------------------------------------------------------


def _raw_others_before(person: str) -> list[tuple[int, str]]:
    """Every paragraph written before a comment by ``person``, from the file itself (the article
    and other people's comments), independent of quote detection."""
    parsed = parse_thread(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name)
    out = [(0, p) for p in parsed.article_paragraphs]
    out += [(c.seq, p) for c in parsed.comments if c.author != person for p in c.paragraphs]
    return out


@pytest.mark.parametrize("person", [p for p in SEED_PEOPLE if p != "James Joyner"])
async def test_sentences_come_from_own_words_and_never_from_quotes(seed: Seed, person: str) -> None:
    thread, comments, edges = seed
    summary = summarise_author(thread, comments, edges, person)
    assert summary.sentences, person
    own = {c.seq: [flat(p.text) for p in c.paragraphs if p.own] for c in comments}
    quoted = [flat(p.text) for c in comments if c.author == person for p in c.paragraphs if p.quote]
    earlier = _raw_others_before(person)
    for s in summary.sentences:
        text = flat(s.text)
        author = next(c.author for c in comments if c.seq == s.seq)
        assert author == person
        assert any(text in p for p in own[s.seq]), (person, s)
        assert not any(text in q for q in quoted), (person, s)
        # Not in anything someone else wrote before it (what they could have quoted).
        assert not any(text in flat(p) for seq, p in earlier if seq < s.seq), (person, s)


def _covered(sentences: list[str], point: dict[str, object]) -> bool:
    keywords = [str(k) for k in point["keywords"]]  # type: ignore[attr-defined]
    need = min(int(point.get("need", 2)), len(keywords))  # type: ignore[attr-defined, call-overload]

    def hits(sentence: str) -> int:
        low = flat(sentence).lower()
        return sum(
            re.search(r"(?<!\w)" + re.escape(flat(k).lower()), low) is not None for k in keywords
        )

    return any(hits(s) >= need for s in sentences)


async def test_summaries_cover_the_hand_written_points(seed: Seed) -> None:
    """A weak check only: seed_points.json was written with the summariser's own output in
    view (some keywords come from a study Bithead pasted, no longer counted as his words).
    The quality measure is the reader-points test."""
    thread, comments, edges = seed
    total = covered = 0
    per_person = {}
    for person, points in POINTS["people"].items():
        summary = summarise_author(thread, comments, edges, person)
        texts = [s.text for s in summary.sentences]
        hit = sum(_covered(texts, p) for p in points)
        per_person[person] = (hit, len(points))
        total += len(points)
        covered += hit
    assert covered / total >= 0.5, per_person
    assert all(h / n >= 0.3 for h, n in per_person.values()), per_person
    assert sum(h / n >= 0.5 for h, n in per_person.values()) >= 6, per_person


async def test_post_author_summary_is_the_article(seed: Seed) -> None:
    thread, comments, edges = seed
    summary = summarise_author(thread, comments, edges, "james joyner")
    assert summary.name == "James Joyner"
    assert summary.wrote_article and summary.comments == 0 and summary.first is None
    article = flat(" ".join([thread.lede, *thread.body]))
    assert summary.sentences and all(flat(s.text) in article for s in summary.sentences)
    assert all(s.number == ARTICLE for s in summary.sentences)
    assert {c.name for c in summary.answered_by} == {"glasnost", "Bithead", "tequila", "DC Loser"}
    assert summary.words > 400


async def test_figures_and_partners_of_the_busiest_person(seed: Seed) -> None:
    thread, comments, edges = seed
    summary = summarise_author(thread, comments, edges, "BITHEAD")
    assert (summary.name, summary.comments, summary.first, summary.last) == ("Bithead", 14, 2, 30)
    assert summary.comment_share == pytest.approx(14 / 31)
    assert 0 < summary.word_share < summary.comment_share
    assert summary.exchange is not None
    e = summary.exchange
    assert ({e.first, e.second}, e.exchanges, e.start, e.end) == ({"Bithead", "Michael"}, 12, 9, 31)
    answered = {c.name: c.count for c in summary.answered}
    assert answered["Michael"] == 5 and answered["James Joyner (article)"] == 3
    assert summary.answered_by[0].name == "Michael"
    assert summary.phrases and not any("bithead" in p.lower() for p in summary.phrases)


async def test_unknown_person_gets_an_empty_summary(seed: Seed) -> None:
    thread, comments, edges = seed
    summary = summarise_author(thread, comments, edges, "Nobody at all")
    assert summary.comments == 0 and summary.sentences == () and summary.exchange is None


async def test_thread_summary(seed: Seed) -> None:
    thread, comments, edges = seed
    summary = summarise_thread(thread, comments, edges)
    assert summary.comments == 31 and len(summary.participants) == 8
    assert sum(p.comments for p in summary.participants) == 31
    assert summary.participants[0].name == "Bithead"
    assert sum(p.word_share for p in summary.participants) == pytest.approx(1.0)
    body = flat(" ".join(thread.body))
    assert 1 <= len(summary.article) <= 3 and all(flat(s.text) in body for s in summary.article)
    numbers = [n for c in summary.conversations for n in c.numbers]
    assert len(numbers) == len(set(numbers)), "a comment in two sub-conversations"
    assert all(len(c.numbers) >= 2 for c in summary.conversations)
    israel = next(c for c in summary.conversations if 26 in c.numbers)
    assert set(israel.numbers) == {26, 27, 28, 29, 30, 31}
    assert {p.name for p in israel.people} == {"Bithead", "Michael"}
    assert summary.most_answered and summary.most_answered[0].replies >= 2
    assert summary.exchanges[0].exchanges == 12
    assert summary.article_replies == 6
    assert summary.phrases


async def test_deterministic_and_json_round_trip(seed: Seed) -> None:
    thread, comments, edges = seed
    first = summarise_author(thread, comments, edges, "Michael")
    assert summarise_author(thread, comments, edges, "Michael") == first
    assert from_json(AuthorSummary, to_json(first)) == first
    whole = summarise_thread(thread, comments, edges)
    assert from_json(ThreadSummary, to_json(whole)) == whole
    with pytest.raises(ValueError):
        from_json(AuthorSummary, to_json(whole))


_PROGRAM = """
import sys
from bot.sources.capture import parse_thread
from bot.summaries.keyphrases import key_phrases
from bot.summaries.ranking import central_sentences, idf_of
from bot.summaries.sentences import content_words, paragraph_sentences
from pathlib import Path
seed = Path(sys.argv[1])
parsed = parse_thread(seed.read_text(encoding="utf-8"), seed.name)
texts = list(parsed.article_paragraphs) + [p for c in parsed.comments[:6] for p in c.paragraphs]
sentences = paragraph_sentences(texts)
idf = idf_of(content_words(s.text) for s in sentences)
print(key_phrases(texts), [s.text for s in central_sentences(sentences, idf, 8)])
"""


def test_same_answer_in_every_process() -> None:
    """Set iteration order changes with PYTHONHASHSEED; the summary must not."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        done = subprocess.run(
            [sys.executable, "-c", _PROGRAM, str(SEED_FILE)],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1
