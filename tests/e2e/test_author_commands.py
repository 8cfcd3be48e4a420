"""``/author list|comments`` end to end: participants, one person's comments with and without a
search (hostile FTS syntax included), name autocomplete, unknown names."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import ThreadBot
from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_thread
from tests.backends import MakeDb
from tests.e2e.conftest import run_bot
from tests.fakediscord import GENERAL_ID, GUILD_ID, FakeDiscord, StoredMessage
from tests.fakediscord.threadbot import (
    SEED_FILE,
    SEED_SLUG,
    button_id,
    buttons,
    make_threadbot,
    message_text,
    thread_file,
)

pytestmark = pytest.mark.e2e

SEED = parse_thread(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name)
COUNTS = Counter(c.author for c in SEED.comments)
FIRST = {c.author: c.seq for c in reversed(SEED.comments)}
HOSTILE = [
    '"NEAR(',
    "-*",
    "*",
    '"',
    "NEAR(iran press",
    "(((",
    ")",
    "body:iran",
    "author:Bithead",
    "iran AND",
    "OR NOT",
    "^iran",
    "'; DROP TABLE comments; --",
    "{iran press}",
    "iran* -press",
]


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> AsyncIterator[ThreadBot]:
    async with run_bot(make_threadbot(fake_discord, await make_db("bot.db")), fake_discord) as bot:
        yield bot


def shown(message: StoredMessage | None) -> tuple[int, str]:
    assert message is not None
    [embed] = message.embeds
    return int(str(embed["title"]).split()[0].lstrip("#")), str(embed["author"]["name"])


async def author_comments(fake: FakeDiscord, **options: str) -> StoredMessage:
    reply = await (
        await fake.send_slash_command("author comments", {"thread": SEED_SLUG} | options)
    ).response()
    assert reply.message is not None
    return reply.message


async def walk(fake: FakeDiscord, message: StoredMessage) -> list[StoredMessage]:
    """Every page of a paginated message, pressing ▶ until it is disabled (copies of each)."""
    pages = [StoredMessage(message.id, message.channel_id, dict(message.data))]
    while "▶" in buttons(message) and not buttons(message)["▶"].get("disabled"):
        reply = await (await fake.press_button(message, button_id(message, "▶"))).response()
        assert reply.type == 7 and reply.message is not None
        message = reply.message
        pages.append(StoredMessage(message.id, message.channel_id, dict(message.data)))
    return pages


async def test_author_list_counts_everyone(fake_discord: FakeDiscord, bot: ThreadBot) -> None:
    reply = await (
        await fake_discord.send_slash_command("author list", {"thread": SEED.title})
    ).response()
    [embed] = reply.embeds
    assert embed["title"] == f"Who commented on {SEED.title}"
    lines = str(embed["description"]).splitlines()
    expected = sorted(COUNTS, key=lambda name: (-COUNTS[name], FIRST[name]))
    assert [line.split("**")[1] for line in lines] == expected
    for line, name in zip(lines, expected, strict=True):
        noun = "comment" if COUNTS[name] == 1 else "comments"
        assert f"— {COUNTS[name]} {noun}" in line
    assert f"{len(COUNTS)} participants" in embed["footer"]["text"]


async def test_one_persons_comments_page_by_page(fake_discord: FakeDiscord, bot: ThreadBot) -> None:
    message = await author_comments(fake_discord, name="michael")  # case-insensitive
    pages = await walk(fake_discord, message)
    michael = [c.number for c in SEED.comments if c.author == "Michael"]
    assert [shown(p) for p in pages] == [(n, "Michael") for n in michael]
    assert f"Michael's comment 1 of {len(michael)}" in message_text(pages[0])
    # ⏮ from the last page goes back to Michael's first comment.
    reply = await (await fake_discord.press_button(message, button_id(message, "⏮"))).response()
    assert shown(reply.message) == (michael[0], "Michael")


async def test_search_shows_only_matching_comments(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    hitler = await author_comments(fake_discord, name="Bithead", query="Hitler")
    assert shown(hitler) == (2, "Bithead") and buttons(hitler) == {}
    assert "matching “Hitler”" in message_text(hitler)

    iran = await author_comments(fake_discord, name="Bithead", query="iran")
    pages = await walk(fake_discord, iran)
    numbers = [shown(p)[0] for p in pages]
    assert len(pages) >= 2 and numbers == sorted(set(numbers))
    for page in pages:
        assert shown(page)[1] == "Bithead"
        assert "iran" in message_text(page).lower()
        assert f"of {len(pages)} matching “iran”" in message_text(page)
    bithead = [c.number for c in SEED.comments if c.author == "Bithead"]
    assert set(numbers) < set(bithead)

    # The jump button of a search goes to the n-th match.
    fresh = await author_comments(fake_discord, name="Bithead", query="iran")
    opened = await fake_discord.press_button(fresh, button_id(fresh, f"1 / {len(pages)}"))
    assert (await opened.response()).modal is not None
    jumped = await (await fake_discord.submit_modal(opened, {"Page number": "#4"})).response()
    assert jumped.type == 7 and shown(jumped.message) == shown(pages[3])

    nothing = await author_comments(fake_discord, name="Bithead", query="zebra")
    assert "No comments by Bithead matching “zebra”" in message_text(nothing)


async def test_hostile_search_input_never_breaks(
    fake_discord: FakeDiscord, bot: ThreadBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    for query in HOSTILE:
        message = await author_comments(fake_discord, name="Bithead", query=query)
        text = message_text(message)
        assert "went wrong" not in text, query
        assert not message.ephemeral, query
        if message.embeds and str(message.embeds[0]["title"]).startswith("#"):
            assert shown(message)[1] == "Bithead", query
        else:
            assert "No comments by Bithead matching" in text, query
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert len(fake_discord.messages(GENERAL_ID)) == len(HOSTILE)
    # The database is still whole and answers.
    assert await bot.storage.integrity_check() == "ok"
    again = await author_comments(fake_discord, name="Bithead", query="Hitler")
    assert shown(again) == (2, "Bithead")


async def test_name_autocomplete_prefix_fuzzy_and_accents(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    async def choices(typed: str, thread: str | None = SEED_SLUG) -> list[dict[str, str]]:
        options = {"name": typed} if thread is None else {"thread": thread, "name": typed}
        handle = await fake_discord.send_autocomplete("author comments", options, focused="name")
        reply = await handle.response()
        assert reply.type == 8 and reply.choices is not None
        return reply.choices

    everyone = await choices("")
    by_activity = sorted(COUNTS, key=lambda name: (-COUNTS[name], FIRST[name]))
    assert [c["value"] for c in everyone] == by_activity
    assert everyone[0]["name"] == f"Bithead · {COUNTS['Bithead']} comments"
    assert (await choices("mic"))[0]["value"] == "Michael"
    assert (await choices("juho"))[0]["value"] == "Juho§"  # accent- and symbol-insensitive
    assert (await choices("Bithed"))[0]["value"] == "Bithead"  # fuzzy
    assert (await choices("loser"))[0]["value"] == "DC Loser"  # a word of the name
    assert await choices("b", thread=None) == []  # no thread chosen yet: nothing to offer
    # The thread may be named by the id its own autocomplete sent.
    thread_id = str((await bot.storage.threads.find(SEED_SLUG, GUILD_ID)).id)  # type: ignore[union-attr]
    assert (await choices("tequ", thread=thread_id))[0]["value"] == "tequila"


async def test_name_autocomplete_stops_at_25(fake_discord: FakeDiscord, bot: ThreadBot) -> None:
    people = [(f"Person {i:02d}", [f"Comment number {i} from person {i}."]) for i in range(40)]
    thread = parse_thread(thread_file("Crowded thread", people), "crowded.txt")
    result = await ingest_thread(bot.storage, thread, guild_id=GUILD_ID)
    for typed in ("", "person", "Person 1"):
        handle = await fake_discord.send_autocomplete(
            "author comments", {"thread": str(result.thread_id), "name": typed}, focused="name"
        )
        got = (await handle.response()).choices
        assert got is not None and 1 <= len(got) <= 25, typed
    assert len(got) >= 10 and {c["value"] for c in got[:10]} == {f"Person 1{i}" for i in range(10)}
    listed = await (
        await fake_discord.send_slash_command("author list", {"thread": str(result.thread_id)})
    ).response()
    assert "1 / 2" in buttons(listed)  # 40 people, twenty to a page


async def test_unknown_name_or_thread_is_ephemeral_with_suggestions(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    reply = await (
        await fake_discord.send_slash_command(
            "author comments", {"thread": SEED_SLUG, "name": "Bithed"}
        )
    ).response()
    assert reply.ephemeral
    assert "No person matches “Bithed”" in reply.content and "“Bithead”" in reply.content
    reply = await (
        await fake_discord.send_slash_command(
            "author comments", {"thread": "no such thread", "name": "Bithead"}
        )
    ).response()
    assert reply.ephemeral and "No thread matches “no such thread”" in reply.content
    reply = await (
        await fake_discord.send_slash_command("author list", {"thread": "Iraq cease fire ovr"})
    ).response()
    assert reply.ephemeral and f"Did you mean: “{SEED.title}”" in reply.content
    assert fake_discord.messages(GENERAL_ID) == []


async def test_search_too_long_for_buttons_says_so(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    long_query = " ".join(["iran"] * 20)[:100]  # matches what "iran" matches, 100 characters
    message = await author_comments(fake_discord, name="Bithead", query=long_query)
    assert buttons(message) == {}  # a custom_id cannot carry it
    assert "too long to keep in the page buttons" in message.content
    assert shown(message)[1] == "Bithead"

    # A query with colons and quotes still rides in the custom_id and pages.
    plain = [
        shown(p)
        for p in await walk(
            fake_discord, await author_comments(fake_discord, name="Bithead", query="iran")
        )
    ]
    odd = await walk(
        fake_discord, await author_comments(fake_discord, name="Bithead", query='iran: "the"')
    )
    assert len(odd) >= 2 and set(shown(p) for p in odd) <= set(plain)
    assert all('matching “iran: "the"”' in message_text(p) for p in odd)
