"""Everything threadbot keeps, behind a small typed API; nothing outside this package speaks SQL."""

from bot.storage.database import (
    MIGRATIONS,
    SHIPPED,
    ReplayMode,
    ReplayRecord,
    ReplayStatus,
    Storage,
    StorageError,
    fold,
    fts_query,
    own_word_count,
    slugify,
)

__all__ = [
    "MIGRATIONS",
    "SHIPPED",
    "ReplayMode",
    "ReplayRecord",
    "ReplayStatus",
    "Storage",
    "StorageError",
    "fold",
    "fts_query",
    "own_word_count",
    "slugify",
]
