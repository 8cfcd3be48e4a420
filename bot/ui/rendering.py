"""Pure renderers: stored values in, ``discord.Embed`` out, within Discord's limits by construction.

Nothing here awaits or touches storage; callers fetch what a page needs and pass it in,
so every renderer is tested on plain values. Thread text always goes through
:func:`bot.text.safe`, and long text is split with :func:`bot.text.split_text` into
pieces sized so that no embed and no message can exceed a limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import discord

from bot.inference.outside import article_body
from bot.models import (
    ARTICLE,
    ELISION,
    OUTSIDE,
    AuthorStats,
    PairCount,
    StoredComment,
    StoredEdge,
    StoredThread,
    replying_to,
)
from bot.text import safe, snippet, split_text, truncate
from bot.ui.limits import (
    EMBED_AUTHOR_MAX,
    EMBED_DESCRIPTION_MAX,
    EMBED_FIELD_VALUE_MAX,
    EMBED_TITLE_MAX,
    EMBED_TOTAL_MAX,
    EMBED_URL_MAX,
    EMBEDS_PER_MESSAGE,
)

COLOUR = discord.Colour(0x4F7CAC)
COMMENT_PART_MAX = 4000
"""Description characters of one comment page: one embed, far below the 6000 total."""
ARTICLE_PART_MAX = 2700
"""Description characters of one article embed: two fit in one message with their titles."""
SNIPPET_MAX = 90
NAME_MAX = 80
"""Longest name in a reply line, before escaping."""
FOOTER_TITLE_MAX = 80
THREADS_PER_PAGE = 10
PARTICIPANTS_PER_PAGE = 20
REPLY_SECTION_MAX = 1900
TABLE_MAX = 3600


@dataclass(frozen=True, slots=True)
class Source:
    """Who wrote a quoted or linked comment, as a reader knows it: printed number and name."""

    number: int
    author: str


def valid_url(url: str | None) -> str | None:
    """``url`` if Discord will accept it as an embed link, else ``None`` (a bad URL is a 400)."""
    if not url:
        return None
    url = url.strip()
    if not url.startswith(("http://", "https://")) or len(url) > EMBED_URL_MAX:
        return None
    if any(ch.isspace() for ch in url) or len(url) <= len("https://"):
        return None
    return url


def footer_title(thread: StoredThread) -> str:
    return truncate(" ".join(thread.title.split()), FOOTER_TITLE_MAX)


def pack(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Consecutive embeds grouped into messages of at most 10 embeds and 6000 characters."""
    messages: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in embeds:
        length = len(embed)
        if length > EMBED_TOTAL_MAX:
            raise ValueError(f"one embed of {length} characters cannot be sent")
        if current and (len(current) == EMBEDS_PER_MESSAGE or size + length > EMBED_TOTAL_MAX):
            messages.append(current)
            current, size = [], 0
        current.append(embed)
        size += length
    if current:
        messages.append(current)
    return messages


# ---- the article ---------------------------------------------------------------------


def article_text(thread: StoredThread) -> str:
    """Lede (in italics) and body as Discord text; the ``[…]`` elisions stay visible, and
    what the article quotes (a news story, a ``<blockquote>``) is a block quote."""
    blocks: list[str] = []
    lede = " ".join(thread.lede.split())
    if lede:
        blocks.append(f"*{safe(lede)}*")
    for paragraph, quoted in article_body(thread.lede, thread.body, thread.quoted):
        if paragraph.strip() == ELISION:
            blocks.append(ELISION)
            continue
        text = safe(paragraph.strip())
        if quoted:
            text = "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))
        blocks.append(text)
    return "\n\n".join(b for b in blocks if b)


def article_embeds(thread: StoredThread) -> list[discord.Embed]:
    """The article as a list of embeds: title (linked when the URL is known), text, about."""
    pieces = split_text(article_text(thread), ARTICLE_PART_MAX) or ["*(no article text)*"]
    embeds: list[discord.Embed] = []
    for i, piece in enumerate(pieces):
        embed = discord.Embed(description=piece, colour=COLOUR)
        if i == 0:
            embed.title = truncate(safe(" ".join(thread.title.split())), EMBED_TITLE_MAX)
            embed.url = valid_url(thread.url)
            embed.set_author(name=truncate(thread.author or "Unknown author", EMBED_AUTHOR_MAX))
        embeds.append(embed)
    about = discord.Embed(colour=COLOUR)
    tags = [t.strip() for t in thread.tags if t.strip()]
    if tags:
        about.add_field(
            name="Tags",
            value=truncate(", ".join(safe(t) for t in tags), EMBED_FIELD_VALUE_MAX),
            inline=False,
        )
    author = thread.author or "Unknown author"
    bio = " ".join(thread.author_bio.split()) or "No biography in the source."
    about.add_field(
        name=truncate(f"About {author}", 256),
        value=truncate(safe(bio), EMBED_FIELD_VALUE_MAX),
        inline=False,
    )
    published = f" · published {thread.published}" if thread.published else ""
    about.set_footer(
        text=f"{thread.comment_count} comments{published} · "
        f"/thread comments {thread.slug} to read them"
    )
    embeds.append(about)
    return embeds


def article_messages(thread: StoredThread) -> list[list[discord.Embed]]:
    """The article split into as few messages as Discord's limits allow."""
    return pack(article_embeds(thread))


# ---- comments ------------------------------------------------------------------------


def _unquote(text: str) -> str:
    return text.strip().strip("“”\"'‘’").strip()


def reply_line(quote_seq: int, quoted: str, sources: Mapping[int, Source], post_author: str) -> str:
    """A collapsed quote: ``↪ replying to #2 (Bithead): “Not much critical…”``."""
    said = safe(snippet(_unquote(quoted), SNIPPET_MAX))
    if quote_seq == ARTICLE:
        who = f"quoting the article ({safe(post_author)})" if post_author else "quoting the article"
    else:
        source = sources.get(quote_seq)
        who = (
            f"replying to #{source.number} ({safe(truncate(source.author, NAME_MAX))}) · quote"
            if source
            else f"replying to comment {quote_seq} · quote"
        )
    return f"> ↪ {who}: “{said}”" if said else f"> ↪ {who}"


OUTSIDE_LABEL = "↪ quoting a source outside the thread"


def outside_block(texts: Sequence[str]) -> str:
    """Words pasted from outside the thread, shown in full as a block quote: unlike a quote
    of an earlier comment, they can be read nowhere else in the thread."""
    lines = [f"*{OUTSIDE_LABEL}:*"]
    for text in texts:
        lines += [f"> {line}" if line.strip() else ">" for line in safe(text.strip()).split("\n")]
    return "\n".join(lines)


def answer_lines(answers: Sequence[StoredEdge], sources: Mapping[int, Source]) -> list[str]:
    """``> ↪ replying to #6 (Name) · threaded reply`` for each link that no quoted block
    already shows (threaded replies, names, implicit answers)."""
    lines = []
    for edge in answers:
        if edge.via in ("quote", "article"):
            continue
        source = sources.get(edge.target)
        number = source.number if source else edge.target
        name = safe(truncate(edge.target_author, NAME_MAX))
        lines.append(f"> {replying_to(edge.target, number, name, edge.via)}")
    return lines


def comment_text(
    comment: StoredComment,
    sources: Mapping[int, Source],
    post_author: str,
    answers: Sequence[StoredEdge] = (),
) -> str:
    """A comment's own words, with each run of quoted paragraphs folded into one reply line,
    under a line for each other comment it answers (``answers``: its outgoing edges)."""
    heading = "\n".join(answer_lines(answers, sources))
    blocks: list[str] = [heading] if heading else []
    paragraphs = comment.paragraphs
    i = 0
    while i < len(paragraphs):
        paragraph = paragraphs[i]
        if paragraph.quote is None:
            if paragraph.text.strip():
                blocks.append(safe(paragraph.text.strip()))
            i += 1
            continue
        seq = paragraph.quote.seq
        j = i
        while j < len(paragraphs):
            quote = paragraphs[j].quote
            if quote is None or quote.seq != seq:
                break
            j += 1
        if seq == OUTSIDE:
            blocks.append(outside_block([p.text for p in paragraphs[i:j]]))
        else:
            quoted = " ".join(_unquote(p.text) for p in paragraphs[i:j])
            blocks.append(reply_line(seq, quoted, sources, post_author))
        i = j
    return "\n\n".join(blocks)


def comment_parts(
    comment: StoredComment,
    sources: Mapping[int, Source],
    post_author: str,
    answers: Sequence[StoredEdge] = (),
) -> list[str]:
    """A comment's text in pieces of at most :data:`COMMENT_PART_MAX` characters."""
    text = comment_text(comment, sources, post_author, answers)
    return split_text(text, COMMENT_PART_MAX) or ["*(this comment has no text)*"]


def comment_embed(
    comment: StoredComment,
    *,
    thread: StoredThread,
    part_text: str,
    part: int,
    parts: int,
    position: str,
) -> discord.Embed:
    """One page: a comment (or one part of a long one) with its number, author and date."""
    title = f"#{comment.number}"
    if comment.posted:
        title += f" · {safe(comment.posted)}"
    embed = discord.Embed(
        title=truncate(title, EMBED_TITLE_MAX),
        description=part_text[:EMBED_DESCRIPTION_MAX],
        colour=COLOUR,
    )
    embed.set_author(name=truncate(comment.author or "Anonymous", EMBED_AUTHOR_MAX))
    footer = f"{footer_title(thread)} · {truncate(position, 200)}"
    if parts > 1:
        footer += f" · part {part + 1} of {parts}"
    embed.set_footer(text=footer)
    return embed


# ---- lists ---------------------------------------------------------------------------


def thread_list_embed(
    threads: Sequence[StoredThread], *, page: int, pages: int, total: int, in_dm: bool
) -> discord.Embed:
    """One page of threads: title, author, comment count, date if known, and how to name it."""
    lines: list[str] = []
    for thread in threads:
        title = safe(truncate(" ".join(thread.title.split()), 150))
        meta = [safe(truncate(thread.author, 80)) if thread.author else "unknown author"]
        meta.append(f"{thread.comment_count} comment{'s' if thread.comment_count != 1 else ''}")
        if thread.published:
            meta.append(safe(truncate(thread.published, 40)))
        shipped = " · shipped" if thread.shipped else ""
        lines.append(f"**{title}**\n{' · '.join(meta)}\nid {thread.id} · `{thread.slug}`{shipped}")
    where = "in DMs (shipped threads)" if in_dm else "here"
    description = "\n\n".join(lines) if lines else "No threads here yet."
    embed = discord.Embed(
        title=f"Threads {where}",
        description=description[:EMBED_DESCRIPTION_MAX],
        colour=COLOUR,
    )
    embed.set_footer(text=f"Page {page} of {max(pages, 1)} · {total} thread{'s' * (total != 1)}")
    return embed


def participants_embed(
    thread: StoredThread, people: Sequence[AuthorStats], *, page: int, pages: int, total: int
) -> discord.Embed:
    """One page of participants: comment count and words of their own."""
    lines = [
        f"**{safe(truncate(p.name, 100))}** — {p.comment_count} "
        f"comment{'s' if p.comment_count != 1 else ''} · {p.word_count} own words"
        for p in people
    ]
    embed = discord.Embed(
        title=truncate(f"Who commented on {safe(thread.title)}", EMBED_TITLE_MAX),
        description="\n".join(lines) if lines else "Nobody has commented.",
        colour=COLOUR,
    )
    embed.set_footer(
        text=f"Page {page} of {max(pages, 1)} · {total} participant{'s' * (total != 1)}"
    )
    return embed


# ---- replies -------------------------------------------------------------------------

_VIA = {
    "quote": "quotes it",
    "mention": "names them",
    "implicit": "answers it right after (implicit)",
    "article": "on the article",
    "parent": "threaded reply",
}


def _edge_line(
    seq: int, author: str, via: str, said: str, sources: Mapping[int, Source], arrow: str
) -> str:
    if seq == ARTICLE:
        who = f"the article ({safe(author)})"
    else:
        source = sources.get(seq)
        number = source.number if source else seq
        who = f"#{number} {safe(author)}"
    line = f"{arrow} **{who}** · {_VIA.get(via, via)}"
    if said.strip():
        line += f": “{safe(snippet(_unquote(said), SNIPPET_MAX))}”"
    return line


def _section(title: str, lines: Sequence[str], empty: str) -> str:
    out = [f"**{title}**"]
    if not lines:
        return f"{out[0]}\n{empty}"
    size = len(out[0])
    for i, line in enumerate(lines):
        more = f"… and {len(lines) - i} more"
        if size + len(line) + 1 + len(more) + 1 > REPLY_SECTION_MAX:
            out.append(more)
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


def comment_replies_embed(
    thread: StoredThread,
    comment: StoredComment,
    outgoing: Sequence[StoredEdge],
    incoming: Sequence[StoredEdge],
    sources: Mapping[int, Source],
) -> discord.Embed:
    """What one comment replies to (with how we know and a snippet) and what replies to it."""
    replies_to = [
        _edge_line(e.target, e.target_author, e.via, e.snippet, sources, "↪") for e in outgoing
    ]
    replied_by = [
        _edge_line(e.source, e.source_author, e.via, e.snippet, sources, "↩") for e in incoming
    ]
    own = snippet(comment.own_text or comment.text, 200)
    description = "\n\n".join(
        [
            f"> {safe(own)}" if own else "> *(no text)*",
            _section("Replies to", replies_to, "Nothing we could find."),
            _section("Replied to by", replied_by, "No replies found."),
        ]
    )
    embed = discord.Embed(
        title=truncate(f"#{comment.number} by {safe(comment.author)}", EMBED_TITLE_MAX),
        description=description[:EMBED_DESCRIPTION_MAX],
        colour=COLOUR,
    )
    embed.set_footer(text=f"{footer_title(thread)} · /thread comments to read it in full")
    return embed


def reply_table_embed(
    thread: StoredThread, pairs: Sequence[PairCount], *, image: str | None = None
) -> discord.Embed:
    """The person-to-person table (who answered whom, how often), busiest pairs first."""
    lines: list[str] = []
    size = 0
    for i, pair in enumerate(pairs):
        target = f"{pair.target} (article)" if pair.to_article else pair.target
        line = f"**{safe(pair.source)}** → **{safe(target)}**: {pair.count}"
        more = f"… and {len(pairs) - i} more pairs"
        if size + len(line) + 1 + len(more) > TABLE_MAX:
            lines.append(more)
            break
        lines.append(line)
        size += len(line) + 1
    people = {p.source for p in pairs} | {p.target for p in pairs}
    replies = sum(p.count for p in pairs)
    embed = discord.Embed(
        title=truncate(f"Who answered whom: {safe(thread.title)}", EMBED_TITLE_MAX),
        description="\n".join(lines) if lines else "No replies found in this thread.",
        colour=COLOUR,
    )
    embed.set_footer(
        text=f"{len(people)} people · {replies} replies · the article counts as its author"
    )
    if image:
        embed.set_image(url=f"attachment://{image}")
    return embed
