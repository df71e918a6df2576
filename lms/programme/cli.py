"""``flask lms`` commands for the programme's records: bulk imports from CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli import lms_group
from .records import services, tables


def _import(kind: str, path: Path) -> None:
    importer = (
        services.import_enterprises if kind == "enterprises" else services.import_beneficiaries
    )
    try:
        table = tables.read(path.read_bytes(), path.name)
    except tables.TableError as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    created, problems = importer(table)
    for problem in problems:
        for message in problem.messages:
            click.echo(f"{path}:{problem.row}: {message}", err=True)
    if problems:
        raise click.ClickException(f"nothing was imported: {len(problems)} rows have problems")
    click.echo(f"{created} {kind} imported")


@lms_group.command("import-enterprises")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_enterprises_command(path: Path) -> None:
    """Import enterprises from a CSV or XLSX file: every row, or none if any is wrong."""
    _import("enterprises", path)


@lms_group.command("import-beneficiaries")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_beneficiaries_command(path: Path) -> None:
    """Import beneficiaries (matched to enterprises by Udyam number or name): all rows or none."""
    _import("beneficiaries", path)
