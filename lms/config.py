"""Configuration keys of the LMS extension and their defaults.

Every key is documented once, here, where its default is set. A host app sets any of them in its
own config before ``LMS.init_app``; keyword options given to ``LMS(...)`` win over both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


def _default_content_dir() -> str:
    """``modules_content/`` beside the package (a checkout), else the working directory's."""
    beside = PACKAGE_DIR.parent / "modules_content"
    return str(beside if beside.is_dir() else Path.cwd() / "modules_content")


def _default_translations_dir() -> str:
    """``translations/`` beside the package in a checkout, else inside it (a built wheel)."""
    for candidate in (PACKAGE_DIR.parent / "translations", PACKAGE_DIR / "translations"):
        if candidate.is_dir():
            return str(candidate)
    return str(PACKAGE_DIR.parent / "translations")


def defaults(app: Flask) -> dict[str, Any]:
    """The default of every ``LMS_*`` key for ``app`` (some depend on its instance folder)."""
    return {
        #: ``development`` or ``production``. Production refuses to start without an explicit
        #: secret key and marks cookies ``Secure`` (serve it behind TLS).
        "LMS_ENV": os.environ.get("LMS_ENV", "development"),
        #: SQLAlchemy URL of the LMS's own database. Default: SQLite in the instance folder (WAL,
        #: foreign keys on). For PostgreSQL: ``postgresql+psycopg://user:pass@host/dbname``.
        #: Not used with ``LMS(app, db=db)``: the LMS tables then live in the host's database.
        "LMS_DATABASE_URL": "sqlite:///" + str(Path(app.instance_path) / "lms.sqlite3"),
        #: Seconds a SQLite connection waits for a lock before giving up.
        "LMS_SQLITE_BUSY_TIMEOUT": 30,
        #: Secret key for sessions and CSRF tokens, used when the app has no ``SECRET_KEY``.
        #: Empty: in development one is generated once and kept in ``<instance>/secret_key``.
        "LMS_SECRET_KEY": "",
        #: Where the LMS pages are mounted in the host app (``""`` or e.g. ``"/learn"``).
        "LMS_URL_PREFIX": "",
        #: UI locales offered, in the order of the language switcher.
        "LMS_LOCALES": ("en", "bn", "bn_BD"),
        #: Languages added to (or replacing) the built-in table of ``lms.i18n.LOCALES``:
        #: ``{code: lms.i18n.LocaleInfo(...)}`` or ``{code: {"autonym": ..., "html_lang": ...,
        #: "format_locale": ..., "currency": ..., "timezone": ..., "digits": ...}}``.
        "LMS_LANGUAGES": {},
        #: Locale used when neither the user, a cookie nor the browser chooses one.
        "LMS_DEFAULT_LOCALE": "en",
        #: The country whose content (rules, figures, quiz items) a learner gets when neither
        #: their enterprise's cluster nor their own choice in *My settings* says: ``IN`` or ``BD``.
        "LMS_DEFAULT_COUNTRY": "IN",
        #: Message-by-message fallback between catalogs; English (the source) is always last.
        "LMS_LOCALE_FALLBACKS": {"bn_BD": ["bn"]},
        #: Folder of the compiled gettext catalogs (``<locale>/LC_MESSAGES/lms.mo``).
        "LMS_TRANSLATIONS_DIR": _default_translations_dir(),
        #: Seconds without activity after which a signed-in user is signed out (shared tablets),
        #: measured on the server from the session's last request (pages' polling is no
        #: activity). ``0`` turns it off. When the host app signs people in, only a value the
        #: host sets itself applies (off otherwise).
        "LMS_IDLE_TIMEOUT": 15 * 60,
        #: Offer "Switch learner" (sign out and show the tablet's recent learners). When the host
        #: app signs people in, only a value the host sets itself applies (off otherwise).
        "LMS_SWITCH_LEARNER": True,
        #: Whether signing out (or switching learner, or idling) ends the whole session, or only
        #: removes the LMS's own keys and Flask-Login's. ``None``: the whole session when the LMS
        #: signs people in, only its own keys when the host app does.
        "LMS_OWNS_SESSION": None,
        #: Prefix of the LMS's cookie names, session keys and signing salts. Give each LMS its own
        #: when two share one domain.
        "LMS_COOKIE_PREFIX": "lms_",
        #: Seconds over which failed sign-ins count (``lms.accounts.limits``); older ones are
        #: deleted.
        "LMS_LOGIN_WINDOW": 15 * 60,
        #: Failed sign-ins of one account from one client (its address, or a browser with the
        #: account's device cookie) within the window before each next try must wait.
        "LMS_LOGIN_FREE_FAILURES": 5,
        #: The first wait in seconds; it doubles with each further failure of that pair...
        "LMS_LOGIN_DELAY": 5,
        #: ... up to this many seconds.
        "LMS_LOGIN_MAX_DELAY": 5 * 60,
        #: Failed sign-ins of one account within the window, from all clients without its
        #: device cookie together (any address), after which those clients are refused until
        #: failures age out. Browsers where the account signed in before are never refused by it.
        "LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT": 20,
        #: Different e-mail addresses one client address may fail on within the window; then its
        #: tries on others are refused (except from browsers with that account's device cookie).
        #: High: a hall of 60 first-time users behind one router shares one address.
        "LMS_LOGIN_MAX_ACCOUNTS_PER_IP": 200,
        #: Wrong live-quiz codes one client address may try per minute (right codes never count:
        #: a hall types the same right code at once). Then it waits.
        "LMS_LIVE_MAX_WRONG_CODES_PER_IP": 30,
        #: Participants one client address may add to one live quiz without signing in (a hall of
        #: 60 tablets shares one address: about twice the hall).
        "LMS_LIVE_MAX_JOINS_PER_IP": 120,
        #: Shortest password accepted.
        "LMS_PASSWORD_MIN_LENGTH": 8,
        #: How many recent learners the "switch learner" screen of a tablet offers.
        "LMS_RECENT_USERS": 8,
        #: Days a test's answers queued on an offline tablet stay valid: a tablet may stay
        #: offline over a long weekend; later they are refused and the learner is told so.
        "LMS_OFFLINE_SYNC_DAYS": 7,
        #: Folder of the Markdown modules (one sub-folder per module). Files are re-read when
        #: they change on disk; authors with the ``author`` role can edit them in the browser.
        "LMS_CONTENT_DIR": _default_content_dir(),
        #: The needs-assessment questionnaire (YAML, described in ``modules_content/README.md``),
        #: re-read when it changes. Empty: ``needs-assessment.yaml`` in ``LMS_CONTENT_DIR``.
        "LMS_NEEDS_QUESTIONNAIRE": "",
        #: Public address of the site (e.g. ``https://dakshata.example.org``), without
        #: ``LMS_URL_PREFIX``: certificates, their credentials, status list and PDF QR codes use
        #: it, never a request's Host. Production refuses to start without it; empty in
        #: development: ``http://127.0.0.1:5000`` (``lms.public_url.DEVELOPMENT_BASE_URL``).
        "LMS_BASE_URL": "",
        #: The issuer named on certificates and in their credentials.
        "LMS_ISSUER_NAME": "Dakshata Leather MSME Training Programme",
        #: Issuers whose certificates ``flask lms verify-certificate`` and the verify page accept:
        #: their addresses (``https://host`` or ``https://host/path``). Their keys and status
        #: lists are fetched only from under these addresses; a credential from any other issuer
        #: is "not valid". Empty: this site's own address (``LMS_BASE_URL``) only.
        "LMS_TRUSTED_ISSUERS": (),
        #: Who signs the certificates (printed on the PDF).
        "LMS_SIGNATORY": "Programme Director",
        #: The logo at the top of certificate PDFs: a PNG or JPEG file (absolute, or relative to
        #: the instance folder), fitted into 80 x 22 mm. Empty: the LMS's own drawn emblem.
        "LMS_CERTIFICATE_LOGO": "",
        #: The signatory's signature on certificate PDFs, over their name: a PNG (transparent
        #: background) or JPEG file, absolute or relative to the instance folder, fitted into
        #: 60 x 19 mm. Empty: a line to sign on.
        "LMS_CERTIFICATE_SIGNATURE": "",
        #: Days a certificate stays valid; 0: it does not expire.
        "LMS_CERTIFICATE_VALID_DAYS": 0,
        #: Folder of the signing keys; empty: ``<instance>/keys`` (owner-only permissions).
        "LMS_KEY_DIR": "",
        #: Folder of the fonts for PDFs (Noto Sans and Noto Sans Bengali, Debian's
        #: ``fonts-noto-core``).
        "LMS_FONT_DIR": "/usr/share/fonts/truetype/noto",
        #: Send security headers with LMS pages: a Content-Security-Policy without inline
        #: script or style, frame-ancestors 'none', nosniff and a same-origin referrer.
        "LMS_SECURITY_HEADERS": True,
        #: Number of trusted reverse proxies in front of the app (TLS terminated there): their
        #: X-Forwarded-For/-Proto/-Host headers are believed. 0: none (the default).
        "LMS_PROXY_FIX": 0,
        #: Show the LMS version on the public ``/healthz`` page (for monitoring that checks a
        #: deploy). Off by default: the version would tell anyone which known flaws to try.
        "LMS_HEALTHZ_VERSION": False,
        #: Register the LMS error pages (403, 404, 500, ...) for the whole app, not only LMS pages.
        "LMS_APP_ERROR_PAGES": False,
        #: Largest request body (bytes) an LMS page accepts; larger ones get a 413 page and
        #: nothing is saved. Enough for the 2 MB imports plus form overhead. Applies to LMS
        #: endpoints only and never loosens a smaller ``MAX_CONTENT_LENGTH`` of the host app.
        #: ``0``: no LMS limit.
        "LMS_MAX_REQUEST_BYTES": 4 * 1024 * 1024,
        #: Plugins to load from the ``lms.plugins`` entry points, by name; ``None``: every one
        #: installed. A plugin that fails to load or clashes is logged and skipped.
        "LMS_PLUGINS": None,
        #: Question types this app uses, by id (built-in and plugins'); ``None``: every one
        #: installed. Items of other types are reported by ``flask lms check-content``.
        "LMS_QUESTION_TYPES": None,
    }


def resolve(app: Flask, options: dict[str, Any]) -> tuple[dict[str, Any], frozenset[str]]:
    """Every ``LMS_*`` key's value for ``app`` (``LMS(...)`` options, else the app's config, else
    the default) and which of them the host set itself. Changes nothing: ``init_app`` checks
    everything before it writes anything into the host's config."""
    known = defaults(app)
    values: dict[str, Any] = {}
    explicit: set[str] = set()
    for key, value in options.items():
        name = key if key.startswith("LMS_") else "LMS_" + key.upper()
        if name not in known:
            raise TypeError(f"LMS() got an unknown option {key!r}")
        values[name] = value
        explicit.add(name)
    for key, value in known.items():
        if key not in values:
            if key in app.config:
                explicit.add(key)
            values[key] = app.config.get(key, value)
    if "LMS_PROGRAMME_MODULES" in app.config:
        raise RuntimeError(
            "LMS_PROGRAMME_MODULES is gone: courses replace the programme certificate. Write "
            "the modules as a course in <content>/courses/<id>.yaml (see the README) and remove "
            "the key; the programme certificates already issued stay valid."
        )
    if values["LMS_ENV"] not in ("development", "production"):
        raise RuntimeError("LMS_ENV must be 'development' or 'production'")
    days = values["LMS_OFFLINE_SYNC_DAYS"]
    if type(days) is not int or days < 1:
        raise RuntimeError("LMS_OFFLINE_SYNC_DAYS must be a whole number of days, 1 or more")
    if not isinstance(values["LMS_COOKIE_PREFIX"], str) or not values["LMS_COOKIE_PREFIX"]:
        raise RuntimeError("LMS_COOKIE_PREFIX must be a non-empty text, such as 'lms_'")
    _check_certificate_images(app, values)
    return values, frozenset(explicit)


#: How PNG and JPEG files begin: the image formats certificate PDFs take.
RASTER_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def image_problem(key: str, path: Path) -> str | None:
    """Why the image file ``path`` that config ``key`` names cannot go on a certificate."""
    try:
        with path.open("rb") as fh:
            start = fh.read(8)
    except OSError as error:
        return f"{key}: cannot read {path}: {error.strerror}"
    return None if start.startswith(RASTER_SIGNATURES) else f"{key}: {path} is not PNG or JPEG"


def _check_certificate_images(app: Flask, values: dict[str, Any]) -> None:
    """A configured logo or signature must be a readable PNG or JPEG: said at start-up, not
    to the first learner who downloads a certificate."""
    for key in ("LMS_CERTIFICATE_LOGO", "LMS_CERTIFICATE_SIGNATURE"):
        problem = image_problem(key, Path(app.instance_path) / values[key]) if values[key] else None
        if problem is not None:
            raise RuntimeError(problem)


def apply(app: Flask, values: dict[str, Any]) -> None:
    """Write the resolved keys into the app's config."""
    app.config.update(values)
