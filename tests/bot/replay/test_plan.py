"""Planning a replay: posts within Discord's limits, quotes, names shown, nothing pings."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.models import QuoteRef, StoredComment, StoredParagraph
from bot.replay.plan import comment_posts, next_position, split_quote, thread_name
from bot.storage import Storage
from bot.ui.limits import CONTENT_MAX, check_message
from tests.bot.replay.conftest import all_posts, seed_thread


def comment(seq: int, *paragraphs: StoredParagraph, author: str = "Ann") -> StoredComment:
    return StoredComment(thread_id=1, seq=seq, number=seq, author=author, paragraphs=paragraphs)


# ---- text ----------------------------------------------------------------------------------


def test_thread_names_fit() -> None:
    assert thread_name("A  title\nacross lines") == "A title across lines"
    assert len(thread_name("word " * 100)) <= 100
    assert thread_name("   ") == "Replay"


@given(st.text(min_size=1, max_size=5000))
def test_quote_pieces_fit_and_every_line_is_quoted(text: str) -> None:
    for piece in split_quote(text.strip() or "x", 500):
        assert len(piece) <= 500
        assert all(line.startswith(">") for line in piece.split("\n"))


# ---- planning ---------------------------------------------------------------------------------


async def test_seed_replay_plan_fits_discord_and_never_pings(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    posts = await all_posts(seeded, thread)
    assert posts[0].seq == 0 and posts[0].content.startswith("# Iraq Cease-Fire Over")
    assert [p.seq for p in posts if p.part == 0][1:] == list(range(1, 32))
    for post in posts:
        assert not check_message(post.content), post
        assert not check_message(None, [post.embed()]), post
        assert "@everyone" not in post.content and "@here" not in post.content
        assert not re.search(r"<@[!&]?\d", post.content)


async def test_quotes_are_block_quotes_under_a_replying_to_line(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    posts = await all_posts(seeded, thread)
    second = next(p for p in posts if p.seq == 2)
    lines = second.content.split("\n")
    assert lines[0] == "-# #2"
    assert lines[1] == "↪ replying to #1 (glasnost) · quote"
    assert lines[2].startswith("> Not much critical thinking here, James.")
    assert "At the risk of landing square" in second.content  # own text stays plain
    assert not any(line.startswith("> At the risk") for line in lines)
    first = next(p for p in posts if p.seq == 1)
    assert "↪ quoting the article (James Joyner)\n> The US blames Iran." in first.content


async def test_every_kind_of_link_gets_a_replying_to_line(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    posts = await all_posts(seeded, thread)
    lines = {p.seq: p.content.split("\n") for p in posts if p.part == 0 and p.seq}
    assert lines[7][1] == "↪ replying to #6 (Bithead) · implicit", "DC Loser answers #6"
    assert lines[8][1] == "↪ replying to #7 (DC Loser) · by name", "'…, either, DC.'"
    assert lines[12][1] == "↪ replying to #7 (DC Loser) · by name", "'DC has it right'"
    assert lines[12][2] == "", "then the text, which opens with the quote of #6"
    assert lines[12][3] == "↪ replying to #6 (Bithead) · quote"
    assert lines[4][1].startswith("“Sealing the border”"), "the article: no line"


def test_a_threaded_reply_and_a_mention_of_the_post_author_are_said() -> None:
    c = comment(3, StoredParagraph("Comment Depth 02"))
    heads = {2: (2, "John Κώστας Doe Τάδε")}
    post = comment_posts(c, heads, "Jane *Writer*", [(2, "parent"), (0, "mention")])[0]
    assert post.content.split("\n")[:3] == [
        "-# #3",
        "↪ replying to #2 (John Κώστας Doe Τάδε) · threaded reply",
        "↪ replying to the article (Jane \\*Writer\\*) · by name",
    ]
    assert post.embed().description.startswith("↪ replying to #2 (John Κώστας Doe Τάδε)")


def test_mentions_and_markdown_in_comments_are_inert() -> None:
    text = "@everyone look <@123456789012345678> <@&123456789012345678> <#123456789012345678> **x**"
    post = comment_posts(comment(1, StoredParagraph(text)), {}, "Post Author")[0]
    assert "@everyone" not in post.content
    assert not re.search(r"<[@#]&?\d", post.content)
    assert "**x**" not in post.content


def test_a_long_comment_splits_into_parts_within_limits() -> None:
    paragraphs = tuple(StoredParagraph(f"Paragraph {i}. " + "word " * 300) for i in range(12))
    quoted = StoredParagraph("quoted " * 700, QuoteRef(0, 0))
    posts = comment_posts(comment(5, quoted, *paragraphs), {}, "Author")
    assert len(posts) > 3
    assert [p.part for p in posts] == list(range(len(posts)))
    assert all(p.parts == len(posts) for p in posts)
    assert posts[-1].last and not posts[0].last
    for post in posts:
        assert len(post.content) <= CONTENT_MAX
        assert not check_message(None, [post.embed()])
    assert posts[1].header == "-# #5 (continued)"
    words = " ".join(p.body for p in posts)
    assert all(f"Paragraph {i}." in words for i in range(12))


def test_an_author_name_that_shows_nothing_is_anonymous() -> None:
    (post,) = comment_posts(comment(3, StoredParagraph("hi"), author="\u200b\u200d \u3164"), {}, "")
    assert post.title == "Anonymous" and post.persona.username == "Anonymous"
    (named,) = comment_posts(comment(3, StoredParagraph("hi"), author=" Zoë\u200b "), {}, "")
    assert named.title == "Zoë\u200b"


def test_an_empty_comment_still_posts_something() -> None:
    posts = comment_posts(comment(3), {}, "")
    assert len(posts) == 1 and posts[0].body


def test_next_position_moves_through_parts_then_comments() -> None:
    posts = comment_posts(comment(4, StoredParagraph("word " * 1000)), {}, "")
    assert len(posts) >= 2
    assert next_position(posts[0]) == (4, 1)
    assert next_position(posts[-1]) == (5, 0)
