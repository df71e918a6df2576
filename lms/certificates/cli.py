"""``flask lms`` commands for certificates: revoke, verify offline, rotate keys, bulk issue."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask.cli import with_appcontext

from ..cli import lms_group
from . import credential, keys, services


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
    help="The issuer's JWKS saved earlier (offline); default: fetch it.",
)
def verify_certificate_command(file: Path, jwks_file: Path | None) -> None:
    """Verify a downloaded credential (signature, issuer, dates, and status when online)."""
    token = file.read_text(encoding="utf-8").strip()
    try:
        claims = credential.payload(token)
    except (ValueError, IndexError) as exc:
        raise click.ClickException(f"{file}: not a credential (VC-JWT): {exc}") from exc
    issuer = str(claims.get("issuer", {}).get("id", ""))
    if jwks_file is not None:
        keyset = json.loads(jwks_file.read_text(encoding="utf-8"))
    else:
        url = issuer.rsplit("/issuer", 1)[0] + "/.well-known/jwks.json"
        keyset = _fetch(url)
        if keyset is None:
            raise click.ClickException(
                f"cannot fetch the issuer's keys from {url}; give them with --jwks FILE"
            )
    try:
        verified = credential.verify(token, keyset, datetime.now(UTC))
    except credential.VerificationError as exc:
        click.echo(f"NOT VALID: {exc}")
        raise SystemExit(1) from exc
    subject = verified.claims["credentialSubject"]
    click.echo(f"signature: valid (key {verified.kid})")
    click.echo(f"issuer: {verified.claims['issuer'].get('name')} ({issuer})")
    click.echo(f"achievement: {subject['achievement']['name']}")
    click.echo(f"holder: {subject['identifier'][0]['identityHash']}")
    click.echo(f"issued: {verified.claims['issuanceDate']}")
    status_url = verified.claims.get("credentialStatus", {}).get("id")
    revocations = _fetch(status_url) if status_url else None
    if revocations is None:
        click.echo("status: not checked (the status list cannot be reached)")
        return
    revoked = [
        r for r in revocations.get("revokedCredentials", []) if r.get("id") == verified.claims["id"]
    ]
    if revoked:
        click.echo(f"NOT VALID: revoked: {revoked[0].get('revocationReason', '')}")
        raise SystemExit(1)
    click.echo("status: not revoked")


def _fetch(url: str) -> dict | None:
    """JSON from an http(s) address named in a credential; never ``file:`` or other schemes."""
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        return None
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (https/http only)
            return json.loads(response.read())
    except (OSError, ValueError):
        return None
