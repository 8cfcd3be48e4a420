"""HTML bodies to paragraphs, and which paragraphs the markup says are quotations."""

from __future__ import annotations

import pytest

from bot.sources.html import HtmlParagraph, html_blocks, html_line, html_paragraphs
from bot.sources.loading import parse_bytes
from tests.conftest import SHARED

THEME_TEST = SHARED / "data" / "wordpress-theme-unit-test.xml"


def quoted(fragment: str) -> list[str]:
    return [p.text for p in html_blocks(fragment) if p.quoted]


def test_html_paragraphs_edge_cases() -> None:
    assert html_paragraphs("") == ()
    assert html_paragraphs("<p></p>\n\n<div> </div>") == ()
    assert html_paragraphs("a<br>\nb") == ("a\nb",)
    assert html_paragraphs("<style>p{}</style>x &lt;b&gt; y") == ("x <b> y",)
    assert html_paragraphs("<table><tr><td>a</td><td>b</td></tr></table>") == ("a b",)
    assert html_line("<b>A</b>\n  title ") == "A title"


def test_blockquotes_are_quoted_and_own_paragraphs_are_not() -> None:
    blocks = html_blocks(
        "<p>I think so.</p><blockquote><p>Stay hungry.</p><p>Stay foolish.</p></blockquote>"
        "Right after it, mine again."
    )
    assert blocks == (
        HtmlParagraph("I think so."),
        HtmlParagraph("Stay hungry.", quoted=True),
        HtmlParagraph("Stay foolish.", quoted=True),
        HtmlParagraph("Right after it, mine again."),
    )
    nested = "<blockquote><blockquote>deep</blockquote>outer</blockquote>after"
    assert quoted(nested) == ["deep", "outer"]


def test_q_keeps_its_marks_and_quotes_a_paragraph_it_fills() -> None:
    blocks = html_blocks(
        "<q>Developers, developers, developers...</q> --Steve Ballmer\n\n"
        "As <q>he</q> said, I disagree with most of it and I say so at length here."
    )
    assert blocks[0] == HtmlParagraph(
        "“Developers, developers, developers...” --Steve Ballmer", True
    )
    assert blocks[1].text.startswith("As “he” said") and not blocks[1].quoted


@pytest.mark.parametrize(
    ("fragment", "is_quoted"),
    [
        ('"Code is poetry." --<cite>Automattic</cite>', True),
        ("<cite>multiple contributors</cite> - MDN HTML element reference", True),
        ("Quote — <cite>Someone</cite>", True),
        ("I loved <cite>The Road</cite> by McCarthy, and I still do.", False),
    ],
)
def test_cite_as_an_attribution(fragment: str, is_quoted: bool) -> None:
    assert html_blocks(fragment)[0].quoted is is_quoted


def test_a_pre_that_cites_its_author_is_the_author_s_text() -> None:
    blocks = html_blocks(
        "Mine.\n<pre>\n <cite>Robert Frost</cite>\n\n\tTwo roads diverged\n\n\tI took one</pre>"
        "\nMine too."
    )
    assert [b.quoted for b in blocks] == [False, True, True, True, False]
    assert not html_blocks("<pre>code block</pre>")[0].quoted


@pytest.mark.skipif(not THEME_TEST.is_file(), reason=f"no WordPress test data at {THEME_TEST}")
def test_theme_unit_test_comment_quotes() -> None:
    """The markup showcase comment of "Template: Comments": every quotation it holds."""
    threads = parse_bytes(THEME_TEST.read_bytes(), THEME_TEST.name)
    thread = next(t for t in threads if t.title == "Template: Comments")
    first = thread.comments[0]
    marked = [first.paragraphs[i] for i in sorted(first.quoted)]
    assert "Stay hungry. Stay foolish." in marked
    assert any(p.startswith("The HTML <blockquote> Element") for p in marked)
    assert any(p.startswith("multiple contributors") for p in marked)
    assert '"Code is poetry." --Automattic' in marked
    assert "“Developers, developers, developers...” --Steve Ballmer" in marked
    assert "Robert Frost" in marked
    assert any(p.startswith("Two roads diverged") for p in marked)
    own = [p for i, p in enumerate(first.paragraphs) if i not in first.quoted]
    assert "Single line blockquote:" in own and "Blockquotes" in own
    assert not any("Stay hungry" in p or "Two roads" in p for p in own)
    assert all(not c.quoted for c in thread.comments[1:])


def test_markup_is_read_without_an_html_parser_and_the_same() -> None:
    """The linear tokenizer: quoted '>' in attributes, bare '<' in text, unclosed comments."""
    assert html_paragraphs("<a title=\"a>b\" href='x'>link</a> text") == ("link text",)
    assert html_paragraphs("a < b and c > d &amp; e") == ("a < b and c > d & e",)
    assert html_paragraphs("<p>seen</p><!-- unclosed <p>hidden") == ("seen",)
    assert html_paragraphs("<P>One</P><SCRIPT>x<p>y</p></SCRIPT><br/>Two") == ("One", "Two")
    assert html_paragraphs("<!DOCTYPE html><?php echo 1 ?><![CDATA[x]]>words") == ("words",)
