"""Loading thread files: an unchanged file is not inferred again (an unchanged seed not
even parsed); a changed one is."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.inference import INFERENCE_VERSION
from bot.models import IngestResult, ReplyStructure, Thread
from bot.sources import loading
from bot.sources.loading import ingest_files, ingest_seeds
from bot.storage import Storage
from tests.conftest import SEED_FILE


@pytest.fixture
def inferred(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources inference ran on (the real inference still runs)."""
    seen: list[str] = []
    real = loading.infer_replies

    def counting(thread: Thread) -> ReplyStructure:
        seen.append(thread.source)
        return real(thread)

    monkeypatch.setattr(loading, "infer_replies", counting)
    return seen


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text captures parsed (the real parser still runs)."""
    seen: list[str] = []
    real = loading.parse_thread

    def counting(text: str, source: str) -> Thread:
        seen.append(source)
        return real(text, source)

    monkeypatch.setattr(loading, "parse_thread", counting)
    return seen


async def test_an_unchanged_seed_is_neither_parsed_nor_inferred(
    storage: Storage, tmp_path: Path, inferred: list[str], parsed: list[str]
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SEED_FILE.name).write_bytes(SEED_FILE.read_bytes())
    first = await ingest_seeds(storage, seeds)
    assert [r.status for r in first.results] == ["added"] and inferred == [SEED_FILE.name]
    again = await ingest_seeds(storage, seeds)
    assert [r.status for r in again.results] == ["unchanged"]
    assert inferred == [SEED_FILE.name], "an unchanged file was inferred again"
    assert parsed == [SEED_FILE.name], "an unchanged seed was parsed again"
    assert (again.results[0].thread_id, again.results[0].slug) == (
        first.results[0].thread_id,
        first.results[0].slug,
    )
    assert (again.results[0].comment_count, again.results[0].authors) == (31, 8)
    # the hash is of the normalised text, as the parser computes it: CRLF and a BOM
    # change the bytes, not the content
    crlf = "\ufeff" + SEED_FILE.read_text(encoding="utf-8").replace("\n", "\r\n")
    (seeds / SEED_FILE.name).write_bytes(crlf.encode("utf-8"))
    assert [r.status for r in (await ingest_seeds(storage, seeds)).results] == ["unchanged"]
    assert parsed == [SEED_FILE.name]
    # a file given to ingest is parsed (its warnings are reported) but not inferred
    (cli,) = (await ingest_files(storage, [seeds])).results
    assert cli.status == "unchanged" and parsed == [SEED_FILE.name] * 2
    assert len(inferred) == 1
    # the same file imported into a guild is new there: inferred and stored
    (mine,) = (await ingest_files(storage, [seeds], guild_id=77)).results
    assert mine.status == "added" and len(inferred) == 2
    # a changed file is inferred and replaces the stored version
    text = SEED_FILE.read_text(encoding="utf-8")
    (seeds / SEED_FILE.name).write_text(text.replace("Checkpoint Charlie", "it"), "utf-8")
    (changed,) = (await ingest_seeds(storage, seeds)).results
    assert changed.status == "replaced" and len(inferred) == 3


async def test_a_thread_inferred_by_an_older_version_is_inferred_again(
    storage: Storage, inferred: list[str]
) -> None:
    thread = loading.load_file(SEED_FILE)[0]
    stale = await storage.ingest(thread, ReplyStructure(), inference_version=INFERENCE_VERSION - 1)
    current = INFERENCE_VERSION
    assert await storage.unchanged(thread.content_hash, inference_version=current) is None
    again = await storage.unchanged(
        thread.content_hash, inference_version=current - 1, warnings=thread.warnings
    )
    assert again == IngestResult(
        stale.thread_id, stale.slug, stale.title, "unchanged", 31, 8, thread.warnings
    )
    (result,) = (await ingest_files(storage, [SEED_FILE])).results
    assert result.status == "replaced" and inferred == [SEED_FILE.name]
    assert len(await storage.edges.all(result.thread_id)) == 36
