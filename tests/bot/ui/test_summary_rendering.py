"""Summary embeds stay inside Discord's limits whatever they hold, and never ping."""

from __future__ import annotations

import dataclasses
import re

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import StoredThread
from bot.summaries.results import (
    Answered,
    AuthorSummary,
    Conversation,
    Count,
    Exchange,
    KeySentence,
    Participant,
    Point,
    Relation,
    Side,
    Stance,
    ThreadSummary,
)
from bot.summaries.service import SummaryView
from bot.ui.limits import EMBED_TOTAL_MAX, check_message
from bot.ui.summary_rendering import (
    author_summary_embed,
    author_summary_text,
    fit_total,
    lines_within,
    numbers_text,
    thread_summary_embed,
    thread_summary_text,
)

HOSTILE = "@everyone <@123> **bold** __u__ > quote `code` [x](http://e.com) "
MENTION = re.compile(r"@everyone|<@\d+>")


def thread(title: str = "T " * 200) -> StoredThread:
    return StoredThread(
        id=1,
        guild_id=0,
        source="s.txt",
        slug="s",
        content_hash="h",
        title=title,
        lede="lede",
        body=("body",),
        tags=(),
        author="A",
        author_bio="",
        url=None,
        published=None,
        comment_count=3,
        ingested_at="now",
    )


def huge_author(text: str = HOSTILE * 40) -> AuthorSummary:
    people = tuple(Count(f"{HOSTILE}{i}" * 3, i) for i in range(200))
    return AuthorSummary(
        name=HOSTILE * 5,
        wrote_article=True,
        comments=5000,
        words=10**6,
        first=1,
        last=10**6,
        comment_share=0.5,
        word_share=0.0001,
        answered=people,
        answered_by=people,
        exchange=Exchange(HOSTILE * 3, HOSTILE * 3, 999, 1, 10**6),
        stance=Stance(KeySentence(1, 1, text), HOSTILE * 3, 12, "against"),
        points=tuple(Point(KeySentence(i, i, text), f"↪ to {HOSTILE}: “{text}”") for i in range(8)),
        cites=tuple(KeySentence(i, i, text) for i in range(3)),
        phrases=tuple(HOSTILE * 3 for _ in range(6)),
    )


def huge_thread(text: str = HOSTILE * 40) -> ThreadSummary:
    people = tuple(Count(HOSTILE * 2, i) for i in range(50))
    return ThreadSummary(
        title=text,
        post_author=HOSTILE,
        lede=text,
        claim=tuple(KeySentence(0, 0, text) for _ in range(3)),
        comments=10**5,
        words=10**7,
        participants=tuple(Participant(HOSTILE * 3, 5, 5, 0.01) for _ in range(400)),
        conversations=tuple(
            Conversation(
                people,
                tuple(range(0, 3000, 2)),
                (HOSTILE,) * 3,
                tuple(Side(HOSTILE * 3, 9, (KeySentence(1, 1, text),) * 4) for _ in range(8)),
                tuple(Relation(HOSTILE, HOSTILE * 2, "with", 3) for _ in range(4)),
            )
            for _ in range(5)
        ),
        more_conversations=12,
        most_answered=tuple(Answered(i, HOSTILE * 3, 50, text) for i in range(5)),
        article_replies=7,
        exchanges=tuple(Exchange(HOSTILE, HOSTILE, 5, 1, 9) for _ in range(3)),
        phrases=(HOSTILE,) * 6,
    )


def assert_fine(embed: discord.Embed) -> None:
    assert check_message(None, [embed]) == []
    assert len(embed) <= EMBED_TOTAL_MAX
    assert not MENTION.search(str(embed.to_dict()))


def test_oversized_hostile_summaries_fit_one_message() -> None:
    note = "The language model could not be used (" + HOSTILE * 10 + ")"
    for view in (
        SummaryView(huge_author()),
        SummaryView(huge_author(), brief=HOSTILE * 200, model=HOSTILE, note=note),
    ):
        embed = author_summary_embed(thread(), view)
        assert_fine(embed)
        assert embed.fields, "figures were dropped entirely"
    for view in (
        SummaryView(huge_thread()),
        SummaryView(huge_thread(), brief=HOSTILE * 200, model="m", note=note),
    ):
        assert_fine(thread_summary_embed(thread(), view))


@settings(max_examples=25)
@given(st.text(max_size=3000), st.text(max_size=5000))
def test_any_text_fits(text: str, brief: str) -> None:
    view = SummaryView(huge_author(text or "x"), brief=brief or None, model="m")
    assert_fine(author_summary_embed(thread(text or "t"), view))
    assert_fine(thread_summary_embed(thread(), SummaryView(huge_thread(text or "x"))))


def test_fit_total_trims_description_then_fields() -> None:
    embed = discord.Embed(title="t", description="d" * 4000)
    for i in range(5):
        embed.add_field(name=f"f{i}", value="v" * 1000)
    fit_total(embed)
    assert len(embed) <= EMBED_TOTAL_MAX and len(embed.fields) == 5
    assert (embed.description or "").endswith("…")


def test_lines_within_counts_what_is_left_out() -> None:
    lines = [f"line {i} " + "x" * 50 for i in range(100)]
    text = lines_within(lines, 300)
    assert len(text) <= 300 and text.endswith("more")
    left = int(text.rsplit("and ", 1)[1].split()[0])
    assert left + text.count("\n") == 100
    assert lines_within([], 100, "Nobody.") == "Nobody."


def test_terminal_text_is_plain() -> None:
    text = author_summary_text(thread("Title"), SummaryView(huge_author("A *star* here.")))
    assert "A *star* here." in text and "\\*" not in text
    whole = thread_summary_text(thread("Title"), SummaryView(huge_thread("Plain _text_.")))
    assert "Plain _text_." in whole and "Sub-conversations:" in whole
    assert "… and 12 more sub-conversations" in whole and "• •" not in whole


def test_cosmetics_one_bullet_singular_counts_and_replies_to_the_article() -> None:
    summary = dataclasses.replace(
        huge_thread("• Threaded comments up to 10 levels deep"),
        article_replies=1,
        most_answered=(Answered(3, "Ann", 1, "Said a thing."),),
        more_conversations=1,
    )
    for text in (
        thread_summary_text(thread("T"), SummaryView(summary)),
        str(thread_summary_embed(thread("T"), SummaryView(summary)).to_dict()),
    ):
        assert "• •" not in text and "• Threaded comments" in text
        assert "1 reply to the article itself" in text and "on the article itself" not in text
        assert "1 replies" not in text and "1 reply" in text
        assert "… and 1 more sub-conversation" in text and "1 more sub-conversations" not in text


def test_stance_and_points_show_context_and_citations() -> None:
    author = huge_author("Plain words.")
    text = author_summary_text(thread("T"), SummaryView(author))
    assert "Stance: “Plain words.” (#1) — mostly against" in text and "(12 exchanges)" in text
    assert f"#2: (↪ to {HOSTILE}: “Plain words.”) Plain words." in text
    assert "Quoted from elsewhere (not their words):" in text


def test_numbers_fold_into_ranges() -> None:
    assert numbers_text([9, 1, 2, 3, 5, 10]) == "#1–3, #5, #9–10"
    assert numbers_text([]) == ""
