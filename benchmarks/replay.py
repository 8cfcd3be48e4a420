"""Replay pacing: messages per second against the fake Discord with its rate limits on.

Measured only when both ``bot/replay/`` (the replay) and ``tests/fakediscord/`` (the
fake Discord server) are there; otherwise the row says what is missing.

The real path end to end, in one event loop: the fake Discord on 127.0.0.1 with the
seeded test guild and a steady rate limit on webhook executions (Discord's documented
5 per 2 s per webhook, announced in the ``X-RateLimit-*`` headers of every answer), a
real ``discord.Client`` logged in through the fake's gateway, a synthetic thread
ingested into a fresh ``Storage``, and ``bot.replay.manager.ReplayManager.start`` in #general
(it creates a Discord thread, gets the channel webhook and posts every comment through
it, recording progress in SQLite after each message).

The pacing floor (``min_interval``, 1 s in production) is set to 0 for the measured row,
so that only the replay loop, discord.py's handling of the announced limit and the fake
decide the pace: that is what "keeps up with the limit it is given" means. A window of
``limit`` messages per ``per`` seconds lets a perfect client post its first ``limit``
messages at once and ``limit`` more every ``per`` seconds, so ``n`` messages take it
``(ceil(n / limit) - 1) * per`` seconds from first to last: the figure is that ideal
span over the measured one (a perfect client scores exactly 1.0), and the rate shown is
the announced rate times it. In a full run a second, informational row replays at the
production settings (``REPLAY_INTERVAL`` 1.5 s at the top speed, 1 s floor).
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

from benchmarks.common import Figure, Sizes, console, not_measured, verdict
from benchmarks.synthetic import generate_thread
from bot.inference.replies import infer_replies
from bot.models import ARTICLE
from bot.sources.capture import parse_thread
from bot.storage import Storage

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.9
TITLE = "replay pacing vs the fake Discord's announced webhook limit"
TARGET_TEXT = f"≥ {TARGET} of the limit, ≤ 1 429 per bucket"
LIMIT, PER = 5, 2.0
"""Discord's webhook-execution limit: 5 per 2 s per webhook."""
PRODUCTION_INTERVAL = 1.5
"""``REPLAY_INTERVAL``'s default."""


def missing() -> list[str]:
    """What the measurement needs and is not there yet."""
    out: list[str] = []
    if not (ROOT / "bot" / "replay" / "__init__.py").exists():
        out.append("bot/replay/ does not exist")
    fake = ROOT / "tests" / "fakediscord"
    if not (fake / "__init__.py").exists() or not (fake / "server.py").exists():
        out.append("the fake Discord (tests/fakediscord/ with a server) is not there")
    return out


async def _replay_once(
    comments: int, *, min_interval: float, base_interval: float, speed: float
) -> dict[str, Any]:
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
                manager = rp.ReplayManager(
                    client,
                    storage,
                    base_interval=base_interval,
                    min_interval=min_interval,
                    part_gap=0.0,
                )
                started = await manager.start(
                    channel=channel,
                    guild_id=fd.GUILD_ID,
                    user_id=fd.ADMIN_ID,
                    thread=stored,
                    first_seq=1,
                    last_seq=comments,
                    speed=speed,
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
        "min_interval": min_interval,
        "base_interval": base_interval,
        "speed": speed,
        "article_seq": ARTICLE,
    }


def measure(sizes: Sizes) -> list[Figure]:
    gaps = missing()
    if gaps:
        return [not_measured("replay", TITLE, TARGET_TEXT, "; ".join(gaps))]
    logging.getLogger("discord").setLevel(logging.ERROR)
    comments = 15 if sizes.name == "quick" else 60
    run = asyncio.run(_replay_once(comments, min_interval=0.0, base_interval=0.0, speed=1.0))
    console.print(
        f"  {run['messages_accepted']} messages in {run['seconds_first_to_last']:.1f} s: "
        f"{run['achieved_per_s']:.2f}/s vs {run['limit_per_s']:.2f}/s announced, "
        f"{run['webhook_429s']} webhook 429s ({run['status']}, {run['mode']})"
    )
    ok = (
        run["ratio"] >= TARGET
        and run["webhook_429s"] <= 1
        and run["status"] == "finished"
        and run["mode"] == "webhook"
    )
    figures = [
        Figure(
            key="replay",
            title=TITLE,
            ratio=run["ratio"],
            ratio_of="achieved msg/s ÷ announced limit/s (ideal span ÷ measured span)",
            target=TARGET_TEXT,
            status=verdict(ok),
            value=run["achieved_per_s"],
            unit="msg/s",
            note=(
                f"{run['messages_accepted']} webhook messages ({comments} comments + article), "
                f"{run['webhook_429s']} 429s; pacing floor off (min_interval 0)"
            ),
            details=run,
        )
    ]
    if sizes.name != "quick":
        prod = asyncio.run(
            _replay_once(20, min_interval=1.0, base_interval=PRODUCTION_INTERVAL, speed=4.0)
        )
        figures.append(
            Figure(
                key="replay_production_pacing",
                title="replay at production pacing (1 s floor, top speed) vs the same limit",
                ratio=prod["ratio"],
                ratio_of="achieved msg/s ÷ announced limit/s (ideal span ÷ measured span)",
                target="—",
                status="info",
                value=prod["achieved_per_s"],
                unit="msg/s",
                note=(
                    "the 1 s floor (bot.replay.pacing MIN_INTERVAL) keeps one channel at ≤ 1 "
                    f"message/s by design; {prod['webhook_429s']} 429s"
                ),
                details=prod,
            )
        )
    return figures
