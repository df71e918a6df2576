"""The root ``lms`` blueprint: templates, static files, per-request checks and error pages."""

from __future__ import annotations

import contextlib
from sqlite3 import SQLITE_ERROR
from typing import Any

import flask_login
from flask import (
    Flask,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
)
from werkzeug.wrappers import Response

from . import auth, i18n, security, sessions, templating
from .auth import current_user
from .db import db
from .i18n import _, _l
from .state import state
from .static_files import StaticBlueprint

bp = StaticBlueprint(
    "lms",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/lms-static",
)

_ERROR_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to open this page."),
    404: _l("We could not find this page."),
    405: _l("This action is not allowed here."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts. Please wait a little and try again."),
    500: _l("Something went wrong on our side. Please try again."),
    503: _l("The service is not available right now. Please try again in a minute."),
}


def register(app: Flask) -> None:
    """Register the root blueprint (with the capabilities' nested in it by ``lms.blueprints``)."""
    app.register_blueprint(bp, url_prefix=app.config["LMS_URL_PREFIX"] or None)
    templating.install(app)
    # Every request of the app: a session ended on the server signs nobody in, and idle
    # sign-out counts activity on the host's pages too (it is off under a host's sign-in unless
    # the host turned it on).
    app.before_request(_check_session)
    if app.config["LMS_APP_ERROR_PAGES"]:
        app.register_error_handler(HTTPException, handle_http_error)
        app.register_error_handler(InternalServerError, handle_http_error)
        app.register_error_handler(SQLAlchemyError, handle_database_error)


def cookie_path() -> str:
    """LMS cookies are sent to LMS pages only (``/`` when the LMS is mounted at the root)."""
    return current_app.config["LMS_URL_PREFIX"] or "/"


def set_cookie(
    response: Response, name: str, value: str, max_age: int, path: str | None = None
) -> None:
    """An LMS cookie: HttpOnly, SameSite=Lax, and Secure whenever the session cookie is.
    ``name`` is given without ``LMS_COOKIE_PREFIX``; ``path`` narrows it to some LMS pages."""
    response.set_cookie(
        auth.cookie_name(name),
        value,
        max_age=max_age,
        path=path or cookie_path(),
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )


def delete_cookie(response: Response, name: str) -> None:
    response.delete_cookie(auth.cookie_name(name), path=cookie_path())


def get_cookie(name: str) -> str | None:
    return request.cookies.get(auth.cookie_name(name))


def render(template: str, **context: Any) -> str:
    """Render an LMS template with the language, formatting and navigation helpers."""
    user = current_user._get_current_object()
    values: dict[str, Any] = i18n.template_context()
    signed_in = user.is_authenticated
    values.update(
        csrf_token=generate_csrf,
        current_user=user,
        idle_timeout=auth.idle_timeout() if signed_in else 0,
        home_links=state().home_links,
        show_switch=signed_in and auth.switch_learner_enabled(),
        show_sign_out=signed_in and not auth.host_signs_in(),
        show_language_switch=not i18n.locale_follows_host(),
    )
    values.update(context)
    return render_template(template, **values)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@bp.after_request
def _security_headers(response: Response) -> Response:
    if current_app.config["LMS_SECURITY_HEADERS"]:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@bp.after_request
def _not_stored(response: Response) -> Response:
    """Nothing shown to a signed-in user is kept by the browser: not in its cache, not in its
    back-forward cache (on a shared tablet, Back after *Switch learner* must not show the
    previous learner's page). A view that made its answer cacheable on purpose (``public`` or
    a ``max-age``) keeps that; the LMS's static files are the same for everyone. Answers to
    other methods than GET are never stored nor kept for Back anyway."""
    cache = response.cache_control
    if request.method not in ("GET", "HEAD") or request.endpoint == "lms.static":
        return response
    if cache.public or cache.max_age or cache.no_store:
        return response
    if flask_login.current_user.is_authenticated:
        cache.no_store = True
        response.vary.add("Cookie")
    return response


@bp.before_request
def _before_request() -> None:
    _limit_request_size()
    security.csrf_protect()
    _refuse_nul_characters()


def _limit_request_size() -> None:
    """A body over ``LMS_MAX_REQUEST_BYTES`` is refused (413) before anything reads it; one sent
    without a length is cut off at the limit as it is read. A smaller host-app limit stays."""
    limit = current_app.config["LMS_MAX_REQUEST_BYTES"]
    host_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if not limit or (host_limit is not None and host_limit <= limit):
        return
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


def _refuse_nul_characters() -> None:
    """No text keeps a NUL character (PostgreSQL cannot store one): refused with a 400 up front,
    not a server error halfway through saving."""
    values = [*(request.view_args or {}).values(), *request.args.values()]
    if request.method in security.UNSAFE_METHODS:
        values += [v for _key, found in request.form.lists() for v in found]
    if any(isinstance(v, str) and "\x00" in v for v in values):
        raise BadRequest()


def _check_session() -> Response | None:
    """Sign out whoever was idle longer than the timeout (shared tablets); else note activity,
    unless the request is :func:`lms.auth.passive` (a page polling on its own).

    When the LMS signs people in, the user loader has already refused a session that ended on
    the server, and idle time is measured there too (:mod:`lms.sessions`). Under a host's
    sign-in, activity is noted in the session cookie. On an LMS page the idle user is sent to
    sign in again; a host page carries on, signed out."""
    if request.endpoint and request.endpoint.endswith(".static"):
        return None  # a stylesheet or script is no sign of activity, and needs no database
    timeout = auth.idle_timeout()
    if auth.host_signs_in():
        return _check_host_idle(timeout)
    if not flask_login.current_user.is_authenticated:
        return None
    row = sessions.current(int(flask_login.current_user.id))
    if row is None:  # not a session of ours (the user loader refuses those already)
        return None
    if timeout and sessions.idle_for(row) > timeout:
        return _signed_out_idle()
    if not auth.is_passive():
        sessions.touch(row, auth.touch_every())
    return None


def _check_host_idle(timeout: int) -> Response | None:
    if not timeout or not flask_login.current_user.is_authenticated:
        return None
    if auth.idle_for() > timeout:
        return _signed_out_idle()
    if not auth.is_passive():
        auth.touch()
    return None


def _signed_out_idle() -> Response | None:
    auth.sign_out("idle")
    if not _is_lms_request():
        return None
    flash(_("You were signed out because the tablet was not used for a while."), "info")
    if auth.is_passive():  # a page's script: it reloads, and the page asks to sign in
        return current_app.response_class(status=401)
    if auth.host_signs_in():
        return current_app.login_manager.unauthorized()
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("lms.accounts.login", next=target))


def _is_lms_request() -> bool:
    blueprint = request.blueprint or ""
    return blueprint == "lms" or blueprint.startswith("lms.")


def handle_http_error(error: HTTPException) -> Any:
    code = error.code or 500
    if code < 400:
        return error
    if isinstance(error, CSRFError):
        message = _(
            "This page had expired, so nothing was saved. Please go back, reload and try again."
        )
    else:
        message = _ERROR_MESSAGES.get(code) or _ERROR_MESSAGES[500 if code >= 500 else 400]
    hint = None
    if code == 413:
        hint = _("Nothing was saved. Go back and send a smaller file or a shorter text.")
    # Headers here too: app-wide (LMS_APP_ERROR_PAGES) the blueprint's after_request never runs
    # for a URL no LMS rule matched.
    page = make_response(
        render("lms/errors/error.html", code=code, message=message, hint=hint), code
    )
    return _security_headers(page)


bp.register_error_handler(HTTPException, handle_http_error)
bp.register_error_handler(InternalServerError, handle_http_error)


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached or used now, rather than a bug:
    refused or lost connections, an unopenable or locked SQLite file, a full pool."""
    if isinstance(error, PoolTimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    # SQLite reports SQL mistakes ("no such table") as OperationalError too: those stay bugs.
    code = getattr(error.orig, "sqlite_errorcode", None)
    return isinstance(error, OperationalError) and (code is None or code & 0xFF != SQLITE_ERROR)


def handle_database_error(error: SQLAlchemyError) -> Any:
    """503 in the user's language, rendered without the database: the user record cannot be
    loaded, so the page is made for an anonymous visitor (locale from cookie or browser)."""
    if not database_unavailable(error):
        raise error
    log = current_app.logger
    log.warning("database unavailable (%s %s): %s", request.method, request.path, error)
    with contextlib.suppress(SQLAlchemyError):
        db.session.rollback()
    g._login_user = current_app.login_manager.anonymous_user()  # flask-login's request user
    auth.forget_current()
    message = _ERROR_MESSAGES[503]
    wants_json = request.accept_mimetypes.best == "application/json"
    if request.endpoint == "lms.core.healthz" or wants_json:
        response = jsonify(status="error", database="unreachable", error=str(message))
    else:
        again = security.safe_next(request.full_path) or url_for("lms.core.home")
        page = render("lms/errors/unavailable.html", code=503, message=message, again=again)
        response = make_response(page)
    response.status_code = 503
    response.headers["Retry-After"] = "60"
    return response


bp.register_error_handler(SQLAlchemyError, handle_database_error)
