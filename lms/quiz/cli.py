"""``flask lms item-analysis``: Moodle's quiz statistics for a CSV of marks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli import lms_group
from .analysis import Analysis, analyse


def read_marks(path: Path) -> tuple[list[str], list[list[float | None]]]:
    """Header: attempt id, then item ids; each row: an attempt id, then one mark per item
    (an empty cell: the attempt did not include the item)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    if len(rows) < 2 or len(rows[0]) < 2:
        raise click.ClickException(f"{path}: needs a header row and at least one attempt")
    items = [name.strip() for name in rows[0][1:]]
    marks: list[list[float | None]] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            raise click.ClickException(
                f"{path}:{number}: {len(row)} cells, the header has {len(rows[0])}"
            )
        try:
            marks.append([float(cell) if cell.strip() else None for cell in row[1:]])
        except ValueError as exc:
            raise click.ClickException(f"{path}:{number}: not a number ({exc})") from exc
    return items, marks


def _cell(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(result: Analysis) -> list[str]:
    t = result.test
    lines = [
        f"attempts {t.n}   mean {_cell(t.mean)}   median {_cell(t.median)}   sd {_cell(t.sd)}",
        f"skewness {_cell(t.skewness, 4)}   kurtosis {_cell(t.kurtosis, 4)}",
        f"CIC {_cell(t.cic)}%   error ratio {_cell(t.error_ratio)}%   "
        f"standard error {_cell(t.standard_error)}",
        "",
        f"{'item':<24} {'facility%':>9} {'sd%':>7} {'disc.index%':>11} {'disc.eff%':>9} "
        f"{'eff.weight%':>11}  flags",
    ]
    for item in result.items:
        pct = lambda v: None if v is None else 100 * v  # noqa: E731
        lines.append(
            f"{item.item:<24} {_cell(pct(item.facility)):>9} {_cell(pct(item.sd)):>7} "
            f"{_cell(item.discrimination_index):>11} {_cell(item.discriminative_efficiency):>9} "
            f"{_cell(item.effective_weight):>11}  {' '.join(item.flags)}"
        )
    return lines


@lms_group.command("item-analysis")
@click.option(
    "--csv",
    "csv_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Marks: attempt id, then one column per item.",
)
@click.option(
    "--max-mark", type=float, default=1.0, show_default=True, help="Maximum mark of every item."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def item_analysis_command(csv_path: Path, max_mark: float, as_json: bool) -> None:
    """Moodle's test and item statistics (facility, discrimination, CIC...) for a CSV."""
    if max_mark <= 0:
        raise click.ClickException("--max-mark must be above 0")
    items, marks = read_marks(csv_path)
    result = analyse(items, marks, [max_mark] * len(items))
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
    else:
        for line in table(result):
            click.echo(line)


@lms_group.command("rebuild-results")
@with_appcontext
def rebuild_results_command() -> None:
    """Compute every learner's results row again from the attempts (the submit keeps them;
    after restoring attempts from elsewhere, or to check, this makes them anew)."""
    from .results import rebuild

    made = rebuild()
    click.echo(f"{made} results rows rebuilt from the submitted attempts.")
