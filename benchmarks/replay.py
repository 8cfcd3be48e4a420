"""Replay pacing with production settings against Discord's per-channel webhook limit.

Measured only when both ``bot/replay/`` (the replay) and ``tests/fakediscord/`` (the
fake Discord server) are there; otherwise the row says what is missing.

The real path end to end, in one event loop: the fake Discord on 127.0.0.1 with the
seeded test guild and the binding limit on webhook executions, about 30 messages a
minute per channel (one webhook per channel, so per webhook here), announced in the
``X-RateLimit-*`` headers and answered with 429 beyond it; a real ``discord.Client``
logged in through the fake's gateway; a 200-comment synthetic thread ingested into a
fresh ``Storage``; and ``bot.replay.manager.ReplayManager`` built as the bot builds it
(``REPLAY_INTERVAL`` 1.5 s, every other pacing setting at its default: the 1 s floor,
the 1 s gap between parts, the 30-a-minute window) started in #general at the top
speed (4: the 1 s floor and the window set the pace). The 1 s floor also keeps one
channel under Discord's 5-per-5-s limit, so even a perfect paced client spends 29 s on
its first 30 messages where the ideal below bursts them: at most about 0.94 here.

A window of ``limit`` messages per ``per`` seconds lets a perfect client post its first
``limit`` messages at once and ``limit`` more every ``per`` seconds, so ``n`` messages
take it ``(ceil(n / limit) - 1) * per`` seconds from first to last: the figure is that
ideal span over the measured one (a perfect client scores exactly 1.0).

The full run takes real time (about six and a half minutes). The quick run uses the
same code on an event loop whose clock runs ``QUICK_SCALE`` times faster
(:mod:`benchmarks.clock`); the fake's windows are measured on that clock too.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import math
import tempfile
from pathlib import Path
from typing import Any

import discord
import discord.gateway
import discord.http

from benchmarks.clock import run_scaled
from benchmarks.common import Figure, Sizes, console, not_measured, verdict
from benchmarks.synthetic import generate_thread
from bot.inference.replies import infer_replies
from bot.models import ARTICLE
from bot.sources.capture import parse_thread
from bot.storage import Storage

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.9
TITLE = "replay pacing (production settings) vs the 30-a-minute channel webhook limit"
TARGET_TEXT = f"≥ {TARGET} of the limit, 0 × 429"
LIMIT, PER = 30, 60.0
"""The binding limit for webhook messages: about 30 a minute per channel."""
PRODUCTION_INTERVAL = 1.5
"""``REPLAY_INTERVAL``'s default."""
SPEED = 4.0
"""The fastest speed ``/replay start`` offers: the one that presses against the limit
(1.5 s / 4 is below the 1 s floor, so the floor and the window set the pace)."""
COMMENTS = 200
QUICK_SCALE = 20.0


def missing() -> list[str]:
    """What the measurement needs and is not there yet."""
    out: list[str] = []
    if not (ROOT / "bot" / "replay" / "__init__.py").exists():
        out.append("bot/replay/ does not exist")
    fake = ROOT / "tests" / "fakediscord"
    if not (fake / "__init__.py").exists() or not (fake / "server.py").exists():
        out.append("the fake Discord (tests/fakediscord/ with a server) is not there")
    return out


async def _replay_once(comments: int) -> dict[str, Any]:
    # Imported by name: both are optional here, and the fake is test code outside
    # the type-checked packages.
    fd: Any = importlib.import_module("tests.fakediscord")
    rp: Any = importlib.import_module("bot.replay.manager")
    made = generate_thread(comments, 77)
    parsed = parse_thread(made.text, made.source)
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    fake = fd.FakeDiscord()
    fd.seed_test_guild(fake)
    fake.clock = asyncio.get_running_loop().time
    rule = fake.rate_limit("POST", "/webhooks/{webhook_id}/{token}", limit=LIMIT, per=PER)
    with tempfile.TemporaryDirectory(prefix="threadbot-bench-replay-") as tmp:
        async with Storage(Path(tmp) / "replay.db") as storage:
            result = await storage.ingest(parsed, infer_replies(parsed))
            stored = await storage.threads.get(result.thread_id)
            assert stored is not None
            await fake.start()
            discord.http.Route.BASE = fake.api_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = fake.gateway_url
            client = discord.Client(
                intents=discord.Intents.default(),
                allowed_mentions=discord.AllowedMentions.none(),
            )
            client._connection.guild_ready_timeout = 0.05
            task = asyncio.create_task(client.start(fake.token), name="bench:client.start")
            try:
                await fake.wait_until(
                    lambda: client.is_ready() or task.done(), 15.0, what="the client to be ready"
                )
                if task.done():
                    task.result()
                channel = client.get_channel(fd.GENERAL_ID)
                manager = rp.ReplayManager(client, storage, base_interval=PRODUCTION_INTERVAL)
                started = await manager.start(
                    channel=channel,
                    guild_id=fd.GUILD_ID,
                    user_id=fd.ADMIN_ID,
                    thread=stored,
                    first_seq=1,
                    last_seq=comments,
                    speed=SPEED,
                    can_webhook=True,
                )
                await manager.wait(started.replay.id)
                record = await storage.replays.get(started.replay.id)
                status = getattr(record, "status", "?")
            finally:
                await client.close()
                await asyncio.wait({task}, timeout=10)
                await fake.stop()
                discord.http.Route.BASE = old_base
                discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
    times: list[float] = list(rule.accepted_at)
    accepted = len(times)
    span = times[-1] - times[0] if accepted > 1 else 0.0
    # A perfect client posts window after window: the last of ``accepted`` messages goes
    # out (ceil(accepted / LIMIT) - 1) windows after the first.
    ideal = (math.ceil(accepted / LIMIT) - 1) * PER
    ratio = ideal / span if span > 0 else 0.0
    rate = LIMIT / PER * ratio
    return {
        "comments": comments,
        "status": str(status),
        "mode": str(getattr(started, "mode", "?")),
        "messages_accepted": accepted,
        "seconds_first_to_last": span,
        "ideal_seconds": ideal,
        "achieved_per_s": rate,
        "limit_per_s": LIMIT / PER,
        "ratio": ratio,
        "webhook_429s": int(rule.served_429),
        "all_429s": int(fake.served_429),
        "min_interval": manager.min_interval,
        "base_interval": manager.base_interval,
        "window": [manager.window, manager.window_seconds],
        "speed": SPEED,
        "article_seq": ARTICLE,
    }


def measure(sizes: Sizes) -> list[Figure]:
    gaps = missing()
    if gaps:
        return [not_measured("replay", TITLE, TARGET_TEXT, "; ".join(gaps))]
    logging.getLogger("discord").setLevel(logging.ERROR)
    scale = QUICK_SCALE if sizes.name == "quick" else 1.0
    run = run_scaled(_replay_once(COMMENTS), scale)
    run["clock_scale"] = scale
    console.print(
        f"  {run['messages_accepted']} messages in {run['seconds_first_to_last']:.1f} s "
        f"(loop clock, ×{scale:g} real time): {run['achieved_per_s'] * 60:.1f}/min vs "
        f"{LIMIT}/min, {run['webhook_429s']} webhook 429s ({run['status']}, {run['mode']})"
    )
    ok = (
        run["ratio"] >= TARGET
        and run["all_429s"] == 0
        and run["status"] == "finished"
        and run["mode"] == "webhook"
    )
    clock = "real time" if scale == 1.0 else f"event-loop clock ×{scale:g} (quick mode)"
    return [
        Figure(
            key="replay",
            title=TITLE,
            ratio=run["ratio"],
            ratio_of="achieved msg/min ÷ 30/min (ideal span ÷ measured span)",
            target=TARGET_TEXT,
            status=verdict(ok),
            value=run["achieved_per_s"] * 60,
            unit="msg/min",
            note=(
                f"{run['messages_accepted']} webhook messages ({COMMENTS} comments + article) "
                f"in {run['seconds_first_to_last']:.0f} s, {run['all_429s']} × 429; "
                f"REPLAY_INTERVAL {PRODUCTION_INTERVAL} s, speed {SPEED:g}, default floor, "
                f"part gap and window; {clock}"
            ),
            details=run,
        )
    ]
