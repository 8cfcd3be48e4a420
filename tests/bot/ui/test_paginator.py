"""The shared paginator: custom_id state, navigation, scoping on every press, restarts, jumps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import ThreadBot
from bot.models import Comment, ReplyStructure, StoredThread, Thread
from bot.sources.loading import ingest_files
from bot.storage import Storage
from bot.ui.pages import LAST, AuthorCommentsSource, CommentsSource, ThreadListSource, name_tag
from bot.ui.paginator import DYNAMIC_ITEMS, JumpModal, build_view, navigation, start
from tests.cogs.conftest import (
    GUILD,
    OTHER_GUILD,
    FakeInteraction,
    Sent,
    make_bot,
    press,
    submit,
    synthetic_replies,
    synthetic_thread,
)
from tests.conftest import SEEDS


@pytest.fixture
async def bot(seeded: Storage) -> AsyncIterator[ThreadBot]:
    yield await make_bot(seeded)


@pytest.fixture
async def synthetic(seeded: Storage) -> StoredThread:
    """The 500-comment synthetic thread, imported into GUILD only."""
    thread = synthetic_thread()
    result = await seeded.ingest(thread, synthetic_replies(thread), guild_id=GUILD)
    stored = await seeded.threads.get(result.thread_id, GUILD)
    assert stored is not None
    return stored


async def seed_thread(storage: Storage) -> StoredThread:
    thread = (await storage.threads.visible(None))[0]
    assert thread.shipped
    return thread


def ok(sent: Sent) -> Sent:
    assert sent.problems() == [], sent.problems()
    return sent


async def open_comments(
    bot: ThreadBot, thread: StoredThread, page: int = 1, *, guild_id: int | None = GUILD
) -> Sent:
    interaction = FakeInteraction(bot, guild_id=guild_id)
    await start(interaction, CommentsSource(bot.storage, thread), page=page)
    return ok(interaction.last)


async def click(bot: ThreadBot, sent: Sent, label: str, guild_id: int | None = GUILD) -> Sent:
    button = sent.button(label)
    assert not button.get("disabled"), f"{label} is disabled"
    interaction = await press(bot, button["custom_id"], guild_id=guild_id, label=button["label"])
    assert len(interaction.sent) == 1, "a press is answered exactly once"
    return ok(interaction.last)


# ---- pure navigation -----------------------------------------------------------------


def test_navigation_moves_through_parts_before_pages() -> None:
    nav = navigation(page=5, pages=31, part=0, parts=3)
    assert nav.targets["n"] == (5, 1)
    assert nav.targets["p"] == (4, LAST)
    assert nav.targets["f"] == (1, 0) and nav.targets["l"] == (31, 0)
    assert nav.disabled == set()
    nav = navigation(page=5, pages=31, part=2, parts=3)
    assert nav.targets["n"] == (6, 0) and nav.targets["p"] == (5, 1)


def test_navigation_disables_what_leads_nowhere() -> None:
    assert navigation(1, 31, 0, 1).disabled == {"f", "p"}
    assert navigation(31, 31, 0, 1).disabled == {"n", "l"}
    assert navigation(31, 31, 0, 2).disabled == {"l"}
    assert navigation(1, 1, 1, 2).disabled == {"n", "l"}


# ---- custom_id format ----------------------------------------------------------------


async def test_custom_ids_name_targets_and_match_exactly_one_template(
    bot: ThreadBot, seeded: Storage
) -> None:
    sent = await open_comments(bot, await seed_thread(seeded), page=5)
    thread_id = (await seed_thread(seeded)).id
    assert sent.custom_ids == [
        f"tb:pg:c:f:{thread_id}:1:0",
        f"tb:pg:c:p:{thread_id}:4:L",
        f"tb:pg:c:j:{thread_id}:5:0",
        f"tb:pg:c:n:{thread_id}:6:0",
        f"tb:pg:c:l:{thread_id}:31:0",
    ]
    assert sent.labels == ["⏮", "◀", "5 / 31", "▶", "⏭"]
    for custom_id in sent.custom_ids:
        matching = [
            f for f in DYNAMIC_ITEMS if f.__discord_ui_compiled_template__.fullmatch(custom_id)
        ]
        assert len(matching) == 1


async def test_a_short_query_rides_in_the_custom_id_and_a_long_one_does_not(
    seeded: Storage,
) -> None:
    thread = await seed_thread(seeded)
    short = await AuthorCommentsSource.create(seeded, thread, "Bithead", "  iran ")
    tag = name_tag("Bithead")
    assert short.custom_id("n", 2, 0) == f"tb:pg:a:n:{thread.id}:2:0:2.{tag}:iran"
    assert short.fits(14)
    page = await short.render(1)
    view = build_view(short, page)
    assert view is not None
    long = await AuthorCommentsSource.create(seeded, thread, "Bithead", "iran " * 20)
    assert not long.fits(14)
    assert build_view(long, await long.render(1)) is None


# ---- pressing ------------------------------------------------------------------------


async def test_paging_through_the_seed(bot: ThreadBot, seeded: Storage) -> None:
    sent = await open_comments(bot, await seed_thread(seeded), page=5)
    assert sent.embeds[0].title == "#5" and sent.embeds[0].author.name == "Juho§"
    after = await click(bot, sent, "▶")
    assert after.how == "edit"
    assert after.embeds[0].title == "#6" and after.embeds[0].author.name == "Bithead"
    back = await click(bot, after, "◀")
    assert back.embeds[0].title == "#5"
    last = await click(bot, back, "⏭")
    assert last.embeds[0].title == "#31"
    assert last.button("▶").get("disabled") and last.button("⏭").get("disabled")
    first = await click(bot, last, "⏮")
    assert first.embeds[0].title == "#1"
    assert first.button("◀").get("disabled")


async def test_a_30000_character_comment_pages_through_its_parts(
    bot: ThreadBot, synthetic: StoredThread
) -> None:
    sent = await open_comments(bot, synthetic, page=250)
    parts = []
    while sent.embeds[0].title == "#250":
        parts.append(sent.embeds[0].description or "")
        sent = await click(bot, sent, "▶")
    assert len(parts) >= 8
    assert sent.embeds[0].title == "#251"
    assert sum(len(p) for p in parts) >= 30_000
    back = await click(bot, sent, "◀")
    assert back.embeds[0].title == "#250"
    assert (back.embeds[0].description or "") == parts[-1]  # the last part, not the first
    assert f"part {len(parts)} of {len(parts)}" in (back.embeds[0].footer.text or "")


async def test_every_page_of_the_synthetic_thread_is_within_limits(
    bot: ThreadBot, synthetic: StoredThread
) -> None:
    source = CommentsSource(bot.storage, synthetic)
    for page in range(1, synthetic.comment_count + 1, 7):
        interaction = FakeInteraction(bot)
        await start(interaction, source, page=page)
        ok(interaction.last)
    assert synthetic.comment_count == 500


async def test_a_press_from_another_server_is_refused(
    bot: ThreadBot, synthetic: StoredThread
) -> None:
    sent = await open_comments(bot, synthetic, page=3)
    button = sent.button("▶")
    for guild in (OTHER_GUILD, None):
        interaction = await press(bot, button["custom_id"], guild_id=guild)
        assert [s.how for s in interaction.sent] == ["send"]
        assert interaction.last.ephemeral
        assert "isn't available here" in (interaction.last.content or "")
        assert synthetic.title[:10] not in interaction.last.text()


async def test_a_crafted_custom_id_is_refused(bot: ThreadBot) -> None:
    for custom_id in ("tb:pg:c:n:999:2:0", "tb:pg:a:n:1:1:0:9999", "tb:pg:p:l:424242:1:0"):
        interaction = await press(bot, custom_id)
        assert [s.how for s in interaction.sent] == ["send"]
        assert interaction.last.ephemeral


async def test_shipped_threads_page_in_dms(bot: ThreadBot, seeded: Storage) -> None:
    sent = await open_comments(bot, await seed_thread(seeded), page=1, guild_id=None)
    after = await click(bot, sent, "▶", guild_id=None)
    assert after.embeds[0].title == "#2"


async def test_buttons_keep_working_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "restart.db"
    async with Storage(path) as first:
        assert (await ingest_files(first, [SEEDS])).ok
        thread = await seed_thread(first)
        sent = await open_comments(await make_bot(first), thread, page=5)
    next_id = sent.button("▶")["custom_id"]
    async with Storage(path) as second:
        fresh = await make_bot(second)
        interaction = await press(fresh, next_id)
        assert interaction.last.how == "edit"
        assert interaction.last.embeds[0].title == "#6"


async def test_a_deleted_thread_is_refused_not_crashed(
    bot: ThreadBot, synthetic: StoredThread
) -> None:
    sent = await open_comments(bot, synthetic, page=2)
    assert await bot.storage.threads.delete(synthetic.id)
    interaction = await press(bot, sent.button("▶")["custom_id"])
    assert interaction.last.ephemeral and interaction.last.how == "send"


# ---- the jump modal ------------------------------------------------------------------


async def test_jump_opens_a_modal_that_goes_to_a_comment_number(
    bot: ThreadBot, seeded: Storage
) -> None:
    sent = await open_comments(bot, await seed_thread(seeded), page=1)
    jump = sent.button("1 / 31")
    interaction = await press(bot, jump["custom_id"])
    assert interaction.last.how == "modal"
    modal = interaction.last.modal
    assert isinstance(modal, JumpModal)
    assert len(modal.title) <= 45
    done = await submit(bot, modal, "#12")
    assert done.last.how == "edit"
    assert done.last.embeds[0].title == "#12"
    ok(done.last)
    for bad in ("twelve", "0", "999"):
        refused = await submit(bot, modal, bad)
        assert refused.last.how == "send" and refused.last.ephemeral


async def test_a_jump_submitted_from_another_server_is_refused(
    bot: ThreadBot, synthetic: StoredThread
) -> None:
    sent = await open_comments(bot, synthetic, page=1)
    interaction = await press(bot, sent.button("1 / 500")["custom_id"])
    modal = interaction.last.modal
    assert modal is not None
    refused = await submit(bot, modal, "3", guild_id=OTHER_GUILD)
    assert refused.last.how == "send" and refused.last.ephemeral


# ---- the thread list -----------------------------------------------------------------


async def test_thread_list_pages_and_scopes(bot: ThreadBot, seeded: Storage) -> None:
    for i in range(24):
        comment = Comment(seq=1, number=1, author="A", paragraphs=("Hi.",))
        thread = Thread(
            source=f"g{i}.txt",
            title=f"Guild thread {i}",
            lede="",
            body=("Body.",),
            tags=(),
            author="W",
            author_bio="",
            comments=(comment,),
            content_hash=f"h{i}",
        )
        await seeded.ingest(thread, ReplyStructure(), guild_id=GUILD)
    interaction = FakeInteraction(bot)
    await start(interaction, ThreadListSource(seeded, GUILD))
    sent = ok(interaction.last)
    assert sent.labels[2] == "1 / 3"
    last = await click(bot, sent, "⏭")
    assert last.embeds[0].footer.text == "Page 3 of 3 · 25 threads"
    elsewhere = await press(bot, sent.button("⏭")["custom_id"], guild_id=OTHER_GUILD)
    assert elsewhere.last.embeds[0].footer.text == "Page 1 of 1 · 1 thread"
    dm = FakeInteraction(bot, guild_id=None)
    await start(dm, ThreadListSource(seeded, None))
    assert dm.last.view is None
    assert "Iraq Cease-Fire Over" in dm.last.text()
    assert "Guild thread" not in dm.last.text()
