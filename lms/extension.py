"""The ``LMS`` Flask extension: ``LMS(app=None, **options)`` and ``init_app(app)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from flask_babel import Babel
from flask_login import LoginManager

from . import config, db, security
from .i18n import N_, gettext, locale_code


@dataclass(frozen=True)
class HomeLink:
    """A tile on the home page: what a role can do (``roles`` empty: every signed-in user)."""

    endpoint: str
    label: Any
    description: Any
    roles: tuple[str, ...] = ()
    #: Name of an icon in ``lms/icons.html``.
    icon: str = "dot"


@dataclass
class LMSState:
    """Per-app state, kept on ``app.extensions["lms"]``."""

    extension: LMS
    home_links: list[HomeLink] = field(default_factory=list)
    #: Functions ``(password) -> list[(email, role)]`` run by ``flask lms demo``, in order.
    demo_loaders: list[Callable[[str], list[tuple[str, str]]]] = field(default_factory=list)
    translations_cache: dict[str, Any] = field(default_factory=dict)
    #: The Markdown module library (``lms.content``).
    content_library: Any = None
    #: Question types by id (``lms.quiz``): built-ins and the ``lms.question_types`` plugins.
    question_types: Any = None
    #: Certificate document renderers by name (``pdf`` built in):
    #: ``(certificate, locale, verify_url, latin_digits) -> bytes``.
    certificate_renderers: dict[str, Callable[..., bytes]] = field(default_factory=dict)
    #: Sections of a learner's record page: ``(user) -> (template, context) | None``.
    record_sections: list[Callable[..., Any]] = field(default_factory=list)
    #: Panels on a module's page: ``(module) -> (template, context) | None``, e.g. its tests.
    module_panels: list[Callable[..., Any]] = field(default_factory=list)
    #: Extra content-checker checks ``(library, module) -> problems``, e.g. for quiz files.
    content_checks: list[Callable[..., Any]] = field(default_factory=list)
    #: Kinds of learner groups (``lms.groups.LearnerGroups``) that results, the ranking and
    #: certificate issuing can be narrowed to, e.g. the programme's training sessions.
    learner_groups: list[Any] = field(default_factory=list)
    #: Functions ``(user) -> enterprise name | None`` asked, in order, for the enterprise a
    #: certificate names (the programme answers from its enterprise records); the account's own
    #: ``enterprise_name`` is the fallback.
    enterprise_resolvers: list[Callable[..., str | None]] = field(default_factory=list)


def state() -> LMSState:
    """The LMS state of the current app."""
    return current_app.extensions["lms"]


class LMS:
    """Dakshata's learning-management extension.

    ``options`` set ``LMS_*`` config keys by their short name: ``LMS(app, url_prefix="/learn")``
    sets ``LMS_URL_PREFIX``.
    """

    def __init__(self, app: Flask | None = None, **options: Any) -> None:
        self.options = options
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        if "lms" in app.extensions:
            raise RuntimeError("The LMS extension is already registered on this app.")
        config.apply_defaults(app, self.options)
        if app.config["LMS_PROXY_FIX"]:
            from werkzeug.middleware.proxy_fix import ProxyFix

            hops = int(app.config["LMS_PROXY_FIX"])
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
        security.configure_secret_key(app)
        security.configure_cookies(app)
        db.init_db(app)
        _init_babel(app)
        _init_login(app)
        app.extensions["lms"] = lms_state = LMSState(extension=self)

        from . import cli, web
        from .blueprints import CAPABILITIES

        web.register(app)
        for capability in CAPABILITIES:
            capability.setup(app, lms_state)
        app.cli.add_command(cli.lms_group)


def _init_babel(app: Flask) -> None:
    if "babel" not in app.extensions:
        Babel(app, locale_selector=locale_code, default_locale=app.config["LMS_DEFAULT_LOCALE"])


def _init_login(app: Flask) -> None:
    if getattr(app, "login_manager", None) is not None:
        raise RuntimeError(
            "This app already has a Flask-Login LoginManager; the LMS manages sign-in itself."
        )
    from .accounts.services import load_user

    manager = LoginManager(app)
    manager.user_loader(load_user)
    manager.login_view = "lms.accounts.login"
    manager.login_message = N_("Please sign in to see this page.")
    manager.login_message_category = "info"
    manager.localize_callback = gettext
    manager.session_protection = "basic"
