"""The PostgreSQL server the tests run against: reachable, UTF-8, one schema per test."""

from __future__ import annotations

import asyncpg

from tests.postgres import with_search_path


async def test_server_speaks_utf8_and_each_test_gets_its_own_schema(
    postgres_server: str, postgres_url: str
) -> None:
    conn = await asyncpg.connect(postgres_url)
    try:
        assert await conn.fetchval("SHOW server_encoding") == "UTF8"
        schema = await conn.fetchval("SELECT current_schema()")
        assert schema.startswith("t_")
        await conn.execute("CREATE TABLE probe (word text)")
        await conn.execute("INSERT INTO probe VALUES ($1)", "Ἀχιλλεύς")
        assert await conn.fetchval("SELECT word FROM probe") == "Ἀχιλλεύς"
    finally:
        await conn.close()
    outside = await asyncpg.connect(postgres_server)
    try:
        visible = await outside.fetchval("SELECT to_regclass('probe') IS NOT NULL")
        qualified = await outside.fetchval(f"SELECT count(*) FROM {schema}.probe")
    finally:
        await outside.close()
    assert (visible, qualified) == (False, 1)


def test_search_path_replaces_an_earlier_one() -> None:
    url = with_search_path("postgresql://u@/db?host=/tmp/x&search_path=old", "t_new")
    assert url == "postgresql://u@/db?host=/tmp/x&search_path=t_new"
