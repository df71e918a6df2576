"""``flask lms course-selection``: the selection list of a course, as a CSV or XLSX file."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli import lms_group
from ..countries import COUNTRIES
from ..programme.exports import xlsx_bytes
from ..quiz.results_views import csv_text
from . import services, texts


@lms_group.command("course-selection")
@click.argument("course_id")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--country", type=click.Choice(COUNTRIES), help="Only learners of this country.")
@click.option("--all", "everyone", is_flag=True, help="Everyone, with why they may not yet.")
@with_appcontext
def course_selection_command(
    course_id: str, output: Path, country: str | None, everyone: bool
) -> None:
    """Write who may take COURSE_ID to OUTPUT (.csv or .xlsx), as the trainer's download."""
    course = services.get(course_id)
    if course is None:
        known = ", ".join(c.id for c in services.catalogue().courses) or "none"
        raise click.ClickException(f"no course {course_id!r} (courses: {known})")
    if output.suffix not in (".csv", ".xlsx"):
        raise click.ClickException("OUTPUT must end in .csv or .xlsx")
    listed = services.candidates(course, country)
    chosen = listed if everyone else [c for c in listed if c.state.eligible]
    header, rows = texts.selection_table(course, chosen)
    if output.suffix == ".xlsx":
        output.write_bytes(xlsx_bytes(f"selection-{course.id}", header, rows))
    else:  # with the byte-order mark the download has, so Excel reads Bengali
        output.write_text(csv_text(header, rows), encoding="utf-8-sig", newline="")
    eligible = sum(1 for c in listed if c.state.eligible)
    click.echo(f"{output}: {len(chosen)} rows; {eligible} of {len(listed)} learners may take it")
