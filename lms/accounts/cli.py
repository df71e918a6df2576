"""``flask lms create-user``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..cli import lms_group
from . import services as accounts
from .models import ROLES


@lms_group.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(ROLES),
    default=["learner"],
    show_default=True,
    help="Give this role (repeat for several).",
)
@click.option("--name", required=True, help="The person's name as shown in the LMS.")
@click.password_option(help="Asked for when not given.")
@click.option(
    "--locale",
    type=click.Choice(["en", "bn", "bn_BD"]),
    default=None,
    help="UI language of the account (default: follow the browser).",
)
@with_appcontext
def create_user_command(
    email: str, roles: tuple[str, ...], name: str, password: str, locale: str | None
) -> None:
    """Create an account with a password."""
    try:
        user = accounts.create_user(email, name, password, roles, locale=locale)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")
