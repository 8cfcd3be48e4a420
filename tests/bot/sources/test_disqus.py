"""Disqus exports: threads, posts, parent links; deleted and spam posts left out and said."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.models import ParseError, Thread
from bot.sources.disqus import parse_disqus
from bot.sources.loading import parse_bytes

FIXTURE = Path(__file__).parent / "fixtures" / "disqus_small.xml"


@pytest.fixture
def threads() -> list[Thread]:
    return parse_bytes(FIXTURE.read_bytes(), FIXTURE.name)


def test_each_thread_with_posts_becomes_a_thread(threads: list[Thread]) -> None:
    assert [t.title for t in threads] == ['Milk first? A "modest" proposal', "Kettles"]
    assert [t.source for t in threads] == ["disqus_small.xml#100", "disqus_small.xml#300"]
    milk = threads[0]
    assert milk.url == "https://teablog.example/2021/03/milk-first/"
    assert milk.author == "Edith" and milk.lede == "Pour the milk first."
    assert milk.published == "2021-03-01 09:00:00"


def test_posts_in_date_order_with_parents(threads: list[Thread]) -> None:
    milk = threads[0]
    assert [(c.number, c.author, c.parent_number) for c in milk.comments] == [
        (1, "Ann", None),
        (2, "Ben", 1),
        (3, "Cleo", 2),  # its parent was deleted: attached to the deleted post's parent
    ]
    assert milk.comments[0].paragraphs == ("Milk first is correct.", "Science agrees.")
    assert threads[1].comments[0].paragraphs == ("Stovetop kettles & whistles forever.",)


def test_deleted_and_spam_posts_are_left_out_and_said(threads: list[Thread]) -> None:
    [warning] = [w for w in threads[0].warnings if "left out" in w.message]
    assert "1 deleted post" in warning.message and "1 spam post" in warning.message
    assert warning.line > 0
    text = FIXTURE.read_text(encoding="utf-8")
    assert all(c.author not in ("Troll", "Spammer") for t in threads for c in t.comments)
    assert "cheap pills" in text  # present in the file, absent from the threads


def test_broken_exports_name_the_line() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    broken = text.replace('<thread dsq:id="100"/>\n    <parent dsq:id="1001"/>', "")
    with pytest.raises(ParseError, match='expected <post dsq:id="…"> with a <thread') as info:
        parse_disqus(broken, "x.xml")
    assert info.value.line == text[: text.index('<post dsq:id="1003">')].count("\n") + 1
    unknown = text.replace('<thread dsq:id="300"/>', '<thread dsq:id="999"/>')
    with pytest.raises(ParseError, match="names thread 999, not in the file"):
        parse_disqus(unknown, "x.xml")
    empty = text.split("<post ")[0] + "</disqus>\n"
    with pytest.raises(ParseError, match="at least one thread with posts"):
        parse_disqus(empty, "x.xml")
    with pytest.raises(ParseError, match="entity declarations"):
        parse_disqus(
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
            '<disqus xmlns="http://disqus.com">&a;</disqus>',
            "x.xml",
        )


def test_same_export_same_hash(threads: list[Thread]) -> None:
    again = parse_bytes(FIXTURE.read_bytes(), FIXTURE.name)
    assert [t.content_hash for t in again] == [t.content_hash for t in threads]
    changed = FIXTURE.read_text(encoding="utf-8").replace("Science agrees.", "Science disagrees.")
    assert parse_disqus(changed, FIXTURE.name)[0].content_hash != threads[0].content_hash
