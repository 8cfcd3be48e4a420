"""Memory: peak RSS of a fresh process serving every command once from the large database.

Two child processes (``python -m benchmarks.memory probe ...``), each fresh:

* ``bare``: imports what the bot process imports (``bot.app`` and every cog module,
  so discord.py, aiosqlite, rapidfuzz, networkx, …) plus ``benchmarks.commands``, and
  does nothing else;
* ``commands``: the same imports, then opens the database through ``Storage`` and runs
  each command's core call once, with worst-case arguments (the biggest thread, its
  most prolific author and that person's most frequent word, its most-answered comment).
  The cached summary commands first fill their cache row (``offline_author`` /
  ``offline_thread``, written into the corpus database) as the latency run does.

The ratio is the command process's peak over the bare one's: what serving the commands
from a 1,000,000-comment database adds on top of the code itself.

Peak RSS: the child's own high-water mark (``VmHWM`` in ``/proc/self/status``, which a
fresh ``exec`` resets, unlike ``ru_maxrss``); the parent also polls the child's RSS with
psutil every few milliseconds, and the larger of the two is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.commands import Args, heavy_args
from benchmarks.common import Figure, console, psutil, verdict

TARGET_MB = 200.0
MB = 1024 * 1024


def _hwm_bytes() -> int:
    """This process's peak resident set size, in bytes."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


BOT_MODULES = ("bot.app", "cogs.threads", "cogs.authors", "cogs.admin", "cogs.replay")
"""What a running bot imports (its entry point and every cog)."""


def _probe(mode: str, db: str, args_json: str) -> dict[str, Any]:
    import importlib

    for module in BOT_MODULES:
        importlib.import_module(module)
    from benchmarks.commands import commands

    cmds, _ = commands()
    result: dict[str, Any] = {"mode": mode, "after_import": psutil.Process().memory_info().rss}
    if mode == "commands":
        from bot.storage import Storage

        a = Args(**json.loads(args_json))

        async def run_all() -> dict[str, int]:
            after: dict[str, int] = {}
            async with Storage(db) as storage:
                for c in cmds:
                    if c.warm is not None:  # as in the latency run: served from the cache
                        await c.warm(storage, a)
                    await c.run(storage, a)
                    after[c.name] = psutil.Process().memory_info().rss
            return after

        result["rss_after"] = asyncio.run(run_all())
    result["peak"] = _hwm_bytes()
    return result


def run_child(mode: str, db: Path, a: Args) -> dict[str, Any]:
    """Run one probe in a fresh interpreter; returns its report plus the polled peak."""
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.memory",
        "probe",
        mode,
        str(db),
        json.dumps(asdict(a)),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parent.parent)
    watched = psutil.Process(proc.pid)
    polled = 0
    while proc.poll() is None:
        try:
            polled = max(polled, watched.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.002)
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"memory probe {mode} failed with exit code {proc.returncode}")
    report: dict[str, Any] = json.loads(out)
    report["polled_peak"] = polled
    report["peak_max"] = max(polled, int(report["peak"]))
    return report


def measure(db: Path, corpus_comments: int) -> list[Figure]:
    a = heavy_args(db)
    bare = run_child("bare", db, a)
    used = run_child("commands", db, a)
    peak = used["peak_max"] / MB
    base = bare["peak_max"] / MB
    console.print(f"  peak RSS: commands {peak:.1f} MB, bare imports {base:.1f} MB")
    return [
        Figure(
            key="memory",
            title=f"peak RSS serving each command once, {corpus_comments:,} comments",
            ratio=peak / base,
            ratio_of="peak RSS ÷ peak RSS of a process importing the same modules",
            target=f"< {TARGET_MB:.0f} MB",
            status=verdict(peak < TARGET_MB),
            value=peak,
            unit="MB",
            note=f"bare imports {base:.1f} MB; worst-case arguments",
            details={
                "peak_mb": peak,
                "bare_peak_mb": base,
                "args": asdict(a),
                "commands_report": used,
                "bare_report": bare,
            },
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory")
    sub = parser.add_subparsers(dest="what", required=True)
    probe = sub.add_parser("probe", help="(internal) one measured child process")
    probe.add_argument("mode", choices=("bare", "commands"))
    probe.add_argument("db")
    probe.add_argument("args")
    ns = parser.parse_args(argv)
    print(json.dumps(_probe(ns.mode, ns.db, ns.args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
