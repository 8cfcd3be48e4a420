"""Ingest: idempotent, atomic, replacing in place; delete removes every derived row."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import pytest

from bot.models import ReplyEdge, ReplyStructure
from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_thread
from bot.storage import Storage
from tests.backends import INTEGRITY_ERRORS, snapshot
from tests.conftest import SEED_FILE


async def test_seed_ingest_is_idempotent(seeded: Storage, seed_text: str) -> None:
    before = await snapshot(seeded)
    thread = parse_thread(seed_text, SEED_FILE.name)
    result = await ingest_thread(seeded, thread)
    assert result.status == "unchanged"
    assert result.comment_count == 31 and result.authors == 8
    assert await snapshot(seeded) == before


async def test_changed_file_replaces_in_place(seeded: Storage, seed_text: str) -> None:
    old = await seeded.threads.find("iraq-cease-fire-over")
    assert old is not None
    changed = parse_thread(
        seed_text.replace("Ever heard of Checkpoint Charlie?", "Ever heard of it?"), SEED_FILE.name
    )
    result = await ingest_thread(seeded, changed)
    assert result.status == "replaced" and result.thread_id == old.id
    threads = await seeded.threads.visible(None)
    assert len(threads) == 1 and threads[0].content_hash == changed.content_hash
    texts = [p.text for c in await seeded.comments.all(old.id) for p in c.paragraphs]
    assert "Ever heard of it?" in texts
    assert "Ever heard of Checkpoint Charlie?" not in texts
    # the FTS index was rebuilt too: no orphan rows
    hits = await seeded.comments.by_author(old.id, "DC Loser", query="Charlie")
    assert [c.number for c in hits] == [21]
    assert await seeded.integrity_check() == "ok"  # the search index matches the new text


async def test_newer_inference_rederives_an_unchanged_file(seeded: Storage, seed_text: str) -> None:
    """Upgrading the inference re-derives stored threads from the same file in place;
    only the same text inferred by the same version is left alone."""
    from bot.inference.replies import INFERENCE_VERSION, infer_replies

    old = await seeded.threads.find("iraq-cease-fire-over")
    assert old is not None
    thread = parse_thread(seed_text, SEED_FILE.name)
    only_article = ReplyStructure(
        quotes={}, edges=(ReplyEdge(source=1, target=0, via="article", snippet=""),)
    )
    stale = await seeded.ingest(thread, only_article, inference_version=INFERENCE_VERSION - 1)
    assert stale.status == "replaced" and stale.thread_id == old.id
    assert len(await seeded.edges.all(old.id)) == 1
    current = await seeded.ingest(
        thread, infer_replies(thread), inference_version=INFERENCE_VERSION
    )
    assert current.status == "replaced" and current.thread_id == old.id
    assert len(await seeded.edges.all(old.id)) == 36
    assert (await ingest_thread(seeded, thread)).status == "unchanged"
    assert await seeded.integrity_check() == "ok"


async def test_failed_ingest_leaves_database_unchanged(seeded: Storage, seed_text: str) -> None:
    before = await snapshot(seeded)
    changed = parse_thread(seed_text.replace("Iraq Cease-Fire Over", "Changed"), SEED_FILE.name)
    bad = ReplyStructure(edges=(ReplyEdge(1, 0, cast(Any, "bogus")),))
    with pytest.raises(INTEGRITY_ERRORS):
        await seeded.ingest(changed, bad)
    assert await snapshot(seeded) == before
    other = replace(changed, source="other.txt")
    with pytest.raises(INTEGRITY_ERRORS):
        await seeded.ingest(other, bad)
    assert await snapshot(seeded) == before
    assert await seeded.integrity_check() == "ok"


async def test_slugs_stay_unique(storage: Storage) -> None:
    text = "Same Title\n\nLede.\n\nBody.\n"
    first = await ingest_thread(storage, parse_thread(text, "a.txt"))
    second = await ingest_thread(storage, parse_thread(text + "\nMore.\n", "b.txt"))
    assert (first.slug, second.slug) == ("same-title", "same-title-2")


async def test_delete_removes_everything(seeded: Storage) -> None:
    thread = await seeded.threads.find("iraq-cease-fire-over")
    assert thread is not None
    await seeded.summaries.put(thread.id, "", "offline", thread.content_hash, "{}")
    assert await seeded.threads.delete(thread.id)
    rows = await snapshot(seeded)
    for table in ("threads", "authors", "comments", "paragraphs", "edges", "summaries", "search"):
        assert rows[table] == [], table


async def test_stored_content_is_found_before_the_file_name(storage: Storage) -> None:
    """Ingest looks a thread up by its content first, then by its file: the text of
    ``a.txt`` arriving as ``b.txt`` is ``a.txt``'s thread (unchanged, or re-derived in place
    by a newer inference), never a replacement of ``b.txt``'s."""
    a = parse_thread("Title A\n\nLede.\n\nBody.\n", "a.txt")
    b = parse_thread("Title B\n\nLede.\n\nBody.\n", "b.txt")
    first = await storage.ingest(a, ReplyStructure())
    second = await storage.ingest(b, ReplyStructure())
    renamed = replace(a, source="b.txt")
    same = await storage.ingest(renamed, ReplyStructure())
    assert (same.status, same.thread_id) == ("unchanged", first.thread_id)
    newer = await storage.ingest(renamed, ReplyStructure(), inference_version=1)
    assert (newer.status, newer.thread_id) == ("replaced", first.thread_id)
    changed = await storage.ingest(replace(b, content_hash="c" * 64), ReplyStructure())
    assert (changed.status, changed.thread_id) == ("replaced", second.thread_id)
    assert [t.title for t in await storage.threads.visible(None)] == ["Title A", "Title B"]
