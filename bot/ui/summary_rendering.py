"""Summaries as one Discord embed (within limits by construction) or as terminal text.

Pure like ``bot.ui.rendering``: a :class:`bot.summaries.service.SummaryView` in, an embed out.
Every piece of thread text and every name goes through :func:`bot.text.safe`; the model's
answer too, since it may echo anything. Each block is cut to a fixed budget so the sum
stays far below Discord's 6000 characters per message.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.models import ARTICLE, StoredThread
from bot.summaries.results import AuthorSummary, Count, Exchange, KeySentence, ThreadSummary
from bot.summaries.service import SummaryView
from bot.text import safe, snippet, truncate
from bot.ui.limits import (
    EMBED_DESCRIPTION_MAX,
    EMBED_FIELD_VALUE_MAX,
    EMBED_TITLE_MAX,
    EMBED_TOTAL_MAX,
)
from bot.ui.rendering import COLOUR, footer_title

SENTENCE_MAX = 280
BRIEF_MAX = 1200
ARTICLE_SENTENCE_MAX = 320
FIELD_MAX = 900
"""Characters of one field value (Discord allows 1024): leaves room for "… and N more"."""
PEOPLE_SHOWN = 10


def numbers_text(numbers: Sequence[int]) -> str:
    """``#1–3, #5, #9–10``: comment numbers with runs folded into ranges."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return ", ".join(f"#{a}" if a == b else f"#{a}–{b}" for a, b in runs)


def where(number: int) -> str:
    return "article" if number == ARTICLE else f"#{number}"


def percent(share: float) -> str:
    value = share * 100
    return f"{value:.0f}%" if value >= 1 or value == 0 else "<1%"


def lines_within(lines: Sequence[str], limit: int = FIELD_MAX, empty: str = "None.") -> str:
    """Whole lines up to ``limit`` characters in all, then "… and N more"."""
    out: list[str] = []
    size = 0
    for i, line in enumerate(lines):
        left = len(lines) - i - 1
        reserve = len(f"… and {left} more") + 1 if left else 0
        if size + len(line) + reserve > limit:
            out.append(f"… and {len(lines) - i} more")
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out) if out else empty


def counts_text(counts: Sequence[Count], *, suffix: str = "") -> list[str]:
    return [f"{safe(truncate(c.name, 80))} ×{c.count}{suffix}" for c in counts]


def exchange_text(e: Exchange, *, plain: bool = False) -> str:
    """``Bithead ↔ Michael, 12 exchanges, #9–#31``."""
    span = f"#{e.start}" if e.start == e.end else f"#{e.start}–#{e.end}"
    first, second = (e.first, e.second) if plain else (safe(e.first), safe(e.second))
    return (
        f"{truncate(first, 60)} ↔ {truncate(second, 60)}, "
        f"{e.exchanges} exchange{'s' * (e.exchanges != 1)}, {span}"
    )


def sentence_line(s: KeySentence, limit: int = SENTENCE_MAX) -> str:
    return f"**{where(s.number)}** {safe(truncate(' '.join(s.text.split()), limit))}"


def _note(view: SummaryView) -> list[str]:
    return [f"⚠️ {safe(view.note)}"] if view.note else []


def _brief(view: SummaryView) -> list[str]:
    if not view.brief:
        return []
    model = safe(truncate(view.model or "language model", 60))
    return [
        f"**In brief** (written by {model} from their own words)",
        safe(truncate(view.brief, BRIEF_MAX)),
    ]


def _engine(view: SummaryView) -> str:
    if view.brief:
        return "summary by a language model, sentences quoted as written"
    return "offline summary: their own sentences, as written"


def _description(parts: Sequence[str]) -> str:
    text = "\n\n".join(p for p in parts if p)
    return truncate(text, EMBED_DESCRIPTION_MAX)


def fit_total(embed: discord.Embed) -> discord.Embed:
    """Shorten the description, then drop last fields, until the embed fits one message."""
    excess = len(embed) - EMBED_TOTAL_MAX
    if excess > 0 and embed.description:
        keep = max(EMBED_TOTAL_MAX // 10, len(embed.description) - excess)
        embed.description = truncate(embed.description, keep)
    while len(embed) > EMBED_TOTAL_MAX and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    return embed


def _field(embed: discord.Embed, name: str, lines: Sequence[str], *, inline: bool = False) -> None:
    if lines:
        embed.add_field(name=name, value=lines_within(lines)[:EMBED_FIELD_VALUE_MAX], inline=inline)


# ---- per person ----------------------------------------------------------------------------


def author_figures(s: AuthorSummary) -> str:
    parts: list[str] = []
    if s.wrote_article:
        parts.append("Wrote the article")
    if s.comments:
        span = f"#{s.first}" if s.first == s.last else f"#{s.first}–#{s.last}"
        parts.append(
            f"**{s.comments}** comment{'s' * (s.comments != 1)} ({span}) · "
            f"{percent(s.comment_share)} of the comments, {percent(s.word_share)} of the words"
        )
    elif not s.wrote_article:
        parts.append("No comments")
    parts.append(f"**{s.words}** words of their own (quotes of others left out)")
    return " · ".join(parts)


def author_summary_embed(thread: StoredThread, view: SummaryView) -> discord.Embed:
    """``/author summary``: figures, partners, the longest exchange, key sentences and phrases."""
    s = view.summary
    assert isinstance(s, AuthorSummary)
    said = [sentence_line(k) for k in s.sentences]
    description = _description(
        [
            *_note(view),
            author_figures(s),
            *_brief(view),
            "**In their own words**\n" + lines_within(said, 2400, "Nothing of their own."),
        ]
    )
    embed = discord.Embed(
        title=truncate(f"{safe(s.name)} in “{safe(thread.title)}”", EMBED_TITLE_MAX),
        description=description,
        colour=COLOUR,
    )
    _field(embed, "Answered", counts_text(s.answered), inline=True)
    _field(embed, "Answered by", counts_text(s.answered_by), inline=True)
    if s.exchange is not None:
        _field(embed, "Longest back-and-forth", [exchange_text(s.exchange)])
    if s.phrases:
        _field(embed, "Key phrases", [" · ".join(safe(p) for p in s.phrases)])
    embed.set_footer(text=f"{footer_title(thread)} · {_engine(view)}")
    return fit_total(embed)


def author_summary_text(thread: StoredThread, view: SummaryView) -> str:
    """The same as plain text for the terminal (no markdown, nothing escaped)."""
    s = view.summary
    assert isinstance(s, AuthorSummary)
    out = [f"{s.name} in “{thread.title}”"]
    if view.note:
        out.append(f"! {view.note}")
    out.append(author_figures(s).replace("**", ""))
    if view.brief:
        out += ["", f"In brief ({view.model}):", view.brief]
    out += ["", "In their own words:"]
    out += [f"  {where(k.number)}: {k.text}" for k in s.sentences] or ["  (nothing of their own)"]
    if s.answered:
        out.append("Answered: " + ", ".join(f"{c.name} ×{c.count}" for c in s.answered))
    if s.answered_by:
        out.append("Answered by: " + ", ".join(f"{c.name} ×{c.count}" for c in s.answered_by))
    if s.exchange:
        out.append("Longest back-and-forth: " + exchange_text(s.exchange, plain=True))
    if s.phrases:
        out.append("Key phrases: " + " · ".join(s.phrases))
    return "\n".join(out)


# ---- whole thread ---------------------------------------------------------------------------


def _conversation_lines(s: ThreadSummary, *, plain: bool = False) -> list[str]:
    lines = []
    for c in s.conversations:
        who = ", ".join(
            f"{p.name if plain else safe(truncate(p.name, 60))} {p.count}" for p in c.people
        )
        topic = f" — {' · '.join(c.phrases if plain else (safe(p) for p in c.phrases))}"
        lines.append(
            f"{numbers_text(c.numbers)} ({len(c.numbers)} comments): {who}"
            f"{topic if c.phrases else ''}"
        )
    return lines


def thread_summary_embed(thread: StoredThread, view: SummaryView) -> discord.Embed:
    """``/thread summary``: the article in brief, who took part, sub-conversations, replies."""
    s = view.summary
    assert isinstance(s, ThreadSummary)
    article = [f"*{safe(truncate(s.lede, ARTICLE_SENTENCE_MAX))}*"] if s.lede else []
    article += [f"• {safe(truncate(k.text, ARTICLE_SENTENCE_MAX))}" for k in s.article]
    by = f" by {safe(s.post_author)}" if s.post_author else ""
    description = _description(
        [
            *_note(view),
            f"**The article**{by}\n" + ("\n".join(article) or "No text."),
            *_brief(view),
            f"**{s.comments}** comments · **{len(s.participants)}** people · "
            f"**{s.words}** words of their own · **{s.article_replies}** on the article itself",
        ]
    )
    embed = discord.Embed(
        title=truncate(f"Summary: {safe(thread.title)}", EMBED_TITLE_MAX),
        description=description,
        colour=COLOUR,
    )
    people = [
        f"**{safe(truncate(p.name, 60))}** {p.comments} comment{'s' * (p.comments != 1)}, "
        f"{percent(p.word_share)} of the words"
        for p in s.participants
    ]
    if len(people) > PEOPLE_SHOWN:
        people = [*people[:PEOPLE_SHOWN], f"… and {len(people) - PEOPLE_SHOWN} more"]
    _field(embed, "Participants", people)
    _field(embed, "Sub-conversations", _conversation_lines(s))
    _field(
        embed,
        "Most answered",
        [
            f"**#{a.number}** {safe(truncate(a.author, 60))} · {a.replies} "
            f"repl{'ies' if a.replies != 1 else 'y'}: “{safe(snippet(a.text, 90))}”"
            for a in s.most_answered
        ],
    )
    _field(embed, "Back-and-forths", [exchange_text(e) for e in s.exchanges])
    if s.phrases:
        _field(embed, "Key phrases", [" · ".join(safe(p) for p in s.phrases)])
    embed.set_footer(text=f"{footer_title(thread)} · {_engine(view)}")
    return fit_total(embed)


def thread_summary_text(thread: StoredThread, view: SummaryView) -> str:
    s = view.summary
    assert isinstance(s, ThreadSummary)
    out = [f"{thread.title}" + (f" — by {s.post_author}" if s.post_author else "")]
    if view.note:
        out.append(f"! {view.note}")
    if s.lede:
        out.append(s.lede)
    out += [f"  • {k.text}" for k in s.article]
    if view.brief:
        out += ["", f"In brief ({view.model}):", view.brief]
    out += [
        "",
        f"{s.comments} comments, {len(s.participants)} people, {s.words} own words, "
        f"{s.article_replies} on the article itself",
        "Participants:",
    ]
    out += [
        f"  {p.name}: {p.comments} comment{'s' * (p.comments != 1)}, "
        f"{percent(p.word_share)} of the words"
        for p in s.participants
    ]
    out.append("Sub-conversations:")
    out += [f"  {line}" for line in _conversation_lines(s, plain=True)] or ["  none"]
    out.append("Most answered:")
    out += [
        f"  #{a.number} {a.author}: {a.replies} replies — {snippet(a.text, 90)}"
        for a in s.most_answered
    ] or ["  none"]
    if s.exchanges:
        out.append(
            "Back-and-forths: " + "; ".join(exchange_text(e, plain=True) for e in s.exchanges)
        )
    if s.phrases:
        out.append("Key phrases: " + " · ".join(s.phrases))
    return "\n".join(out)
