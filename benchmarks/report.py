"""The final table (rich), the JSON of figures, and the Markdown snippet of a full run."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.common import Figure, Sizes, psutil

_STYLE = {"pass": "green", "fail": "bold red", "info": "dim", "not measured": "yellow"}


def cpu_model() -> str:
    """The CPU's name from ``/proc/cpuinfo`` (``platform.processor()`` elsewhere)."""
    info = Path("/proc/cpuinfo")
    if info.exists():
        for line in info.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "uname": " ".join(platform.uname()),
        "cpu": cpu_model(),
        "nproc": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": platform.python_version(),
        "sqlite": __import__("sqlite3").sqlite_version,
        "platform": platform.platform(),
        "executable": sys.executable,
    }


def _ratio(f: Figure) -> str:
    if f.ratio is None:
        return "—"
    if f.ratio >= 100:
        return f"{f.ratio:,.0f}"
    if f.ratio >= 10:
        return f"{f.ratio:.1f}"
    return f"{f.ratio:.3g}"


def _value(f: Figure) -> str:
    if f.value is None:
        return "—"
    if f.value >= 1000:
        return f"{f.value:,.0f} {f.unit}".strip()
    return f"{f.value:.3g} {f.unit}".strip()


def table(figures: Sequence[Figure], sizes: Sizes, seconds: float) -> Table:
    caption = (
        "quick run: small sizes for CI; the targets are set for the full sizes, "
        "so pass/fail here is only indicative"
        if sizes.name == "quick"
        else None
    )
    t = Table(
        title=f"threadbot benchmarks ({sizes.name} run, {seconds:.0f} s)",
        caption=caption,
        show_lines=False,
    )
    t.add_column("figure")
    t.add_column("ratio", justify="right")
    t.add_column("ratio of")
    t.add_column("value", justify="right")
    t.add_column("target")
    t.add_column("result")
    t.add_column("note", overflow="fold")
    for f in figures:
        t.add_row(
            f.title,
            _ratio(f),
            f.ratio_of,
            _value(f),
            f.target,
            f"[{_STYLE[f.status]}]{f.status}[/]",
            f.note,
        )
    return t


def print_table(figures: Sequence[Figure], sizes: Sizes, seconds: float) -> None:
    Console(highlight=False, width=max(160, Console().width)).print(table(figures, sizes, seconds))


def to_json(
    figures: Sequence[Figure],
    sizes: Sizes,
    seconds: float,
    load: dict[str, list[float]] | None = None,
) -> dict[str, Any]:
    return {
        "mode": sizes.name,
        "machine": machine(),
        "seconds": seconds,
        "load_average": load or {},
        "sizes": {k: getattr(sizes, k) for k in sizes.__slots__},
        "figures": {f.key: f.to_json() for f in figures},
        "summary": {
            status: [f.key for f in figures if f.status == status]
            for status in ("pass", "fail", "info", "not measured")
        },
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(figures: Sequence[Figure], sizes: Sizes, seconds: float) -> str:
    m = machine()
    lines = [
        "### Benchmarks",
        "",
        f"`python -m benchmarks` ({sizes.name} run, {seconds / 60:.0f} min), {m['date'][:10]}; "
        f"machine: {m['cpu']}, {m['nproc']} CPUs (`nproc`), {m['memory_gb']} GB RAM, "
        f"Python {m['python']}, SQLite {m['sqlite']}. Every ratio is against a baseline timed "
        "in the same run on the same data (see `benchmarks/`).",
        "",
        "| figure | ratio | ratio of | value | target | result | note |",
        "| --- | ---: | --- | ---: | --- | --- | --- |",
    ]
    for f in figures:
        cells = (f.title, _ratio(f), f.ratio_of, _value(f), f.target, f.status, f.note)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
