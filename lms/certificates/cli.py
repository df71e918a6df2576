"""``flask lms`` commands for certificates: revoke, verify offline, rotate keys, bulk issue."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli import lms_group
from . import keys, published, reasons, services, verification

#: Largest file read as a credential.
MAX_FILE = 1024 * 1024


@lms_group.command("revoke-certificate")
@click.argument("code")
@click.option("--reason", required=True, help="Why it is revoked (shown on the verify page).")
@with_appcontext
def revoke_certificate_command(code: str, reason: str) -> None:
    """Revoke the certificate with CODE."""
    certificate = services.by_code(code)
    if certificate is None:
        raise click.ClickException(f"no certificate has the code {code!r}")
    try:
        services.revoke(certificate, reason)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{certificate.code}: revoked ({certificate.revocation_reason})")


@lms_group.command("rotate-signing-key")
@with_appcontext
def rotate_signing_key_command() -> None:
    """New certificates get a new key; the old keys stay published so old ones still verify."""
    signing = keys.create_key()
    click.echo(f"new signing key {signing.kid}")


@lms_group.command("issue-certificates")
@with_appcontext
def issue_certificates_command() -> None:
    """Issue every certificate learners have earned but not yet received."""
    from sqlalchemy import select

    from ..accounts.models import User
    from ..db import db

    issued = services.issue_for(list(db.session.scalars(select(User.id))))
    click.echo(f"{len(issued)} certificates issued")


@lms_group.command("verify-certificate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--jwks",
    "jwks_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The issuer's JWKS saved earlier (offline: the status is then not checked).",
)
@click.option(
    "--trust",
    "also_trusted",
    multiple=True,
    metavar="URL",
    help="Also trust the issuer at this address (besides LMS_TRUSTED_ISSUERS).",
)
@with_appcontext
def verify_certificate_command(
    file: Path, jwks_file: Path | None, also_trusted: tuple[str, ...]
) -> None:
    """Verify a credential (.jwt, or a verify page's .json): issuer, signature, dates, and the
    status when online. Keys and status come only from trusted issuers' addresses."""
    text = file.read_bytes()[: MAX_FILE + 1].decode("utf-8", errors="replace")
    keyset = None
    if jwks_file is not None:
        try:
            keyset = json.loads(jwks_file.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise click.ClickException(f"{jwks_file}: not a JWKS (JSON): {exc}") from exc
        if not isinstance(keyset, dict):
            raise click.ClickException(f"{jwks_file}: not a JWKS (an object with keys)")
    trusted = [*published.trusted_issuers(), *(url.rstrip("/") for url in also_trusted)]
    fetch = None if keyset is not None else published.fetcher(trusted)
    report = verification.check(text, trusted, fetch, keyset=keyset)
    for check in report.checks:
        click.echo(f"{check.step}: {reasons.render(check.code, check.params)}")
    if report.claims is not None:
        _describe(report.claims)
    if not report.valid:
        failure = report.failure
        why = reasons.render(failure.code, failure.params) if failure else "not verified"
        click.echo(f"NOT VALID: {why}")
        raise SystemExit(1)
    click.echo("VALID")


def _describe(claims: dict) -> None:
    subject = claims.get("credentialSubject") or {}
    named = [i.get("identityHash") for i in subject.get("identifier") or [] if isinstance(i, dict)]
    click.echo(f"achievement: {(subject.get('achievement') or {}).get('name', '')}")
    click.echo(f"holder: {subject.get('name') or next(iter(named), '')}")
    click.echo(f"issued: {claims.get('validFrom') or claims.get('issuanceDate')}")
