"""Both storage backends for the same tests: SQLite files and PostgreSQL schemas.

``make_db`` (parametrised over ``sqlite`` and ``postgresql``) hands out databases by
name: a file under ``tmp_path`` or a URL whose tables live in a new schema of the test
server (dropped after the test). The same name gives the same database, so a restart
test reopens what it wrote. :func:`snapshot` and :func:`counts` read every table
outside the code under test (plain ``sqlite3``; a separate asyncpg connection).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.storage import Storage
from tests.postgres import with_search_path

BACKENDS = ("sqlite", "postgresql")

INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
"""What a constraint violation raises, on either backend."""

Target = Path | str
MakeDb = Callable[[str], Awaitable[Target]]


@pytest.fixture(params=BACKENDS)
async def make_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MakeDb]:
    """``await make_db("bot.db")``: a database on this test's backend."""
    made: dict[str, Target] = {}
    if request.param == "sqlite":

        async def sqlite_db(name: str) -> Target:
            return made.setdefault(name, tmp_path / name)

        yield sqlite_db
        return
    server: str = request.getfixturevalue("postgres_server")
    conn = await asyncpg.connect(server)
    schemas: list[str] = []

    async def postgres_db(name: str) -> Target:
        if name not in made:
            schema = f"t_{uuid.uuid4().hex[:16]}"
            await conn.execute(f"CREATE SCHEMA {schema}")
            schemas.append(schema)
            made[name] = with_search_path(server, schema)
        return made[name]

    try:
        yield postgres_db
    finally:
        for schema in schemas:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        await conn.close()


def backend_of(storage: Storage | Target) -> str:
    target = storage.database.name if isinstance(storage, Storage) else str(storage)
    return "postgresql" if target.startswith("postgres") else "sqlite"


_SEARCH_TABLES = ("comment_fts", "comment_search")
"""The full-text index, by backend; :func:`snapshot` lists it as ``search``."""


async def snapshot(storage: Storage) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the search index as ``search``: comment ids and text)."""
    if storage.backend == "sqlite":
        conn = sqlite3.connect(storage.path)
        try:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'comment_fts_%'"
                )
            ]
            out = {
                t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in tables
                if t != "comment_fts"
            }
            out["search"] = sorted(
                conn.execute("SELECT rowid, text FROM comment_fts").fetchall(), key=repr
            )
            return out
        finally:
            conn.close()
    pg = await asyncpg.connect(storage.database.url)  # type: ignore[attr-defined]
    try:
        tables = [
            r[0]
            for r in await pg.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename NOT IN ('schema_version', 'comment_search')"
            )
        ]
        out = {}
        for t in tables:
            out[t] = sorted((tuple(r) for r in await pg.fetch(f"SELECT * FROM {t}")), key=repr)
        out["search"] = sorted(
            (
                tuple(r)
                for r in await pg.fetch("SELECT comment_id, document::text FROM comment_search")
            ),
            key=repr,
        )
        return out
    finally:
        await pg.close()


async def counts(storage: Storage) -> dict[str, int]:
    """Rows per table (the search index as ``search``)."""
    return {table: len(rows) for table, rows in (await snapshot(storage)).items()}
