"""The deployment files: no Docker engine runs here, so they are checked as files.

``docker-compose.yml`` is parsed (YAML merge keys resolved as Compose does) and each
bot service's environment goes through the bot's own settings parser; the
``Dockerfile`` is read for what the README promises: a slim Python 3.11 base, a user
that is not root, and the bot as the entry point.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.settings import Settings
from tests.conftest import ROOT

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def expand(value: str) -> str:
    """``${NAME:-default}`` as Compose expands it with NAME unset."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_compose_runs_postgres_and_one_bot_per_shard() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "bot-0", "bot-1"}
    postgres = services["postgres"]
    assert str(postgres["image"]).startswith("postgres:")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    shards = []
    for name in ("bot-0", "bot-1"):
        bot = services[name]
        assert bot["build"] == "."
        assert bot["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        env = {k: expand(str(v)) for k, v in bot["environment"].items()}
        assert env["DATABASE_URL"].startswith("postgresql://threadbot:")
        assert "@postgres:5432/threadbot" in env["DATABASE_URL"]
        settings = Settings.from_mapping({"DISCORD_TOKEN": TOKEN, **env})
        assert settings.database_url == env["DATABASE_URL"]
        assert settings.shard_count == 2 and settings.shard_ids is not None
        shards += settings.shard_ids
    assert sorted(shards) == [0, 1], "each shard served by exactly one process"
    db_env = postgres["environment"]
    url = compose()["services"]["bot-0"]["environment"]["DATABASE_URL"]
    assert f"{db_env['POSTGRES_USER']}:" in url and url.endswith(f"/{db_env['POSTGRES_DB']}")
    assert expand(db_env["POSTGRES_PASSWORD"]) in expand(url)


def test_dockerfile_is_small_non_root_and_runs_the_bot() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[0] == "FROM python:3.11-slim"
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert 'ENTRYPOINT ["python", "-m", "bot"]' in lines
    for line in lines:
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), f"{source} is copied but missing"
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", ".git"} <= set(ignored), "no secrets or local venv in the image"
