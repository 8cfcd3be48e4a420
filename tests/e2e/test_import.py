"""``/thread import`` end to end: a real attachment option, permission checks, the report,
and a bad file that names its line and leaves the database exactly as it was."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import ThreadBot
from tests.backends import MakeDb
from tests.e2e.conftest import run_bot
from tests.fakediscord import (
    ADMIN_ID,
    GENERAL_ID,
    GUILD_ID,
    MEMBER_ID,
    MODERATOR_ROLE_ID,
    Attachment,
    FakeDiscord,
    InteractionReply,
)
from tests.fakediscord.threadbot import (
    ROOT,
    SEED_SLUG,
    button_id,
    buttons,
    make_threadbot,
    message_text,
    thread_file,
)

pytestmark = pytest.mark.e2e

GOOD = thread_file(
    "Tea or coffee",
    [
        ("Ann", ["Tea, obviously."]),
        ("Ben", ["Coffee. Ann, you are wrong."]),
        ("Ann", ["Tea, obviously.", "Still tea."]),
    ],
)


MODERATORS = [ADMIN_ID, *range(110, 116)]
"""Members allowed to import. One import per person per 30 s (a cooldown), so each
import in a test comes from the next moderator."""


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> AsyncIterator[ThreadBot]:
    for user_id in MODERATORS[1:]:
        fake_discord.add_member(GUILD_ID, user_id, f"mod{user_id}", roles=[MODERATOR_ROLE_ID])
    async with run_bot(make_threadbot(fake_discord, await make_db("bot.db")), fake_discord) as bot:
        yield bot


async def import_file(
    fake: FakeDiscord, name: str, text: str | bytes, *, user: int | None = None
) -> InteractionReply:
    """Upload ``text`` as ``name`` with /thread import (by the next moderator by default)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if user is None:
        used = {r.user_id for r in fake.interactions.values()}
        user = next(m for m in MODERATORS if m not in used)
    handle = await fake.send_slash_command(
        "thread import", {"file": Attachment(name, data)}, user=user
    )
    return await handle.response()


async def snapshot(bot: ThreadBot) -> list[tuple[int, str, str, int, int]]:
    """Every stored thread (all guilds) with its comment count and stored comments."""
    out = []
    for thread in await bot.storage.threads.all():
        comments = await bot.storage.comments.all(thread.id)
        out.append((thread.id, thread.slug, thread.title, thread.comment_count, len(comments)))
    return out


async def test_member_without_permission_is_refused(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    before = await snapshot(bot)
    reply = await import_file(fake_discord, "tea.txt", GOOD, user=MEMBER_ID)
    assert reply.ephemeral
    assert "You need the Manage Server permission" in reply.content
    assert await snapshot(bot) == before
    assert fake_discord.messages(GENERAL_ID) == []


async def test_admin_import_is_reported_and_readable(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    reply = await import_file(fake_discord, "tea.txt", GOOD, user=ADMIN_ID)
    assert reply.type == 5 and reply.ephemeral  # deferred privately, then the report
    text = reply.content
    assert "Imported **tea.txt**" in text
    assert "Tea or coffee" in text and "3 comments by 2 people" in text and "added" in text
    assert reply.message is not None and reply.message.allowed_mentions == {"parse": []}

    threads = {t.title: t for t in await bot.storage.threads.visible(GUILD_ID)}
    assert set(threads) == {"Tea or coffee", "Iraq Cease-Fire Over"}
    listed = await (await fake_discord.send_slash_command("thread list")).response()
    assert "Tea or coffee" in message_text(listed) and "2 threads" in message_text(listed)
    page = await (
        await fake_discord.send_slash_command(
            "thread comments", {"thread": "Tea or coffee", "start": 2}
        )
    ).response()
    assert page.embeds[0]["title"] == "#2" and page.embeds[0]["author"]["name"] == "Ben"
    # Only this guild sees it: a DM lists the shipped thread alone.
    dm = int(fake_discord.dm_channel(MEMBER_ID)["id"])
    in_dm = await (await fake_discord.send_slash_command("thread list", channel_id=dm)).response()
    assert "Tea or coffee" not in message_text(in_dm) and SEED_SLUG in message_text(in_dm)

    again = await import_file(fake_discord, "tea.txt", GOOD)
    assert "already here, unchanged" in again.content
    assert len(await bot.storage.threads.visible(GUILD_ID)) == 2


async def test_bad_file_names_its_line_and_changes_nothing(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    assert "added" in (await import_file(fake_discord, "tea.txt", GOOD)).content
    before = await snapshot(bot)
    lines = GOOD.splitlines()
    at = lines.index("    Coffee. Ann, you are wrong.") + 1
    bad = "\n".join([*lines[:at], "junk that is not indented", *lines[at:]])
    junk_line = at + 1  # 1-based

    for name in ("tea.txt", "other.txt"):  # replacing an import, and a new one
        reply = await import_file(fake_discord, name, bad)
        assert reply.ephemeral, name
        assert f"Could not import {name}, line {junk_line}" in reply.content, reply.content
        assert await snapshot(bot) == before, name

    empty = await import_file(fake_discord, "empty.txt", b"")
    assert empty.ephemeral and "empty" in empty.content
    binary = await import_file(fake_discord, "blob.txt", bytes(range(256)) * 4)
    assert binary.ephemeral and "Could not import blob.txt" in binary.content
    assert await snapshot(bot) == before
    assert fake_discord.messages(GENERAL_ID) == []


async def test_too_large_file_is_refused_before_download(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    small = make_threadbot(fake_discord, await make_db("small.db"), import_max_bytes=200)
    async with run_bot(small, fake_discord) as bot:
        before = await snapshot(bot)
        reply = await import_file(fake_discord, "tea.txt", GOOD)
        assert reply.ephemeral and "imports are limited to 200 bytes" in reply.content
        assert await snapshot(bot) == before


async def test_wordpress_export_and_other_encodings_import(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    wxr = (ROOT / "tests" / "bot" / "sources" / "fixtures" / "wxr_small.xml").read_bytes()
    reply = await import_file(fake_discord, "export.xml", wxr)
    assert "2 threads, 6 comments" in reply.content, reply.content
    assert "Tea &amp; Biscuits" not in reply.content and "Tea & Biscuits" in reply.content
    # Threaded replies from the export (comment 3 answers 1) show in /thread replies.
    replies = await (
        await fake_discord.send_slash_command(
            "thread replies", {"thread": "Tea & Biscuits: A “Debate”", "comment": 3}
        )
    ).response()
    assert "#1" in message_text(replies) and "threaded reply" in message_text(replies)

    # Windows-1252 and UTF-16 (Notepad's "Unicode") files read as the same text.
    accented = thread_file("Café crème", [("Zoë", ["Déjà vu — naïve façade."]), ("Ann", ["Oui."])])
    for name, data in (
        ("cp1252.txt", accented.encode("cp1252")),
        ("utf16.txt", accented.replace("Café crème", "Café crème 16").encode("utf-16")),
    ):
        reply = await import_file(fake_discord, name, data)
        assert "2 comments by 2 people" in reply.content, (name, reply.content)
    page = await (
        await fake_discord.send_slash_command("thread comments", {"thread": "Café crème"})
    ).response()
    assert page.embeds[0]["author"]["name"] == "Zoë"
    assert "Déjà vu — naïve façade." in message_text(page)


async def test_odd_numbering_is_reported_and_numbers_still_find_comments(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    text = thread_file(
        "Gaps", [("Ann", ["First."]), ("Ben", ["Second."]), ("Cy", ["Third."]), ("Di", ["Last."])]
    )
    text = text.replace("  3. Cy says:", "  7. Cy says:").replace("  4. Di says:", "  8. Di says:")
    reply = await import_file(fake_discord, "gaps.txt", text)
    assert "comment number 7 follows 2 (expected 3)" in reply.content, reply.content
    page = await (
        await fake_discord.send_slash_command("thread comments", {"thread": "Gaps", "start": 7})
    ).response()
    assert page.embeds[0]["title"] == "#7" and page.embeds[0]["author"]["name"] == "Cy"
    assert "3 / 4" in buttons(page)  # the third comment of four, printed as #7
    replies = await (
        await fake_discord.send_slash_command("thread replies", {"thread": "Gaps", "comment": 8})
    ).response()
    assert replies.embeds[0]["title"] == "#8 by Di"


async def test_person_buttons_notice_a_reimport_that_moved_people(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    """A button names a person by the seq of their first comment; after the file is imported
    again with someone else at that seq it must not show that other person's comments."""
    v1 = thread_file(
        "Swap",
        [
            ("Ann", ["Ann opens."]),
            ("Ben", ["Ben answers."]),
            ("Ann", ["Ann again."]),
            ("Ben", ["Ben closes."]),
        ],
    )
    v2 = thread_file(
        "Swap",
        [
            ("Ann", ["Ann opens."]),
            ("Cy", ["Cy cuts in."]),
            ("Ben", ["Ben answers."]),
            ("Ben", ["Ben closes."]),
            ("Ben", ["Ben has the last word."]),
        ],
    )
    assert "added" in (await import_file(fake_discord, "swap.txt", v1)).content
    ben = await (
        await fake_discord.send_slash_command("author comments", {"thread": "Swap", "name": "Ben"})
    ).response()
    assert ben.message is not None and ben.embeds[0]["author"]["name"] == "Ben"
    ann = await (
        await fake_discord.send_slash_command("author comments", {"thread": "Swap", "name": "Ann"})
    ).response()
    assert ann.message is not None
    assert "updated" in (await import_file(fake_discord, "swap.txt", v2)).content

    moved = await (await fake_discord.press_button(ben.message, button_id(ben, "▶"))).response()
    assert moved.ephemeral and "no longer matches" in moved.content
    assert fake_discord.message(ben.message.id).embeds[0]["author"]["name"] == "Ben"  # type: ignore[union-attr]
    # Ann is still at her seq: her buttons keep working on the new version.
    still = await (await fake_discord.press_button(ann.message, button_id(ann, "▶"))).response()
    assert still.type == 7 and still.embeds[0]["author"]["name"] == "Ann"


async def test_a_refused_file_does_not_use_up_the_import_cooldown(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    """Nothing came of a refused file, so its author may send the fixed file at once;
    a successful import does count."""
    bad = GOOD.replace("    Coffee. Ann, you are wrong.", "Coffee. Ann, you are wrong.")
    refused = await import_file(fake_discord, "tea.txt", bad, user=ADMIN_ID)
    assert refused.ephemeral and "Could not import tea.txt" in refused.content
    fixed = await import_file(fake_discord, "tea.txt", GOOD, user=ADMIN_ID)
    assert "added" in fixed.content, fixed.content
    again = await import_file(fake_discord, "tea.txt", GOOD, user=ADMIN_ID)
    assert again.ephemeral and "try again in" in again.content
