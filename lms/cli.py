"""The ``flask lms`` command group."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import migrations, signals
from .state import state


@click.group("lms", help="Dakshata learning management.")
def lms_group() -> None:
    pass


@lms_group.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database tables, or upgrade them to this version (safe to run again)."""
    migrations.upgrade()
    click.echo("Database ready: " + current_app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1])


@lms_group.command("db-revision")
@click.option("-m", "--message", required=True, help="What the schema change is.")
@with_appcontext
def db_revision_command(message: str) -> None:
    """(Developers) write a migration for model changes, compared with the database."""
    migrations.revision(message)


@lms_group.command("demo")
@click.option(
    "--password", default="dakshata-demo", show_default=True, help="Password of every demo account."
)
@click.option(
    "--scale",
    type=click.FloatRange(min=0.01, max=100),
    help="Instead of the demo: a programme of N x 2,500 beneficiaries and 50 sessions, with "
    "their tests, certificates, needs assessments, feedback and mentorship list (benchmarks).",
)
@with_appcontext
def demo_command(password: str, scale: float | None) -> None:
    """Load demo accounts and data, so a newcomer sees a working system (safe to run again)."""
    if current_app.config["LMS_ENV"] == "production":
        raise click.ClickException("Refusing to load demo data with LMS_ENV=production.")
    migrations.upgrade()
    if scale is not None:
        generate = state().scale_demo
        if generate is None:
            raise click.ClickException("No capability makes a programme at scale.")
        admin = generate(scale, password, progress=click.echo)
        click.echo(f"Sign in as {admin} (password: {password}).")
        return
    from .demo import load_demo

    accounts_made = load_demo(password)
    signals.demo_loaded.send(current_app._get_current_object(), accounts=accounts_made)
    click.echo(f"Demo sign-ins (password: {password}):")
    for email, role in accounts_made:
        click.echo(f"  {role:<8} {email}")


@lms_group.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace the backup already in DEST.")
@with_appcontext
def backup_command(dest: Path, force: bool) -> None:
    """Back up the database and the certificate signing keys into the new folder DEST.

    SQLite is copied with its online backup API while the app keeps running; PostgreSQL with
    pg_dump (the PostgreSQL client must be installed).
    """
    from . import backup

    try:
        info = backup.backup(dest, force=force)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Backed up to {info.database} (schema {', '.join(info.revisions)}) "
        f"and {info.keys} signing key(s) to {dest / backup.KEYS_DIR}."
    )


@lms_group.command("restore")
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(src: Path, yes: bool) -> None:
    """Replace the whole database with the backup in SRC, add its signing keys, then upgrade.

    SRC is a folder made by `flask lms backup` (or the database file in it).
    """
    from . import backup

    try:
        info = backup.inspect_backup(src)
        where = current_app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1]
        if not yes:
            click.confirm(
                f"Replace EVERY table of {where} with {info.database} "
                f"(schema {', '.join(info.revisions)})? Changes made since the backup are lost",
                abort=True,
            )
        info = backup.restore(src)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {info.database}; {info.keys} signing key(s) added; schema upgraded.")
