"""`make bench`: every benchmark in bench/, one table of figures, targets and ratios."""

from __future__ import annotations

import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import answer_save  # noqa: E402
import certificates  # noqa: E402
import item_analysis  # noqa: E402
import live_quiz  # noqa: E402
import pages  # noqa: E402
from common import Row  # noqa: E402


def fmt(row: Row) -> str:
    ok = "" if row.ok is None else ("yes" if row.ok else "NO")
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
    value = f"{row.value:,.1f} {row.unit}".strip()
    return f"| {row.figure:<58} | {value:>14} | {row.target:>10} | {ratio:>6} | {ok:>3} |"


def main() -> int:
    rows: list[Row] = []
    for module in (pages, item_analysis, answer_save, live_quiz, certificates):
        rows.extend(module.run())
    cpu = platform.processor() or platform.machine()
    print(
        f"Dakshata benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {cpu}, "
        f"Python {platform.python_version()}"
    )
    print(f"| {'figure':<58} | {'value':>14} | {'target':>10} | {'ratio':>6} | {'ok':>3} |")
    print(f"|{'-' * 60}|{'-' * 16}:|{'-' * 11}:|{'-' * 7}:|{'-' * 4}:|")
    for row in rows:
        print(fmt(row))
    return 1 if any(row.ok is False for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
