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
from bot.summaries.results import (
    AuthorSummary,
    Conversation,
    Count,
    Exchange,
    KeySentence,
    Point,
    Stance,
    ThreadSummary,
)
from bot.summaries.service import SummaryView
from bot.text import safe, snippet, truncate
from bot.ui.limits import (
    EMBED_DESCRIPTION_MAX,
    EMBED_FIELD_NAME_MAX,
    EMBED_FIELD_VALUE_MAX,
    EMBED_TITLE_MAX,
    EMBED_TOTAL_MAX,
)
from bot.ui.rendering import COLOUR, footer_title

SENTENCE_MAX = 280
CONTEXT_MAX = 100
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


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 reply``, ``2 replies``: the count with the right form of the noun."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def unbullet(text: str) -> str:
    """A list item's own "• " dropped, so a bullet we add is not doubled."""
    return text.lstrip().removeprefix("•").strip()


def sentence_line(s: KeySentence, limit: int = SENTENCE_MAX) -> str:
    return f"**{where(s.number)}** {safe(truncate(' '.join(s.text.split()), limit))}"


def point_line(p: Point, *, plain: bool = False) -> str:
    """``#26 (↪ to Michael (#25): “How exactly?”) They’d …``: a point, with what it answers."""
    text = truncate(" ".join(p.sentence.text.split()), SENTENCE_MAX)
    context = truncate(p.context, CONTEXT_MAX)
    if plain:
        return f"{where(p.sentence.number)}: " + (f"({context}) " if context else "") + text
    lead = f"*({safe(context)})* " if context else ""
    return f"**{where(p.sentence.number)}** {lead}{safe(text)}"


def stance_text(st: Stance, *, plain: bool = False) -> str:
    """``“…” (#9) — mostly against Michael (12 exchanges)``."""
    parts = []
    if st.sentence is not None:
        said = truncate(" ".join(st.sentence.text.split()), SENTENCE_MAX)
        parts.append(f"“{said if plain else safe(said)}” ({where(st.sentence.number)})")
    if st.partner:
        how = {"against": "mostly against", "with": "mostly with"}.get(
            st.leaning, "mostly answering"
        )
        who = st.partner if plain else safe(truncate(st.partner, 60))
        parts.append(f"{how} {who} ({plural(st.exchanges, 'exchange')})")
    return " — ".join(parts)


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
            f"**{plural(s.comments, 'comment')}** ({span}) · "
            f"{percent(s.comment_share)} of the comments, {percent(s.word_share)} of the words"
        )
    elif not s.wrote_article:
        parts.append("No comments")
    parts.append(f"**{s.words}** words of their own (quotes of others left out)")
    return " · ".join(parts)


def author_summary_embed(thread: StoredThread, view: SummaryView) -> discord.Embed:
    """``/author summary``: figures, stance, points, what they cited, partners, key phrases."""
    s = view.summary
    assert isinstance(s, AuthorSummary)
    parts = [*_note(view), author_figures(s), *_brief(view)]
    if s.stance.sentence is not None or s.stance.partner:
        parts.append("**Stance** " + stance_text(s.stance))
    said = [point_line(p) for p in s.points]
    if said or s.stance.sentence is None:
        parts.append("**Their points**\n" + lines_within(said, 2400, "Nothing of their own."))
    if s.cites:
        cited = [f"> {safe(unbullet(c.text))} ({where(c.number)})" for c in s.cites]
        parts.append("**Quoted from elsewhere** (not their words)\n" + lines_within(cited, 700))
    embed = discord.Embed(
        title=truncate(f"{safe(s.name)} in “{safe(thread.title)}”", EMBED_TITLE_MAX),
        description=_description(parts),
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
    if s.stance.sentence is not None or s.stance.partner:
        out += ["", "Stance: " + stance_text(s.stance, plain=True)]
    out += ["", "Their points:"]
    out += [f"  {point_line(p, plain=True)}" for p in s.points] or ["  (nothing more of their own)"]
    if s.cites:
        out.append("Quoted from elsewhere (not their words):")
        out += [f"  > {unbullet(c.text)} ({where(c.number)})" for c in s.cites]
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


def conversation_title(c: Conversation) -> str:
    return f"{numbers_text(c.numbers)} ({plural(len(c.numbers), 'comment')})"


def conversation_lines(c: Conversation, *, plain: bool = False) -> list[str]:
    """Who took part, the topic, each side's sentences, and who sided with or against whom."""

    def name(n: str) -> str:
        return n if plain else safe(truncate(n, 60))

    who = ", ".join(f"{name(p.name)} {p.count}" for p in c.people)
    topic = f" — {' · '.join(c.phrases if plain else (safe(p) for p in c.phrases))}"
    lines = [f"{who}{topic if c.phrases else ''}"]
    for side in c.sides:
        said = " ".join(
            f"“{truncate(' '.join(k.text.split()), SENTENCE_MAX)}” ({where(k.number)})"
            if plain
            else f"“{safe(truncate(' '.join(k.text.split()), SENTENCE_MAX))}” ({where(k.number)})"
            for k in side.points
        )
        lines.append(f"{name(side.name)}: {said}" if plain else f"**{name(side.name)}**: {said}")
    for r in c.relations:
        verb = "sided with" if r.leaning == "with" else "argued against"
        lines.append(
            f"{name(r.source)} {verb} {name(r.target)} ({plural(r.count, 'reply', 'replies')})"
        )
    return lines


def _counts_line(s: ThreadSummary) -> str:
    return (
        f"{plural(s.comments, 'comment')} · {plural(len(s.participants), 'person', 'people')} · "
        f"{s.words} words of their own · "
        f"{plural(s.article_replies, 'reply', 'replies')} to the article itself"
    )


def thread_summary_embed(thread: StoredThread, view: SummaryView) -> discord.Embed:
    """``/thread summary``: the article's claim, who took part, each sub-conversation's sides."""
    s = view.summary
    assert isinstance(s, ThreadSummary)
    article = [f"*{safe(truncate(unbullet(s.lede), ARTICLE_SENTENCE_MAX))}*"] if s.lede else []
    article += [f"• {safe(truncate(unbullet(k.text), ARTICLE_SENTENCE_MAX))}" for k in s.claim]
    by = f" by {safe(s.post_author)}" if s.post_author else ""
    description = _description(
        [
            *_note(view),
            f"**The article**{by}\n" + ("\n".join(article) or "No text."),
            *_brief(view),
            _counts_line(s),
        ]
    )
    embed = discord.Embed(
        title=truncate(f"Summary: {safe(thread.title)}", EMBED_TITLE_MAX),
        description=description,
        colour=COLOUR,
    )
    for k, c in enumerate(s.conversations):
        more = ""
        if k == len(s.conversations) - 1 and s.more_conversations:
            more = f"\n… and {plural(s.more_conversations, 'more sub-conversation')}"
        value = lines_within(conversation_lines(c), FIELD_MAX - len(more)) + more
        name = truncate(f"Sub-conversation {conversation_title(c)}", EMBED_FIELD_NAME_MAX)
        embed.add_field(name=name, value=value, inline=False)
    people = [
        f"**{safe(truncate(p.name, 60))}** {plural(p.comments, 'comment')}, "
        f"{percent(p.word_share)} of the words"
        for p in s.participants
    ]
    if len(people) > PEOPLE_SHOWN:
        people = [*people[:PEOPLE_SHOWN], f"… and {len(people) - PEOPLE_SHOWN} more"]
    _field(embed, "Participants", people)
    _field(
        embed,
        "Most answered",
        [
            f"**#{a.number}** {safe(truncate(a.author, 60))} · "
            f"{plural(a.replies, 'reply', 'replies')}: “{safe(snippet(a.text, 90))}”"
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
        out.append(unbullet(s.lede))
    out += [f"  • {unbullet(k.text)}" for k in s.claim]
    if view.brief:
        out += ["", f"In brief ({view.model}):", view.brief]
    out += ["", _counts_line(s), "Sub-conversations:"]
    for c in s.conversations:
        lines = conversation_lines(c, plain=True)
        out.append(f"  {conversation_title(c)}: {lines[0]}")
        out += [f"    {line}" for line in lines[1:]]
    if s.more_conversations:
        out.append(f"  … and {plural(s.more_conversations, 'more sub-conversation')}")
    if not s.conversations:
        out.append("  none")
    out.append("Participants:")
    out += [
        f"  {p.name}: {plural(p.comments, 'comment')}, {percent(p.word_share)} of the words"
        for p in s.participants
    ]
    out.append("Most answered:")
    out += [
        f"  #{a.number} {a.author}: {plural(a.replies, 'reply', 'replies')} — {snippet(a.text, 90)}"
        for a in s.most_answered
    ] or ["  none"]
    if s.exchanges:
        out.append(
            "Back-and-forths: " + "; ".join(exchange_text(e, plain=True) for e in s.exchanges)
        )
    if s.phrases:
        out.append("Key phrases: " + " · ".join(s.phrases))
    return "\n".join(out)
