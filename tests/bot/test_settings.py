"""Settings: the token is required and checked; everything else has a sane default."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_defaults() -> None:
    settings = Settings.from_mapping({"DISCORD_TOKEN": TOKEN})
    assert settings.token == TOKEN
    assert settings.database_path == Path("data/threadbot.db")
    assert settings.seeds_dir == Path("seeds")
    assert settings.guild_id is None
    assert settings.log_level == "INFO"
    assert settings.summary_backend == "offline"
    assert settings.allow_private_urls is False
    assert settings.reddit_base_url == "https://www.reddit.com"
    assert settings.hn_base_url == "https://news.ycombinator.com"
    assert settings.hn_api_base_url == "https://hn.algolia.com/api/v1"


def test_link_import_settings() -> None:
    settings = Settings.from_mapping(
        {
            "DISCORD_TOKEN": TOKEN,
            "ALLOW_PRIVATE_URLS": "1",
            "REDDIT_BASE_URL": "http://127.0.0.1:8080/",
            "HN_API_BASE_URL": "http://127.0.0.1:9090/api/v1",
            "IMPORT_URL_TIMEOUT": "5",
        }
    )
    assert settings.allow_private_urls is True
    assert settings.reddit_base_url == "http://127.0.0.1:8080"  # no trailing slash
    assert settings.hn_api_base_url == "http://127.0.0.1:9090/api/v1"
    assert settings.import_url_timeout == 5.0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "   "}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "not-a-token"}, "does not look like a Discord bot token"),
        ({"DISCORD_TOKEN": TOKEN, "GUILD_ID": "abc"}, "GUILD_ID must be a server id"),
        ({"DISCORD_TOKEN": TOKEN, "LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of"),
        ({"DISCORD_TOKEN": TOKEN, "SUMMARY_BACKEND": "llm"}, "needs LLM_BASE_URL"),
        ({"DISCORD_TOKEN": TOKEN, "IMPORT_MAX_BYTES": "-1"}, "IMPORT_MAX_BYTES must be"),
        ({"DISCORD_TOKEN": TOKEN, "REPLAY_INTERVAL": "fast"}, "REPLAY_INTERVAL must be"),
        ({"DISCORD_TOKEN": TOKEN, "ALLOW_PRIVATE_URLS": "maybe"}, "ALLOW_PRIVATE_URLS must be"),
        ({"DISCORD_TOKEN": TOKEN, "HN_BASE_URL": "ftp://x"}, "HN_BASE_URL must be an http"),
    ],
)
def test_errors_are_one_clear_line(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as info:
        Settings.from_mapping(env)
    assert "\n" not in str(info.value)


def test_token_message_names_env_example() -> None:
    with pytest.raises(SettingsError, match=r"\.env\.example"):
        Settings.from_mapping({})
    with pytest.raises(SettingsError, match=r"\.env\.example"):
        Settings.from_mapping({"DISCORD_TOKEN": "x"})


def test_offline_commands_need_no_token() -> None:
    assert Settings.from_mapping({}, require_token=False).token == ""


def test_env_file_overlaid_by_environment(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN={TOKEN}\nGUILD_ID=42\nDATABASE_PATH=x.db\n")
    settings = load_settings(env_file, {"GUILD_ID": "7"})
    assert settings.guild_id == 7
    assert settings.database_path == Path("x.db")
    assert load_settings(tmp_path / "missing", {"DISCORD_TOKEN": TOKEN}).token == TOKEN


def test_database_url_and_shards() -> None:
    settings = Settings.from_mapping(
        {
            "DISCORD_TOKEN": TOKEN,
            "DATABASE_URL": "postgresql://bot:secret@db:5432/threadbot",
            "SHARD_COUNT": "4",
            "SHARD_IDS": "2, 3",
        }
    )
    assert settings.database_url == "postgresql://bot:secret@db:5432/threadbot"
    assert settings.shard_count == 4
    assert settings.shard_ids == (2, 3)
    plain = Settings.from_mapping({"DISCORD_TOKEN": TOKEN, "SHARD_COUNT": "2"})
    assert (plain.database_url, plain.shard_count, plain.shard_ids) == (None, 2, None)
    default = Settings.from_mapping({"DISCORD_TOKEN": TOKEN})
    assert (default.database_url, default.shard_count, default.shard_ids) == (None, None, None)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL must be a PostgreSQL URL"),
        ({"DATABASE_URL": "data/threadbot.db"}, "DATABASE_URL must be a PostgreSQL URL"),
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT must be a positive"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT must be a positive"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0;1"}, "separated by commas"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "1,1"}, "lists a shard twice"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,2"}, "must be below SHARD_COUNT"),
    ],
)
def test_database_and_shard_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as info:
        Settings.from_mapping({"DISCORD_TOKEN": TOKEN, **env})
    assert "\n" not in str(info.value)
