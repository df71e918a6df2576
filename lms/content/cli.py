"""``flask lms check-content`` and ``flask lms mark-translated``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import plugins
from ..cli import lms_group
from ..state import state
from .checker import check_library, format_report, variants_summary
from .library import ContentLibrary


def report(directory: Path) -> tuple[list[str], int]:
    """The checker's lines for ``directory`` and a summary line; and the number of errors."""
    library = ContentLibrary(directory, state().content_folders)
    problems = check_library(library, state().content_checks)
    root = Path.cwd() if directory.resolve().is_relative_to(Path.cwd()) else None
    lines, errors, warnings = format_report(problems, root)
    skipped = list(plugins.skipped_report(state()))
    lines = [*skipped, *lines]
    warnings += len(skipped)
    modules = len(library.modules())
    lines += variants_summary(library)
    lines.append(f"{modules} modules checked: {errors} errors, {warnings} warnings")
    return lines, errors


@lms_group.command("check-content")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def check_content_command(directory: Path | None) -> None:
    """Check every module in DIRECTORY (default: LMS_CONTENT_DIR): one line per problem."""
    directory = directory or Path(current_app.config["LMS_CONTENT_DIR"])
    if not directory.is_dir():
        raise click.ClickException(f"{directory}: no such folder")
    lines, errors = report(directory)
    for line in lines:
        click.echo(line)
    if errors:
        raise SystemExit(1)


@lms_group.command("mark-translated")
@click.argument("slug")
@click.argument("locale", type=click.Choice(["bn", "bn_BD"]))
@with_appcontext
def mark_translated_command(slug: str, locale: str) -> None:
    """Record that the LOCALE text of module SLUG now follows the current English text."""
    from . import services

    module = services.library().get(slug)
    if module is None:
        raise click.ClickException(f"no module {slug!r} in {current_app.config['LMS_CONTENT_DIR']}")
    try:
        fingerprint = services.mark_translated(module, locale)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{slug}/{locale}.md: translated_from: {fingerprint}")
