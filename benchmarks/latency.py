"""Latency and memory through the real command path: the bot process against the fake Discord.

What a user waits for, from the moment Discord hands the bot an interaction until the
answer the user sees has been posted: the fake Discord (``tests/fakediscord``) on
127.0.0.1 dispatches real ``INTERACTION_CREATE`` events over its gateway to the real
bot (``python -m benchmarks.botproc``: every cog, its worker processes, its own
interpreter) and records the bot's HTTP answers; a latency is the time from dispatch
to the complete answer (for a deferred command, the follow-up with the content).
Nothing of a cog is re-implemented here.

The database is built fresh for each run through the real ingest path (parse → infer
→ ``Storage.ingest``): synthetic threads of ``Sizes.live_threads`` comments, the
biggest at the import limit (20,000 comments in a full run).

Three phases, in this order, all against the same bot process:

1. **Direct commands, one at a time**: per round, every command below once with fresh
   random arguments (a random comment's thread, number, author, a word of their own
   text, prefixes of a title word and of a name), in a shuffled order, together with
   ``/ping`` (:mod:`benchmarks.ping`), which answers at once and is the baseline:
   every figure is also given as its p99 over ``/ping``'s p99 in the same phase.
2. **Deferred commands on the biggest thread**: the reply graph (drawn in a worker
   process) and first, uncached author and thread summaries; each call by a new user
   (the per-person cooldowns), the summary rows deleted before each thread summary so
   that every call computes it.
3. **Concurrency**: ``Sizes.users`` simulated users, each opening a thread's comments
   at a random number, paging forward twice, searching one person's comments and
   pinging, for ``Sizes.user_rounds`` rounds, while an administrator imports a
   ``Sizes.import_comments``-comment file with ``/thread import`` and replays the
   biggest thread with ``/replay start`` (production pacing).

Memory: the bot process's own peak RSS (``VmHWM``, read by the process itself at the
end, after the import, the summaries of the biggest thread and the replay) and,
separately, the peak RSS of its child processes (the forkserver and each worker),
polled every 20 ms.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import random
import re
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, Sizes, console, percentile, psutil, verdict
from benchmarks.corpus import storage_size
from benchmarks.synthetic import generate_thread
from bot.inference.replies import infer_replies
from bot.sources.capture import parse_thread
from bot.storage import Storage

DIRECT_TARGET_MS = 100.0
DEFERRED_TARGET_MS = 2000.0
MEMORY_TARGET_MB = 200.0
MB = 1024 * 1024
SEED = 20_000
ANSWER_TIMEOUT = 120.0
_WORD = re.compile(r"[^\W\d_]{4,}")

fd: Any = importlib.import_module("tests.fakediscord")
"""The fake Discord is test code outside the type-checked packages."""

Target = Path | str
"""The bot's database: an SQLite file or a ``postgresql://`` URL (what ``Storage`` opens)."""
THINK = (0.3, 1.2)
"""Seconds a simulated user of the concurrency phase waits between two actions."""


@dataclass(frozen=True, slots=True)
class ThreadInfo:
    slug: str
    title: str
    comments: list[tuple[int, str, str]]
    """(number, author, a word of their own text) per comment."""


@dataclass(frozen=True, slots=True)
class Args:
    slug: str
    number: int
    author: str
    word: str
    typed: str
    typed_author: str


@dataclass(slots=True)
class Samples:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, name: str, seconds: float) -> None:
        self.times.setdefault(name, []).append(seconds)


# ---- the database -------------------------------------------------------------------


def build_database(db: Target, sizes: Sizes) -> list[ThreadInfo]:
    """Synthetic threads stored through the real ingest path; what the commands ask about."""

    async def build() -> list[ThreadInfo]:
        infos: list[ThreadInfo] = []
        async with Storage(db) as storage:
            for i, n in enumerate(sizes.live_threads):
                made = generate_thread(n, SEED + i)
                parsed = parse_thread(made.text, made.source)
                result = await storage.ingest(parsed, infer_replies(parsed))
                stored = await storage.threads.get(result.thread_id)
                assert stored is not None
                rows = []
                for c in parsed.comments:
                    words = _WORD.findall(" ".join(c.paragraphs))
                    rows.append((c.number, c.author, words[len(words) // 2] if words else "the"))
                infos.append(ThreadInfo(stored.slug, stored.title, rows))
        return infos

    return asyncio.run(build())


def draw_args(threads: list[ThreadInfo], rng: random.Random) -> Args:
    info = rng.choice(threads)
    number, author, word = rng.choice(info.comments)
    title_words = [w for w in info.title.split() if len(w) >= 3] or [info.title]
    typed = rng.choice(title_words)[: rng.randint(2, 4)]
    return Args(info.slug, number, author, word, typed, author[: rng.randint(1, 3)])


# ---- the bot process and its children ------------------------------------------------


class ChildMemory:
    """Peak RSS of each child process of ``pid`` (forkserver, workers), polled in a thread."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        self.peaks: dict[int, tuple[str, int]] = {}
        self._pid = pid
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> ChildMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        try:
            parent = psutil.Process(self._pid)
        except psutil.Error:
            return
        while not self._stop.wait(self._every):
            try:
                children = parent.children(recursive=True)
            except psutil.Error:
                return
            for child in children:
                try:
                    rss = int(child.memory_info().rss)
                    role = self._role(child)
                except psutil.Error:
                    continue
                old = self.peaks.get(child.pid, (role, 0))
                self.peaks[child.pid] = (old[0], max(old[1], rss))

    def _role(self, child: Any) -> str:
        """Workers are forked by the forkserver, so they share its command line."""
        if child.ppid() != self._pid:
            return "worker"
        return "forkserver" if "forkserver" in " ".join(child.cmdline()) else "other"

    def peak(self, role: str) -> int:
        return max((rss for r, rss in self.peaks.values() if r == role), default=0)

    def count(self, role: str) -> int:
        return sum(1 for r, _ in self.peaks.values() if r == role)


async def start_bot(fake: Any, db: Target, seeds: Path) -> asyncio.subprocess.Process:
    config = {
        "api_base": fake.api_base,
        "gateway": str(fake.gateway_url),
        "token": fake.token,
        "database_url" if isinstance(db, str) else "database_path": str(db),
        "seeds_dir": str(seeds),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.botproc",
        json.dumps(config),
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 120)
        if line.strip() != b"ready":
            raise RuntimeError(f"the bot process did not start (said {line!r})")
        await fake.wait_until(lambda: bool(fake.commands()), 30, what="the command sync")
    except BaseException:
        proc.kill()
        await proc.wait()
        raise
    return proc


async def stop_bot(proc: asyncio.subprocess.Process) -> int:
    """Stop the bot; its own peak RSS in bytes."""
    assert proc.stdout is not None
    proc.send_signal(signal.SIGTERM)
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    await asyncio.wait_for(proc.wait(), 30)
    return int(json.loads(line)["peak_rss"]) if line.strip() else 0


# ---- one user action, timed ------------------------------------------------------------


async def timed(samples: Samples, name: str, send: Awaitable[Any]) -> Any:
    """Send one interaction and wait for the complete answer; record the seconds."""
    start = time.perf_counter()
    try:
        handle = await send
        reply = await handle.response(timeout=ANSWER_TIMEOUT)
    except Exception as exc:
        samples.errors.append(f"{name}: {type(exc).__name__}: {exc}")
        return None
    samples.add(name, time.perf_counter() - start)
    message = reply.message
    if message is not None and message.flags & 64 and "wrong" in message.content:
        samples.errors.append(f"{name}: the bot answered {message.content!r}")
    return reply


def _next_button(message: Any) -> str | None:
    for row in message.components if message is not None else []:
        for comp in row.get("components") or []:
            if str(comp.get("label", "")).startswith("▶") and not comp.get("disabled"):
                return str(comp["custom_id"])
    return None


async def page_forward(
    fake: Any,
    samples: Samples,
    reply: Any,
    user: int,
    times: int,
    pause: Callable[[], Awaitable[None]] | None = None,
) -> None:
    message = reply.message if reply is not None else None
    for i in range(times):
        if pause is not None and i:
            await pause()
        custom_id = _next_button(message)
        if custom_id is None:
            return
        pressed = await timed(
            samples, "page_button", fake.press_button(message, custom_id, user=user)
        )
        message = pressed.message if pressed is not None else None


DIRECT: tuple[tuple[str, str], ...] = (
    ("ping", "/ping (baseline: answers at once)"),
    ("thread_list", "/thread list"),
    ("thread_comments", "/thread comments at a random comment number"),
    ("page_button", "▶ on a comments page (in-place update)"),
    ("author_comments", "/author comments of one person"),
    ("author_search", "/author comments with a search query (FTS5)"),
    ("comment_replies", "/thread replies of one comment"),
    ("author_list", "/author list (participants)"),
    ("thread_autocomplete", "thread option autocomplete"),
    ("person_autocomplete", "person option autocomplete"),
    ("author_summary_cached", "/author summary, already cached"),
    ("thread_summary_cached", "/thread summary, already cached"),
)


async def direct_round(
    fake: Any, samples: Samples, a: Args, cached: Args, user: int, rng: random.Random
) -> None:
    """Every direct command once, in a shuffled order; ``cached`` is an argument set whose
    summaries were computed beforehand."""
    send = fake.send_slash_command
    steps: list[Callable[[], Awaitable[Any]]] = [
        lambda: timed(samples, "ping", send("ping", user=user)),
        lambda: timed(samples, "thread_list", send("thread list", user=user)),
        lambda: _comments_then_page(fake, samples, a, user),
        lambda: timed(
            samples,
            "author_comments",
            send("author comments", {"thread": a.slug, "name": a.author}, user=user),
        ),
        lambda: timed(
            samples,
            "author_search",
            send(
                "author comments", {"thread": a.slug, "name": a.author, "query": a.word}, user=user
            ),
        ),
        lambda: timed(
            samples,
            "comment_replies",
            send("thread replies", {"thread": a.slug, "comment": a.number}, user=user),
        ),
        lambda: timed(samples, "author_list", send("author list", {"thread": a.slug}, user=user)),
        lambda: timed(
            samples,
            "thread_autocomplete",
            fake.send_autocomplete(
                "thread comments", {"thread": a.typed}, focused="thread", user=user
            ),
        ),
        lambda: timed(
            samples,
            "person_autocomplete",
            fake.send_autocomplete(
                "author comments",
                {"thread": a.slug, "name": a.typed_author},
                focused="name",
                user=user,
            ),
        ),
        lambda: timed(
            samples,
            "author_summary_cached",
            send("author summary", {"thread": cached.slug, "name": cached.author}, user=user),
        ),
        lambda: timed(
            samples,
            "thread_summary_cached",
            send("thread summary", {"thread": cached.slug}, user=user),
        ),
    ]
    rng.shuffle(steps)
    for step in steps:
        await step()


async def _comments_then_page(fake: Any, samples: Samples, a: Args, user: int) -> None:
    reply = await timed(
        samples,
        "thread_comments",
        fake.send_slash_command(
            "thread comments", {"thread": a.slug, "start": a.number}, user=user
        ),
    )
    await page_forward(fake, samples, reply, user, 1)


# ---- the three phases ---------------------------------------------------------------


async def direct_phase(
    fake: Any, threads: list[ThreadInfo], sizes: Sizes, user: int, rng: random.Random
) -> Samples:
    samples = Samples()
    cached = [draw_args(threads, rng) for _ in range(sizes.cached_summary_samples)]
    for a in cached:  # the first request computes and stores each summary: not timed
        await timed(Samples(), "warm", _author_summary(fake, a, user))
        await timed(Samples(), "warm", _thread_summary(fake, a.slug, user))
    for i in range(sizes.latency_samples):
        a = draw_args(threads, rng)
        await direct_round(fake, samples, a, cached[i % len(cached)], user, rng)
    return samples


def _author_summary(fake: Any, a: Args, user: int) -> Awaitable[Any]:
    return fake.send_slash_command(
        "author summary", {"thread": a.slug, "name": a.author}, user=user
    )


def _thread_summary(fake: Any, slug: str, user: int) -> Awaitable[Any]:
    return fake.send_slash_command("thread summary", {"thread": slug}, user=user)


DEFERRED: tuple[tuple[str, str], ...] = (
    ("reply_graph", "/thread replies of the whole thread: table + PNG drawn in a worker"),
    ("author_summary_first", "/author summary, first request (computed, then stored)"),
    ("thread_summary_first", "/thread summary, first request (computed, then stored)"),
)


async def deferred_phase(
    fake: Any, db: Target, biggest: ThreadInfo, sizes: Sizes, new_user: Callable[[], int]
) -> Samples:
    samples = Samples()
    rng = random.Random(SEED)
    authors = sorted({author for _, author, _ in biggest.comments})
    rng.shuffle(authors)
    for i in range(sizes.deferred_samples):
        await timed(
            samples,
            "reply_graph",
            fake.send_slash_command("thread replies", {"thread": biggest.slug}, user=new_user()),
        )
        a = Args(biggest.slug, 1, authors[i % len(authors)], "", "", "")
        await timed(samples, "author_summary_first", _author_summary(fake, a, new_user()))
        await _forget_summaries(db)
        await timed(
            samples, "thread_summary_first", _thread_summary(fake, biggest.slug, new_user())
        )
    return samples


async def _forget_summaries(db: Target) -> None:
    """Delete the stored summaries, so that the next summary request computes its own."""
    async with Storage(db) as storage:
        await storage.database.execute_write("DELETE FROM summaries")


async def concurrency_phase(
    fake: Any,
    threads: list[ThreadInfo],
    biggest: ThreadInfo,
    sizes: Sizes,
    users: list[int],
    admin: int,
) -> tuple[Samples, dict[str, Any]]:
    """``users`` paging and searching while an import and a replay run."""
    samples = Samples()
    # Generated before anything is sent: the fake Discord shares this process, and it must
    # keep answering the bot meanwhile (Discord forgets an interaction unanswered for 3 s).
    made = await asyncio.to_thread(generate_thread, sizes.import_comments, SEED - 1)
    upload = fd.Attachment(made.source, made.text.encode("utf-8"))
    replay = await fake.send_slash_command("replay start", {"thread": biggest.slug}, user=admin)
    start = time.perf_counter()
    importing = await fake.send_slash_command("thread import", {"file": upload}, user=admin)

    async def one_user(user: int, seed: int) -> None:
        rng = random.Random(seed)

        async def think() -> None:
            await asyncio.sleep(rng.uniform(*THINK))

        for _ in range(sizes.user_rounds):
            await think()
            a = draw_args(threads, rng)
            reply = await timed(
                samples,
                "thread_comments",
                fake.send_slash_command(
                    "thread comments", {"thread": a.slug, "start": a.number}, user=user
                ),
            )
            await think()
            await page_forward(fake, samples, reply, user, 2, think)
            await think()
            await timed(
                samples,
                "author_search",
                fake.send_slash_command(
                    "author comments",
                    {"thread": a.slug, "name": a.author, "query": a.word},
                    user=user,
                ),
            )
            await think()
            await timed(samples, "ping", fake.send_slash_command("ping", user=user))

    await asyncio.gather(*(one_user(u, SEED + u) for u in users))
    users_done = time.perf_counter() - start
    imported = await _answer(samples, "import", importing, 600)
    import_s = time.perf_counter() - start
    replay_reply = await _answer(samples, "replay start", replay, 60)
    info = {
        "users": len(users),
        "rounds": sizes.user_rounds,
        "users_seconds": users_done,
        "import_comments": sizes.import_comments,
        "import_bytes": len(upload.data),
        "import_seconds_from_start": import_s,
        "import_answer": _text(imported)[:200],
        "replay_answer": _text(replay_reply)[:200],
        "replay_messages_during_phase": _replay_messages(fake),
    }
    if "Imported" not in info["import_answer"] and "imported" not in info["import_answer"]:
        samples.errors.append(f"import: {info['import_answer']!r}")
    return samples, info


async def _answer(samples: Samples, name: str, handle: Any, timeout: float) -> Any:  # noqa: ASYNC109
    """The complete answer to ``handle``, or ``None`` with the error recorded."""
    try:
        return await handle.response(timeout=timeout)
    except Exception as exc:
        samples.errors.append(f"{name}: {type(exc).__name__}: {exc}")
        return None


def _replay_messages(fake: Any) -> int:
    """Messages the replay posted through a channel webhook (interaction follow-ups go
    to the application's webhook route too, and are not counted)."""
    channel_hooks = {str(w["id"]) for w in fake.webhooks()}
    return sum(
        1
        for r in fake.requests_to("POST", "/webhooks/{id}/{token}")
        if r.status == 200 and r.path.split("/")[2] in channel_hooks
    )


def _text(reply: Any) -> str:
    if reply is None:
        return ""
    parts = [reply.content]
    for message in [reply.message, *reply.followups]:
        if message is not None:
            parts.append(message.content)
            parts += [str(e.get("description") or e.get("title") or "") for e in message.embeds]
    return " ".join(p for p in parts if p)


# ---- the run --------------------------------------------------------------------------


async def _run(db: Target, seeds: Path, threads: list[ThreadInfo], sizes: Sizes) -> dict[str, Any]:
    fake = fd.FakeDiscord()
    fd.seed_test_guild(fake)
    await fake.start()
    next_id = iter(range(50_000, 10**9))

    def new_user() -> int:
        uid = next(next_id)
        fake.add_member(fd.GUILD_ID, uid, f"user-{uid}")
        return uid

    biggest = max(threads, key=lambda t: len(t.comments))
    try:
        proc = await start_bot(fake, db, seeds)
        out: dict[str, Any] = {"bot_rss_start": int(psutil.Process(proc.pid).memory_info().rss)}
        with ChildMemory(proc.pid) as children:
            try:
                rng = random.Random(SEED)
                console.print(f"  direct commands: {sizes.latency_samples} rounds")
                out["direct"] = await direct_phase(fake, threads, sizes, new_user(), rng)
                console.print(
                    f"  deferred commands: {sizes.deferred_samples} rounds, "
                    f"{len(biggest.comments):,} comments"
                )
                out["deferred"] = await deferred_phase(fake, db, biggest, sizes, new_user)
                console.print(
                    f"  concurrency: {sizes.users} users × {sizes.user_rounds} rounds, "
                    f"an import of {sizes.import_comments:,} comments and a replay"
                )
                users = [new_user() for _ in range(sizes.users)]
                out["concurrent"], out["concurrency_info"] = await concurrency_phase(
                    fake, threads, biggest, sizes, users, fd.ADMIN_ID
                )
            finally:
                out["bot_peak_rss"] = await stop_bot(proc)
        out["forkserver_peak_rss"] = children.peak("forkserver")
        out["worker_peak_rss"] = children.peak("worker")
        out["workers_seen"] = children.count("worker")
        out["violations"] = [str(v) for v in fake.violations] + list(fake.internal_errors)
        out["served_429"] = fake.served_429
        return out
    finally:
        await fake.stop()


def measure(sizes: Sizes, database: str | None = None, backend: str = "SQLite") -> list[Figure]:
    """The three phases on a fresh SQLite file, or on ``database`` (an empty PostgreSQL
    database's URL: the PostgreSQL run)."""
    with tempfile.TemporaryDirectory(prefix="threadbot-bench-live-") as tmp:
        db: Target = database if database is not None else Path(tmp) / "bot.db"
        seeds = Path(tmp) / "seeds"
        seeds.mkdir()
        start = time.perf_counter()
        threads = build_database(db, sizes)
        total = sum(len(t.comments) for t in threads)
        console.print(
            f"  database: {len(threads)} threads, {total:,} comments "
            f"(biggest {max(len(t.comments) for t in threads):,}), "
            f"built in {time.perf_counter() - start:.1f} s"
        )
        out = asyncio.run(_run(db, seeds, threads, sizes))
        stored = [] if isinstance(db, str) else [storage_size(db)]
    return figures(out, sizes, total, backend) + stored


def _stats(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {
        "p50_ms": percentile(ms, 50),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms),
        "calls": len(ms),
    }


def figures(out: dict[str, Any], sizes: Sizes, total: int, backend: str) -> list[Figure]:
    result: list[Figure] = []
    where = f"{total:,} comments, {backend}"
    errors = [e for phase in ("direct", "deferred", "concurrent") for e in out[phase].errors]
    base = _stats(out["direct"].times.get("ping", [0.0]))
    what = dict(DIRECT + DEFERRED)
    for phase, label in (("direct", "one at a time"), ("concurrent", "50 users + import + replay")):
        times = out[phase].times
        ping = _stats(times.get("ping", [0.0]))
        for name, _ in DIRECT:
            if name not in times:
                continue
            st = _stats(times[name])
            is_ping = name == "ping"
            result.append(
                Figure(
                    key=f"latency.{phase}.{name}",
                    title=f"{name} p99 ({label}; {where})",
                    ratio=None if is_ping else st["p99_ms"] / ping["p99_ms"],
                    ratio_of="p99 ÷ /ping p99 in the same phase",
                    target="baseline" if is_ping else f"p99 < {DIRECT_TARGET_MS:.0f} ms",
                    status="info" if is_ping else verdict(st["p99_ms"] < DIRECT_TARGET_MS),
                    value=st["p99_ms"],
                    unit="ms",
                    note=f"p50 {st['p50_ms']:.1f} ms, max {st['max_ms']:.0f} ms, "
                    f"{st['calls']} calls; {what[name]}",
                    details=st,
                )
            )
    biggest = max(sizes.live_threads)
    for name, _ in DEFERRED:
        values = out["deferred"].times.get(name)
        if not values:
            continue
        st = _stats(values)
        result.append(
            Figure(
                key=f"latency.deferred.{name}",
                title=f"{name} p99 ({biggest:,}-comment thread; {where})",
                ratio=st["p99_ms"] / base["p99_ms"],
                ratio_of="p99 ÷ /ping p99 (one at a time)",
                target=f"p99 < {DEFERRED_TARGET_MS / 1000:.0f} s",
                status=verdict(st["p99_ms"] < DEFERRED_TARGET_MS),
                value=st["p99_ms"],
                unit="ms",
                note=f"p50 {st['p50_ms']:.0f} ms, {st['calls']} calls; {what[name]}",
                details=st,
            )
        )
    info = out["concurrency_info"]
    peak = out["bot_peak_rss"] / MB
    start = out["bot_rss_start"] / MB
    result.append(
        Figure(
            key="memory.bot",
            title=f"bot process peak RSS ({biggest:,}-comment thread summarised and replayed, "
            f"{sizes.import_comments:,} comments imported)",
            ratio=peak / start if start else None,
            ratio_of="peak ÷ the same process right after start",
            target=f"< {MEMORY_TARGET_MB:.0f} MB",
            status=verdict(0 < peak < MEMORY_TARGET_MB),
            value=peak,
            unit="MB",
            note=f"{start:.0f} MB after start; workers separately: forkserver peak "
            f"{out['forkserver_peak_rss'] / MB:.0f} MB, largest worker peak "
            f"{out['worker_peak_rss'] / MB:.0f} MB ({out['workers_seen']} workers seen)",
            details={
                "bot_peak_mb": peak,
                "bot_start_mb": start,
                "forkserver_peak_mb": out["forkserver_peak_rss"] / MB,
                "worker_peak_mb": out["worker_peak_rss"] / MB,
                "workers_seen": out["workers_seen"],
            },
        )
    )
    problems = errors + out["violations"]
    result.append(
        Figure(
            key="latency.errors",
            title="commands answered without error, nothing Discord would refuse",
            ratio=None,
            ratio_of="",
            target="0 errors",
            status=verdict(not problems),
            value=float(len(problems)),
            unit="errors",
            note=("; ".join(problems[:5]) or "none")
            + f"; import of {info['import_comments']:,} comments answered after "
            f"{info['import_seconds_from_start']:.1f} s; "
            f"{info['replay_messages_during_phase']} replay messages meanwhile",
            details={"problems": problems, "concurrency": info, "served_429": out["served_429"]},
        )
    )
    return result
