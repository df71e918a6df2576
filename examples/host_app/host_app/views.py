"""The cooperative's pages: home, shop, cart, members' area, sign-in and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from .forms import LoginForm
from .models import Order, db, find_user

bp = Blueprint("site", __name__)

#: What the cooperative sells to its members.
ITEMS = {
    "gloves": _l("Safety gloves"),
    "apron": _l("Leather apron"),
    "extract": _l("Vegetable tanning extract, 1 kg"),
}


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.get("/")
def home() -> str:
    return render_template("home.html")


@bp.get("/shop")
def shop() -> str:
    return render_template("shop.html", items=ITEMS)


@bp.post("/cart/add/<item>")
def add_to_cart(item: str) -> Response:
    if item not in ITEMS:
        abort(404)
    session["cart"] = [*session.get("cart", []), item]
    flash(_("%(item)s is in your cart.", item=ITEMS[item]), "success")
    return redirect(url_for("site.cart"))


@bp.get("/cart")
def cart() -> str:
    return render_template("cart.html", cart=session.get("cart", []), items=ITEMS)


@bp.post("/cart/checkout")
@login_required
def checkout() -> Response:
    lines = [item for item in session.get("cart", []) if item in ITEMS]
    for item in sorted(set(lines)):
        db.session.add(Order(user_id=current_user.id, item=item, quantity=lines.count(item)))
    db.session.commit()
    session.pop("cart", None)
    flash(_("Thank you: your order is placed."), "success")
    return redirect(url_for("site.members"))


@bp.get("/members")
@login_required
def members() -> str:
    orders = db.session.scalars(
        select(Order).where(Order.user_id == current_user.id).order_by(Order.created_at.desc())
    ).all()
    return render_template("members.html", orders=orders, items=ITEMS)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is not None and user.check_password(form.password.data):
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("site.members"))
        flash(_("The e-mail or password is wrong."), "error")
    return render_template("login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("site.home"))


@bp.post("/language")
def set_language() -> Response:
    chosen = request.form.get("lang", "")
    if chosen in current_app.config["LANGUAGES"]:
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next")) or url_for("site.home"))


def page_not_found(error: Exception) -> tuple[str, int]:
    return render_template("404.html"), 404
