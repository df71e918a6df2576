"""`make bench`: every benchmark in bench/, one table of figures, targets and ratios.

BENCH_ONLY="pages officials" runs only those benchmarks (module names in bench/).
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Row  # noqa: E402

BENCHMARKS = (
    "pages",
    "page_load",
    "offline_cache",
    "item_analysis",
    "answer_save",
    "offline_sync",
    "live_quiz",
    "live_push",
    "certificates",
    "resources_search",
    "officials",
)


def fmt(row: Row) -> str:
    ok = "" if row.ok is None else ("yes" if row.ok else "NO")
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
    value = f"{row.value:,.1f} {row.unit}".strip()
    line = f"| {row.figure:<58} | {value:>14} | {row.target:>10} | {ratio:>6} | {ok:>3} |"
    return line + (" <-- missed" if row.ok is False else "")


def print_table(rows: list[Row]) -> None:
    cpu = platform.processor() or platform.machine()
    print(
        f"Dakshata benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {cpu}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"| {'figure':<58} | {'value':>14} | {'target':>10} | {'ratio':>6} | {'ok':>3} |")
    print(f"|{'-' * 60}|{'-' * 16}:|{'-' * 11}:|{'-' * 7}:|{'-' * 4}:|")
    for row in rows:
        print(fmt(row))
    missed = [row for row in rows if row.ok is False]
    checked = sum(1 for row in rows if row.ok is not None)
    print(f"\n{checked - len(missed)} of {checked} targets met.")
    for row in missed:
        print(f"  MISSED: {row.figure}: {row.value:,.1f} {row.unit} (target {row.target})")


def main() -> int:
    chosen = os.environ.get("BENCH_ONLY", "").split() or list(BENCHMARKS)
    rows: list[Row] = []
    for name in chosen:
        rows.extend(importlib.import_module(name).run())
    print_table(rows)
    return 1 if any(row.ok is False for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
