"""Everything threadbot keeps, behind a small typed API; nothing outside this package speaks SQL.

``Storage`` (``store.py``) composes a ``Database`` (``database.py``: what every backend
offers; ``sqlite.py``, the default file, migrations from ``migrations/*.sql``;
``postgresql.py``, a shared server, ``migrations/postgresql/*.sql``) with one
repository per kind of data: ``threads``, ``comments`` (authors and search too),
``edges``, ``summaries``, ``guilds``, ``replays``, ``meta``. ``ingest.py`` holds the
one write that spans them; ``search.py`` turns user input into each backend's query.
"""

from bot.models import ReplayMode, ReplayRecord, ReplayStatus
from bot.storage.database import SHIPPED, StorageError
from bot.storage.search import fts_query
from bot.storage.sqlite import MIGRATIONS
from bot.storage.store import Storage, storage_for

__all__ = [
    "MIGRATIONS",
    "SHIPPED",
    "ReplayMode",
    "ReplayRecord",
    "ReplayStatus",
    "Storage",
    "StorageError",
    "fts_query",
    "storage_for",
]
