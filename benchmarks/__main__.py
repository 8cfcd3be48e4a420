"""``python -m benchmarks [--quick] [--out FILE] [--only STEP]``: run every measurement.

Prints progress to stderr and the final table to stdout, writes the figures as JSON
(``--out``), and after a full run writes the Markdown snippet ``benchmarks/out/RESULTS.md``
(``--results``). The exit code is 0 when every measurement ran (whatever its verdict:
timings are not tests) and 1 when one of them crashed or a command answered with an error.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks import backends, corpus, inference, ingest, latency, replay, report
from benchmarks.common import FULL, QUICK, Figure, Sizes, console

HERE = Path(__file__).resolve().parent
STEPS = ("ingest", "inference", "latency", "replay", "backends")
"""``backends`` runs only with ``--postgres``."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="threadbot speed and memory at scale, as ratios measured in one run.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, same code paths (CI: about two minutes)"
    )
    parser.add_argument(
        "--out", type=Path, help="JSON of figures (default: benchmarks/out/bench-MODE.json)"
    )
    parser.add_argument(
        "--results",
        type=Path,
        help="Markdown snippet of a full run (default: benchmarks/out/RESULTS.md; "
        "never written by --quick unless given)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run ingest and latency on this PostgreSQL server "
        "(in a new schema, dropped afterwards)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=STEPS,
        help="run only this measurement (repeatable)",
    )
    return parser


LOAD: dict[str, list[float]] = {}
"""1-minute load average when each step ended: other work on the machine, for the record."""


def _guarded(name: str, step: Callable[[], list[Figure]]) -> tuple[list[Figure], bool]:
    console.rule(f"[bold]{name}")
    start = time.perf_counter()
    try:
        figures = step()
        LOAD[name] = [round(x, 2) for x in os.getloadavg()]
    except Exception as exc:
        traceback.print_exc()
        figures = [
            Figure(
                key=name,
                title=f"{name}: crashed",
                ratio=None,
                ratio_of="",
                target="runs",
                status="fail",
                note=f"error: {type(exc).__name__}: {exc}",
            )
        ]
        return figures, False
    console.print(
        f"  ({name} took {time.perf_counter() - start:.1f} s; load average "
        f"{' '.join(f'{x:.2f}' for x in LOAD[name])})"
    )
    return figures, True


def run(
    sizes: Sizes, steps: Sequence[str], postgres: str | None = None
) -> tuple[list[Figure], bool]:
    figures: list[Figure] = []
    ok = True
    plan: list[tuple[str, Callable[[], list[Figure]]]] = [
        ("ingest", lambda: ingest.measure(corpus.ingest_items(sizes), sizes)),
        ("inference", lambda: inference.measure(sizes)),
        ("latency", lambda: latency.measure(sizes)),
        ("replay", lambda: replay.measure(sizes)),
    ]
    if postgres is not None:
        url = postgres
        plan.append(("backends", lambda: _backends(url, sizes)))
    for name, step in plan:
        if name not in steps:
            continue
        got, fine = _guarded(name, step)
        figures.extend(got)
        # A command that answered with an error is an error of the run, not a slow figure.
        errored = any(f.key.endswith(".errors") and f.status == "fail" for f in got)
        ok = ok and fine and not errored
    return figures, ok


def _backends(url: str, sizes: Sizes) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="threadbot-bench-backends-") as tmp:
        return backends.measure(url, corpus.ingest_items(sizes), sizes, Path(tmp))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sizes = QUICK if args.quick else FULL
    steps = tuple(args.only) if args.only else STEPS
    start = time.perf_counter()
    figures, ok = run(sizes, steps, args.postgres)
    seconds = time.perf_counter() - start
    report.print_table(figures, sizes, seconds)
    out = args.out or HERE / "out" / f"bench-{sizes.name}.json"
    report.write_json(out, report.to_json(figures, sizes, seconds, LOAD))
    console.print(f"figures written to {out}")
    results = args.results
    if results is None and not args.quick and not args.only:
        results = HERE / "out" / "RESULTS.md"
    if results is not None:
        results.write_text(report.markdown(figures, sizes, seconds), encoding="utf-8")
        console.print(f"Markdown snippet written to {results}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
