"""Synthetic threads: well-formed, reproducible, and recovered by reply inference.

Precision and recall are asserted on quote and mention edges separately, for a
few sizes and seeds; the thread structure the generator built is the truth.
"""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.synthetic import SyntheticConfig, SyntheticThread, generate_thread
from bot.inference.replies import infer_replies
from bot.models import ARTICLE
from bot.sources.capture import parse_thread

TARGET = 0.97
CASES = [(60, 0), (60, 1), (250, 2), (250, 3), (600, 4)]


Pairs = set[tuple[int, int]]


def precision_recall(found: Pairs, truth: Pairs) -> tuple[float, float]:
    hit = len(found & truth)
    return (hit / len(found) if found else 1.0, hit / len(truth) if truth else 1.0)


def test_same_seed_same_thread_other_seed_other_thread() -> None:
    a, b, c = generate_thread(80, 7), generate_thread(80, 7), generate_thread(80, 8)
    assert a.text == b.text and a.expected == b.expected
    assert a.text != c.text


def test_generated_text_parses_into_the_expected_comments() -> None:
    synthetic = generate_thread(300, 1)
    thread = parse_thread(synthetic.text, synthetic.source)
    assert len(thread.comments) == 300
    assert [c.seq for c in thread.comments] == list(range(1, 301))
    assert {c.author for c in thread.comments} <= set(synthetic.authors)
    assert thread.author == synthetic.post_author
    assert not thread.warnings
    assert any(not name.isascii() for name in synthetic.authors)


def test_expected_structure_is_consistent() -> None:
    synthetic = generate_thread(400, 2)
    thread = parse_thread(synthetic.text, synthetic.source)
    expected = synthetic.expected
    for (seq, idx), ref in expected.quotes.items():
        comment = thread.comments[seq - 1]
        assert idx < len(comment.paragraphs)
        assert ref.seq < seq
        sources = thread.article_paragraphs if ref.seq == ARTICLE else None
        count = len(sources) if sources else len(thread.comments[ref.seq - 1].paragraphs)
        assert ref.paragraph < count
        assert (ref.seq, ref.paragraph) not in expected.quotes, "quotes credit own words"
    pairs = [(e.source, e.target) for e in expected.edges]
    assert len(pairs) == len(set(pairs)) and pairs == sorted(pairs)
    assert {e.source for e in expected.edges} == set(range(1, 401))
    vias = Counter(e.via for e in expected.edges)
    assert vias["quote"] > 100 and vias["mention"] > 20 and vias["article"] > 20


def test_config_rates_take_effect() -> None:
    quiet = SyntheticConfig(quote_rate=0.0, mention_rate=0.0)
    synthetic = generate_thread(100, 3, config=quiet)
    assert not synthetic.expected.quotes
    assert {e.via for e in synthetic.expected.edges} == {"article"}
    assert {e.target for e in synthetic.expected.edges} == {ARTICLE}


def infer(synthetic: SyntheticThread) -> dict[str, tuple[float, float]]:
    """Precision and recall per kind of edge, and of quoted-paragraph attributions."""
    result = infer_replies(parse_thread(synthetic.text, synthetic.source))
    figures = {}
    for via in ("quote", "mention", "article"):
        found = {(e.source, e.target) for e in result.edges if e.via == via}
        truth = {(e.source, e.target) for e in synthetic.expected.edges if e.via == via}
        figures[via] = precision_recall(found, truth)
    found_q = {(s, i, r.seq, r.paragraph) for (s, i), r in result.quotes.items()}
    truth_q = {(s, i, r.seq, r.paragraph) for (s, i), r in synthetic.expected.quotes.items()}
    hit = len(found_q & truth_q)
    figures["paragraphs"] = (hit / max(len(found_q), 1), hit / max(len(truth_q), 1))
    return figures


@pytest.mark.parametrize(("comments", "seed"), CASES)
def test_inference_recovers_synthetic_structure(comments: int, seed: int) -> None:
    synthetic = generate_thread(comments, seed)
    figures = infer(synthetic)
    for kind in ("quote", "mention", "paragraphs"):
        precision, recall = figures[kind]
        assert precision >= TARGET and recall >= TARGET, (kind, figures)
    mentions = sum(e.via == "mention" for e in synthetic.expected.edges)
    assert mentions >= comments // 20, "enough mentions for the figure to mean something"


def test_decoys_and_echoes_alone_create_no_edges() -> None:
    """Only names in prose that addresses nobody, and openings borrowed from recent
    sentences: every comment replies to the article."""
    config = SyntheticConfig(quote_rate=0.0, mention_rate=0.0, decoy_rate=1.0, echo_rate=1.0)
    synthetic = generate_thread(200, 9, config=config)
    assert "https://example.org/" in synthetic.text
    result = infer_replies(parse_thread(synthetic.text, synthetic.source))
    assert not result.quotes
    assert {(e.target, e.via) for e in result.edges} == {(ARTICLE, "article")}


def test_echoes_of_addressing_sentences_are_not_unlabelled_mentions() -> None:
    """An echo borrows the opening of a recent sentence; were that ``@Name …`` or
    ``Hi Name, …``, the copy would address someone the truth does not list."""
    config = SyntheticConfig(quote_rate=0.0, mention_rate=0.5, echo_rate=0.5)
    synthetic = generate_thread(300, 1, config=config)
    precision, recall = infer(synthetic)["mention"]
    assert precision >= TARGET and recall >= TARGET
