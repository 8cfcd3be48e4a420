"""Planning a replay (pure): the article and each comment as :class:`Post` values.

The text is split within Discord's limits, mentions and markdown neutralised, and
quoted paragraphs become block quotes under one "↪ replying to #N (Name)" line
(:func:`_quote_label`). The same parts serve both presentations (webhook content or
embed), so switching mode mid-comment never re-posts. Nothing here talks to Discord.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import discord

from bot.models import ARTICLE, OUTSIDE, StoredComment, StoredThread, replying_to
from bot.replay.avatars import author_colour, avatar_url
from bot.replay.names import ANONYMOUS, has_visible, webhook_username
from bot.text import collapse_whitespace, safe, split_text, truncate
from bot.ui.limits import CONTENT_MAX, EMBED_TITLE_MAX
from bot.ui.rendering import OUTSIDE_LABEL, valid_url

THREAD_NAME_MAX = 100

_ARTICLE_HEADER_MAX = 700
"""Longest article header (title, byline, link; all cut before escaping, which at most
doubles them): the first part's body leaves room for it within 2000 characters."""
_COMMENT_HEADER_MAX = 200
"""Longest comment header, ``-# #number · date`` with the date cut to 80 before escaping."""
_BODY_MAX = CONTENT_MAX - _COMMENT_HEADER_MAX - 1
_LABEL_MAX = 220
"""Longest "↪ replying to #N (Name) · how" line (names are cut to 80 before escaping)."""
_MAX_LABELS = 8
"""At most this many answer lines above a comment: together far below one message body."""


# ---- text helpers --------------------------------------------------------------------------


def thread_name(title: str) -> str:
    """A Discord thread name for an article: one line, 1-100 characters."""
    return truncate(collapse_whitespace(title), THREAD_NAME_MAX) or "Replay"


def quote_block(text: str) -> str:
    """Escaped text as a Discord block quote, every line (blank ones too) marked."""
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def split_quote(text: str, limit: int) -> list[str]:
    """Escaped text as block-quote pieces of at most ``limit`` characters each."""
    size = limit
    while True:
        pieces = [quote_block(piece) for piece in split_text(text, size)]
        longest = max((len(p) for p in pieces), default=0)
        if longest <= limit:
            return pieces
        size -= longest - limit


def _pack(units: Sequence[str], limit: int, first_limit: int | None = None) -> list[str]:
    """Join units with blank lines into as few chunks as possible.

    Chunks hold at most ``limit`` characters, the first at most ``first_limit``;
    every unit must fit alone in either.
    """
    chunks: list[str] = []
    current = ""
    for unit in units:
        room = limit if chunks or first_limit is None else first_limit
        if not current:
            current = unit
        elif len(current) + 2 + len(unit) <= room:
            current += "\n\n" + unit
        else:
            chunks.append(current)
            current = unit
    if current:
        chunks.append(current)
    return chunks


# ---- planning ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Persona:
    """Who a post appears to come from."""

    name: str
    """The name as written in the thread."""

    @property
    def username(self) -> str:
        return webhook_username(self.name)

    @property
    def avatar_url(self) -> str:
        return avatar_url(self.name)

    @property
    def colour(self) -> int:
        return author_colour(self.name)


@dataclass(frozen=True, slots=True)
class Post:
    """One message of a replay: part ``part`` of ``parts`` of comment ``seq`` (0 = article).

    ``body`` is the same in both presentations; ``header`` (Markdown) starts the
    webhook message, while an embed shows ``title`` and the plain-text ``footer``.
    """

    seq: int
    part: int
    parts: int
    persona: Persona
    header: str
    body: str
    title: str
    footer: str = ""
    url: str | None = None

    @property
    def last(self) -> bool:
        return self.part == self.parts - 1

    @property
    def content(self) -> str:
        """The webhook message text, at most 2000 characters."""
        return f"{self.header}\n{self.body}" if self.header else self.body

    def embed(self) -> discord.Embed:
        """The same post as an embed by the bot (used without Manage Webhooks)."""
        embed = discord.Embed(
            title=truncate(self.title, EMBED_TITLE_MAX),
            description=self.body,
            colour=self.persona.colour,
            url=self.url,
        )
        if self.footer:
            embed.set_footer(text=self.footer, icon_url=self.persona.avatar_url)
        return embed


def _quote_label(seq: int, heads: Mapping[int, tuple[int, str]], post_author: str) -> str:
    if seq == OUTSIDE:
        return OUTSIDE_LABEL
    if seq == ARTICLE:
        who = f" ({safe(truncate(post_author, 80))})" if post_author else ""
        return f"↪ quoting the article{who}"
    number, name = heads.get(seq, (seq, "?"))
    return replying_to(seq, number, safe(truncate(name, 80)), "quote")


def answer_labels(
    answers: Sequence[tuple[int, str]], heads: Mapping[int, tuple[int, str]], post_author: str
) -> list[str]:
    """ "↪ replying to #6 (Name) · threaded reply" for each ``(target seq, via)`` link of a
    comment that no quoted block shows (threaded replies, names, implicit answers)."""
    labels = []
    for target, via in answers:
        if via in ("quote", "article"):
            continue
        number, name = (
            (ARTICLE, post_author) if target == ARTICLE else heads.get(target, (target, "?"))
        )
        labels.append(replying_to(target, number, safe(truncate(name, 80)), via))
    return labels


def comment_units(
    comment: StoredComment, heads: Mapping[int, tuple[int, str]], post_author: str
) -> list[str]:
    """The comment's blocks, each short enough for one message body.

    Own paragraphs stay normal text; a run of paragraphs quoted from the same
    source gets one "↪ replying to #N (Name)" line, then each as a ``> `` quote.
    """
    units: list[str] = []
    previous_source: int | None = None
    for paragraph in comment.paragraphs:
        text = safe(paragraph.text.strip())
        if paragraph.quote is None:
            previous_source = None
            units.extend(split_text(text, _BODY_MAX))
            continue
        pieces = split_quote(text, _BODY_MAX - _LABEL_MAX - 1)
        if paragraph.quote.seq != previous_source and pieces:
            label = _quote_label(paragraph.quote.seq, heads, post_author)
            pieces[0] = f"{label}\n{pieces[0]}"
        previous_source = paragraph.quote.seq
        units.extend(pieces)
    return units


def comment_posts(
    comment: StoredComment,
    heads: Mapping[int, tuple[int, str]],
    post_author: str,
    answers: Sequence[tuple[int, str]] = (),
) -> list[Post]:
    """Every message of one comment, in order; ``answers`` are its ``(target seq, via)`` links,
    each said in a line above the text unless a quoted block shows it."""
    posted = truncate(collapse_whitespace(comment.posted or ""), 80)
    meta = f"#{comment.number}" + (f" · {posted}" if posted else "")
    units = comment_units(comment, heads, post_author)
    labels = answer_labels(answers[:_MAX_LABELS], heads, post_author)
    if labels:
        units.insert(0, "\n".join(labels))
    bodies = _pack(units, _BODY_MAX) or ["*(no text)*"]
    persona = Persona(comment.author)
    name = truncate(collapse_whitespace(comment.author), 200)
    name = name if has_visible(name) else ANONYMOUS
    return [
        Post(
            seq=comment.seq,
            part=i,
            parts=len(bodies),
            persona=persona,
            header=f"-# {safe(meta)}" if i == 0 else f"-# #{comment.number} (continued)",
            body=body,
            title=name if i == 0 else f"{name} (continued)",
            footer=meta if i == 0 else f"#{comment.number} (continued)",
        )
        for i, body in enumerate(bodies)
    ]


def article_posts(thread: StoredThread) -> list[Post]:
    """The article's messages: title, byline and link, lede in italics, body, tags."""
    title = truncate(collapse_whitespace(thread.title), 120) or "Untitled"
    byline = [f"by {truncate(collapse_whitespace(thread.author), 80)}"] if thread.author else []
    if thread.published:
        byline.append(truncate(collapse_whitespace(thread.published), 40))
    url = valid_url(thread.url)
    header = f"# {safe(title)}"
    if byline or url:
        link = [f"<{url}>"] if url and len(url) <= 150 else []
        header += "\n-# " + " · ".join([safe(b) for b in byline] + link)
    unit_max = CONTENT_MAX - _ARTICLE_HEADER_MAX - 1
    units: list[str] = []
    if thread.lede:
        units.extend(f"*{u}*" for u in split_text(safe(thread.lede.strip()), unit_max - 2))
    for paragraph in thread.body:
        units.extend(split_text(safe(paragraph.strip()), unit_max))
    tags = [t for t in thread.tags if t.strip()]
    if tags:
        units.append("-# Filed under: " + safe(truncate(", ".join(tags), 500)))
    bodies = _pack(units, CONTENT_MAX, CONTENT_MAX - len(header) - 1)
    persona = Persona(thread.author or "threadbot")
    return [
        Post(
            seq=ARTICLE,
            part=i,
            parts=len(bodies),
            persona=persona,
            header=header if i == 0 else "",
            body=body,
            title=title if i == 0 else f"{title} (continued)",
            footer=" · ".join(byline) if i == 0 else "",
            url=url if i == 0 else None,
        )
        for i, body in enumerate(bodies or ["*(the article has no text)*"])
    ]


def next_position(post: Post) -> tuple[int, int]:
    """Where a replay continues after ``post`` was posted."""
    return (post.seq, post.part + 1) if not post.last else (post.seq + 1, 0)
