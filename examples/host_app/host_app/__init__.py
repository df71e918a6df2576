"""Bantala Leather Cooperative: the cluster association's site, with the Dakshata LMS mounted
at ``/learn`` for its members' training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app, request, session
from flask.cli import with_appcontext
from flask_babel import Babel, get_locale, gettext
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from lms import LMS

from .models import User, create_user, db

HERE = Path(__file__).resolve().parent
TRANSLATIONS = HERE.parent / "translations"
MIGRATIONS = HERE.parent / "migrations"

login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
migrate = Migrate()

#: The cooperative's roles as LMS roles: members learn, trainers also see results, admins
#: administer (an LMS admin holds every LMS role).
LMS_ROLES = {
    "member": {"learner"},
    "trainer": {"learner", "trainer"},
    "admin": {"admin"},
}


def lms_roles(user: User) -> set[str]:
    return LMS_ROLES.get(user.role, set())


def N_(message: str) -> str:
    """Marks a message for extraction; Flask-Login translates it when it flashes it."""
    return message


def select_locale() -> str:
    """The language chosen with the site's switch, else the browser's, else English."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "en"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev-only-change-me",
        SQLALCHEMY_DATABASE_URI="sqlite:///" + str(Path(app.instance_path) / "bantala.sqlite3"),
        LANGUAGES=["en", "bn", "bn_BD"],
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS),
        #: Mount the training (Dakshata) at /learn; False gives the site as it was before
        #: (the tests compare the two).
        MOUNT_LMS=True,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("BANTALA")  # e.g. BANTALA_SQLALCHEMY_DATABASE_URI=...
    else:
        app.config.from_mapping(test_config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///" + app.instance_path):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    login_manager.init_app(app)
    login_manager.login_view = "site.login"
    login_manager.login_message = N_("Please sign in to see this page.")
    login_manager.localize_callback = gettext
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)

    from . import views

    app.register_blueprint(views.bp)
    app.register_error_handler(404, views.page_not_found)
    app.cli.add_command(add_member)

    @app.context_processor
    def _site_context() -> dict[str, Any]:
        return {
            "lms_mounted": "lms" in app.extensions,
            "cart_size": len(session.get("cart", [])),
            "html_lang": str(get_locale()).replace("_", "-"),
        }

    if app.config["MOUNT_LMS"]:
        # The training: its tables in our database (`flask lms init`), our users and sign-in,
        # our languages, CSRF token and templates/lms/base.html.
        LMS(app, db=db, url_prefix="/learn", user_roles=lms_roles)
    return app


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@click.command("add-member")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["member", "trainer", "admin"]), default="member")
@click.password_option()
@with_appcontext
def add_member(email: str, name: str, role: str, password: str) -> None:
    """Create a member account (signs in on /login, and so into the training too)."""
    try:
        user = create_user(email, name, password, role)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.email} ({user.role}).")
