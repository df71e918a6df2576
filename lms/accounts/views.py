"""Sign-in, sign-out and switching learner on a shared tablet; settings; user administration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    request,
    url_for,
)
from flask_login import LoginManager, login_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response

from .. import auth, countries, sessions, signals
from ..auth import current_user
from ..db import db
from ..i18n import (
    LOCALE_COOKIE,
    N_,
    _,
    _l,
    enabled_locales,
    format_number,
    gettext,
    language,
    locale_code,
    ngettext,
)
from ..security import login_required, roles_required, safe_next
from ..state import HomeLink
from ..web import delete_cookie, get_cookie, render, set_cookie
from . import devices, services
from .forms import PasswordForm, SettingsForm, SignInForm, UserForm, role_labels
from .models import ADMIN, User

if TYPE_CHECKING:
    from ..state import LMSState

bp = Blueprint("accounts", __name__)

#: The cookie of a tablet's recent learners (without ``LMS_COOKIE_PREFIX``).
RECENT_COOKIE = "recent"
_SIGN_IN_FAILURES = {
    "bad-credentials": _l("The e-mail or password is wrong."),
    "inactive": _l("This account is switched off. Please ask your trainer."),
}


def setup(app: Flask, state: LMSState) -> None:
    from . import demo

    state.user_resolver = services.current_record
    state.demo_loaders.append(demo.load)
    if getattr(app, "login_manager", None) is None:
        state.login_manager = _init_login(app)
    state.home_links.extend(
        [
            HomeLink(
                "lms.accounts.settings",
                _l("My settings"),
                _l("Your name, language, numbers and password."),
                icon="settings",
            ),
            HomeLink(
                "lms.accounts.users",
                _l("Users"),
                _l("Create accounts and give roles."),
                roles=(ADMIN,),
                icon="users",
            ),
        ]
    )


def _init_login(app: Flask) -> LoginManager:
    """The LMS signs people in itself (the app has no LoginManager of its own, yet: one added
    later takes over, and the LMS then follows it)."""
    manager = LoginManager(app)
    manager.user_loader(services.load_user)
    manager.login_view = "lms.accounts.login"
    manager.login_message = N_("Please sign in to see this page.")
    manager.login_message_category = "info"
    manager.localize_callback = gettext
    manager.session_protection = "basic"
    return manager


def _own_sign_in() -> None:
    """The LMS's password pages exist only when the LMS signs people in."""
    if auth.host_signs_in():
        abort(404)


# Shared tablets: who signed in here recently (a signed cookie of user ids).


def _recent_serializer() -> URLSafeSerializer:
    secret = current_app.config["SECRET_KEY"]
    return URLSafeSerializer(secret, salt=auth.salt("recent-users"))


def recent_user_ids() -> list[int]:
    raw = get_cookie(RECENT_COOKIE)
    if not raw:
        return []
    try:
        ids = _recent_serializer().loads(raw)
    except BadSignature:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def _remember_on_tablet(response: Response, user: User) -> None:
    limit = current_app.config["LMS_RECENT_USERS"]
    ids = [user.id, *[i for i in recent_user_ids() if i != user.id]][:limit]
    set_cookie(response, RECENT_COOKIE, _recent_serializer().dumps(ids), 30 * 24 * 3600)


def _recent_users() -> list[User]:
    ids = recent_user_ids()
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return [found[i] for i in ids if i in found and found[i].active]


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int, dict[str, str]]:
    if auth.host_signs_in():  # the host's sign-in page, coming back here afterwards
        if current_user.is_authenticated:
            return redirect(safe_next(request.args.get("next")) or url_for("lms.core.home"))
        return current_app.login_manager.unauthorized()
    form = SignInForm()
    chosen = request.args.get("as", type=int)
    if request.method == "GET" and chosen in recent_user_ids():
        user = db.session.get(User, chosen)
        if user is not None:
            form.email.data = user.email
    status, headers = 200, {}
    if form.validate_on_submit():
        known = devices.known()
        # The address the app sees: a proxy's X-Forwarded-For counts only with LMS_PROXY_FIX.
        ip = request.remote_addr or ""
        result = services.authenticate(form.email.data, form.password.data, ip, known)
        if result.user is not None:
            return _complete_sign_in(result.user, known)
        flash(_sign_in_failure_message(result), "error")
        status = 429 if result.failure == "locked" else 401
        if result.wait:
            headers["Retry-After"] = str(result.wait)
    page = render(
        "lms/accounts/login.html",
        form=form,
        recent=_recent_users(),
        next=safe_next(request.args.get("next")),
    )
    return page, status, headers


def _sign_in_failure_message(result: services.SignInResult) -> str:
    if result.failure != "locked":
        return str(_SIGN_IN_FAILURES[result.failure])
    if result.wait < 60:
        return ngettext(
            "Too many wrong attempts. Please wait %(seconds)s second, then try again.",
            "Too many wrong attempts. Please wait %(seconds)s seconds, then try again.",
            result.wait,
            seconds=format_number(result.wait),
        )
    minutes = -(-result.wait // 60)
    return ngettext(
        "Too many wrong attempts. Please wait %(minutes)s minute or ask your trainer.",
        "Too many wrong attempts. Please wait %(minutes)s minutes or ask your trainer.",
        minutes,
        minutes=format_number(minutes),
    )


def _complete_sign_in(user: User, known: dict[int, str]) -> Response:
    sessions.end_current("signed-in-again")  # whoever was signed in here before
    auth.clear_own_session()  # a fresh session on sign-in: nothing of ours carries over
    login_user(user)
    sessions.start(user.id)  # ended on the server by sign-out, switch, idle or a new password
    auth.forget_current()
    chosen_locale = get_cookie(LOCALE_COOKIE)
    if user.locale is None and chosen_locale in enabled_locales():
        user.locale = chosen_locale  # the language picked before signing in sticks
        db.session.commit()
    signals.user_signed_in.send(current_app._get_current_object(), user=user)
    response = redirect(safe_next(request.args.get("next")) or url_for("lms.core.home"))
    _remember_on_tablet(response, user)
    devices.remember(response, user.id, known)
    return response


@bp.post("/logout")
def logout() -> Response:
    reason = "idle" if request.form.get("reason") == "idle" else "user"
    if auth.host_signs_in() and not (reason == "idle" and auth.idle_timeout()):
        abort(404)  # signing out of the host app is the host's page
    auth.sign_out(reason)
    if auth.host_signs_in():
        return _to_host_sign_in()
    if reason == "idle":
        flash(_("You were signed out because the tablet was not used for a while."), "info")
    else:
        flash(_("You are signed out."), "info")
    return redirect(url_for("lms.accounts.login", next=safe_next(request.form.get("next"))))


@bp.post("/switch")
def switch_learner() -> Response:
    """Sign out and show the tablet's recent learners, so the next person signs in quickly."""
    if not auth.switch_learner_enabled():
        abort(404)
    auth.sign_out("switch")
    if auth.host_signs_in():
        return _to_host_sign_in()
    # "Not you?" on a page (the check-in page): the next person signs in and comes back to it.
    return redirect(url_for("lms.accounts.login", next=safe_next(request.form.get("next"))))


@bp.post("/still-here")
@login_required
def still_here() -> Response:
    """ "I'm still here" on the idle warning: the idle sign-out starts counting again."""
    auth.keep_alive()
    return current_app.response_class(status=204)


def _to_host_sign_in() -> Response:
    """The host's sign-in page (its LoginManager's ``login_view``), or the LMS home."""
    view = current_app.login_manager.login_view
    return redirect(url_for(view) if view else url_for("lms.core.home"))


@bp.post("/login/forget-tablet")
def forget_tablet() -> Response:
    _own_sign_in()
    response = redirect(url_for("lms.accounts.login"))
    delete_cookie(response, RECENT_COOKIE)
    flash(_("This tablet no longer lists recent learners."), "info")
    return response


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> str | Response:
    user: User = current_user._get_current_object()
    form = SettingsForm(obj=user, prefix="settings")
    if auth.host_signs_in():  # name and password are the host's
        del form.name
    form.locale.choices = [(code, language(code).autonym) for code in enabled_locales()]
    enterprise_country = countries.resolved_country(user)
    if enterprise_country is None:
        form.country.choices = [
            (code, countries.COUNTRY_NAMES[code]) for code in countries.COUNTRIES
        ]
    else:  # the enterprise's cluster decides: nothing to choose
        del form.country
    if request.method == "GET":
        form.locale.data = locale_code()
        if "country" in form:
            form.country.data = countries.country_of(user)
    password_form = None if auth.host_signs_in() else PasswordForm(prefix="password")
    return _settings_post(user, form, password_form) or render(
        "lms/accounts/settings.html",
        form=form,
        password_form=password_form,
        enterprise_country=enterprise_country and countries.COUNTRY_NAMES[enterprise_country],
    )


def _settings_post(
    user: User, form: SettingsForm, password_form: PasswordForm | None
) -> Response | None:
    if request.method != "POST":
        return None
    if request.form.get("which") == "password" and password_form is not None:
        if not password_form.validate():
            return None
        if not check_password_hash(user.password_hash, password_form.current_password.data):
            password_form.current_password.errors.append(_("The current password is wrong."))
            return None
        try:
            services.set_password(user, password_form.new_password.data)
        except services.AccountError as exc:
            password_form.new_password.errors.append(str(exc))
            return None
        login_user(user)  # the new auth version: this tablet stays signed in, others do not
        flash(_("Your password is changed."), "success")
        return redirect(url_for("lms.accounts.settings"))
    if not form.validate():
        return None
    if "name" in form:
        user.name = form.name.data.strip()
    user.enterprise_name = (form.enterprise_name.data or "").strip() or None
    user.locale = form.locale.data
    user.latin_digits = form.latin_digits.data
    if "country" in form and form.country.data:
        user.country = form.country.data
    db.session.commit()
    flash(_("Saved."), "success")
    response = redirect(url_for("lms.accounts.settings"))
    set_cookie(response, LOCALE_COOKIE, user.locale, 365 * 24 * 3600)
    return response


# Administration of accounts.


@bp.get("/admin/users")
@roles_required(ADMIN)
def users() -> str:
    rows = db.session.scalars(select(User).order_by(User.name)).all()
    return render(
        "lms/accounts/users.html",
        users=rows,
        role_labels=role_labels(),
        editable=not auth.host_signs_in(),
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_user() -> str | Response:
    _own_sign_in()  # the host makes its users
    form = UserForm()
    if request.method == "GET":
        form.roles.data = ["learner"]
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.email.data,
                form.name.data,
                form.password.data or "",
                form.roles.data,
                created_by=current_user._get_current_object(),
            )
        except services.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Account created for %(name)s.", name=user.name), "success")
            return redirect(url_for("lms.accounts.users"))
    return render("lms/accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<lms_id:user_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_user(user_id: int) -> str | Response:
    _own_sign_in()  # the host's users get their roles from the host
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.active.data = user.active
    if form.validate_on_submit():
        try:
            _apply_user_form(user, form)
        except services.AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("lms.accounts.users"))
    return render("lms/accounts/user_form.html", form=form, user=user)


def _apply_user_form(user: User, form: UserForm) -> None:
    email = services.normalise_email(form.email.data)
    other = services.find_user(email)
    if other is not None and other.id != user.id:
        raise services.AccountError(_l("An account with this e-mail address already exists."))
    if not form.name.data.strip():
        raise services.AccountError(_l("Please enter a name."))
    admin = current_user._get_current_object()
    if set(form.roles.data) != user.roles:
        services.set_roles(user, form.roles.data, changed_by=admin)
    if form.active.data != user.active:
        services.set_active(user, form.active.data)
    if form.password.data:
        services.set_password(user, form.password.data)
    user.name = form.name.data.strip()
    user.enterprise_name = (form.enterprise_name.data or "").strip() or None
    user.email = email
    db.session.commit()


from . import cli  # noqa: E402, F401  (commands join ``flask lms``)
