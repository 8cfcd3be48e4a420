"""What the language model is asked: the reply structure, others' words labelled as quoted.

Each comment comes with its number, what it answers ("#25 Michael answers #24 Bithead:
“…”") and its paragraphs, a quoted one marked QUOTED with whose words it is, so a model can
tell who answered whom and whose words are whose; the answer must cite ``[#N]`` for every
line, which :mod:`bot.summaries.verify` checks.

Pure: a thread and its comments in, chat messages out. :data:`PROMPT_VERSION` is part of
the cache key of model answers, so changing a prompt asks the model again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.models import ARTICLE, StoredComment, StoredEdge, StoredThread
from bot.summaries.conversations import reply_targets
from bot.summaries.llm import Message
from bot.summaries.sentences import article_paragraphs
from bot.text import fold, snippet

PROMPT_VERSION = 2
PROMPT_MAX = 24_000
"""Characters of thread text sent to the model at most; later comments are left out."""
CONTEXT_MAX = 160
"""Characters of what a comment answers, quoted in its header."""

_RULES = (
    "Every line you write must cite the comments it comes from as [#N] (the article is "
    "[#0]). Put words in quotation marks only when you copy them exactly from the cited "
    "comment's own words; text marked QUOTED is someone else's and must not be attributed "
    "to the commenter. Use only what the text says; do not judge, do not add facts. Lines "
    "that cite the wrong comments or misquote them are removed before anyone reads them."
)
AUTHOR_SYSTEM = (
    "You summarise what one person argued in a blog comment thread. You are given each of "
    "their comments with its number, what it answers, the text they quoted from others "
    "(marked QUOTED) and their own words. Answer in English with first a line "
    "'STANCE: <their overall position in one sentence> [#N]', then 3 to 6 lines "
    "'- <one point they made> [#N]', in the order the points were made. " + _RULES
)
THREAD_SYSTEM = (
    "You summarise a blog post and its comment thread. You are given the article, then "
    "every comment with its number, author, what it answers, text it quoted from others "
    "(marked QUOTED) and its own words. Answer in English with first a line "
    "'ARTICLE: <the article's claim in one sentence> [#0]', then 3 to 6 lines "
    "'- <who argued what, against or with whom> [#N]', naming the people. " + _RULES
)


def fit(parts: Sequence[str], budget: int = PROMPT_MAX) -> str:
    """``parts`` joined, up to ``budget`` characters; then how many were left out."""
    out: list[str] = []
    used = 0
    for i, part in enumerate(parts):
        if used + len(part) > budget:
            out.append(f"[{len(parts) - i} more parts left out for length]")
            break
        out.append(part)
        used += len(part) + 2
    return "\n\n".join(out)


def _answers(
    comment: StoredComment,
    by_seq: Mapping[int, StoredComment],
    post_author: str,
    targets: Mapping[int, int],
) -> str:
    target = targets.get(comment.seq)
    if target is None:
        return ""
    if target == ARTICLE:
        return " answers the article"
    answered = by_seq.get(target)
    if answered is None:
        return ""
    said = snippet(answered.own_text, CONTEXT_MAX)
    return f" answers #{answered.number} {answered.author}: “{said}”"


def comment_block(
    comment: StoredComment,
    by_seq: Mapping[int, StoredComment],
    post_author: str,
    targets: Mapping[int, int],
    *,
    with_author: bool,
) -> str:
    """``#25 Michael answers #24 Bithead: “…”`` then its paragraphs, quotes labelled."""
    who = f" {comment.author}" if with_author else ""
    lines = [f"#{comment.number}{who}{_answers(comment, by_seq, post_author, targets)}"]
    for p in comment.paragraphs:
        if p.quote is None:
            lines.append(p.text)
        elif p.quote.outside:
            lines.append(f"QUOTED (from outside the thread): “{p.text}”")
        else:
            source = by_seq.get(p.quote.seq)
            whose = (
                f"#{source.number} {source.author}" if source else f"the article ({post_author})"
            )
            lines.append(f"QUOTED from {whose}: “{p.text}”")
    return "\n".join(lines)


def author_prompt(
    thread: StoredThread,
    comments: Sequence[StoredComment],
    name: str,
    edges: Sequence[StoredEdge] = (),
) -> list[Message]:
    """The person's comments with what each answers; others' words labelled QUOTED."""
    key = fold(name)
    by_seq = {c.seq: c for c in comments}
    targets = reply_targets(edges)
    parts: list[str] = []
    if thread.author and fold(thread.author) == key:
        parts.append("#0 (the article)\n" + "\n".join(article_paragraphs(thread)))
    parts += [
        comment_block(c, by_seq, thread.author, targets, with_author=False)
        for c in comments
        if fold(c.author) == key
    ]
    user = f"Thread: {thread.title}\nPerson: {name}\n\n{fit(parts)}"
    return [Message("system", AUTHOR_SYSTEM), Message("user", user)]


def thread_prompt(
    thread: StoredThread, comments: Sequence[StoredComment], edges: Sequence[StoredEdge] = ()
) -> list[Message]:
    """The article, then every comment with its author and what it answers."""
    article = "\n".join(article_paragraphs(thread))
    by_seq = {c.seq: c for c in comments}
    targets = reply_targets(edges)
    parts = [comment_block(c, by_seq, thread.author, targets, with_author=True) for c in comments]
    user = (
        f"Title: {thread.title}\n#0 Article by {thread.author or 'unknown'}:\n{article}\n\n"
        f"Comments:\n\n{fit(parts, max(2000, PROMPT_MAX - len(article)))}"
    )
    return [Message("system", THREAD_SYSTEM), Message("user", user)]
