"""Offline, deterministic summaries of one person in a thread, or of the whole thread.

Extractive on purpose: every sentence shown is one the person wrote in a paragraph of
their own (quoted paragraphs, and words pasted from outside the thread, are never
candidates), so a summary cannot put words in anyone's mouth. What a reader gets:

* per person, a stance (their most central sentence and whom they mostly answered, for or
  against), then their points: the sentences that cover the most of what they talked about
  within a length budget (:mod:`~bot.summaries.selection`), each with what it answers when
  it cannot be read alone, and the passages they cited (shown as quoted);
* per thread, the article's claim in the post author's own words, then each
  sub-conversation with its sides (a few sentences per main participant) and who sided
  with or against whom (:mod:`~bot.summaries.stances`).

Everything here is pure: values in, frozen dataclasses out, so the service can run it
outside the event loop and cache the JSON form per thread version.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.inference.outside import article_outside
from bot.models import ARTICLE, StoredComment, StoredEdge, StoredThread
from bot.summaries.conversations import (
    conversations,
    counts,
    exchanges,
    replies,
    reply_targets,
)
from bot.summaries.keyphrases import common_words, key_phrases
from bot.summaries.results import (
    Answered,
    AuthorSummary,
    Conversation,
    Exchange,
    KeySentence,
    Participant,
    Point,
    Relation,
    Side,
    Stance,
    ThreadSummary,
)
from bot.summaries.selection import (
    LINE_COST,
    Candidate,
    best,
    candidates,
    in_thread_order,
    select,
    word_weights,
)
from bot.summaries.sentences import (
    article_paragraphs,
    evenly,
    name_key,
    own_sentences,
    paragraph_sentences,
    split_sentences,
)
from bot.summaries.stances import (
    asks,
    depends_on_context,
    leaning,
    opening,
    overall,
    states_a_view,
)
from bot.summaries.statistics import echo_counts, thread_idf
from bot.text import snippet, word_count

AUTHOR_BUDGET_BASE = 300
AUTHOR_BUDGET_SHARE = 0.45
AUTHOR_BUDGET_MIN = 450
AUTHOR_BUDGET_MAX = 1500
"""A person's summary: a base plus a share of the length of their own words, within bounds
(someone who wrote little still gets a few sentences; a long talker does not get a page)."""
THREAD_BUDGET_BASE = 900
THREAD_BUDGET_SHARE = 0.15
THREAD_BUDGET_MIN = 900
THREAD_BUDGET_MAX = 3600
CLAIM_BUDGET = 480
"""Characters for the article's claim (the lede is shown besides)."""
STANCE_MAX = 280
VIEW_FACTOR = 1.5
"""Preference, for the stance line, for a sentence that says where its writer stands."""
"""Characters of a stance sentence at most: a stance is read at a glance."""
CITE_SHARE = 0.25
"""Share of a person's budget that passages they quoted from outside may take."""
CITE_MAX = 200
CONTEXT_MAX = 70
"""Characters of what a point answers, in its ``↪ to …`` prefix."""
PERSON_COMMENTS = 150
SIDE_COMMENTS = 10
"""Comments of one person (in a thread, in a sub-conversation) cut into sentences at most:
an even sample of a prolific writer's comments, so a summary of a 20,000-comment thread
is computed in about a second (sentence splitting is the costly step)."""
MAX_CONVERSATIONS = 5
MAX_SIDES = 6
MAX_RELATIONS = 4
MAX_ANSWERED = 5
MAX_EXCHANGES = 3


def author_budget(own_chars: int) -> int:
    """Characters a person's summary may use: grows with what they wrote, within bounds."""
    wanted = AUTHOR_BUDGET_BASE + AUTHOR_BUDGET_SHARE * own_chars
    return max(AUTHOR_BUDGET_MIN, min(AUTHOR_BUDGET_MAX, round(wanted)))


def thread_budget(own_chars: int) -> int:
    """Characters a thread summary's text may use (claim, sides), like :func:`author_budget`."""
    wanted = THREAD_BUDGET_BASE + THREAD_BUDGET_SHARE * own_chars
    return max(THREAD_BUDGET_MIN, min(THREAD_BUDGET_MAX, round(wanted)))


def own_article_sentences(thread: StoredThread, *, lede: bool = True) -> list[KeySentence]:
    """The article's sentences in the post author's own words: what its source marked as
    quoted (a ``<blockquote>``) and what reads as quoted copy (see
    :func:`bot.inference.outside.article_outside`) left out."""
    quoted = article_outside(thread.lede, thread.body) | set(thread.quoted)
    out = []
    for s in paragraph_sentences(article_paragraphs(thread)):
        if s.paragraph in quoted or (thread.lede and s.paragraph == 0 and not lede):
            continue
        out.append(s)
    return out


def _context(
    sentence: KeySentence,
    comment: StoredComment,
    by_seq: Mapping[int, StoredComment],
    targets: Mapping[int, int],
    post_author: str,
) -> str:
    """``↪ to Name (#N): “…”``: what a sentence answers (the quote above it, else the
    comment it replies to)."""
    for k in range(sentence.paragraph - 1, -1, -1):
        ref = comment.paragraphs[k].quote
        if ref is not None and not ref.outside:
            source = by_seq.get(ref.seq)
            who = (
                f"{source.author} (#{source.number})" if source else f"the article ({post_author})"
            )
            said = snippet(comment.paragraphs[k].text.strip("“”\"' "), CONTEXT_MAX)
            return f"↪ to {who}: “{said}”"
    target = targets.get(comment.seq)
    if target is None:
        return ""
    if target == ARTICLE:
        return f"↪ to the article ({post_author})" if post_author else "↪ to the article"
    answered = by_seq.get(target)
    if answered is None:
        return ""
    first = next(iter(split_sentences(answered.own_text)), "")
    said = f": “{snippet(first, CONTEXT_MAX)}”" if first else ""
    return f"↪ to {answered.author} (#{answered.number}){said}"


def _leanings(
    edges: Sequence[StoredEdge], by_seq: Mapping[int, StoredComment]
) -> dict[tuple[str, str], list[str]]:
    """Per (replying person, replied-to person): the leaning of each reply between them."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in replies(edges):
        if e.target == ARTICLE or e.source_author == e.target_author:
            continue
        comment = by_seq.get(e.source)
        if comment is not None:
            out[(e.source_author, e.target_author)].append(leaning(opening(comment.own_text)))
    return out


def _stance(
    pool: Sequence[Candidate],
    weights: Mapping[str, float],
    name: str,
    answered: Counter[str],
    exchange: Exchange | None,
    leanings: Mapping[tuple[str, str], list[str]],
) -> Stance:
    standalone = [
        replace(c, factor=c.factor * VIEW_FACTOR) if states_a_view(c.sentence.text) else c
        for c in pool
        if not depends_on_context(c.sentence.text)
        and not asks(c.sentence.text)
        and len(c.sentence.text) <= STANCE_MAX
    ]
    pick = best(standalone or pool, weights)
    people = [(n, k) for n, k in answered.items() if not n.endswith(" (article)")]
    if not people:
        return Stance(pick.sentence if pick else None)
    partner = min(people, key=lambda nk: (-nk[1], name_key(nk[0])))[0]
    together = 0
    if exchange is not None and partner in (exchange.first, exchange.second):
        together = exchange.exchanges
    return Stance(
        pick.sentence if pick else None,
        partner,
        together or answered[partner],
        overall(leanings.get((name, partner), [])),
    )


def _cites(mine: Sequence[StoredComment], budget: int) -> list[KeySentence]:
    """The passages a person pasted from outside the thread, as far as ``budget`` allows."""
    out: list[KeySentence] = []
    for c in mine:
        for k, p in enumerate(c.paragraphs):
            if p.quote is None or not p.quote.outside:
                continue
            text = snippet(p.text, CITE_MAX)
            if len(text) + LINE_COST > budget:
                return out
            budget -= len(text) + LINE_COST
            out.append(KeySentence(c.number, c.seq, text, k, True))
            break  # one passage per comment
    return out


def summarise_author(
    thread: StoredThread,
    comments: Sequence[StoredComment],
    edges: Sequence[StoredEdge],
    name: str,
) -> AuthorSummary:
    """What ``name`` said in ``thread`` (the article too when they wrote it)."""
    key = name_key(name)
    wrote_article = bool(thread.author) and name_key(thread.author) == key
    mine = [c for c in comments if name_key(c.author) == key]
    if mine:
        name = mine[0].author
    elif wrote_article:
        name = thread.author
    numbers = {c.seq: c.number for c in comments}
    by_seq = {c.seq: c for c in comments}
    own_words = word_count(p.text for c in mine for p in c.paragraphs if p.own)
    all_words = word_count(p.text for c in comments for p in c.paragraphs if p.own)
    sentences = [s for c in evenly(mine, PERSON_COMMENTS) for s in own_sentences(c)]
    if wrote_article:
        sentences = own_article_sentences(thread) + sentences
    article_words = (
        word_count(s.text for s in sentences if s.number == ARTICLE) if wrote_article else 0
    )
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
    theirs = [
        e for e in exchanges(edges, numbers) if key in (name_key(e.first), name_key(e.second))
    ]
    idf = thread_idf(thread, comments)
    weights = word_weights(sentences, idf)
    pool = candidates(sentences, echo_counts(thread, comments))
    budget = author_budget(sum(len(s.text) + 1 for s in sentences))
    stance = _stance(
        pool,
        weights,
        name,
        answered,
        theirs[0] if theirs else None,
        _leanings([e for e in edges if e.source in mine_seqs], by_seq),
    )
    cites = _cites(mine, round(CITE_SHARE * budget))
    left = budget - sum(len(c.text) + LINE_COST for c in cites)
    covered: frozenset[str] = frozenset()
    rest = list(pool)
    if stance.sentence is not None:
        left -= len(stance.sentence.text) + LINE_COST
        chosen = [c for c in pool if c.sentence == stance.sentence]
        covered = chosen[0].words if chosen else frozenset()
        rest = [c for c in pool if c.sentence != stance.sentence]
    used = {stance.sentence.seq} if stance.sentence else set()
    targets = reply_targets(edges)
    points: list[Point] = []
    for c in _fit_with_context(rest, weights, left, covered, used, by_seq, targets, thread):
        points.append(c)
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
        stance=stance,
        points=tuple(points),
        cites=tuple(cites),
        phrases=key_phrases(
            [s.text for s in sentences], exclude=people, common=common_words(comments)
        ),
    )


def _fit_with_context(
    pool: Sequence[Candidate],
    weights: Mapping[str, float],
    budget: int,
    covered: frozenset[str],
    used: set[int],
    by_seq: Mapping[int, StoredComment],
    targets: Mapping[int, int],
    thread: StoredThread,
) -> list[Point]:
    """Points within ``budget``. A dependent sentence is shown with its context line, so it
    is chosen at the price of both: a choice made on the sentence alone would overflow and
    lose whatever was picked last."""
    contexts: dict[KeySentence, str] = {}
    priced = []
    for c in pool:
        comment = by_seq.get(c.sentence.seq)
        context = ""
        if comment is not None and depends_on_context(c.sentence.text):
            context = _context(c.sentence, comment, by_seq, targets, thread.author)
        contexts[c.sentence] = context
        priced.append(replace(c, cost=c.cost + len(context) + 1) if context else c)
    picked = select(priced, weights, budget, covered=covered, used_seqs=used)
    return [Point(s, contexts[s]) for s in in_thread_order(picked)]


def _sides(
    part: Sequence[StoredComment],
    idf: Mapping[str, float],
    echoes: Mapping[tuple[int, int], int],
    budget: int,
) -> tuple[Side, ...]:
    """The main participants of a sub-conversation, each with what they argued in it:
    first one sentence for each (the most active first), then more for whoever the budget
    still covers best."""
    who: Counter[str] = Counter(c.author for c in part)
    first: dict[str, int] = {}
    for c in part:
        first.setdefault(c.author, c.seq)
    names = sorted(who, key=lambda n: (-who[n], first[n]))[:MAX_SIDES]
    pools: dict[str, list[Candidate]] = {}
    weights: dict[str, dict[str, float]] = {}
    for n in names:
        theirs = evenly([c for c in part if c.author == n], SIDE_COMMENTS)
        sentences = [s for c in theirs for s in own_sentences(c)]
        pools[n] = candidates(sentences, echoes)
        weights[n] = word_weights(sentences, idf)
    chosen: dict[str, list[Candidate]] = {n: [] for n in names}
    covered: set[str] = set()
    left = budget
    for n in names:  # one each first: every side is heard
        pick = select(pools[n], weights[n], left, covered=covered, limit=1)
        if pick:
            chosen[n] += pick
            covered |= pick[0].words
            left -= pick[0].cost
    merged: dict[str, float] = defaultdict(float)
    for n in names:
        for w, v in weights[n].items():
            merged[w] += v
    rest = [c for n in names for c in pools[n] if c not in chosen[n]]
    used = [c.sentence.seq for n in names for c in chosen[n]]
    for extra in select(rest, merged, left, covered=covered, used_seqs=used):
        chosen[next(n for n in names if extra in pools[n])].append(extra)
    return tuple(Side(n, who[n], tuple(in_thread_order(chosen[n]))) for n in names if chosen[n])


def _relations(part: Sequence[StoredComment], edges: Sequence[StoredEdge]) -> tuple[Relation, ...]:
    """Who sided with or against whom in a sub-conversation, most replies first."""
    inside = {c.seq: c for c in part}
    mine = [e for e in edges if e.source in inside and e.target in inside]
    out = []
    for (source, target), found in _leanings(mine, inside).items():
        lean = overall(found)
        if lean:
            out.append(Relation(source, target, lean, len(found)))
    out.sort(key=lambda r: (-r.count, name_key(r.source), name_key(r.target)))
    return tuple(out[:MAX_RELATIONS])


def summarise_thread(
    thread: StoredThread, comments: Sequence[StoredComment], edges: Sequence[StoredEdge]
) -> ThreadSummary:
    """The article's claim, who took part, each sub-conversation's sides, what drew replies."""
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
    idf = thread_idf(thread, comments)
    echoes = echo_counts(thread, comments)
    by_seq = {c.seq: c for c in comments}
    own_chars = sum(len(c.own_text) for c in comments)
    budget = thread_budget(own_chars + sum(len(p) for p in article_paragraphs(thread)))
    body = own_article_sentences(thread, lede=False)
    claim_pool = candidates(body, echoes)
    claim = in_thread_order(select(claim_pool, word_weights(body, idf), CLAIM_BUDGET, limit=2))
    left = budget - sum(len(s.text) + LINE_COST for s in claim) - len(thread.lede)
    found = conversations(comments, edges)
    shown = found[:MAX_CONVERSATIONS]
    sizes = [sum(len(c.own_text) for c in part) for part in shown]
    parts = []
    for part, size in zip(shown, sizes, strict=True):
        share = max(0, round(left * size / sum(sizes))) if sum(sizes) else 0
        who: Counter[str] = Counter(c.author for c in part)
        parts.append(
            Conversation(
                people=counts(who),
                numbers=tuple(c.number for c in part),
                phrases=key_phrases((c.own_text for c in part), exclude=people, top=3),
                sides=_sides(part, idf, echoes, share),
                relations=_relations(part, edges),
            )
        )
    replied: dict[int, set[int]] = defaultdict(set)
    for edge in edges:
        if edge.source != edge.target:
            replied[edge.target].add(edge.source)
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
    texts = [*(s.text for s in own_article_sentences(thread)), *(c.own_text for c in comments)]
    return ThreadSummary(
        title=thread.title,
        post_author=thread.author,
        lede=thread.lede,
        claim=tuple(claim),
        comments=len(comments),
        words=total_words,
        participants=participants,
        conversations=tuple(parts),
        more_conversations=len(found) - len(shown),
        most_answered=most_answered,
        article_replies=len(replied.get(ARTICLE, ())),
        exchanges=tuple(exchanges(edges, numbers)[:MAX_EXCHANGES]),
        phrases=key_phrases(texts, exclude=people),
    )
