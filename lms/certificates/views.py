"""Certificates: the learner's list and PDFs, the public verify page, JWKS, status list, admin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    request,
    send_file,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response

from .. import groups, signals
from ..accounts import services as accounts
from ..auth import current_user
from ..db import db
from ..i18n import _, _l, languages, locale_code
from ..security import login_required, roles_required
from ..state import HomeLink
from ..web import render
from . import credential, documents, keys, services
from .models import Certificate
from .pdf import BAND_LABELS, render_pdf

if TYPE_CHECKING:
    from ..state import LMSState

bp = Blueprint("certificates", __name__)

STATUS_LABELS = {"valid": _l("Valid"), "revoked": _l("Revoked"), "expired": _l("Expired")}


def setup(app: Flask, state: LMSState) -> None:
    from .keys import key_dir

    state.certificate_renderers["pdf"] = render_pdf
    state.signing_key_dir = key_dir
    state.home_links.insert(
        2,
        HomeLink(
            "lms.certificates.mine",
            _l("My certificates"),
            _l("Download your certificates; anyone can check them."),
            icon="award",
        ),
    )
    state.home_links.append(
        HomeLink(
            "lms.certificates.admin",
            _l("Certificates"),
            _l("Issue what learners earned, revoke, see every certificate."),
            roles=("admin",),
            icon="award",
        )
    )

    def on_progress(sender: Flask, **event: Any) -> None:
        attempt = event.get("attempt")
        user_id = attempt.user_id if attempt is not None else event.get("user_id")
        module_id = attempt.module_id if attempt is not None else event.get("module_id")
        if attempt is None or attempt.kind == "post":
            services.maybe_issue_module(user_id, module_id)

    signals.attempt_submitted.connect(on_progress, sender=app, weak=False)
    signals.module_completed.connect(on_progress, sender=app, weak=False)


@bp.get("/verify")
def verify_form() -> str | Response:
    typed = request.args.get("code", "").strip()
    if typed:
        return redirect(url_for("lms.certificates.verify", code=typed))
    return render("lms/certificates/verify_form.html")


def _titles_for(certificate: Certificate) -> str:
    for code in (
        locale_code(),
        *current_app.config["LMS_LOCALE_FALLBACKS"].get(locale_code(), []),
        "en",
    ):
        if certificate.titles.get(code):
            return certificate.titles[code]
    return certificate.achievement_id


@bp.get("/verify/<code>")
def verify(code: str) -> tuple[str, int] | str:
    """Public, no sign-in: as little personal data as a verifier needs."""
    certificate = services.by_code(code)
    if certificate is None:
        return render("lms/certificates/verify_unknown.html", typed=code[:40]), 404
    return render(
        "lms/certificates/verify.html",
        certificate=certificate,
        title=_titles_for(certificate),
        status=certificate.status(),
        status_labels=STATUS_LABELS,
        band=_(BAND_LABELS[certificate.score_band]),
        issuer=current_app.config["LMS_ISSUER_NAME"],
        jwks_url=services.absolute("lms.certificates.jwks"),
    )


@bp.get("/verify/<code>.json")
def verify_json(code: str) -> tuple[Response, int] | Response:
    certificate = services.by_code(code)
    if certificate is None:
        return jsonify(status="unknown"), 404
    return jsonify(
        code=certificate.code,
        status=certificate.status(),
        revoked_at=certificate.revoked_at.isoformat() if certificate.revoked_at else None,
        revocation_reason=certificate.revocation_reason,
        # An erased holder's credential is no longer kept: only its revocation is.
        credential=credential.payload(certificate.credential_jwt)
        if certificate.credential_jwt
        else None,
        credential_jwt=certificate.credential_jwt or None,
    )


@bp.get("/verify/<code>.jwt")
def download_credential(code: str) -> Response:
    certificate = services.by_code(code) or abort(404)
    if not certificate.credential_jwt:
        abort(404)
    response = current_app.response_class(certificate.credential_jwt, mimetype="application/jwt")
    response.headers["Content-Disposition"] = f'attachment; filename="{certificate.code}.jwt"'
    return response


@bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    return jsonify(keys.jwks())


@bp.get("/credentials/status/revocations.json")
def status_list() -> Response:
    response = jsonify(services.revocation_list())
    response.headers["Cache-Control"] = "max-age=60"
    return response


@bp.get("/issuer")
def issuer() -> Response:
    return jsonify(
        {
            "@context": credential.OB3_CONTEXT[1:],
            "id": services.absolute("lms.certificates.issuer"),
            "type": "Profile",
            "name": current_app.config["LMS_ISSUER_NAME"],
            "url": services.base_url() + "/",
        }
    )


@bp.get("/achievements/<achievement>")
def achievement(achievement: str) -> Response:
    return jsonify(
        {
            "id": services.absolute("lms.certificates.achievement", achievement=achievement),
            "type": "Achievement",
            "name": achievement,
        }
    )


@bp.get("/certificates")
@login_required
def mine() -> str:
    return render(
        "lms/certificates/mine.html",
        certificates=services.of_user(current_user.id),
        status_labels=STATUS_LABELS,
        bands=BAND_LABELS,
        title=_titles_for,
    )


@bp.get("/certificates/<code>.<renderer>")
@login_required
def document(code: str, renderer: str) -> Response:
    """The certificate document, rendered on first download and kept (not on the issuing path)."""
    certificate = services.by_code(code) or abort(404)
    if certificate.user_id != current_user.id and not current_user.has_role("admin"):
        abort(404)
    if not certificate.credential_jwt:
        abort(404)  # its holder's personal data was erased: nothing is printed any more
    render_document = current_app.extensions["lms"].certificate_renderers.get(renderer) or abort(
        404
    )
    locale = request.args.get("lang") or certificate.user.locale or locale_code()
    if locale not in languages():
        abort(404)
    latin = bool(certificate.user.latin_digits)
    verify_url = services.absolute("lms.certificates.verify", code=certificate.code)
    kept = documents.kept(
        certificate,
        renderer,
        locale,
        latin,
        lambda: render_document(certificate, locale, verify_url, latin),
    )
    return send_file(
        kept,
        download_name=f"{certificate.code}.{renderer}",
        as_attachment=request.args.get("download") == "1",
    )


@bp.route("/certificates/admin", methods=["GET", "POST"])
@roles_required("admin")
def admin() -> str | Response:
    if request.method == "POST":
        return _admin_post()
    rows = db.session.scalars(select(Certificate).order_by(Certificate.issued_at.desc())).all()
    return render(
        "lms/certificates/admin.html",
        certificates=rows,
        groups=groups.options(),
        status_labels=STATUS_LABELS,
        title=_titles_for,
    )


def _admin_post() -> Response:
    if request.form.get("action") == "revoke":
        certificate = services.by_code(request.form.get("code", ""))
        reason = request.form.get("reason", "")
        if certificate is None:
            flash(_("No certificate has this code."), "error")
        elif not reason.strip():
            flash(_("Please give the reason for revoking."), "error")
        else:
            services.revoke(certificate, reason)
            flash(_("Certificate %(code)s is revoked.", code=certificate.code), "success")
    elif request.form.get("action") == "issue":
        try:
            members = groups.members(request.form.get("group"))
        except LookupError:
            flash(_("Choose learners from the list."), "error")
        else:
            issued = services.issue_for(members if members is not None else accounts.learner_ids())
            flash(_("%(num)s new certificates issued.", num=len(issued)), "success")
    return redirect(url_for("lms.certificates.admin"))


from . import cli  # noqa: E402, F401  (commands join ``flask lms``)
