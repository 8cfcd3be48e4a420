"""Read thread files from disk and store them: parse, infer replies, write in one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.inference import INFERENCE_VERSION, infer_replies
from bot.models import IngestResult, ParseError, ReplyStructure, Thread, content_hash
from bot.sources.capture import decode, normalise, parse_thread
from bot.storage import SHIPPED, Storage

log = logging.getLogger(__name__)

THREAD_SUFFIXES = (".txt", ".xml")

PARAGRAPHS_PER_COMMENT = 5
"""With the comment limit, bounds a file's paragraphs: a file of 250,000 one-letter
paragraphs fits in 2 MB and would cost seconds of reply inference for nothing."""


@dataclass(slots=True)
class IngestReport:
    """What a batch ingest did: one result per stored thread, one error per refused file."""

    results: list[IngestResult] = field(default_factory=list)
    errors: list[tuple[Path, ParseError]] = field(default_factory=list)
    link_errors: list[tuple[str, str]] = field(default_factory=list)
    """Links that were refused, with the reason (``python -m bot ingest URL``)."""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.link_errors


def _is_export(text: str) -> bool:
    """Whether decoded file text is an XML export (WordPress, Disqus), not a text capture."""
    return text.lstrip("\ufeff \t\r\n").startswith(("<?xml", "<rss", "<disqus"))


def parse_bytes(data: bytes, source: str) -> list[Thread]:
    """Parse a file's bytes into threads: a WordPress or Disqus export may hold several."""
    text = decode(data, source)
    if _is_export(text):
        from bot.sources.disqus import is_disqus, parse_disqus
        from bot.sources.wxr import parse_wxr

        if is_disqus(text.lstrip("\ufeff \t\r\n")):
            return parse_disqus(text, source)

        threads: list[Thread] = parse_wxr(text, source)
        return threads
    return [parse_thread(text, source)]


def count_paragraphs(threads: list[Thread]) -> int:
    """Paragraphs of articles and comments together."""
    return sum(1 + len(t.body) + sum(len(c.paragraphs) for c in t.comments) for t in threads)


@dataclass(frozen=True, slots=True)
class FileLimits:
    """What one file read from disk may hold: the upload limits, applied by the command
    line too (``--no-limits`` passes None instead)."""

    max_bytes: int
    max_comments: int


NOT_A_THREAD = (
    "expected a thread capture (a 'Comments' line followed by numbered comments like "
    "'  1. Name says:') or a WordPress or Disqus export with comments, found no comments"
)


def check_threads(threads: list[Thread], source: str, limits: FileLimits | None) -> None:
    """Refuse a file that holds no comments (a README, a config file: not a thread), or
    more comments or paragraphs than ``limits`` allow."""
    total = sum(len(t.comments) for t in threads)
    if total == 0:
        raise ParseError(source, 0, NOT_A_THREAD)
    if limits is None:
        return
    if total > limits.max_comments:
        raise ParseError(
            source,
            0,
            f"expected at most {limits.max_comments:,} comments "
            f"(IMPORT_MAX_COMMENTS; --no-limits reads it), found {total:,}",
        )
    paragraphs = count_paragraphs(threads)
    if paragraphs > PARAGRAPHS_PER_COMMENT * limits.max_comments:
        raise ParseError(
            source,
            0,
            f"expected at most {PARAGRAPHS_PER_COMMENT * limits.max_comments:,} paragraphs "
            f"({PARAGRAPHS_PER_COMMENT} a comment of IMPORT_MAX_COMMENTS), found {paragraphs:,}",
        )


def load_file(path: Path, limits: FileLimits | None = None) -> list[Thread]:
    """Read, parse and check one file; every failure is a :class:`ParseError` naming it.

    Files from the operator's own disk (seeds, the command line) are parsed in this
    process; ``limits`` bound their size before reading and their contents after.
    """
    try:
        size = path.stat().st_size
        if limits is not None and size > limits.max_bytes:
            raise ParseError(
                path.name,
                0,
                f"expected at most {limits.max_bytes:,} bytes "
                f"(IMPORT_MAX_BYTES; --no-limits reads it), found {size:,}",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(path.name, 0, f"could not read the file: {exc.strerror}") from None
    threads = parse_bytes(data, path.name)
    check_threads(threads, path.name, limits)
    return threads


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, plus thread files inside folders named, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.iterdir() if p.is_file() and p.suffix in THREAD_SUFFIXES)
            )
        else:
            files.append(path)
    return files


async def ingest_thread(
    storage: Storage, thread: Thread, *, guild_id: int = SHIPPED
) -> IngestResult:
    """Infer the reply structure of a parsed thread and store both atomically.

    Inference takes seconds on a big thread (an import of 20,000 comments), so it runs
    in a worker thread: on the event loop it would stall every other command meanwhile.
    A thread stored already (same content, same inference version) skips it: an
    unchanged seed costs a start its parse only.
    """
    stored = await storage.unchanged(
        thread.content_hash,
        guild_id=guild_id,
        inference_version=INFERENCE_VERSION,
        warnings=thread.warnings,
    )
    if stored is not None:
        return stored
    replies = await asyncio.to_thread(infer_replies, thread)
    return await store_thread(storage, thread, replies, guild_id=guild_id)


async def store_thread(
    storage: Storage, thread: Thread, replies: ReplyStructure, *, guild_id: int = SHIPPED
) -> IngestResult:
    """Store a thread whose replies were inferred already (in a worker, for an upload)."""
    return await storage.ingest(
        thread, replies, guild_id=guild_id, inference_version=INFERENCE_VERSION
    )


async def ingest_files(
    storage: Storage,
    paths: Iterable[Path],
    *,
    guild_id: int = SHIPPED,
    on_file: Callable[[Path], None] | None = None,
    recognise_stored: bool = False,
    limits: FileLimits | None = None,
) -> IngestReport:
    """Ingest files and folders; a bad file is reported and skipped, the others still load.

    With ``recognise_stored``, a text capture stored already is recognised by its content
    hash and not even parsed; its result then carries no parse warnings.
    """
    report = IngestReport()
    for path in collect_files(paths):
        stored = await _stored_capture(storage, path, guild_id) if recognise_stored else None
        if stored is not None:
            report.results.append(stored)
            if on_file is not None:
                on_file(path)
            continue
        try:
            threads = load_file(path, limits)
        except ParseError as exc:
            report.errors.append((path, exc))
        else:
            for thread in threads:
                report.results.append(await ingest_thread(storage, thread, guild_id=guild_id))
        if on_file is not None:
            on_file(path)
    return report


async def _stored_capture(storage: Storage, path: Path, guild_id: int) -> IngestResult | None:
    """The ``unchanged`` result for a text capture whose content is stored already (the
    hash is of the decoded, normalised text, as :func:`parse_thread` computes it)."""
    try:
        text = decode(await asyncio.to_thread(path.read_bytes), path.name)
    except (OSError, ParseError):
        return None  # the ordinary path reports it
    if _is_export(text):
        return None  # several threads, each with its own hash: parsed as usual
    return await storage.unchanged(
        content_hash(normalise(text)), guild_id=guild_id, inference_version=INFERENCE_VERSION
    )


async def ingest_seeds(storage: Storage, seeds: Path) -> IngestReport:
    """Load the shipped threads in ``seeds`` (idempotent); problems are logged, not raised.

    Both the bot's start and the offline CLI commands call this, so a new user sees
    the shipped threads in ``python -m bot show`` before the bot has ever run. A seed
    stored already is recognised by its hash before parsing, so a start with unchanged
    seeds costs the same whatever their size (their warnings were logged when stored).
    """
    if not await asyncio.to_thread(seeds.is_dir):
        log.warning("SEEDS_DIR %s is not a folder: no shipped threads loaded", seeds)
        return IngestReport()
    report = await ingest_files(storage, [seeds], recognise_stored=True)
    for path, error in report.errors:
        log.error("skipped seed %s: %s", path, error)
    for result in report.results:
        log.info("seed %s: %s (%d comments)", result.slug, result.status, result.comment_count)
        for warning in result.warnings:
            log.warning("%s", warning)
    return report
