"""The ``LMS`` Flask extension: ``LMS(app=None, *, db=None, ..., **options)`` and ``init_app(app)``.

Standalone, the LMS brings its own database, sign-in, languages and layout. Mounted in an existing
app, it uses what the host already has and changes nothing it does not own::

    db = SQLAlchemy(app)
    login = LoginManager(app)
    LMS(app, db=db, url_prefix="/learn", user_roles=lambda user: {"learner"})
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_babel import Babel

from . import config, public_url, security
from . import db as database
from .i18n import locale_code
from .state import HomeLink, HostUsers, LMSState, state

__all__ = ["LMS", "HomeLink", "LMSState", "state"]


class LMS:
    """Dakshata's learning-management extension.

    ``options`` set ``LMS_*`` config keys by their short name: ``LMS(app, url_prefix="/learn")``
    sets ``LMS_URL_PREFIX``. The keyword-only arguments connect the LMS to a host app:

    - ``db``: the host's Flask-SQLAlchemy instance; the LMS tables (``lms_*``) live in its
      database and the LMS uses its session and engine.
    - ``user_id``, ``user_roles``, ``user_name``, ``user_email``: ``(host user) -> ...`` when the
      host signs people in (its own ``LoginManager``): the key of the user's LMS record (default
      ``get_id()``; give a stable id if ``get_id()`` changes on purpose), the LMS roles (a set of
      ``learner``, ``trainer``, ``author``, ``admin``; default: every user is a learner), the
      name and the e-mail.
    - ``locale_selector``: ``() -> locale code or None``, asked first for the UI language.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        db: Any = None,
        user_id: Callable[[Any], str] | None = None,
        user_roles: Callable[[Any], set[str]] | None = None,
        user_name: Callable[[Any], str] | None = None,
        user_email: Callable[[Any], str | None] | None = None,
        locale_selector: Callable[[], str | None] | None = None,
        **options: Any,
    ) -> None:
        self.db = db
        self.options = options
        defaults = HostUsers()
        self.host_users = HostUsers(
            id=user_id or defaults.id,
            roles=user_roles or defaults.roles,
            name=user_name or defaults.name,
            email=user_email or defaults.email,
        )
        self.locale_selector = locale_selector
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        # Everything is checked before anything changes: a refused init leaves the app as it was.
        if "lms" in app.extensions:
            raise RuntimeError("The LMS extension is already registered on this app.")
        values, explicit = config.resolve(app, self.options)
        database.check(app, self.db)
        security.check_secret_key(app, values)
        public_url.check(values)
        hosted = self.db is not None or getattr(app, "login_manager", None) is not None

        config.apply(app, values)
        if app.config["LMS_PROXY_FIX"]:
            from werkzeug.middleware.proxy_fix import ProxyFix

            hops = int(app.config["LMS_PROXY_FIX"])
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
        security.configure_secret_key(app)
        if not hosted:
            security.configure_cookies(app)
        instance, owns_engine = database.init_db(app, self.db)
        app.extensions["lms"] = lms_state = LMSState(
            extension=self,
            db=instance,
            owns_engine=owns_engine,
            babel=_init_babel(app),
            explicit_config=explicit,
            host_users=self.host_users,
            locale_selector=self.locale_selector,
        )

        from . import cli, plugins, web
        from .blueprints import CAPABILITIES
        from .parsing import IdConverter

        # Before the routes: LMS URLs take ids through the one bounded number reader.
        app.url_map.converters["lms_id"] = IdConverter
        web.register(app)
        for capability in CAPABILITIES:
            capability.setup(app, lms_state)
        plugins.load(app, lms_state)
        app.cli.add_command(cli.lms_group)


def _init_babel(app: Flask) -> Babel | None:
    """Flask-Babel for an app that has none (returned: the LMS's). A host's Babel is left
    alone: the LMS follows the host's locale when it is one of ``LMS_LOCALES``."""
    if "babel" in app.extensions:
        return None
    return Babel(app, locale_selector=locale_code, default_locale=app.config["LMS_DEFAULT_LOCALE"])
