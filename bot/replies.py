"""Reply inference: which earlier comments each comment answers (placeholder until issue 4)."""

from __future__ import annotations

from bot.models import ARTICLE, ReplyEdge, ReplyStructure, Thread


def infer_replies(thread: Thread) -> ReplyStructure:
    """Every comment replies to the article until quote and mention inference lands."""
    return ReplyStructure(
        quotes={}, edges=tuple(ReplyEdge(c.seq, ARTICLE, "article") for c in thread.comments)
    )
