"""``python -m bot``: run the bot, sync its commands, and work with threads from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import discord
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from bot.errors import NotFound
from bot.export import thread_to_json, thread_to_markdown
from bot.inference.outside import article_body
from bot.models import ARTICLE, OUTSIDE, ParseError, StoredEdge, StoredThread, replying_to
from bot.settings import Settings, SettingsError, load_settings
from bot.sources.loading import (
    FileLimits,
    collect_files,
    ingest_files,
    ingest_seeds,
    load_file,
)
from bot.sources.web import LinkOptions, LinkRefused, import_link, is_link
from bot.storage import SHIPPED, Storage, StorageError, storage_for
from bot.storage.store import POSTGRES_SCHEMES

EXIT_USAGE = 2
PAGE_SIZE = 10

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


class CliError(Exception):
    """A problem to print as one line before exiting non-zero."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="threadbot: blog comment threads in Discord."
    )
    parser.add_argument(
        "--env-file", type=Path, default=Path(".env"), help="settings file (default: .env)"
    )
    limits = argparse.ArgumentParser(add_help=False)
    limits.add_argument(
        "--no-limits",
        action="store_true",
        help="read files bigger than IMPORT_MAX_BYTES / IMPORT_MAX_COMMENTS (your own files)",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the bot (the default)")
    sub.add_parser("sync", help="sync slash commands with Discord now, then exit")
    ingest = sub.add_parser(
        "ingest",
        help="load thread files, folders or links (http/https) into the database",
        parents=[limits],
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH_OR_URL")
    sub.add_parser("threads", help="list stored threads")
    show = sub.add_parser(
        "show", help="show a thread's article and a page of comments", parents=[limits]
    )
    show.add_argument("thread", help="thread id, slug, or path to a thread file")
    show.add_argument("--page", type=int, default=1, help=f"page of {PAGE_SIZE} comments")
    export = sub.add_parser("export", help="export a thread as JSON or Markdown", parents=[limits])
    export.add_argument("thread")
    export.add_argument("--format", choices=("json", "markdown"), default="json")
    export.add_argument("--output", "-o", type=Path, help="write here instead of stdout")
    replies = sub.add_parser("replies", help="who replied to whom in a thread", parents=[limits])
    replies.add_argument("thread")
    summary = sub.add_parser(
        "summary", help="summary of a thread or of one person in it", parents=[limits]
    )
    summary.add_argument("thread")
    summary.add_argument("--author", help="summarise this person instead of the thread")
    migrate = sub.add_parser(
        "migrate-db", help="copy the SQLite database into a new PostgreSQL database"
    )
    migrate.add_argument("--to", required=True, help="postgresql://user:pass@host:port/db")
    migrate.add_argument(
        "--from", dest="source", type=Path, help="SQLite file (default: DATABASE_PATH)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings(args.env_file, require_token=command in ("run", "sync"))
    except SettingsError as exc:
        errors.print(f"threadbot: {escape(str(exc))}")
        return EXIT_USAGE
    if command in ("run", "sync"):
        return run_bot(settings, sync_only=command == "sync")
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(_offline(command, args, settings))
    except (CliError, StorageError) as exc:
        errors.print(f"threadbot: {escape(str(exc))}")
        return 1


def run_bot(settings: Settings, *, sync_only: bool = False) -> int:
    """Start the bot (or only sync its commands) until interrupted."""
    from bot.app import make_bot

    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level), root=True)

    async def runner() -> None:
        bot = make_bot(settings, force_sync=sync_only)
        async with bot:
            # A service manager stops the bot with SIGTERM: close cleanly (replays save
            # their progress, workers are killed, the database is closed) instead of
            # dying mid-write.
            loop = asyncio.get_running_loop()
            stopping = asyncio.Event()
            closing: list[asyncio.Task[None]] = []

            def stop() -> None:
                stopping.set()
                closing.append(loop.create_task(bot.close()))

            with contextlib.suppress(NotImplementedError):  # not on Windows
                loop.add_signal_handler(signal.SIGTERM, stop)
            logged_in = await login_with_retry(bot, settings.token, stopping, retry=not sync_only)
            if logged_in and not sync_only:
                await bot.connect()  # reconnects by itself, with backoff, once logged in
            # bot.close() from SIGTERM runs in a task of its own: leaving before it ends
            # would cancel it half-way (the database left open, and its non-daemon thread
            # keeping the process alive after asyncio.run has returned).
            await asyncio.gather(*closing)

    try:
        asyncio.run(runner())
    except CliError as exc:
        errors.print(f"threadbot: {escape(str(exc))}")
        return 1
    except discord.LoginFailure:
        errors.print("threadbot: Discord refused DISCORD_TOKEN: check .env against .env.example.")
        return EXIT_USAGE
    except discord.PrivilegedIntentsRequired:
        errors.print("threadbot: enable the required intents in the Developer Portal.")
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    return 0


async def login_with_retry(
    bot: discord.Client,
    token: str,
    stopping: asyncio.Event,
    *,
    retry: bool = True,
    first_delay: float = 1.0,
    max_delay: float = 60.0,
) -> bool:
    """Log in, waiting and retrying (1 s, 2 s, 4 s … 60 s) while Discord cannot be reached.

    Each failed try is one line on stderr, not a traceback. Returns False if ``stopping``
    was set (SIGTERM) meanwhile. A refused token is not retried (``LoginFailure``), nor a
    failure once the bot's setup has begun (it is not repeatable: a :class:`CliError`),
    nor anything when ``retry`` is False (``sync``).
    """
    delay = first_delay
    while not stopping.is_set():
        try:
            await bot.login(token)
            return True
        except (OSError, TimeoutError, discord.DiscordServerError) as exc:
            # OSError covers aiohttp's connection errors: no DNS, refused, unreachable.
            reason = " ".join(str(exc).split()) or type(exc).__name__
            if not retry:
                raise CliError(f"cannot reach Discord ({reason})") from None
            if bot.user is not None:  # set just before setup_hook, which cannot run twice
                raise CliError(f"lost Discord while starting ({reason}); start again") from None
            errors.print(
                f"threadbot: cannot reach Discord ({escape(reason)}); retrying in {delay:g} s"
            )
        # The next try opens a fresh session; the closed one's connector cannot be reused.
        await bot.http.close()
        bot.http.connector = discord.utils.MISSING
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), delay)
        delay = min(delay * 2, max_delay)
    return False


async def _offline(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "migrate-db":
        return await cmd_migrate_db(args.source or settings.database_path, args.to)
    if command == "export" and args.output is not None:
        check_output(args.output)  # before any work: a typo should not cost an ingest
    limits = None if getattr(args, "no_limits", False) else file_limits(settings)
    async with storage_for(settings) as storage:
        if command == "ingest":
            return await cmd_ingest(storage, args.paths, settings, limits)
        await ingest_seeds(storage, settings.seeds_dir)
        if command == "threads":
            return await cmd_threads(storage)
        thread = await resolve(storage, args.thread, limits)
        if command == "show":
            return await cmd_show(storage, thread, args.page)
        if command == "export":
            return await cmd_export(storage, thread, args.format, args.output)
        if command == "replies":
            return await cmd_replies(storage, thread)
        if command == "summary":
            return await cmd_summary(storage, settings, thread, args.author)
    raise CliError(f"unknown command {command!r}")


def file_limits(settings: Settings) -> FileLimits:
    """The upload limits, which the command line applies too unless ``--no-limits``."""
    return FileLimits(
        max_bytes=settings.import_max_bytes, max_comments=settings.import_max_comments
    )


def check_output(output: Path) -> None:
    """Refuse an ``-o`` path that cannot be written, with what to do instead.

    A missing folder is not created: it is more often a typo than a wish."""
    if output.is_dir():
        raise CliError(f"{output} is a folder; give a file name, e.g. -o {output / 'thread.json'}")
    if not output.parent.is_dir():
        raise CliError(f"cannot write {output}: there is no folder {output.parent}")


async def resolve(storage: Storage, query: str, limits: FileLimits | None = None) -> StoredThread:
    """A thread by id or slug, or by path to a thread file (ingested first if new)."""
    path = Path(query)
    if path.is_file():
        try:
            threads = load_file(path, limits)
        except ParseError as exc:
            raise CliError(str(exc)) from None
        from bot.sources.loading import ingest_thread

        result = await ingest_thread(storage, threads[0])
        found = await storage.threads.get(result.thread_id)
    else:
        found = await storage.threads.find(query, any_guild=True)
    if found is None:
        known = ", ".join(t.slug for t in (await storage.threads.all())[:10]) or "none yet"
        raise CliError(
            f"no thread {query!r} (known: {known}); ingest it with `python -m bot ingest`"
        )
    return found


async def cmd_ingest(
    storage: Storage, args: list[str], settings: Settings, limits: FileLimits | None
) -> int:
    links = [a for a in args if is_link(a)]
    paths = [Path(a) for a in args if not is_link(a)]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise CliError(f"no such file or folder: {missing[0]}")
    files = collect_files(paths)
    with Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(files) + len(links))
        report = await ingest_files(
            storage,
            files,
            on_file=lambda p: progress.update(task, advance=1, description=p.name),
            limits=limits,
        )
        options = LinkOptions.from_settings(settings)
        for link in links:
            progress.update(task, description=link)
            try:
                imported = await import_link(storage, link, guild_id=SHIPPED, options=options)
            except LinkRefused as exc:
                report.link_errors.append((link, exc.message))
            else:
                report.results.extend(imported.results)
            progress.update(task, advance=1)
    table = Table(title="Ingest")
    for column in ("thread", "status", "comments", "people"):
        table.add_column(column, no_wrap=column == "thread")
    for result in report.results:
        table.add_row(
            escape(result.slug), result.status, str(result.comment_count), str(result.authors)
        )
    console.print(table)
    for result in report.results:
        for warning in result.warnings:
            errors.print(f"[yellow]warning[/] {escape(str(warning))}")
    for path, error in report.errors:
        errors.print(f"[red]error[/] {escape(str(error))} (skipped {escape(str(path))})")
    for link, message in report.link_errors:
        errors.print(f"[red]error[/] {escape(link)}: {escape(message)}")
    summary = f"{len(report.results)} thread(s) stored, {len(report.errors)} file(s) refused"
    if links:
        summary += f", {len(report.link_errors)} link(s) refused"
    console.print(summary + ".")
    return 0 if report.ok else 1


async def cmd_threads(storage: Storage) -> int:
    table = Table(title="Threads")
    for column in ("id", "slug", "title", "author", "comments", "guild"):
        table.add_column(column, no_wrap=column in ("id", "slug"))
    for t in await storage.threads.all():
        table.add_row(
            str(t.id),
            escape(t.slug),
            escape(t.title),
            escape(t.author),
            str(t.comment_count),
            "shipped" if t.shipped else str(t.guild_id),
        )
    console.print(table)
    return 0


async def cmd_show(storage: Storage, thread: StoredThread, page: int) -> int:
    pages = max(1, -(-thread.comment_count // PAGE_SIZE))
    if not 1 <= page <= pages:
        raise CliError(f"--page must be between 1 and {pages}")
    if page == 1:
        blocks: list[RenderableType] = [Text(thread.lede, style="italic")] if thread.lede else []
        for text, quoted in article_body(thread.lede, thread.body, thread.quoted):
            # What the article quotes (a news story, a speaker) is set off, as on Discord.
            blocks.append(Padding(Text(text, style="dim"), (0, 0, 0, 4)) if quoted else Text(text))
        if thread.tags:
            blocks.append(Text("Filed under: " + ", ".join(thread.tags), style="dim"))
        spaced: list[RenderableType] = []
        for block in blocks:
            spaced += [Text(""), block] if spaced else [block]
        subtitle = f"by {escape(thread.author)}" if thread.author else None
        console.print(
            Panel(Group(*spaced), title=f"[bold]{escape(thread.title)}", subtitle=subtitle)
        )
    comments = await storage.comments.page(
        thread.id, start=(page - 1) * PAGE_SIZE + 1, limit=PAGE_SIZE
    )
    heads = await storage.comments.heads(thread.id) if comments else {}
    names = {seq: name for seq, (_, name) in heads.items()}
    answers: dict[int, list[StoredEdge]] = {}
    if comments:
        shown = {c.seq for c in comments}
        for edge in await storage.edges.all(thread.id):
            if edge.source in shown and edge.via not in ("quote", "article"):
                answers.setdefault(edge.source, []).append(edge)
    for comment in comments:
        parts = [
            "[dim]"
            + escape(
                replying_to(
                    e.target, heads.get(e.target, (e.target, ""))[0], e.target_author, e.via
                )
            )
            + "[/]"
            for e in answers.get(comment.seq, [])
        ]
        for paragraph in comment.paragraphs:
            if paragraph.quote is None:
                parts.append(escape(paragraph.text))
            else:
                source = paragraph.quote.seq
                if source == OUTSIDE:
                    parts.append(f"[dim]↪ from outside the thread: {escape(paragraph.text)}[/]")
                    continue
                who = thread.author if source == ARTICLE else names.get(source, "?")
                where = "the article" if source == ARTICLE else f"#{source}"
                parts.append(f"[dim]↪ {escape(where)} ({escape(who)}): {escape(paragraph.text)}[/]")
        title = f"#{comment.number} {escape(comment.author)}"
        if comment.posted:
            title += f" · {escape(comment.posted)}"
        console.print(
            Panel("\n\n".join(parts) or "[dim](no text)[/]", title=title, title_align="left")
        )
    console.print(f"[dim]page {page} of {pages} · {thread.comment_count} comments[/]")
    return 0


async def cmd_export(storage: Storage, thread: StoredThread, fmt: str, output: Path | None) -> int:
    comments = await storage.comments.all(thread.id)
    edges = await storage.edges.all(thread.id)
    if fmt == "json":
        text = (
            json.dumps(thread_to_json(thread, comments, edges), ensure_ascii=False, indent=2) + "\n"
        )
    else:
        text = thread_to_markdown(thread, comments, edges)
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {output}: {exc.strerror}") from None
        errors.print(f"wrote {output}")
    return 0


async def cmd_replies(storage: Storage, thread: StoredThread) -> int:
    table = Table(title=f"Replies in {escape(thread.title)}")
    for column in ("comment", "author", "replies to", "via", "quoted"):
        table.add_column(column)
    numbers = {c.seq: c.number for c in await storage.comments.all(thread.id)}
    for edge in await storage.edges.all(thread.id):
        target = (
            "article" if edge.target == ARTICLE else f"#{numbers.get(edge.target, edge.target)}"
        )
        table.add_row(
            f"#{numbers.get(edge.source, edge.source)}",
            escape(edge.source_author),
            f"{target} ({escape(edge.target_author)})",
            edge.via,
            escape(edge.snippet),
        )
    console.print(table)
    return 0


async def cmd_summary(
    storage: Storage, settings: Settings, thread: StoredThread, author: str | None
) -> int:
    """The same summary as the slash commands give, as plain text for a terminal."""
    from bot.summaries.service import author_view, thread_view
    from bot.ui.summary_rendering import author_summary_text, thread_summary_text
    from bot.ui.transformers import resolve_subject

    if author is None:
        text = thread_summary_text(thread, await thread_view(storage, settings, thread))
    else:
        try:
            name = await resolve_subject(storage, thread, author)
        except NotFound as exc:
            raise CliError(exc.message) from None
        text = author_summary_text(thread, await author_view(storage, settings, thread, name))
    console.print(Text(text))
    return 0


async def cmd_migrate_db(source: Path, url: str) -> int:
    """Copy the SQLite file ``source`` into the PostgreSQL database at ``url``, verified by
    counting every table on both sides (see ``bot.storage.copy``)."""
    from bot.storage.copy import CopyError, copy_database

    if not url.startswith(POSTGRES_SCHEMES):
        raise CliError(f"--to must be a postgresql:// URL, got {url.split(':', 1)[0]!r}")
    if not source.is_file():
        raise CliError(f"{source}: no SQLite database there (set --from or DATABASE_PATH)")
    async with Storage(source) as old, Storage(url) as new:
        try:
            report = await copy_database(old, new)
        except CopyError as exc:
            raise CliError(str(exc)) from exc
        table = Table(title=f"Copied {escape(str(source))} → {escape(new.name)}")
        for column in ("table", "rows in SQLite", "rows in PostgreSQL"):
            table.add_column(column, justify="left" if column == "table" else "right")
        for name, count in report.source.items():
            table.add_row(name, f"{count:,}", f"{report.target[name]:,}")
        console.print(table)
    console.print("Every table has the same number of rows on both sides.")
    return 0
