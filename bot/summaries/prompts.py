"""What the language model is asked: only people's own words, each with its comment number.

Pure: a thread and its comments in, chat messages out. :data:`PROMPT_VERSION` is part of
the cache key of model answers, so changing a prompt asks the model again.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import StoredComment, StoredThread
from bot.summaries.llm import Message
from bot.summaries.sentences import article_paragraphs
from bot.text import fold

PROMPT_VERSION = 1
PROMPT_MAX = 24_000
"""Characters of thread text sent to the model at most; later comments are left out."""

AUTHOR_SYSTEM = (
    "You summarise what one person argued in a blog comment thread. You are given only "
    "their own words (text they quoted from others is removed), each part marked with "
    "its comment number. Write 3 to 6 short bullet points in English, in the order the "
    "points were made, each ending with the comment numbers it comes from, like (#12). "
    "Use only what the text says; do not judge, do not add facts, do not quote others."
)
THREAD_SYSTEM = (
    "You summarise a blog post and its comment thread. You are given the article and "
    "every comment's own words (quotes of others removed), each marked with its number "
    "and author. Write one short paragraph on the article, then 3 to 6 bullet points on "
    "the main lines of discussion, naming who argued what, with comment numbers like "
    "(#12). Use only what the text says; do not judge, do not add facts."
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


def author_prompt(
    thread: StoredThread, comments: Sequence[StoredComment], name: str
) -> list[Message]:
    """The person's own words only: quoted paragraphs are dropped before the prompt is built."""
    key = fold(name)
    parts: list[str] = []
    if thread.author and fold(thread.author) == key:
        parts.append("(article) " + "\n".join(article_paragraphs(thread)))
    parts += [
        f"#{c.number}: {c.own_text}" for c in comments if fold(c.author) == key and c.own_text
    ]
    user = f"Thread: {thread.title}\nPerson: {name}\n\n{fit(parts)}"
    return [Message("system", AUTHOR_SYSTEM), Message("user", user)]


def thread_prompt(thread: StoredThread, comments: Sequence[StoredComment]) -> list[Message]:
    """The article, then every comment's own words with its number and author."""
    article = "\n".join(article_paragraphs(thread))
    parts = [f"#{c.number} {c.author}: {c.own_text}" for c in comments if c.own_text]
    user = (
        f"Title: {thread.title}\nArticle by {thread.author or 'unknown'}:\n{article}\n\n"
        f"Comments:\n\n{fit(parts, max(2000, PROMPT_MAX - len(article)))}"
    )
    return [Message("system", THREAD_SYSTEM), Message("user", user)]
