"""The offline summariser: own words only, stances and context, sides of each debate, figures.

How much of what matters the summaries carry is measured in test_quality.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.models import ARTICLE, StoredComment, StoredEdge, StoredParagraph
from bot.sources.capture import parse_thread
from bot.summaries.conversations import MIN_PIECE, conversations
from bot.summaries.engine import author_budget, summarise_author, summarise_thread
from bot.summaries.results import AuthorSummary, KeySentence
from bot.summaries.stances import depends_on_context
from tests.bot.summaries.quality import Seed, load, person_sentences, prose_cost
from tests.conftest import SEED_FILE

SEED_PEOPLE = [*sorted(load("reader_points.json")["people"]), "James Joyner"]


def flat(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


# ---- own words only, and quality -------------------------------------------------------------


def _raw_others_before(person: str) -> list[tuple[int, str]]:
    """Every paragraph written before a comment by ``person``, from the file itself (the article
    and other people's comments), independent of quote detection."""
    parsed = parse_thread(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name)
    out = [(0, p) for p in parsed.article_paragraphs]
    out += [(c.seq, p) for c in parsed.comments if c.author != person for p in c.paragraphs]
    return out


def _shown(summary: AuthorSummary) -> list[KeySentence]:
    stance = [summary.stance.sentence] if summary.stance.sentence else []
    return stance + [p.sentence for p in summary.points]


@pytest.mark.parametrize("person", [p for p in SEED_PEOPLE if p != "James Joyner"])
async def test_sentences_come_from_own_words_and_never_from_quotes(seed: Seed, person: str) -> None:
    thread, comments, edges = seed
    summary = summarise_author(thread, comments, edges, person)
    assert summary.points, person
    own = {c.seq: [flat(p.text) for p in c.paragraphs if p.own] for c in comments}
    quoted = [flat(p.text) for c in comments if c.author == person for p in c.paragraphs if p.quote]
    earlier = _raw_others_before(person)
    shown = _shown(summary)
    assert len({s.text for s in shown}) == len(shown), "a sentence shown twice"
    for s in shown:
        text = flat(s.text)
        author = next(c.author for c in comments if c.seq == s.seq)
        assert author == person
        assert any(text in p for p in own[s.seq]), (person, s)
        assert not any(text in q for q in quoted), (person, s)
        # Not in anything someone else wrote before it (what they could have quoted).
        assert not any(text in flat(p) for seq, p in earlier if seq < s.seq), (person, s)
    assert prose_cost(summary) <= author_budget(
        sum(len(x) + 1 for x in person_sentences(thread, comments, person))
    )


async def test_a_pasted_study_is_cited_as_quoted_never_as_own_words(seed: Seed) -> None:
    thread, comments, edges = seed
    summary = summarise_author(thread, comments, edges, "Bithead")
    assert [c.number for c in summary.cites] == [3]
    assert summary.cites[0].text.startswith("Researchers at Harvard say")
    assert not any("Harvard" in s.text or "Radha" in s.text for s in _shown(summary))
    assert not any("emboldenment" in p.lower() for p in summary.phrases)


async def test_stance_names_the_main_opponent_and_points_carry_their_context(seed: Seed) -> None:
    thread, comments, edges = seed
    summary = summarise_author(thread, comments, edges, "Bithead")
    stance = summary.stance
    assert stance.sentence is not None and not depends_on_context(stance.sentence.text)
    assert (stance.partner, stance.exchanges, stance.leaning) == ("Michael", 14, "against")
    assert len({p.sentence.seq for p in summary.points}) >= 6, "points from many comments"
    for p in summary.points:
        if depends_on_context(p.sentence.text):
            assert p.context.startswith("↪ to "), p
        else:
            assert p.context == "", p
    legion = summarise_author(thread, comments, edges, "legion")
    assert legion.stance.partner == "Bithead" and legion.stance.leaning == "against"


async def test_post_author_summary_is_their_own_part_of_the_article(seed: Seed) -> None:
    thread, comments, edges = seed
    summary = summarise_author(thread, comments, edges, "james joyner")
    assert summary.name == "James Joyner"
    assert summary.wrote_article and summary.comments == 0 and summary.first is None
    own = [flat(thread.lede), *(flat(p) for p in thread.body[-2:])]  # lede and commentary
    shown = _shown(summary)
    assert shown and all(any(flat(s.text) in p for p in own) for s in shown)
    assert all(s.number == ARTICLE for s in shown)
    assert not any("Rear Adm" in s.text or "he says" in s.text for s in shown)
    assert {c.name for c in summary.answered_by} == {"glasnost", "tequila"}
    assert 60 < summary.words < 200, "the quoted news story is not his words"


async def test_figures_and_partners_of_the_busiest_person(seed: Seed) -> None:
    thread, comments, edges = seed
    summary = summarise_author(thread, comments, edges, "BITHEAD")
    assert (summary.name, summary.comments, summary.first, summary.last) == ("Bithead", 14, 2, 30)
    assert summary.comment_share == pytest.approx(14 / 31)
    assert 0 < summary.word_share < summary.comment_share
    assert summary.exchange is not None
    e = summary.exchange
    assert ({e.first, e.second}, e.exchanges, e.start, e.end) == ({"Bithead", "Michael"}, 14, 9, 31)
    answered = {c.name: c.count for c in summary.answered}
    assert answered["Michael"] == 7 and "James Joyner (article)" not in answered
    assert summary.answered_by[0].name == "Michael"
    assert summary.phrases and not any("bithead" in p.lower() for p in summary.phrases)


async def test_unknown_person_gets_an_empty_summary(seed: Seed) -> None:
    thread, comments, edges = seed
    summary = summarise_author(thread, comments, edges, "Nobody at all")
    assert summary.comments == 0 and summary.points == () and summary.exchange is None
    assert summary.stance.sentence is None and summary.cites == ()


async def test_thread_summary(seed: Seed) -> None:
    thread, comments, edges = seed
    summary = summarise_thread(thread, comments, edges)
    assert summary.comments == 31 and len(summary.participants) == 8
    assert sum(p.comments for p in summary.participants) == 31
    assert summary.participants[0].name == "Bithead"
    assert sum(p.word_share for p in summary.participants) == pytest.approx(1.0)
    commentary = flat(" ".join(thread.body[-2:]))
    assert 1 <= len(summary.claim) <= 2 and all(flat(s.text) in commentary for s in summary.claim)
    numbers = [n for c in summary.conversations for n in c.numbers]
    assert len(numbers) == len(set(numbers)), "a comment in two sub-conversations"
    assert all(len(c.numbers) >= 2 for c in summary.conversations)
    debate = next(c for c in summary.conversations if 1 in c.numbers)
    assert {1, 2, 9, 18, 25} <= set(debate.numbers), "one connected debate is not cut up"
    israel = next(c for c in summary.conversations if 26 in c.numbers)
    assert {25, 26, 27, 28, 29, 30, 31} <= set(israel.numbers), "#26 answers #25 ('How exactly?')"
    assert {"Bithead", "Michael"} <= {p.name for p in israel.people}
    assert {"Bithead", "Michael"} <= {s.name for s in israel.sides}
    for conversation in summary.conversations:
        people = {p.name for p in conversation.people}
        for side in conversation.sides:
            assert side.points and side.name in people
            assert all(by_number(comments, k.number).author == side.name for k in side.points)
    assert len(debate.sides) >= 6, "every main participant of the debate is heard"
    assert ("Michael", "Bithead", "against") in {
        (r.source, r.target, r.leaning) for r in israel.relations
    }
    assert summary.more_conversations == 0
    assert summary.most_answered and summary.most_answered[0].replies >= 2
    assert summary.exchanges[0].exchanges == 14
    assert summary.article_replies == 2
    assert 1 <= len(summary.phrases) <= 5


def by_number(comments: list[StoredComment], number: int) -> StoredComment:
    return next(c for c in comments if c.number == number)


def _edge(source: int, target: int) -> StoredEdge:
    return StoredEdge(source, f"p{source % 3}", target, f"p{target % 3}", "quote", "")


def _comment(seq: int) -> StoredComment:
    return StoredComment(1, seq, seq, f"p{seq % 3}", (StoredParagraph(f"Words {seq}."),))


def test_a_reply_chain_is_never_split_however_deep() -> None:
    comments = [_comment(i) for i in range(1, 61)]
    chain = [_edge(i, i - 1) for i in range(2, 61)]
    assert [len(p) for p in conversations(comments, chain)] == [60]


def test_a_big_debate_splits_into_communities_without_crumbs() -> None:
    comments = [_comment(i) for i in range(1, 91)]
    edges = []
    for base in (1, 31, 61):  # three dense groups of 30, linked by one reply each
        group = range(base, base + 30)
        edges += [_edge(i, j) for i in group for j in group if j < i and (i + j) % 4 == 0]
    edges += [_edge(31, 30), _edge(61, 60), _edge(45, 44)]
    parts = conversations(comments, edges)
    assert sum(len(p) for p in parts) == 90
    assert len(parts) >= 2 and min(len(p) for p in parts) >= MIN_PIECE


_PROGRAM = """
import sys
from pathlib import Path
from bot.inference.replies import infer_replies
from bot.models import StoredComment, StoredEdge, StoredParagraph, StoredThread
from bot.sources.capture import parse_thread
from bot.summaries.engine import summarise_author, summarise_thread
from bot.summaries.results import to_json
seed = Path(sys.argv[1])
t = parse_thread(seed.read_text(encoding="utf-8"), seed.name)
r = infer_replies(t)
thread = StoredThread(1, 0, t.source, "s", "h", t.title, t.lede, t.body, t.tags, t.author,
                      t.author_bio, None, None, len(t.comments), "now")
comments = [StoredComment(1, c.seq, c.number, c.author, tuple(
    StoredParagraph(p, r.quotes.get((c.seq, k))) for k, p in enumerate(c.paragraphs)))
    for c in t.comments]
authors = {c.seq: c.author for c in t.comments}
edges = [StoredEdge(e.source, authors[e.source], e.target, authors.get(e.target, t.author),
                    e.via, e.snippet) for e in r.edges]
print(to_json(summarise_thread(thread, comments, edges)))
for name in ("Bithead", "Michael", "James Joyner"):
    print(to_json(summarise_author(thread, comments, edges, name)))
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
