"""Everything threadbot keeps, behind a small typed API; nothing outside this package speaks SQL.

``Storage`` (``store.py``) composes the ``Database`` (``database.py``: connections,
write lock, migrations from ``migrations/*.sql``) with one repository per kind of
data: ``threads``, ``comments`` (authors and search too), ``edges``, ``summaries``,
``guilds``, ``replays``, ``meta``. ``ingest.py`` holds the one write that spans them.
"""

from bot.models import ReplayMode, ReplayRecord, ReplayStatus
from bot.storage.comments import fts_query
from bot.storage.database import MIGRATIONS, SHIPPED, StorageError
from bot.storage.store import Storage

__all__ = [
    "MIGRATIONS",
    "SHIPPED",
    "ReplayMode",
    "ReplayRecord",
    "ReplayStatus",
    "Storage",
    "StorageError",
    "fts_query",
]
