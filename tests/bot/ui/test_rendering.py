"""Renderers on plain stored values: content right, limits kept by construction."""

from __future__ import annotations

import dataclasses

import discord
import pytest

from bot.models import (
    ELISION,
    QUOTED_FROM_OUTSIDE,
    AuthorStats,
    QuoteRef,
    StoredComment,
    StoredEdge,
    StoredParagraph,
    StoredThread,
)
from bot.storage import Storage
from bot.text import ELLIPSIS, ZWSP
from bot.ui import rendering
from bot.ui.graph import PairCount
from bot.ui.limits import EMBED_TOTAL_MAX, check_embed, check_message
from bot.ui.rendering import Source
from tests.bot.test_text import MENTION


def thread(**changes: object) -> StoredThread:
    base = StoredThread(
        id=7,
        guild_id=0,
        source="t.txt",
        slug="a-thread",
        content_hash="h",
        title="A Thread",
        lede="The lede.",
        body=("First paragraph.", ELISION, "Second paragraph."),
        tags=("News", "", "Iraq"),
        author="Jane Writer",
        author_bio="Jane writes.",
        url=None,
        published=None,
        comment_count=3,
        ingested_at="2024-01-01T00:00:00+00:00",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def comment(*paragraphs: StoredParagraph, seq: int = 3, author: str = "Bob") -> StoredComment:
    return StoredComment(thread_id=7, seq=seq, number=seq, author=author, paragraphs=paragraphs)


def all_text(embeds: list[discord.Embed]) -> str:
    out = []
    for e in embeds:
        out += [e.title or "", e.description or "", e.footer.text or "", e.author.name or ""]
        out += [f"{f.name} {f.value}" for f in e.fields]
    return "\n".join(out)


def test_article_has_title_lede_body_elision_tags_and_author() -> None:
    messages = rendering.article_messages(thread(url="https://example.com/post"))
    assert len(messages) == 1
    embeds = messages[0]
    assert embeds[0].title == "A Thread"
    assert embeds[0].url == "https://example.com/post"
    text = all_text(embeds)
    assert "*The lede.*" in text
    # Text around an elision is an excerpt of someone else's copy: shown as a block quote.
    assert f"> First paragraph.\n\n{ELISION}\n\n> Second paragraph." in text
    assert "Tags News, Iraq" in text  # the empty tag is dropped
    assert "About Jane Writer Jane writes." in text
    assert check_message(None, embeds) == []


@pytest.mark.parametrize("url", [None, "", "not a url", "ftp://x.y/z", "https://x y.z", "https://"])
def test_a_bad_url_is_not_sent(url: str | None) -> None:
    assert rendering.article_embeds(thread(url=url))[0].url is None


async def test_the_seed_article_fits_and_keeps_its_elision(seeded: Storage) -> None:
    stored = (await seeded.threads.visible(None))[0]
    messages = rendering.article_messages(stored)
    text = all_text([e for m in messages for e in m])
    assert "Iraq Cease-Fire Over" in text
    assert ELISION in text
    assert "James Joyner is Professor" in text
    # The news story around […] is a block quote; the blogger's own paragraphs are not.
    assert "\n> The Mahdi Army’s seven-month-long cease-fire" in text
    assert "\n> On Tuesday, Rear Adm. Greg Smith" in text
    assert "\nThe claim that “AQI is still Iraq’s No. 1 enemy”" in text
    for embeds in messages:
        assert check_message(None, embeds) == []


def test_a_huge_article_is_split_across_messages_within_limits() -> None:
    body = tuple(f"Paragraph {i}: " + "words and more words @everyone " * 60 for i in range(40))
    big = thread(
        title="T" * 400, body=body, tags=tuple(f"tag{i}" for i in range(500)), author_bio="b" * 3000
    )
    messages = rendering.article_messages(big)
    assert len(messages) > 3
    for embeds in messages:
        assert check_message(None, embeds) == []
    text = all_text([e for m in messages for e in m])
    assert MENTION.search(text) is None
    # nothing lost: every paragraph's label is there, in order
    positions = [text.index(f"Paragraph {i}:") for i in range(40)]
    assert positions == sorted(positions)


def test_quoted_paragraphs_fold_into_one_reply_line_each() -> None:
    c = comment(
        StoredParagraph("“First quoted line.”", QuoteRef(1, 0)),
        StoredParagraph("Second quoted line.", QuoteRef(1, 1)),
        StoredParagraph("My answer @everyone <@42>."),
        StoredParagraph("From the post.", QuoteRef(0, 2)),
        StoredParagraph("And *more*."),
    )
    text = rendering.comment_text(c, {1: Source(1, "Al_ice *x*")}, "Jane Writer")
    blocks = text.split("\n\n")
    assert (
        blocks[0]
        == "> ↪ replying to #1 (Al_ice \\*x\\*) · quote: “First quoted line. Second quoted line.”"
    )
    assert blocks[1].replace(ZWSP, "") == "My answer @everyone <@42>."
    assert MENTION.search(blocks[1]) is None
    assert blocks[2] == "> ↪ quoting the article (Jane Writer): “From the post.”"
    assert blocks[3] == "And \\*more\\*."
    assert len(blocks) == 4


def test_words_from_outside_the_thread_are_shown_in_full_as_a_block_quote() -> None:
    c = comment(
        StoredParagraph("I read this:"),
        StoredParagraph("A *study* says\nthings @everyone.", QUOTED_FROM_OUTSIDE),
        StoredParagraph("Second pasted paragraph.", QUOTED_FROM_OUTSIDE),
        StoredParagraph("So there."),
    )
    blocks = rendering.comment_text(c, {}, "").split("\n\n")
    assert blocks[0] == "I read this:"
    assert blocks[1].splitlines() == [
        f"*{rendering.OUTSIDE_LABEL}:*",
        "> A \\*study\\* says",
        f"> things @{ZWSP}everyone.",
        "> Second pasted paragraph.",
    ]
    assert blocks[2] == "So there." and len(blocks) == 3


def test_links_without_a_quoted_block_get_a_line_above_the_text() -> None:
    c = comment(StoredParagraph("Comment Depth 02"), StoredParagraph("x", QuoteRef(1, 0)))
    answers = [
        StoredEdge(c.seq, "B", 1, "A", "quote", "x"),
        StoredEdge(c.seq, "B", 6, "John Κώστας *Doe*", "parent", ""),
        StoredEdge(c.seq, "B", 0, "Jane", "mention", "Jane,", 0.9),
        StoredEdge(c.seq, "B", 5, "Eve", "implicit", "", 0.6),
    ]
    sources = {1: Source(1, "A"), 6: Source(16, "John")}
    text = rendering.comment_text(c, sources, "Jane", answers)
    assert text.split("\n\n")[0].split("\n") == [
        "> ↪ replying to #16 (John Κώστας \\*Doe\\*) · threaded reply",
        "> ↪ replying to the article (Jane) · by name",
        "> ↪ replying to #5 (Eve) · implicit",
    ]
    assert "> ↪ replying to #1 (A) · quote: “x”" in text, "the quote keeps its own line"
    assert rendering.comment_text(c, sources, "Jane") == text.split("\n\n", 1)[1]


def test_a_long_quote_is_collapsed_to_a_short_snippet() -> None:
    c = comment(StoredParagraph("word " * 500, QuoteRef(2, 0)), StoredParagraph("Yes."))
    line = rendering.comment_text(c, {2: Source(2, "Carol")}, "")
    first = line.split("\n\n")[0]
    assert first.startswith("> ↪ replying to #2 (Carol) · quote: “word")
    assert len(first) < 160 and ELLIPSIS in first


def test_a_30000_character_comment_spans_parts_within_limits() -> None:
    long_text = "A sentence that goes on. " * 1200
    c = comment(StoredParagraph(long_text[:30_000]))
    parts = rendering.comment_parts(c, {}, "")
    assert len(parts) >= 8
    t = thread(title="x" * 300)
    for i, part in enumerate(parts):
        embed = rendering.comment_embed(
            c, thread=t, part_text=part, part=i, parts=len(parts), position="comment 3 of 3"
        )
        assert check_message(None, [embed]) == []
        assert f"part {i + 1} of {len(parts)}" in (embed.footer.text or "")
    joined = " ".join(p.replace(ELLIPSIS, " ") for p in parts).split()
    assert joined == long_text[:30_000].split()


def test_comment_page_shows_number_author_and_date() -> None:
    c = dataclasses.replace(comment(StoredParagraph("Hi.")), posted="March 25, 2008 at 10:01 am")
    embed = rendering.comment_embed(
        c, thread=thread(), part_text="Hi.", part=0, parts=1, position="comment 3 of 3"
    )
    assert embed.title == "#3 · March 25, 2008 at 10:01 am"
    assert embed.author.name == "Bob"
    assert embed.footer.text == "A Thread · comment 3 of 3"


def test_an_empty_comment_still_renders() -> None:
    assert rendering.comment_parts(comment(), {}, "") == ["*(this comment has no text)*"]


def test_thread_list_page_stays_within_limits_with_long_titles() -> None:
    threads = [
        thread(id=i, title="Long title @here " * 30, published="2008-03-25", comment_count=i)
        for i in range(rendering.THREADS_PER_PAGE)
    ]
    embed = rendering.thread_list_embed(threads, page=2, pages=3, total=25, in_dm=False)
    assert check_embed(embed) == []
    assert MENTION.search(embed.description or "") is None
    assert "2008-03-25" in (embed.description or "")
    assert embed.footer.text == "Page 2 of 3 · 25 threads"
    empty = rendering.thread_list_embed([], page=1, pages=0, total=0, in_dm=True)
    assert empty.description == "No threads here yet."
    assert "DM" in (empty.title or "")


def test_participants_page_lists_counts_and_own_words() -> None:
    people = [AuthorStats(f"P{i}", 30 - i, 1000 - i, i, i) for i in range(20)]
    embed = rendering.participants_embed(thread(), people, page=1, pages=2, total=25)
    assert (embed.description or "").splitlines()[0] == "**P0** — 30 comments · 1000 own words"
    assert check_embed(embed) == []


def edge(src: int, dst: int, sa: str, da: str, via: str = "quote") -> StoredEdge:
    return StoredEdge(src, sa, dst, da, via, "snippet " * 40)  # type: ignore[arg-type]


def test_comment_replies_lists_both_directions_and_caps_long_lists() -> None:
    c = comment(StoredParagraph("Own words."), seq=5)
    outgoing = [edge(5, 2, "Bob", "Al"), edge(5, 0, "Bob", "Jane Writer", "article")]
    incoming = [edge(100 + i, 5, f"R{i}", "Bob", "mention") for i in range(300)]
    sources = {2: Source(2, "Al")} | {100 + i: Source(100 + i, f"R{i}") for i in range(300)}
    embed = rendering.comment_replies_embed(thread(), c, outgoing, incoming, sources)
    text = embed.description or ""
    assert "↪ **#2 Al** · quotes it: “snippet" in text
    assert "↪ **the article (Jane Writer)** · on the article" in text
    assert "↩ **#100 R0** · names them" in text
    assert "more" in text.splitlines()[-1]
    assert check_embed(embed) == [] and len(embed) <= EMBED_TOTAL_MAX


def test_reply_table_orders_pairs_and_points_at_the_attachment() -> None:
    pairs = [PairCount(f"Person {i}", f"Other {i}", 500 - i) for i in range(400)]
    pairs.append(PairCount("Bob", "Jane Writer", 1, to_article=True))
    embed = rendering.reply_table_embed(thread(), pairs, image="replies.png")
    lines = (embed.description or "").splitlines()
    assert lines[0] == "**Person 0** → **Other 0**: 500"
    assert lines[-1].startswith("… and ") and lines[-1].endswith("more pairs")
    assert embed.image.url == "attachment://replies.png"
    assert check_embed(embed) == []
    empty = rendering.reply_table_embed(thread(), [])
    assert empty.description == "No replies found in this thread."


def test_pack_respects_count_and_total() -> None:
    embeds = [discord.Embed(description="x" * 2500) for _ in range(7)]
    messages = rendering.pack(embeds)
    assert [len(m) for m in messages] == [2, 2, 2, 1]
    small = [discord.Embed(description="x") for _ in range(23)]
    assert [len(m) for m in rendering.pack(small)] == [10, 10, 3]
    with pytest.raises(ValueError, match="cannot be sent"):
        rendering.pack(
            [
                discord.Embed(description="x" * 4000, title="t" * 256)
                .add_field(name="n" * 256, value="v" * 1024)
                .add_field(name="n" * 256, value="v" * 1024)
            ]
        )
