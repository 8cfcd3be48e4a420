"""Import a thread file uploaded to Discord: size check, decode, parse, limits, store, report.

The order matters: the size is checked from the attachment's metadata *before*
anything is downloaded, everything is parsed and checked before anything is
stored, and every refusal is a :class:`ImportRefused` (a user-facing error naming
the file and, for a bad file, the line).

Reading (decoding, parsing, reply inference) is untrusted work: it runs in a worker
process with CPU, memory and wall-clock limits (:mod:`bot.workers`), never in the bot's
interpreter; only storing the result happens here.

Encodings: UTF-8 (with or without BOM) and Windows-1252 through
:func:`bot.sources.capture.decode`, plus UTF-16 with a BOM (what Windows Notepad calls
"Unicode"), which would otherwise look like binary. charset-normalizer is not used:
on these inputs it guesses cp1250 for cp1252 text and big5 for short Latin-1 text,
both worse than the fixed UTF-8 → cp1252 order.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.errors import UserFacingError
from bot.inference import infer_replies
from bot.models import IngestResult, ParseError, ParseWarning, ReplyStructure, Thread
from bot.sources.loading import (
    PARAGRAPHS_PER_COMMENT,
    count_paragraphs,
    parse_bytes,
    store_thread,
)
from bot.storage import Storage
from bot.text import safe, truncate
from bot.ui.limits import CONTENT_MAX
from bot.workers import (
    Limits,
    WorkerCrashed,
    WorkerOutOfMemory,
    WorkersClosed,
    WorkerTimeout,
    run_in_worker,
)

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

UPLOAD_LIMITS = Limits(cpu_s=8, memory_mb=200, wall_s=10)
"""What reading one upload may cost. The largest files the default limits allow (2 MB,
or 20,000 short comments) take about 1 s of CPU and 60 MB; eight times that is refused."""

log = logging.getLogger(__name__)


class ImportRefused(UserFacingError):
    """A file that was not imported; nothing of it was stored."""

    refunds_cooldown = True


class Upload(Protocol):
    """What an import needs from a ``discord.Attachment`` (tests pass a small fake)."""

    @property
    def filename(self) -> str: ...

    @property
    def size(self) -> int: ...

    async def read(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one imported file held and what storing it did, thread by thread."""

    filename: str
    threads: tuple[Thread, ...]
    results: tuple[IngestResult, ...]

    @property
    def comments(self) -> int:
        return sum(len(t.comments) for t in self.threads)

    @property
    def warnings(self) -> tuple[ParseWarning, ...]:
        return tuple(w for t in self.threads for w in t.warnings)


def human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size} bytes"


def check_size(filename: str, size: int, max_bytes: int) -> None:
    """Refuse a file larger than ``max_bytes`` (from metadata, before downloading it)."""
    if size > max_bytes:
        raise ImportRefused(
            f"{filename} is {human_size(size)}; imports are limited to "
            f"{human_size(max_bytes)} (IMPORT_MAX_BYTES)."
        )
    if size == 0:
        raise ImportRefused(f"{filename} is empty.")


def normalise_encoding(data: bytes) -> bytes:
    """UTF-16 with a BOM re-encoded as UTF-8; anything else unchanged for ``decode``."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return data
    return data


def parse_upload(data: bytes, filename: str, *, max_comments: int) -> list[Thread]:
    """Every thread in the file, or :class:`ImportRefused` naming the file and line."""
    try:
        threads = parse_bytes(normalise_encoding(data), filename)
    except ParseError as exc:
        where = f"{exc.file}, line {exc.line}" if exc.line else exc.file
        raise ImportRefused(f"Could not import {where}: {exc.expected}.") from None
    total = sum(len(t.comments) for t in threads)
    if total > max_comments:
        raise ImportRefused(
            f"{filename} holds {total:,} comments; imports are limited to {max_comments:,} "
            "(IMPORT_MAX_COMMENTS)."
        )
    if total == 0:
        raise ImportRefused(
            f"{filename} has no comments: expected a 'Comments' line followed by numbered "
            "comments like '  1. Name says:'."
        )
    paragraphs = count_paragraphs(threads)
    if paragraphs > PARAGRAPHS_PER_COMMENT * max_comments:
        raise ImportRefused(
            f"{filename} holds {paragraphs:,} paragraphs; imports are limited to "
            f"{PARAGRAPHS_PER_COMMENT * max_comments:,} ({PARAGRAPHS_PER_COMMENT} a comment "
            "of IMPORT_MAX_COMMENTS)."
        )
    return threads


def read_upload(
    data: bytes, filename: str, *, max_comments: int
) -> list[tuple[Thread, ReplyStructure]]:
    """Parse a file and infer each thread's replies: what the worker process runs."""
    return [
        (thread, infer_replies(thread))
        for thread in parse_upload(data, filename, max_comments=max_comments)
    ]


async def read_in_worker(
    data: bytes, filename: str, *, max_comments: int, guild_id: int
) -> list[tuple[Thread, ReplyStructure]]:
    """:func:`read_upload` in a worker process within :data:`UPLOAD_LIMITS`.

    One guild's files are read one at a time, so a server sending bad files waits for
    itself. A breach of a limit is an :class:`ImportRefused` with one clear sentence.
    """
    return await run_reader(
        filename,
        read_upload,
        data,
        filename,
        max_comments=max_comments,
        key=("upload", guild_id),
    )


async def run_reader(
    name: str,
    func: Callable[..., list[tuple[Thread, ReplyStructure]]],
    /,
    *args: Any,
    key: Hashable,
    **kwargs: Any,
) -> list[tuple[Thread, ReplyStructure]]:
    """``func(*args, **kwargs)`` (a pure reader of untrusted data: a file or what a link
    gave) in a worker process within :data:`UPLOAD_LIMITS`; a breach is one sentence
    naming ``name``."""
    shown = safe(truncate(name, 100))
    try:
        return await run_in_worker(func, *args, limits=UPLOAD_LIMITS, key=key, **kwargs)
    except WorkerTimeout:
        raise ImportRefused(f"{shown} took too long to read; nothing was stored.") from None
    except WorkerOutOfMemory:
        raise ImportRefused(
            f"{shown} needed too much memory to read; nothing was stored."
        ) from None
    except WorkersClosed:
        raise ImportRefused(
            f"The bot is restarting, so {shown} was not read; nothing was stored. "
            "Send it again in a minute."
        ) from None
    except WorkerCrashed as exc:
        log.error("reading %r failed: %s", name, exc)
        raise ImportRefused(f"{shown} could not be read; nothing was stored.") from None


async def import_bytes(
    storage: Storage,
    data: bytes,
    filename: str,
    *,
    guild_id: int,
    max_bytes: int,
    max_comments: int,
) -> ImportReport:
    """Check, parse and store ``data`` for ``guild_id``.

    Each thread is stored in its own transaction; if storing one fails, threads
    this import had newly added are removed again, so a failed import leaves no
    new threads behind (a thread it *replaced* keeps the new version).
    """
    check_size(filename, len(data), max_bytes)
    read = await read_in_worker(data, filename, max_comments=max_comments, guild_id=guild_id)
    return await store_read(storage, read, filename, guild_id=guild_id)


async def store_read(
    storage: Storage,
    read: Sequence[tuple[Thread, ReplyStructure]],
    name: str,
    *,
    guild_id: int,
) -> ImportReport:
    """Store the threads one import (a file or a link) read, with their replies.

    Each thread is stored in its own transaction; if storing one fails, threads
    this import had newly added are removed again.
    """
    results: list[IngestResult] = []
    try:
        for thread, replies in read:
            results.append(await store_thread(storage, thread, replies, guild_id=guild_id))
    except BaseException:
        for result in results:
            if result.status == "added":
                await storage.threads.delete(result.thread_id)
        raise
    return ImportReport(name, tuple(thread for thread, _ in read), tuple(results))


async def import_upload(
    storage: Storage, upload: Upload, *, guild_id: int, max_bytes: int, max_comments: int
) -> ImportReport:
    """Import an attachment: its declared size is checked before it is downloaded."""
    check_size(upload.filename, upload.size, max_bytes)
    data = await upload.read()
    return await import_bytes(
        storage,
        data,
        upload.filename,
        guild_id=guild_id,
        max_bytes=max_bytes,
        max_comments=max_comments,
    )


_STATUS = {"added": "added", "replaced": "updated", "unchanged": "already here, unchanged"}


def describe(report: ImportReport, *, max_warnings: int = 8) -> str:
    """The answer to an import: each thread with its comments and people, then warnings."""
    lines: list[str] = []
    count = len(report.results)
    header = f"Imported **{safe(truncate(report.filename, 100))}**"
    if count > 1:
        header += f": {count} threads, {report.comments:,} comments"
    lines.append(header + ":")
    for result in report.results[:15]:
        lines.append(
            f"• **{safe(truncate(result.title, 120))}** (`{result.slug}`): "
            f"{result.comment_count:,} comments by {result.authors:,} "
            f"{'person' if result.authors == 1 else 'people'} — {_STATUS[result.status]}"
        )
    if count > 15:
        lines.append(f"• … and {count - 15} more")
    lines.extend(_warning_lines(report.warnings, max_warnings))
    lines.append("-# Read it with `/thread read`, or replay it with `/replay start`.")
    text = "\n".join(lines)
    return text if len(text) <= CONTENT_MAX else truncate(text, CONTENT_MAX)


def _warning_lines(warnings: Sequence[ParseWarning], limit: int) -> list[str]:
    if not warnings:
        return []
    out = [f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:"]
    for warning in warnings[:limit]:
        where = f"line {warning.line}: " if warning.line else ""
        out.append(f"> {safe(truncate(where + warning.message, 180))}")
    if len(warnings) > limit:
        out.append(f"> … and {len(warnings) - limit} more")
    return out
