"""Certificates: the learner's list and PDFs, the public verify page, JWKS, status list, admin."""

from __future__ import annotations

import json
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
from ..i18n import _, _l, enabled_locales, format_number, languages, locale_code
from ..security import login_required, roles_required
from ..state import HomeLink
from ..web import render
from . import credential, dates, display, documents, published, reasons, services, verification
from .models import Certificate
from .pdf import BAND_LABELS, render_pdf

if TYPE_CHECKING:
    from ..state import LMSState

bp = Blueprint("certificates", __name__)

STATUS_LABELS = {"valid": _l("Valid"), "revoked": _l("Revoked"), "expired": _l("Expired")}
#: The largest credential handed in to be checked (ours are about 4 KB).
MAX_CREDENTIAL = 64 * 1024


def setup(app: Flask, state: LMSState) -> None:
    from .keys import key_dir

    state.certificate_renderers["pdf"] = render_pdf
    state.module_certificate = services.valid_module_certificate
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
    return render("lms/certificates/verify_form.html", error=None, limit=MAX_CREDENTIAL // 1024)


@bp.post("/verify")
def verify_upload() -> tuple[str, int] | str:
    """A credential handed in (a file or pasted): the whole check, said in the visitor's
    language. Anyone may use it; nothing is kept."""
    text, problem = display.handed_in(MAX_CREDENTIAL)
    if problem is not None:
        limit = MAX_CREDENTIAL // 1024
        error = reasons.render(problem, {"size": format_number(limit)}, _)
        page = render("lms/certificates/verify_form.html", error=error, limit=limit)
        return page, 413 if problem == "too_large" else 400
    trusted = published.trusted_issuers()
    report = verification.check(text, trusted, published.fetcher(trusted))
    return render("lms/certificates/verify_result.html", **display.check_page(report))


@bp.get("/verify/<code>")
def verify(code: str) -> tuple[str, int] | str:
    """Public, no sign-in: as little personal data as a verifier needs."""
    certificate = services.by_code(code)
    if certificate is None:
        return render("lms/certificates/verify_unknown.html", typed=code[:40]), 404
    return render(
        "lms/certificates/verify.html",
        certificate=certificate,
        title=display.title_for(certificate),
        status=certificate.status(),
        status_labels=STATUS_LABELS,
        band=_(BAND_LABELS[certificate.score_band]),
        issuer=current_app.config["LMS_ISSUER_NAME"],
        jwks_url=services.absolute("lms.certificates.jwks"),
        dates=dates.of(certificate),
    )


@bp.get("/verify/<code>.json")
def verify_json(code: str) -> tuple[Response, int] | Response:
    certificate = services.by_code(code)
    if certificate is None:
        return jsonify(status="unknown"), 404
    local = dates.of(certificate)
    return jsonify(
        code=certificate.code,
        status=certificate.status(),
        # The dates as the PDF and the verify page give them: in the certificate's country.
        issued_on=local.issued_on.isoformat(),
        expires_on=local.expires_on.isoformat() if local.expires_on else None,
        time_zone=local.zone_name,
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
    modern = credential.header(certificate.credential_jwt).get("typ") == "vc+jwt"
    mimetype = "application/vc+jwt" if modern else "application/jwt"
    response = current_app.response_class(certificate.credential_jwt, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{certificate.code}.jwt"'
    return response


@bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    return jsonify(published.jwks())


@bp.get("/credentials/status/revocations.json")
def status_list() -> Response:
    """The 1EdTech Revocation List the credentials issued before VC 2.0 name."""
    response = jsonify(services.revocation_list())
    response.headers["Cache-Control"] = "max-age=60"
    return response


@bp.get("/credentials/status/1")
def status_list_credential() -> Response:
    """The ``BitstringStatusListCredential`` new credentials name (``application/vc+jwt``)."""
    response = current_app.response_class(
        published.status_list_credential(), mimetype="application/vc+jwt"
    )
    response.headers["Cache-Control"] = "max-age=60"
    return response


@bp.get("/issuer")
def issuer() -> Response:
    return jsonify(published.issuer_profile())


@bp.get("/issuer/keys/<thumbprint>")
def issuer_key(thumbprint: str) -> Response:
    """The JWK a credential's ``kid`` names."""
    document = published.key_document(thumbprint) or abort(404)
    return current_app.response_class(json.dumps(document), mimetype="application/jwk+json")


@bp.get("/achievements/<achievement>")
def achievement(achievement: str) -> Response:
    return jsonify(published.achievement_document(achievement) or abort(404))


@bp.get("/achievements/<achievement>/<locale>")
def achievement_in(achievement: str, locale: str) -> Response:
    if locale not in languages() or locale not in enabled_locales():
        abort(404)
    return jsonify(published.achievement_document(achievement, locale) or abort(404))


@bp.get("/achievements/<achievement>/image.png")
def achievement_image(achievement: str) -> Response:
    image = published.achievement_image(achievement) or abort(404)
    response = current_app.response_class(image, mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/certificates")
@login_required
def mine() -> str:
    return render(
        "lms/certificates/mine.html",
        certificates=services.of_user(current_user.id),
        status_labels=STATUS_LABELS,
        bands=BAND_LABELS,
        title=display.title_for,
        issued_on=dates.issued_on,
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
        title=display.title_for,
        issued_on=dates.issued_on,
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
            flash(_("%(num)s new certificates issued.", num=format_number(len(issued))), "success")
    return redirect(url_for("lms.certificates.admin"))


from . import cli  # noqa: E402, F401  (commands join ``flask lms``)
