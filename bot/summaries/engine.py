"""Offline, deterministic summaries of one person in a thread, or of the whole thread.

Extractive on purpose: every sentence shown is one the person wrote in a paragraph of
their own (quoted paragraphs are never candidates), so a summary cannot put words in
anyone's mouth. The parts: :mod:`~bot.summaries.sentences` (text to sentences),
:mod:`~bot.summaries.ranking` (which sentences), :mod:`~bot.summaries.keyphrases`,
:mod:`~bot.summaries.conversations` (the reply graph), :mod:`~bot.summaries.results`.

Everything here is pure: values in, frozen dataclasses out, so the service can run it
outside the event loop and cache the JSON form per thread version.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from bot.models import ARTICLE, StoredComment, StoredEdge, StoredThread
from bot.summaries.conversations import conversations, counts, exchanges, replies
from bot.summaries.keyphrases import common_words, key_phrases
from bot.summaries.ranking import central_sentences, echo_counts, sentence_budget, thread_idf
from bot.summaries.results import (
    Answered,
    AuthorSummary,
    Conversation,
    Participant,
    ThreadSummary,
)
from bot.summaries.sentences import (
    article_paragraphs,
    article_sentences,
    own_sentences,
)
from bot.text import fold, word_count

ARTICLE_SENTENCES = 3
MAX_CONVERSATIONS = 5
MAX_ANSWERED = 5
MAX_EXCHANGES = 3


def summarise_author(
    thread: StoredThread,
    comments: Sequence[StoredComment],
    edges: Sequence[StoredEdge],
    name: str,
) -> AuthorSummary:
    """What ``name`` said in ``thread`` (the article too when they wrote it)."""
    key = fold(name)
    wrote_article = bool(thread.author) and fold(thread.author) == key
    mine = [c for c in comments if fold(c.author) == key]
    if mine:
        name = mine[0].author
    elif wrote_article:
        name = thread.author
    numbers = {c.seq: c.number for c in comments}
    own_words = word_count(p.text for c in mine for p in c.paragraphs if p.own)
    all_words = word_count(p.text for c in comments for p in c.paragraphs if p.own)
    article_words = word_count(article_paragraphs(thread)) if wrote_article else 0
    one_each = replies(edges)
    mine_seqs = {c.seq for c in mine}
    answered: Counter[str] = Counter()
    answered_by: Counter[str] = Counter()
    for edge in one_each:
        if edge.source in mine_seqs:
            target = (
                f"{edge.target_author} (article)" if edge.target == ARTICLE else edge.target_author
            )
            answered[target] += 1
        targeted = edge.target in mine_seqs or (edge.target == ARTICLE and wrote_article)
        if targeted and edge.source not in mine_seqs:
            answered_by[edge.source_author] += 1
    theirs = [e for e in exchanges(edges, numbers) if key in (fold(e.first), fold(e.second))]
    sentences = [s for c in mine for s in own_sentences(c)]
    if wrote_article:
        sentences = article_sentences(thread) + sentences
    texts = [s.text for s in sentences]
    people = {c.author for c in comments} | {thread.author}
    return AuthorSummary(
        name=name,
        wrote_article=wrote_article,
        comments=len(mine),
        words=own_words + article_words,
        first=mine[0].number if mine else None,
        last=mine[-1].number if mine else None,
        comment_share=len(mine) / len(comments) if comments else 0.0,
        word_share=own_words / all_words if all_words else 0.0,
        answered=counts(answered),
        answered_by=counts(answered_by),
        exchange=theirs[0] if theirs else None,
        sentences=central_sentences(
            sentences,
            thread_idf(thread, comments),
            sentence_budget(len(sentences)),
            echo_counts(thread, comments),
        ),
        phrases=key_phrases(texts, exclude=people, common=common_words(comments)),
    )


def summarise_thread(
    thread: StoredThread, comments: Sequence[StoredComment], edges: Sequence[StoredEdge]
) -> ThreadSummary:
    """The article in a few sentences, who took part, the sub-conversations, what drew replies."""
    numbers = {c.seq: c.number for c in comments}
    words: Counter[str] = Counter()
    count: Counter[str] = Counter()
    first: dict[str, int] = {}
    for c in comments:
        count[c.author] += 1
        words[c.author] += word_count(p.text for p in c.paragraphs if p.own)
        first.setdefault(c.author, c.seq)
    total_words = sum(words.values())
    participants = tuple(
        Participant(n, count[n], words[n], words[n] / total_words if total_words else 0.0)
        for n in sorted(count, key=lambda n: (-words[n], -count[n], first[n]))
    )
    people = set(count) | {thread.author}
    parts = []
    for part in conversations(comments, edges)[:MAX_CONVERSATIONS]:
        who: Counter[str] = Counter(c.author for c in part)
        parts.append(
            Conversation(
                people=counts(who),
                numbers=tuple(c.number for c in part),
                phrases=key_phrases((c.own_text for c in part), exclude=people, top=3),
            )
        )
    replied: dict[int, set[int]] = defaultdict(set)
    for edge in edges:
        if edge.source != edge.target:
            replied[edge.target].add(edge.source)
    by_seq = {c.seq: c for c in comments}
    ranked = sorted(
        (s for s in replied if s != ARTICLE and s in by_seq), key=lambda s: (-len(replied[s]), s)
    )
    most_answered = tuple(
        Answered(
            by_seq[s].number,
            by_seq[s].author,
            len(replied[s]),
            by_seq[s].own_text or by_seq[s].text,
        )
        for s in ranked[:MAX_ANSWERED]
        if len(replied[s]) >= 2 or s == ranked[0]
    )
    body = [s for s in article_sentences(thread) if not (thread.lede and s.paragraph == 0)]
    article = central_sentences(
        body, thread_idf(thread, comments), ARTICLE_SENTENCES, echo_counts(thread, comments)
    )
    texts = [*article_paragraphs(thread), *(c.own_text for c in comments)]
    return ThreadSummary(
        title=thread.title,
        post_author=thread.author,
        lede=thread.lede,
        article=article,
        comments=len(comments),
        words=total_words,
        participants=participants,
        conversations=tuple(parts),
        most_answered=most_answered,
        article_replies=len(replied.get(ARTICLE, ())),
        exchanges=tuple(exchanges(edges, numbers)[:MAX_EXCHANGES]),
        phrases=key_phrases(texts, exclude=people),
    )
