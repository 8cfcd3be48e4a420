"""The storage suite runs on both backends: ``storage`` is an SQLite file or a PostgreSQL
schema (see ``tests/backends.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.storage import Storage
from tests.backends import MakeDb


@pytest.fixture
async def storage(make_db: MakeDb) -> AsyncIterator[Storage]:
    async with Storage(await make_db("threadbot.db")) as db:
        yield db
