"""``flask lms resources-index``: rebuild the resource centre's search index from the files."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..cli import lms_group
from . import services


@lms_group.command("resources-index")
@with_appcontext
def resources_index_command() -> None:
    """Rebuild the search index of the business resource centre from LMS_CONTENT_DIR/resources
    (pages also do it when the files change)."""
    found = services.catalogue()
    for problem in found.problems:
        click.echo(problem.format(), err=True)
    services.ensure_index(force=True)
    click.echo(f"{len(found.entries)} resource entries indexed")
