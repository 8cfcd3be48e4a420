"""What every repository shares: the database it reads and writes through."""

from __future__ import annotations

from bot.storage.database import Database


class Repository:
    """One kind of data's queries; all of them share one :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self._db = db
