"""Offline, deterministic summaries of one person in a thread, or of the whole thread.

Extractive on purpose: every sentence shown is one the person wrote in a paragraph of
their own (quoted paragraphs are never candidates), so a summary cannot put words in
anyone's mouth. Sentences are ranked LexRank-style (TF-IDF cosine similarity between
sentences, PageRank over that graph; IDF from the whole thread, so words everybody uses
weigh less) and picked with MMR so the few shown say different things.

Libraries: ``pysbd`` splits sentences by rules (it knows "U.S." and "Adm." are not
sentence ends), ``yake`` finds key phrases from statistics of the text alone. Neither
downloads a model and both give the same answer for the same text. PageRank is a short
power iteration in numpy (``networkx.pagerank`` would pull in scipy for this one call);
``networkx`` finds the sub-conversations of the reply graph.

Everything here is pure: values in, frozen dataclasses out, so the service can run it
in a worker thread and cache the JSON form per thread version.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
import types
import typing
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import networkx as nx
import numpy as np
import pysbd  # type: ignore[import-untyped]
import yake  # type: ignore[import-untyped]

from bot.models import ARTICLE, ELISION, StoredComment, StoredEdge, StoredThread
from bot.storage import fold, own_word_count

SUMMARY_VERSION = 1
"""Bumped whenever the output changes, so cached payloads of older versions are ignored."""

MAX_SENTENCES = 8
MAX_PHRASES = 6
ARTICLE_SENTENCES = 3
MAX_CANDIDATES = 1500
"""Sentences ranked per summary at most (the similarity matrix is this squared)."""
SIMILARITY_FLOOR = 0.08
"""Cosine similarity below which two sentences are not linked in the LexRank graph."""
DAMPING = 0.85
MMR_LAMBDA = 0.6
"""Weight of centrality against novelty when picking the next sentence."""
LEAD_PRIOR = 2.0
"""Teleport weight of a paragraph's first sentence (others 1): replies state their point first."""
ECHO_PRIOR = 1.0
"""Extra teleport weight per comment of someone else that quoted the sentence's paragraph:
what others answered is, by the thread's own judgement, a point that mattered."""
TOPIC_OVERLAP = 0.8
"""Repetition charged to a sentence on a topic (similarity community) already shown."""
MIN_CONTENT_WORDS = 3
GREEDY_MAX = 120
SPLIT_CONVERSATION_AT = 9
"""A connected part of the reply graph this big is split into its communities."""
MAX_CONVERSATIONS = 5
MAX_ANSWERED = 5
MAX_EXCHANGES = 3
KEYWORD_TEXT_MAX = 200_000
"""Characters given to yake at most (it is linear, but a 20,000-comment thread is big)."""

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_SENTENCE_FALLBACK = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")


# ---- results -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeySentence:
    """A sentence someone wrote, with where: printed comment ``number`` (0: the article)."""

    number: int
    seq: int
    text: str
    paragraph: int = 0
    """Index of its paragraph in the comment (or the article)."""
    lead: bool = False
    """The first sentence of its paragraph."""


@dataclass(frozen=True, slots=True)
class Count:
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class Exchange:
    """Two people answering each other: ``exchanges`` replies between them, ``#start``–``#end``."""

    first: str
    second: str
    exchanges: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class AuthorSummary:
    """One person in one thread: figures, partners, and what they said in their own words."""

    name: str
    wrote_article: bool
    comments: int
    words: int
    """Words of their own: quoted paragraphs excluded (the article's words for its author)."""
    first: int | None
    last: int | None
    comment_share: float
    word_share: float
    """Share of all commenters' own words (0 for a post author who did not comment)."""
    answered: tuple[Count, ...]
    answered_by: tuple[Count, ...]
    exchange: Exchange | None
    sentences: tuple[KeySentence, ...]
    phrases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Participant:
    name: str
    comments: int
    words: int
    word_share: float


@dataclass(frozen=True, slots=True)
class Conversation:
    """A connected part of the reply graph: who, with how many comments, and which comments."""

    people: tuple[Count, ...]
    numbers: tuple[int, ...]
    phrases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Answered:
    """A comment others replied to, with how many replying comments."""

    number: int
    author: str
    replies: int
    text: str


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    title: str
    post_author: str
    lede: str
    article: tuple[KeySentence, ...]
    comments: int
    words: int
    participants: tuple[Participant, ...]
    conversations: tuple[Conversation, ...]
    most_answered: tuple[Answered, ...]
    article_replies: int
    exchanges: tuple[Exchange, ...]
    phrases: tuple[str, ...]


Summary = AuthorSummary | ThreadSummary
T = TypeVar("T")


# ---- JSON round trip (the cache stores payloads as text) -------------------------------


def to_json(summary: Summary) -> str:
    return json.dumps(dataclasses.asdict(summary), ensure_ascii=False, sort_keys=True)


def _decode(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _decode(options[0], value)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(_decode(item, v) for v in value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(
            **{f.name: _decode(hints[f.name], value[f.name]) for f in dataclasses.fields(kind)}
        )
    if kind is float:
        return float(value)
    if kind in (int, str, bool) and not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, got {value!r}")
    return value


def from_json(kind: type[T], payload: str) -> T:
    """The summary stored by :func:`to_json`; ``ValueError`` when it does not fit ``kind``."""
    try:
        value: T = _decode(kind, json.loads(payload))
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise ValueError(f"cached summary does not fit {kind.__name__}: {exc}") from exc
    return value


# ---- text ------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Typographic apostrophes as ASCII, so "don’t" and "don't" are one word."""
    return text.replace("’", "'").replace("‘", "'")


@functools.cache
def stopwords() -> frozenset[str]:
    """yake's English stopword list, so ranking and key phrases skip the same words."""
    words: set[str] = yake.KeywordExtractor(lan="en").stopword_set
    return frozenset(normalise(w.lower()) for w in words)


def stem(word: str) -> str:
    """A light suffix stripper: enough for "attacks"/"attack", cheap and predictable."""
    for suffix, keep in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def content_words(text: str) -> list[str]:
    """Stemmed words that carry meaning: lowercase, no stopwords, no one-letter words."""
    stop = stopwords()
    words = (w for w in _WORD.findall(normalise(text).lower()) if len(w) > 1)
    return [stem(w) for w in words if w not in stop and not w.endswith("'t")]


@functools.lru_cache(maxsize=16_384)
def split_sentences(paragraph: str) -> tuple[str, ...]:
    """Sentences of one paragraph, each an exact substring of it (whitespace aside).

    Cached: pysbd takes milliseconds a paragraph, and every summary of a thread splits
    the whole thread again (the IDF counts every sentence).
    """
    out: list[str] = []
    segmenter = pysbd.Segmenter(language="en", clean=False)
    for line in paragraph.splitlines():
        if not line.strip():
            continue
        pieces = [p.strip() for p in segmenter.segment(line)]
        if not all(p in line for p in pieces):
            # pysbd promises not to change the text; if it ever does, fall back to rules.
            pieces = [p.strip() for p in _SENTENCE_FALLBACK.split(line)]
        for piece in pieces:
            if not _LETTER.search(piece):
                continue
            if out and piece[0].islower():
                # "True… NOW…. not 30 years ago": an ellipsis is not a sentence end here.
                out[-1] = f"{out[-1]} {piece}"
            else:
                out.append(piece)
    return tuple(out)


def key_phrases(
    texts: Iterable[str],
    *,
    exclude: Iterable[str] = (),
    common: Iterable[str] = (),
    top: int = MAX_PHRASES,
) -> tuple[str, ...]:
    """The ``top`` yake key phrases of ``texts``.

    Left out: names in ``exclude`` (who is shown elsewhere), single words in ``common``
    (what everybody in the thread talks about says little about one person), word
    scraps, and phrases that repeat a shorter or longer one already kept.
    """
    text = "\n\n".join(normalise(t) for t in texts)[:KEYWORD_TEXT_MAX]
    if not _LETTER.search(text):
        return ()
    banned = {w for name in exclude if name.strip() for w in _WORD.findall(fold(name))}
    ordinary = {fold(w) for w in common}
    extractor = yake.KeywordExtractor(lan="en", n=3, dedup_lim=0.7, top=top * 5)
    phrases: list[str] = []
    kept: list[set[str]] = []
    for phrase, _score in extractor.extract_keywords(text):
        words = _WORD.findall(fold(phrase))
        if not words or any(w in banned for w in words):
            continue
        if sum(len(w) for w in words) < 4 or all(w.isdigit() for w in words):
            continue
        if len(words) == 1 and words[0] in ordinary:
            continue
        bag = set(words)
        if any(bag <= other or other <= bag for other in kept):
            continue
        kept.append(bag)
        phrases.append(phrase)
        if len(phrases) == top:
            break
    return tuple(phrases)


def common_words(comments: Sequence[StoredComment], share: float = 0.5) -> set[str]:
    """Words in the own text of at least ``share`` of the commenters (and at least three)."""
    people: dict[str, set[str]] = defaultdict(set)
    for c in comments:
        people[fold(c.author)].update(_WORD.findall(fold(normalise(c.own_text))))
    if len(people) < 3:
        return set()
    counts: Counter[str] = Counter(w for words in people.values() for w in words)
    needed = max(3, math.ceil(share * len(people)))
    return {w for w, n in counts.items() if n >= needed}


# ---- LexRank -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    order: int
    sentence: KeySentence
    words: tuple[str, ...]


def _idf(documents: Iterable[Sequence[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    n = 0
    for words in documents:
        n += 1
        df.update(set(words))
    return {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}


def _vectors(
    candidates: Sequence[_Candidate], idf: Mapping[str, float]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    vocabulary: dict[str, int] = {}
    for c in candidates:
        for w in c.words:
            vocabulary.setdefault(w, len(vocabulary))
    matrix = np.zeros((len(candidates), max(1, len(vocabulary))))
    for i, c in enumerate(candidates):
        for w, tf in Counter(c.words).items():
            matrix[i, vocabulary[w]] = tf * idf.get(w, 1.0)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: np.ndarray[Any, np.dtype[np.float64]] = matrix / norms
    return result


def pagerank(
    similarity: np.ndarray[Any, np.dtype[np.float64]],
    prior: np.ndarray[Any, np.dtype[np.float64]] | None = None,
    *,
    iterations: int = 100,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Weighted PageRank by power iteration, teleporting by ``prior`` (uniform if none);
    a sentence like no other spreads its rank by the prior too."""
    n = similarity.shape[0]
    teleport = np.full(n, 1.0 / n) if prior is None else prior / prior.sum()
    weights = similarity.copy()
    np.fill_diagonal(weights, 0.0)
    weights[weights < SIMILARITY_FLOOR] = 0.0
    out = weights.sum(axis=1, keepdims=True)
    dangling = out[:, 0] == 0
    transition = np.divide(weights, out, out=np.zeros_like(weights), where=out > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        spread = rank[dangling].sum() * teleport
        new = (1 - DAMPING) * teleport + DAMPING * (rank @ transition + spread)
        if np.abs(new - rank).sum() < 1e-10:
            rank = new
            break
        rank = new
    result: np.ndarray[Any, np.dtype[np.float64]] = rank
    return result


def central_sentences(
    sentences: Sequence[KeySentence],
    idf: Mapping[str, float],
    limit: int,
    echoes: Mapping[tuple[int, int], int] | None = None,
) -> tuple[KeySentence, ...]:
    """The ``limit`` most central sentences that say different things, in thread order.

    ``echoes`` counts, per ``(seq, paragraph)``, the comments of others that quoted it.
    """
    echoes = echoes or {}
    candidates = [_Candidate(i, s, tuple(content_words(s.text))) for i, s in enumerate(sentences)]
    seen: set[str] = set()
    unique = []
    for c in candidates:
        key = " ".join(c.sentence.text.casefold().split())
        if key not in seen:  # a sentence said twice is one candidate (the first)
            seen.add(key)
            unique.append(c)
    candidates = unique
    informative = [c for c in candidates if len(set(c.words)) >= MIN_CONTENT_WORDS]
    if len(informative) < limit:
        informative = [c for c in candidates if c.words] or candidates
    if len(informative) > MAX_CANDIDATES:
        # Keep the sentences with the most distinct words, still in thread order.
        keep = sorted(informative, key=lambda c: (-len(set(c.words)), c.order))[:MAX_CANDIDATES]
        informative = sorted(keep, key=lambda c: c.order)
    if not informative:
        return ()
    vectors = _vectors(informative, idf)
    similarity = vectors @ vectors.T
    prior = np.array(
        [
            (LEAD_PRIOR if c.sentence.lead else 1.0)
            * (1.0 + ECHO_PRIOR * echoes.get((c.sentence.seq, c.sentence.paragraph), 0))
            for c in informative
        ]
    )
    # Centrality times substance: a short aside that shares one common word with many
    # sentences should not beat a full sentence that states a point.
    substance = np.array([math.log1p(len(set(c.words))) for c in informative])
    rank = pagerank(similarity, prior) * substance
    score = rank / rank.max()
    chosen = _pick(
        similarity,
        score,
        topics(similarity),
        [c.sentence.seq for c in informative],
        [(c.sentence.seq, c.sentence.paragraph) for c in informative],
        limit,
    )
    return tuple(informative[i].sentence for i in sorted(chosen))


def communities(graph: nx.Graph, weight: str | None = None) -> list[set[int]]:
    """Communities of ``graph``, deterministically: greedy modularity (stable, and better on
    small graphs) up to :data:`GREEDY_MAX` nodes, Louvain with a fixed seed beyond (greedy
    modularity is quadratic-ish and takes seconds on a few hundred dense nodes)."""
    if graph.number_of_nodes() <= GREEDY_MAX:
        found = nx.community.greedy_modularity_communities(graph, weight=weight)
    else:
        found = nx.community.louvain_communities(graph, weight=weight, seed=0)
    return [set(c) for c in found]


def topics(similarity: np.ndarray[Any, np.dtype[np.float64]]) -> list[list[int]]:
    """Groups of sentences that talk about the same thing: communities of the similarity graph."""
    n = similarity.shape[0]
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    rows, cols = np.nonzero(np.triu(similarity, 1) >= SIMILARITY_FLOOR)
    graph.add_weighted_edges_from(
        (int(i), int(j), float(similarity[i, j])) for i, j in zip(rows, cols, strict=True)
    )
    groups = communities(graph, weight="weight")
    return [sorted(g) for g in groups]


def _pick(
    similarity: np.ndarray[Any, np.dtype[np.float64]],
    score: np.ndarray[Any, np.dtype[np.float64]],
    groups: Sequence[Sequence[int]],
    seqs: Sequence[int],
    paragraphs: Sequence[tuple[int, int]],
    limit: int,
) -> list[int]:
    """Greedy MMR with tiers: a comment not used yet first, then a paragraph not used yet;
    within a tier, centrality minus repetition (word overlap, or the same topic)."""
    topic = {i: k for k, g in enumerate(groups) for i in g}
    chosen: list[int] = []
    remaining = list(range(len(score)))
    while remaining and len(chosen) < limit:
        used_seqs = {seqs[j] for j in chosen}
        used_paragraphs = {paragraphs[j] for j in chosen}
        used_topics = {topic[j] for j in chosen}

        def value(
            i: int,
            used_seqs: set[int] = used_seqs,
            used_paragraphs: set[tuple[int, int]] = used_paragraphs,
            used_topics: set[int] = used_topics,
        ) -> tuple[bool, bool, float, int]:
            overlap = max((float(similarity[i, j]) for j in chosen), default=0.0)
            if topic[i] in used_topics:
                overlap = max(overlap, TOPIC_OVERLAP)
            return (
                seqs[i] not in used_seqs,
                paragraphs[i] not in used_paragraphs,
                MMR_LAMBDA * float(score[i]) - (1 - MMR_LAMBDA) * overlap,
                -i,
            )

        best = max(remaining, key=value)
        chosen.append(best)
        remaining.remove(best)
    return chosen


def sentence_budget(count: int) -> int:
    """How many sentences to show for someone who wrote ``count``: grows slowly, up to 8."""
    return max(min(count, 2), min(MAX_SENTENCES, round(1.2 * math.sqrt(count))))


# ---- the thread's text as sentences ------------------------------------------------------


def article_paragraphs(thread: StoredThread) -> list[str]:
    paragraphs = [thread.lede] if thread.lede else []
    return paragraphs + [p for p in thread.body if p != ELISION]


def own_sentences(comment: StoredComment) -> list[KeySentence]:
    """The sentences of a comment's own paragraphs: what it quoted is left out."""
    return [
        KeySentence(comment.number, comment.seq, s, k, i == 0)
        for k, p in enumerate(comment.paragraphs)
        if p.own
        for i, s in enumerate(split_sentences(p.text))
    ]


def paragraph_sentences(paragraphs: Iterable[str]) -> list[KeySentence]:
    return [
        KeySentence(ARTICLE, ARTICLE, s, k, i == 0)
        for k, p in enumerate(paragraphs)
        for i, s in enumerate(split_sentences(p))
    ]


def article_sentences(thread: StoredThread) -> list[KeySentence]:
    return paragraph_sentences(article_paragraphs(thread))


def echo_counts(
    thread: StoredThread, comments: Sequence[StoredComment]
) -> dict[tuple[int, int], int]:
    """How many comments of other people quoted each ``(seq, paragraph)``."""
    authors = {c.seq: fold(c.author) for c in comments}
    authors[ARTICLE] = fold(thread.author)
    quoting: dict[tuple[int, int], set[int]] = defaultdict(set)
    for c in comments:
        for p in c.paragraphs:
            if p.quote is not None and authors.get(p.quote.seq) != fold(c.author):
                quoting[(p.quote.seq, p.quote.paragraph)].add(c.seq)
    return {key: len(seqs) for key, seqs in quoting.items()}


def _thread_idf(thread: StoredThread, comments: Sequence[StoredComment]) -> dict[str, float]:
    """Word rarity over the thread, one document per own paragraph.

    Paragraphs, not sentences: splitting every paragraph of a big thread into sentences
    (pysbd) took seconds for one person's summary, and rarity barely changes.
    """
    docs = [content_words(p) for p in article_paragraphs(thread)]
    docs += [content_words(p.text) for c in comments for p in c.paragraphs if p.own]
    return _idf(docs)


# ---- reply figures -----------------------------------------------------------------------


def _replies(edges: Sequence[StoredEdge]) -> list[StoredEdge]:
    """One edge per (replying comment, replied-to person): a comment quoting two paragraphs
    of the same person answered them once."""
    seen: set[tuple[int, int | str]] = set()
    out = []
    for edge in edges:
        key: tuple[int, int | str] = (
            edge.source,
            edge.target if edge.target == ARTICLE else edge.target_author,
        )
        if key not in seen:
            seen.add(key)
            out.append(edge)
    return out


def _counts(counter: Counter[str]) -> tuple[Count, ...]:
    return tuple(
        Count(n, c) for n, c in sorted(counter.items(), key=lambda kv: (-kv[1], fold(kv[0])))
    )


def exchanges(edges: Sequence[StoredEdge], numbers: Mapping[int, int]) -> list[Exchange]:
    """People who answered each other (both ways), most replies between them first."""
    between: dict[tuple[str, str], set[int]] = defaultdict(set)
    directions: dict[tuple[str, str], set[str]] = defaultdict(set)
    for edge in _replies(edges):
        if edge.target == ARTICLE or edge.source_author == edge.target_author:
            continue
        pair = tuple(sorted((edge.source_author, edge.target_author), key=fold))
        key = (pair[0], pair[1])
        between[key].add(edge.source)
        directions[key].add(edge.source_author)
    out = []
    for (a, b), seqs in between.items():
        if len(directions[(a, b)]) < 2:
            continue
        nums = [numbers.get(s, s) for s in seqs]
        out.append(Exchange(a, b, len(seqs), min(nums), max(nums)))
    out.sort(key=lambda e: (-e.exchanges, e.start, fold(e.first), fold(e.second)))
    return out


# ---- per author ----------------------------------------------------------------------------


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
    own_words = own_word_count(p.text for c in mine for p in c.paragraphs if p.own)
    all_words = own_word_count(p.text for c in comments for p in c.paragraphs if p.own)
    article_words = own_word_count(article_paragraphs(thread)) if wrote_article else 0
    replies = _replies(edges)
    mine_seqs = {c.seq for c in mine}
    answered: Counter[str] = Counter()
    answered_by: Counter[str] = Counter()
    for edge in replies:
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
        answered=_counts(answered),
        answered_by=_counts(answered_by),
        exchange=theirs[0] if theirs else None,
        sentences=central_sentences(
            sentences,
            _thread_idf(thread, comments),
            sentence_budget(len(sentences)),
            echo_counts(thread, comments),
        ),
        phrases=key_phrases(texts, exclude=people, common=common_words(comments)),
    )


# ---- whole thread ---------------------------------------------------------------------------


def conversations(
    comments: Sequence[StoredComment], edges: Sequence[StoredEdge]
) -> list[list[StoredComment]]:
    """Connected parts of the comment reply graph (the article left out), big ones split
    into their communities; each at least two comments, biggest first."""
    by_seq = {c.seq: c for c in comments}
    graph = nx.Graph()
    graph.add_nodes_from(sorted(by_seq))
    for edge in sorted(edges, key=lambda e: (e.source, e.target)):
        if edge.target != ARTICLE and edge.source in by_seq and edge.target in by_seq:
            graph.add_edge(edge.source, edge.target)
    parts: list[set[int]] = []
    for component in sorted(nx.connected_components(graph), key=min):
        if len(component) < 2:
            continue
        if len(component) < SPLIT_CONVERSATION_AT:
            parts.append(set(component))
            continue
        sub = graph.subgraph(sorted(component))
        parts.extend(set(c) for c in communities(sub) if len(c) >= 2)
    parts.sort(key=lambda p: (-len(p), min(p)))
    return [[by_seq[s] for s in sorted(p)] for p in parts]


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
        words[c.author] += own_word_count(p.text for p in c.paragraphs if p.own)
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
                people=_counts(who),
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
        body, _thread_idf(thread, comments), ARTICLE_SENTENCES, echo_counts(thread, comments)
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
