"""A real PostgreSQL server for the tests, and a fresh schema per test.

``TEST_DATABASE_URL`` names a server to use (``.ci/run`` starts one with
``scripts/pg-test.sh``). Without it, a throwaway server is started with the same
script when the PostgreSQL binaries are installed, and stopped after the run. With
neither, the PostgreSQL variants of the tests are skipped with that reason, except
in CI (``CI`` set), where a missing server fails them: CI must test both backends.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "pg-test.sh"


def _have_binaries() -> bool:
    installed = Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")
    return shutil.which("pg_ctl") is not None or any(installed)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the PostgreSQL tests, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a running PostgreSQL server's test database."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        yield url
        return
    if not _have_binaries():
        _unavailable(
            "TEST_DATABASE_URL is not set and no PostgreSQL server binaries are installed "
            "(apt-get install postgresql, or see scripts/pg-test.sh)"
        )
    started = subprocess.run(
        ["bash", str(SCRIPT), "start"], capture_output=True, text=True, check=False
    )
    if started.returncode != 0:
        _unavailable(f"scripts/pg-test.sh could not start a server:\n{started.stderr}")
    exports = dict(re.findall(r"export (\w+)='([^']*)'", started.stdout))
    try:
        yield exports["TEST_DATABASE_URL"]
    finally:
        subprocess.run(
            ["bash", str(SCRIPT), "stop", exports["THREADBOT_PG_DIR"]],
            capture_output=True,
            check=False,
        )


def with_search_path(url: str, schema: str) -> str:
    """``url`` whose connections see ``schema`` first (asyncpg passes unknown query
    parameters on as server settings)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "search_path"]
    query.append(("search_path", schema))
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))


@pytest.fixture
async def postgres_url(postgres_server: str) -> AsyncIterator[str]:
    """A URL whose tables live in a new, empty schema, dropped after the test: every
    test starts from nothing, as with a new SQLite file."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(postgres_server)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()
    try:
        yield with_search_path(postgres_server, schema)
    finally:
        conn = await asyncpg.connect(postgres_server)
        try:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await conn.close()
