"""What hostile-input tests run in the worker: kept apart from the test module so that a
worker child imports only this and the parser, not pytest and the test fixtures."""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass

from bot.sources.uploads import ImportRefused, read_upload

MAX_COMMENTS = 20_000


@dataclass(frozen=True, slots=True)
class Read:
    """How reading one file ended in the worker, and what it cost there."""

    comments: int
    threads: int
    refused: str
    warnings: tuple[str, ...]
    cpu_s: float
    peak_mb: float


def measured_read(data: bytes, filename: str) -> Read:
    """Runs in the worker: the upload path's read, with its cost."""
    start = time.process_time()
    try:
        read = read_upload(data, filename, max_comments=MAX_COMMENTS)
    except ImportRefused as exc:
        comments, threads, refused, warnings = 0, 0, exc.message, ()
    else:
        comments = sum(len(thread.comments) for thread, _ in read)
        threads, refused = len(read), ""
        warnings = tuple(str(w) for thread, _ in read for w in thread.warnings)
    return Read(
        comments=comments,
        threads=threads,
        refused=refused,
        warnings=warnings,
        cpu_s=time.process_time() - start,
        peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def spin(*_: object, **__: object) -> None:
    """A reader that never finishes (stands in for a pathological file)."""
    while True:
        pass
