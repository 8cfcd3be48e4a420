"""The command line, run as a user would: a subprocess with its own database."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.settings import Settings
from bot.storage import Storage
from tests.conftest import ROOT, SEED_FILE, SEEDS

pytestmark = pytest.mark.slow  # runs the CLI in subprocesses


def run(
    tmp_path: Path, *args: str, token: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"} | (env or {})
    env["DATABASE_PATH"] = str(tmp_path / "db" / "bot.db")
    if token is not None:
        env["DISCORD_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "bot", "--env-file", str(tmp_path / "none.env"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_missing_or_bad_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for token in (None, "nonsense"):
        done = run(tmp_path, "run", token=token)
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and ".env.example" in lines[0]
        assert "Traceback" not in done.stderr


def test_ingest_show_export_replies(tmp_path: Path) -> None:
    ingest = run(tmp_path, "ingest", str(SEEDS))
    assert ingest.returncode == 0, ingest.stderr
    assert "iraq-cease-fire-over" in ingest.stdout and "added" in ingest.stdout
    again = run(tmp_path, "ingest", str(SEEDS))
    assert "unchanged" in again.stdout
    show = run(tmp_path, "show", "iraq-cease-fire-over", "--page", "1")
    assert show.returncode == 0 and "Iraq Cease-Fire Over" in show.stdout
    assert "#1 glasnost" in show.stdout and "#10 duckspeaker" in show.stdout
    assert "page 1 of 4" in show.stdout
    bad_page = run(tmp_path, "show", "iraq-cease-fire-over", "--page", "9")
    assert bad_page.returncode == 1 and "between 1 and 4" in bad_page.stderr
    export = run(tmp_path, "export", str(SEED_FILE), "--format", "json")
    data = json.loads(export.stdout)
    assert len(data["comments"]) == 31 and data["comments"][4]["author"] == "Juho§"
    markdown = run(tmp_path, "export", "1", "--format", "markdown")
    assert markdown.stdout.startswith("# Iraq Cease-Fire Over")
    replies = run(tmp_path, "replies", "iraq-cease-fire-over")
    assert replies.returncode == 0 and "via" in replies.stdout
    rows = [line for line in replies.stdout.splitlines() if "│ #" in line]
    assert len(rows) == 36, "31 comments, four with two targets and one with three"
    assert any("#8 " in r and "#7 (DC Loser)" in r and "mention" in r for r in rows)
    assert any("#30 " in r and "quote" in r and "Well, which one?" in r for r in rows)
    assert data["comments"][22]["replies_to"] == [{"number": 22, "via": "mention"}]
    assert run(tmp_path, "threads").stdout.count("iraq-cease-fire-over") == 1


def test_bad_file_is_reported_and_the_rest_load(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(SEED_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "b.txt").write_text("Title\n\nLede.\n\nComments\n\n  1. A says:\n\n    x\nbroken\n")
    done = run(tmp_path, "ingest", str(folder))
    assert done.returncode == 1
    assert "b.txt:10: expected an indented comment paragraph" in done.stderr
    assert "1 thread(s) stored, 1 file(s) refused" in done.stdout
    unknown = run(tmp_path, "show", "nope")
    assert unknown.returncode == 1 and "no thread 'nope'" in unknown.stderr


def test_files_that_are_not_threads_are_refused_one_line_each(tmp_path: Path) -> None:
    """README.md, pyproject.toml, a title alone, random bytes, one 5 MB line: each refused
    naming the file and what was expected, exit 1, nothing stored (issue 16.6)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "title.txt").write_text("Only a title\n")
    (folder / "random.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "line.txt").write_text("x" * 5_000_000)
    paths = [str(ROOT / "README.md"), str(ROOT / "pyproject.toml"), str(folder)]
    done = run(tmp_path, "ingest", *paths)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    refused = [line for line in done.stderr.splitlines() if line.startswith("error ")]
    assert len(refused) == 5, done.stderr
    for name in ("README.md", "pyproject.toml", "title.txt"):
        assert any(f"error {name}: expected a thread capture" in line for line in refused)
    assert any("random.txt:1: expected a text file, found a NUL byte" in r for r in refused)
    assert any("line.txt: expected at most 2,000,000 bytes (IMPORT_MAX_BYTES" in r for r in refused)
    assert "0 thread(s) stored, 5 file(s) refused" in done.stdout
    export = run(tmp_path, "export", str(folder / "title.txt"))
    assert export.returncode == 1 and "title.txt: expected a thread capture" in export.stderr
    listed = run(tmp_path, "threads")
    assert listed.stdout.count("shipped") == 1  # the seed, and nothing of these files
    assert "only-a-title" not in listed.stdout and "threadbot" not in listed.stdout


def test_the_upload_limits_apply_unless_no_limits(tmp_path: Path) -> None:
    env = {"IMPORT_MAX_COMMENTS": "30"}  # the seed holds 31
    limited = run(tmp_path, "ingest", str(SEED_FILE), env=env)
    assert limited.returncode == 1
    assert "expected at most 30 comments (IMPORT_MAX_COMMENTS; --no-limits" in limited.stderr
    free = run(tmp_path, "ingest", "--no-limits", str(SEED_FILE), env=env)
    assert free.returncode == 0 and "added" in free.stdout


def test_export_to_a_folder_or_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    to_folder = run(tmp_path, "export", "iraq-cease-fire-over", "-o", str(tmp_path))
    assert to_folder.returncode == 1 and "Traceback" not in to_folder.stderr
    assert f"{tmp_path} is a folder; give a file name" in to_folder.stderr
    missing = tmp_path / "missing" / "dir" / "x.json"
    to_missing = run(tmp_path, "export", "iraq-cease-fire-over", "-o", str(missing))
    assert to_missing.returncode == 1 and "Traceback" not in to_missing.stderr
    assert f"there is no folder {missing.parent}" in to_missing.stderr
    written = run(tmp_path, "export", "iraq-cease-fire-over", "-o", str(tmp_path / "t.json"))
    assert written.returncode == 0
    assert len(json.loads((tmp_path / "t.json").read_text())["comments"]) == 31


def test_offline_commands_load_the_shipped_seeds_first(tmp_path: Path) -> None:
    """A new user without a token can still see the seed: `show` loads SEEDS_DIR itself."""
    show = run(tmp_path, "show", "iraq-cease-fire-over")
    assert show.returncode == 0, show.stderr
    assert "Iraq Cease-Fire Over" in show.stdout and "#1 glasnost" in show.stdout
    listed = run(tmp_path, "threads")
    assert listed.stdout.count("iraq-cease-fire-over") == 1 and "shipped" in listed.stdout


async def test_summary_prints_plain_text_and_unknown_names_are_one_line(seeded: Storage) -> None:
    """In-process (a subprocess per case would be slow): what ``summary`` prints."""
    thread = await seeded.threads.find("iraq-cease-fire-over", any_guild=True)
    assert thread is not None
    settings = Settings(token="t")
    with cli.console.capture() as person:
        assert await cli.cmd_summary(seeded, settings, thread, "michael") == 0
    assert "Michael in “Iraq Cease-Fire Over”" in person.get()
    assert "7 comments (#9–#31)" in person.get()
    with cli.console.capture() as whole:
        assert await cli.cmd_summary(seeded, settings, thread, None) == 0
    assert "Sub-conversations:" in whole.get() and "#1–31 (31 comments)" in whole.get()
    with pytest.raises(cli.CliError, match="No person"):
        await cli.cmd_summary(seeded, settings, thread, "nobody here")


async def test_ingest_a_link(tmp_path: Path) -> None:
    """``ingest URL`` reads a link (here the fake Hacker News on 127.0.0.1, so with
    ALLOW_PRIVATE_URLS=1); without the flag the same link is refused and nothing stored."""
    from tests.fakesites.hackernews import FakeHackerNews, sample_story

    async with FakeHackerNews(items={8863: sample_story()}) as hn:
        env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
        env |= {
            "DATABASE_PATH": str(tmp_path / "db" / "bot.db"),
            "HN_BASE_URL": hn.url,
            "HN_API_BASE_URL": hn.api,
        }

        async def ingest(*extra: str, **more_env: str) -> tuple[int, str, str]:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--env-file", str(tmp_path / "none.env"),
                "ingest", hn.item_link(8863), *extra,
                cwd=ROOT, env=env | more_env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, err = await asyncio.wait_for(proc.communicate(), 120)
            return proc.returncode or 0, out.decode(), err.decode()

        code, out, err = await ingest()
        assert code == 1 and "private or local address" in err
        assert "0 thread(s) stored, 0 file(s) refused, 1 link(s) refused" in out
        code, out, err = await ingest(str(SEED_FILE), ALLOW_PRIVATE_URLS="1")
        assert code == 0, err
        assert "2 thread(s) stored" in out and "my-yc-app-dropbox" in out
