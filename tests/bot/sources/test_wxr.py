"""WordPress export (WXR) import: a hand-written export, hostile XML, WordPress test data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.models import ParseError, Thread
from bot.sources.loading import ingest_thread, parse_bytes
from bot.sources.wxr import parse_wxr
from bot.storage import Storage
from tests.conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "wxr_small.xml"
THEME_TEST = SHARED / "data" / "wordpress-theme-unit-test.xml"


def small() -> list[Thread]:
    return parse_bytes(SMALL.read_bytes(), "small.xml")


def by_title(threads: list[Thread], title: str) -> Thread:
    return next(t for t in threads if t.title == title)


def depth(thread: Thread, number: int) -> int:
    """How many comments deep ``number`` sits (a top-level comment is 1)."""
    parents = {c.number: c.parent_number for c in thread.comments}
    level = 1
    parent = parents[number]
    while parent is not None:
        level += 1
        parent = parents[parent]
    return level


# ---- the hand-written export -----------------------------------------------------------


def test_each_published_post_or_page_with_approved_comments_becomes_a_thread() -> None:
    threads = small()
    assert [t.title for t in threads] == ["Tea & Biscuits: A “Debate”", "About"]
    assert [t.source for t in threads] == ["small.xml#10", "small.xml#20"]


def test_article_fields_come_from_the_item() -> None:
    tea = small()[0]
    assert tea.author == "Edith Editor"  # dc:creator login mapped to the display name
    assert tea.url == "https://blog.example.org/2020/05/tea-and-biscuits/"
    assert tea.published == "2020-05-01 09:00:00"
    assert tea.tags == ("Food", "tea")  # categories and tags once each, no menus
    assert tea.lede == "Should biscuits be dunked? This post settles it."
    assert tea.body == (
        "First, the evidence & the history.\nA second line of the same paragraph.",
        "Plain text paragraph after a blank line, with an entity: café.",
        "• Digestives",
        "• Hobnobs",
        "A biscuit",
    )
    about = small()[1]
    assert about.author == "someone-unlisted"  # an unknown login is shown as it is
    assert about.published == "2020-01-01 00:00:00"  # zero GMT date falls back to local


def test_html_is_stripped_and_never_executed_or_kept() -> None:
    text = "\n".join(small()[0].article_paragraphs)
    for leftover in ("<", "&amp;", "alert", "[caption", "[/caption]", "&eacute;"):
        assert leftover not in text


def test_comments_are_ordered_by_date_and_numbered_with_parents() -> None:
    tea = small()[0]
    assert [(c.number, c.author, c.parent_number) for c in tea.comments] == [
        (1, "Alice", None),
        (2, "Γιάννης Discord Clyde", None),
        (3, "Bob", 1),
        # Dave answered Carol, whose comment was never approved: he is attached to
        # Carol's own parent (Bob), the nearest comment that was kept.
        (4, "Dave", 3),
    ]
    assert [c.seq for c in tea.comments] == [1, 2, 3, 4]
    alice, _, bob, _ = tea.comments
    assert alice.paragraphs == ("Never dunk.", "It ruins the biscuit & the tea.")
    assert bob.paragraphs[0] == "Never dunk."  # the blockquote is its own paragraph
    assert alice.posted == "2020-05-01 11:00:00"


def test_comment_lines_point_into_the_file() -> None:
    lines = SMALL.read_text(encoding="utf-8").splitlines()
    for comment in small()[0].comments:
        assert lines[comment.line - 1].strip() == "<wp:comment>"


def test_pingbacks_trackbacks_unapproved_spam_and_trash_are_left_out_and_said() -> None:
    tea = small()[0]
    names = {c.author for c in tea.comments}
    assert not names & {"Spammer", "Carol", "Other Blog » Dunking", "Trackback Site", "Eve"}
    messages = [w.message for w in tea.warnings]
    assert any(
        "1 spam comment" in m
        and "1 unapproved comment" in m
        and "1 pingback" in m
        and "1 trackback" in m
        and "1 deleted comment" in m
        for m in messages
    )


def test_password_protected_drafts_attachments_and_silent_posts_are_skipped() -> None:
    threads = small()
    titles = {t.title for t in threads}
    assert not titles & {"Locked", "Draft with a comment", "biscuit.png", "No comments here"}
    messages = [str(w) for w in threads[0].warnings]
    assert any("Locked" in m and "password-protected" in m for m in messages)
    assert any("Draft with a comment" in m and "draft" in m for m in messages)
    assert all("Secret words" not in m for m in messages)


def test_a_comment_without_a_name_is_anonymous() -> None:
    about = small()[1]
    assert [(c.author, c.parent_number) for c in about.comments] == [
        ("Frank", None),
        ("Anonymous", 1),
    ]


def test_http_and_https_namespaces_and_versions_read_the_same() -> None:
    text = SMALL.read_text(encoding="utf-8")
    https = text.replace("http://wordpress.org/export/1.1/", "https://wordpress.org/export/1.2/")
    old = text.replace("http://wordpress.org/export/1.1/", "http://wordpress.org/export/1.0/")
    expected = parse_wxr(text, "small.xml")
    assert parse_wxr(https, "small.xml") == expected
    assert parse_wxr(old, "small.xml") == expected


def test_bom_and_crlf_do_not_matter() -> None:
    data = SMALL.read_bytes()
    variant = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    assert [t.comments for t in parse_bytes(variant, "small.xml")] == [t.comments for t in small()]


def test_same_export_same_hash_changed_comment_new_hash() -> None:
    text = SMALL.read_text(encoding="utf-8")
    first = parse_wxr(text, "small.xml")
    assert [t.content_hash for t in first] == [t.content_hash for t in parse_wxr(text, "x.xml")]
    changed = parse_wxr(text.replace("Nice page.", "Nice page!"), "small.xml")
    assert first[0].content_hash == changed[0].content_hash
    assert first[1].content_hash != changed[1].content_hash


async def test_importing_the_export_twice_changes_nothing(storage: Storage) -> None:
    for thread in small():
        assert (await ingest_thread(storage, thread, guild_id=7)).status == "added"
    for thread in small():
        assert (await ingest_thread(storage, thread, guild_id=7)).status == "unchanged"
    stored = await storage.threads.visible(7)
    assert sorted(t.title for t in stored) == ["About", "Tea & Biscuits: A “Debate”"]


# ---- refused input -----------------------------------------------------------------------

WP = 'xmlns:wp="http://wordpress.org/export/1.2/"'


def refuse(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_bytes(text.encode(), "bad.xml")
    assert info.value.file == "bad.xml"
    return info.value


def test_malformed_xml_names_the_line() -> None:
    error = refuse(f'<?xml version="1.0"?>\n<rss {WP}>\n<channel>\n<item>\n</channel>\n</rss>\n')
    assert error.line == 5
    assert "well-formed XML" in error.expected


def test_entity_expansion_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "aaaaaaaaaa">\n'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
        f"<rss {WP}><channel><title>&b;</title></channel></rss>\n"
    )
    error = refuse(bomb)
    assert "entity" in error.expected
    assert error.line == 3


def test_external_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    xxe = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        f"<rss {WP}><channel><item><title>&xxe;</title></item></channel></rss>\n"
    )
    error = refuse(xxe)
    assert "TOP SECRET" not in str(error)
    assert "external" in error.expected or "entity" in error.expected


def test_plain_rss_is_not_a_wordpress_export() -> None:
    error = refuse('<?xml version="1.0"?>\n<rss version="2.0"><channel><item/></channel></rss>')
    assert "WordPress" in error.expected


def test_other_xml_is_not_a_wordpress_export() -> None:
    error = refuse('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"/>')
    assert "<rss>" in error.expected


def test_an_export_without_approved_comments_is_refused() -> None:
    text = (
        f'<?xml version="1.0"?>\n<rss {WP}>\n<channel>\n<item><title>T</title>'
        "<wp:post_type>post</wp:post_type><wp:status>publish</wp:status>"
        "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_approved>0"
        "</wp:comment_approved></wp:comment></item>\n</channel>\n</rss>\n"
    )
    error = refuse(text)
    assert error.line == 3
    assert "approved comments" in error.expected


def test_a_broken_comment_id_names_its_line() -> None:
    text = (
        f'<?xml version="1.0"?>\n<rss {WP}>\n<channel>\n<item>\n<title>T</title>\n'
        "<wp:comment>\n<wp:comment_id>x1</wp:comment_id>\n</wp:comment>\n"
        "</item>\n</channel>\n</rss>\n"
    )
    error = refuse(text)
    assert error.line == 6
    assert "comment_id" in error.expected


# ---- WordPress's own theme unit test export ---------------------------------------------

needs_theme_data = pytest.mark.skipif(
    not THEME_TEST.is_file(),
    reason=f"WordPress theme unit test data not found at {THEME_TEST} (../shared/data/)",
)


@pytest.fixture(scope="module")
def theme() -> list[Thread]:
    return parse_bytes(THEME_TEST.read_bytes(), THEME_TEST.name)


@needs_theme_data
def test_template_comments(theme: list[Thread]) -> None:
    thread = by_title(theme, "Template: Comments")
    text = THEME_TEST.read_text(encoding="utf-8")
    start = text.index("<title>Template: Comments</title>")
    item = text[start : text.index("</item>", start)]
    # The file holds 20 comments; one ("auser") is unapproved, so 19 are imported.
    assert item.count("<wp:comment>") == 20
    assert len(thread.comments) == 19
    assert any("1 unapproved comment" in w.message for w in thread.warnings)
    replies = [c for c in thread.comments if c.parent_number is not None]
    assert len(replies) == 9
    assert max(depth(thread, c.number) for c in thread.comments) == 10
    chain = [c.paragraphs[0][:16] for c in thread.comments if "Depth" in c.paragraphs[0]]
    assert chain == [f"Comment Depth {n:02d}" for n in range(1, 11)]
    greek = [c.author for c in thread.comments if any("α" <= ch <= "ω" for ch in c.author.lower())]
    assert "John Γιάννης Doe Κάποιος" in greek and len(greek) == 4
    for comment in thread.comments:  # parents always come earlier
        assert comment.parent_number is None or comment.parent_number < comment.number
    assert thread.author == "Theme Buster"
    assert "template" in thread.tags
    assert thread.url == "https://wpthemetestdata.wordpress.com/2012/01/03/template-comments/"


@needs_theme_data
def test_page_with_comments(theme: list[Thread]) -> None:
    thread = by_title(theme, "Page with comments")
    # Four comments in the file; the one reply (to comment 168) is unapproved, so it
    # is left out and said, and the three approved top-level comments remain.
    assert len(thread.comments) == 3
    assert all(c.parent_number is None for c in thread.comments)
    assert any("1 unapproved comment" in w.message for w in thread.warnings)


@needs_theme_data
def test_pingbacks_and_protected_and_empty_posts(theme: list[Thread]) -> None:
    pings = by_title(theme, "Template: Pingbacks And Trackbacks")
    assert [c.author for c in pings.comments] == ["John Doe"]
    assert any("2 trackbacks" in w.message and "2 pingbacks" in w.message for w in pings.warnings)
    assert not [t for t in theme if "Password Protected" in t.title]
    assert any("password-protected" in w.message for w in theme[0].warnings)
    empty = by_title(theme, "Edge Case: No Content")
    assert empty.article_paragraphs == ()
    assert len(empty.comments) == 1


@needs_theme_data
def test_every_thread_has_a_distinct_source_and_people(theme: list[Thread]) -> None:
    assert len({t.source for t in theme}) == len(theme) == 5
    assert sum(len(t.comments) for t in theme) == 25
    for thread in theme:
        assert all(c.author.strip() for c in thread.comments)


@needs_theme_data
async def test_quotations_in_a_comment_are_stored_as_words_from_outside(
    storage: Storage, theme: list[Thread]
) -> None:
    """The markup showcase comment: its <blockquote>, <q> and <cite> passages are kept and
    shown as quotations, not counted as the commenter's own words."""
    thread = by_title(theme, "Template: Comments")
    result = await ingest_thread(storage, thread, guild_id=7)
    first = (await storage.comments.all(result.thread_id))[0]
    outside = [p.text for p in first.paragraphs if p.quote is not None and p.quote.outside]
    assert "Stay hungry. Stay foolish." in outside
    assert '"Code is poetry." --Automattic' in outside
    assert "Stay hungry" not in first.own_text and "Two roads diverged" not in first.own_text
    assert "Single line blockquote:" in first.own_text
    stats = {a.name: a.word_count for a in await storage.comments.authors(result.thread_id)}
    assert stats[first.author] == len(first.own_text.split())


async def test_a_blockquote_in_the_article_is_kept_as_quoted_not_as_the_author_s(
    storage: Storage,
) -> None:
    """Stored with the thread (migration 8), and left out of the post author's summary."""
    from bot.summaries.engine import summarise_author, summarise_thread

    content = (
        "<p>I think the senator is wrong about the budget, and I say why below.</p>"
        "<blockquote><p>We will balance the budget within two years without new taxes, "
        "the senator declared on Tuesday.</p></blockquote>"
        "<p>My point is that nobody believes a balanced budget in two years.</p>"
    )
    text = (
        f'<?xml version="1.0"?>\n<rss {WP} xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n<item>\n<title>Budget</title>\n'
        "<dc:creator>ann</dc:creator>\n<wp:post_id>5</wp:post_id>\n<wp:status>publish</wp:status>\n"
        f"<content:encoded><![CDATA[{content}]]></content:encoded>\n"
        "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Bob</wp:comment_author>"
        "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>"
        "<wp:comment_content>I agree with you about the budget numbers here.</wp:comment_content>"
        "</wp:comment>\n</item>\n</channel>\n</rss>\n"
    )
    (parsed,) = parse_wxr(text, "budget.xml")
    assert parsed.quoted == frozenset({1})
    result = await ingest_thread(storage, parsed, guild_id=7)
    thread = await storage.threads.get(result.thread_id, 7)
    assert thread is not None and thread.quoted == (1,)
    comments = await storage.comments.all(thread.id)
    edges = await storage.edges.all(thread.id)
    summary = summarise_author(thread, comments, edges, "ann")
    shown = [summary.stance.sentence, *(p.sentence for p in summary.points)]
    assert shown and not any(s is not None and "senator declared" in s.text for s in shown)
    claim = summarise_thread(thread, comments, edges).claim
    assert claim and not any("senator declared" in s.text for s in claim)


@needs_theme_data
async def test_the_ten_deep_reply_chain_is_one_sub_conversation(
    storage: Storage, theme: list[Thread]
) -> None:
    from bot.summaries.engine import summarise_thread

    result = await ingest_thread(storage, by_title(theme, "Template: Comments"), guild_id=7)
    thread = await storage.threads.get(result.thread_id, 7)
    assert thread is not None
    comments = await storage.comments.all(thread.id)
    summary = summarise_thread(thread, comments, await storage.edges.all(thread.id))
    chains = [c for c in summary.conversations if 6 in c.numbers]
    assert len(chains) == 1 and set(range(6, 16)) <= set(chains[0].numbers)
    shown = [k.text for c in summary.conversations for side in c.sides for k in side.points]
    assert shown and not any("Stay hungry" in t or "Two roads" in t for t in shown)
