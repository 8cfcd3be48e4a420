"""Typed settings from the environment and a ``.env`` file.

Settings are a value passed into the bot, never an importable module, so
tests build their own without touching the process environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

SummaryBackend = Literal["offline", "llm"]


class SettingsError(ValueError):
    """A setting that is missing or malformed; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot reads from its environment."""

    token: str
    database_path: Path = Path("data/threadbot.db")
    seeds_dir: Path = Path("seeds")
    guild_id: int | None = None
    log_level: str = "INFO"
    summary_backend: SummaryBackend = "offline"
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_model: str | None = None
    import_max_bytes: int = 2_000_000
    import_max_comments: int = 20_000
    replay_interval: float = 1.5
    """Seconds between replayed comments at speed 1."""
    database_url: str | None = None
    """``postgresql://…``: a shared PostgreSQL database instead of the SQLite file."""
    shard_count: int | None = None
    """Shards across all processes; ``None``: one process, discord.py picks the count."""
    shard_ids: tuple[int, ...] | None = None
    """The shards this process serves (``None`` with a count: all of them)."""
    import_url_timeout: float = 60.0
    """Seconds a whole import from a link may take (every request it makes)."""
    allow_private_urls: bool = False
    """Let import links reach loopback/private addresses: for tests and self-hosted blogs."""
    reddit_base_url: str = "https://www.reddit.com"
    hn_base_url: str = "https://news.ycombinator.com"
    hn_api_base_url: str = "https://hn.algolia.com/api/v1"
    replay_lease: float = 30.0
    """Seconds a replay stays with its process without renewal (shared database only)."""

    @classmethod
    def from_mapping(cls, env: Mapping[str, str | None], *, require_token: bool = True) -> Settings:
        """Build settings from a mapping of environment variables.

        ``require_token=False`` is for the offline CLI commands (ingest, show,
        export) that never talk to Discord.
        """

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value and value.strip() else None

        token = get("DISCORD_TOKEN") or ""
        if require_token:
            if not token:
                raise SettingsError(
                    "DISCORD_TOKEN is not set: copy .env.example to .env and paste your bot "
                    "token there (see the README, 'Create the Discord application')."
                )
            if not _TOKEN.match(token):
                raise SettingsError(
                    "DISCORD_TOKEN does not look like a Discord bot token (three dot-separated "
                    "parts): check .env against .env.example."
                )
        guild = get("GUILD_ID")
        if guild is not None and not guild.isdigit():
            raise SettingsError(f"GUILD_ID must be a server id (digits only), got {guild!r}")
        level = (get("LOG_LEVEL") or "INFO").upper()
        if level not in _LEVELS:
            raise SettingsError(f"LOG_LEVEL must be one of {', '.join(_LEVELS)}, got {level!r}")
        backend = (get("SUMMARY_BACKEND") or "offline").lower()
        if backend not in ("offline", "llm"):
            raise SettingsError(f"SUMMARY_BACKEND must be 'offline' or 'llm', got {backend!r}")
        if backend == "llm" and not (get("LLM_BASE_URL") and get("LLM_MODEL")):
            raise SettingsError("SUMMARY_BACKEND=llm needs LLM_BASE_URL and LLM_MODEL in .env")
        database_url = get("DATABASE_URL")
        if database_url is not None and not database_url.startswith(_PG_SCHEMES):
            raise SettingsError(
                "DATABASE_URL must be a PostgreSQL URL (postgresql://user:pass@host:port/db), "
                f"got one starting {database_url.split(':', 1)[0]!r}"
            )
        shard_count, shard_ids = _shards(get("SHARD_COUNT"), get("SHARD_IDS"))
        return cls(
            token=token,
            database_path=Path(get("DATABASE_PATH") or "data/threadbot.db"),
            seeds_dir=Path(get("SEEDS_DIR") or "seeds"),
            guild_id=int(guild) if guild else None,
            log_level=level,
            summary_backend="llm" if backend == "llm" else "offline",
            llm_base_url=get("LLM_BASE_URL"),
            llm_api_key=get("LLM_API_KEY"),
            llm_model=get("LLM_MODEL"),
            import_max_bytes=_positive_int(env, "IMPORT_MAX_BYTES", 2_000_000),
            import_max_comments=_positive_int(env, "IMPORT_MAX_COMMENTS", 20_000),
            replay_interval=_positive_float(env, "REPLAY_INTERVAL", 1.5),
            database_url=database_url,
            shard_count=shard_count,
            shard_ids=shard_ids,
            import_url_timeout=_positive_float(env, "IMPORT_URL_TIMEOUT", 60.0),
            allow_private_urls=_flag(env, "ALLOW_PRIVATE_URLS"),
            reddit_base_url=_base_url(env, "REDDIT_BASE_URL", "https://www.reddit.com"),
            hn_base_url=_base_url(env, "HN_BASE_URL", "https://news.ycombinator.com"),
            hn_api_base_url=_base_url(env, "HN_API_BASE_URL", "https://hn.algolia.com/api/v1"),
            replay_lease=_positive_float(env, "REPLAY_LEASE", 30.0),
        )


_PG_SCHEMES = ("postgresql://", "postgres://")


def _shards(count: str | None, ids: str | None) -> tuple[int | None, tuple[int, ...] | None]:
    """``SHARD_COUNT`` and ``SHARD_IDS`` (``0,1``), checked against each other."""
    if count is None:
        if ids is not None:
            raise SettingsError("SHARD_IDS needs SHARD_COUNT (the shards across all processes)")
        return None, None
    if not count.isdigit() or int(count) <= 0:
        raise SettingsError(f"SHARD_COUNT must be a positive whole number, got {count!r}")
    total = int(count)
    if ids is None:
        return total, None
    parts = [p.strip() for p in ids.split(",")]
    if not all(p.isdigit() for p in parts):
        raise SettingsError(f"SHARD_IDS must be shard numbers separated by commas, got {ids!r}")
    numbers = tuple(int(p) for p in parts)
    if len(set(numbers)) != len(numbers):
        raise SettingsError(f"SHARD_IDS lists a shard twice: {ids!r}")
    if any(n >= total for n in numbers):
        raise SettingsError(
            f"SHARD_IDS must be below SHARD_COUNT ({total}): shards are numbered 0..{total - 1}"
        )
    return total, numbers


def _positive_int(env: Mapping[str, str | None], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise SettingsError(f"{name} must be a positive whole number, got {raw!r}")
    return int(raw)


def _positive_float(env: Mapping[str, str | None], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be above 0, got {raw!r}")
    return value


def _flag(env: Mapping[str, str | None], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be 1 or 0, got {raw!r}")


def _base_url(env: Mapping[str, str | None], name: str, default: str) -> str:
    """An http(s) URL without a trailing slash (paths are appended to it)."""
    raw = (env.get(name) or "").strip() or default
    if not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", raw):
        raise SettingsError(f"{name} must be an http(s) URL such as {default}, got {raw!r}")
    return raw.rstrip("/")


def load_settings(
    env_file: Path | None = Path(".env"),
    environ: Mapping[str, str] | None = None,
    *,
    require_token: bool = True,
) -> Settings:
    """Settings from ``env_file`` overlaid by the process environment (which wins)."""
    merged: dict[str, str | None] = {}
    if env_file is not None and env_file.is_file():
        merged.update(dotenv_values(env_file))
    merged.update(os.environ if environ is None else environ)
    return Settings.from_mapping(merged, require_token=require_token)
