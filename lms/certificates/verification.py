"""The full check of a credential someone hands in: issuer, signature, dates and revocation.

Trust is pinned: the issuer must be one of the trusted issuers' addresses, and its keys and
status lists are fetched only from under that same address, never from wherever the
credential points (an attacker can publish their own key under their own issuer id). Fetching
is given as a function, so the web page reads this site's own documents without a request to
itself and the command line fetches over HTTP. No Flask here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from . import credential, statuslist
from .reasons import VerificationError

#: ``fetch(url) -> body``, or ``None`` when it cannot be fetched.
Fetch = Callable[[str], bytes | None]

#: Which step each reason belongs to.
_STEP_OF = {
    "no_issuer": "issuer",
    "untrusted_issuer": "issuer",
    "bad_date": "dates",
    "not_yet_valid": "dates",
    "expired": "dates",
}


@dataclass
class Check:
    step: str  # issuer, signature, dates, status
    state: str  # ok, failed, unchecked
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    #: The credential, once its issuer is trusted and its signature valid.
    claims: dict[str, Any] | None = None
    version: str | None = None

    @property
    def valid(self) -> bool:
        done = {c.step: c.state for c in self.checks}
        wanted = ("issuer", "signature", "dates")
        return all(done.get(s) == "ok" for s in wanted) and done.get("status") != "failed"

    @property
    def failure(self) -> Check | None:
        return next((c for c in self.checks if c.state == "failed"), None)


def under(url: str, base: str) -> bool:
    """Whether ``url`` is ``base`` or below it: same scheme and host, path under base's."""
    try:
        found, root = urlsplit(url), urlsplit(base)
    except ValueError:
        return False
    if found.scheme not in ("http", "https") or (found.scheme, found.netloc.lower()) != (
        root.scheme,
        root.netloc.lower(),
    ):
        return False
    path, prefix = unquote(found.path), unquote(root.path).rstrip("/")
    return ".." not in path.split("/") and (path == prefix or path.startswith(prefix + "/"))


def trusted_base(issuer: str, trusted: Sequence[str]) -> str | None:
    """The trusted address ``issuer`` is under, if any."""
    return next((base for base in trusted if under(issuer, base)), None)


def token_of(text: str) -> str:
    """The VC-JWT in what was handed in: the token itself, a verify page's ``.json`` (its
    ``credential_jwt``), or a VC 2.0 ``EnvelopedVerifiableCredential`` (section 4.13)."""
    text = text.strip().lstrip("\ufeff")
    if not text.startswith("{"):
        credential.header(text)
        return text
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise VerificationError("json") from exc
    found = document.get("credential_jwt") if isinstance(document, dict) else None
    envelope = document.get("id") if isinstance(document, dict) else None
    if not found and isinstance(envelope, str) and envelope.startswith("data:application/vc+jwt,"):
        found = envelope.split(",", 1)[1]
    if not isinstance(found, str) or not found:
        raise VerificationError("json")
    credential.header(found)
    return found.strip()


def check(
    text: str,
    trusted: Sequence[str],
    fetch: Fetch | None,
    *,
    keyset: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Report:
    """Check what was handed in. ``keyset``: the issuer's JWKS from a file (offline: then the
    status is not checked); otherwise keys and status come through ``fetch``."""
    report = Report()
    try:
        _check(report, text, trusted, fetch, keyset, now or datetime.now(UTC))
    except VerificationError as exc:
        step = _STEP_OF.get(exc.code, "signature")
        report.checks.append(Check(step, "failed", exc.code, exc.params))
    return report


def _check(
    report: Report,
    text: str,
    trusted: Sequence[str],
    fetch: Fetch | None,
    keyset: dict[str, Any] | None,
    now: datetime,
) -> None:
    token = token_of(text)
    try:
        claims = credential.payload(token)
    except ValueError as exc:  # not base64url, not UTF-8, not JSON
        raise VerificationError("format") from exc
    if not isinstance(claims, dict) or credential.issuer_id(claims) is None:
        raise VerificationError("no_issuer")
    issuer = credential.issuer_id(claims)
    base = trusted_base(issuer, trusted)
    if base is None:
        raise VerificationError("untrusted_issuer", issuer=issuer)
    trusted_check = Check("issuer", "ok", "issuer_trusted", {"issuer": issuer})
    report.checks.append(trusted_check)
    verified = credential.verify_signature(token, keyset or _keys(token, claims, base, fetch))
    # Signed by the issuer's key: the name it gives itself can be shown now.
    stated = verified.claims["issuer"]
    if isinstance(stated, dict) and stated.get("name"):
        trusted_check.code = "issuer_ok"
        trusted_check.params["name"] = str(stated["name"])
    report.checks.append(Check("signature", "ok", "signature_ok", {"kid": verified.kid}))
    report.claims, report.version = verified.claims, verified.version
    credential.check_dates(verified.claims, now)
    start, end = credential.valid_from(verified.claims), credential.valid_until(verified.claims)
    dates = {"date": start} | ({"until": end} if end else {})
    report.checks.append(Check("dates", "ok", "dates_ok_until" if end else "dates_ok", dates))
    report.checks.append(_status(verified, base, fetch, keyset is not None, now))


def _keys(token: str, claims: dict[str, Any], base: str, fetch: Fetch | None) -> dict[str, Any]:
    """The issuer's key for ``kid``, fetched from under the trusted address ``base`` only."""
    kid = credential.header(token).get("kid")
    if not isinstance(kid, str) or not kid:
        raise VerificationError("unknown_key", kid=repr(kid))
    if kid.startswith(("http://", "https://")):
        url = kid.split("#", 1)[0]
    else:  # 1.1: a bare thumbprint, in the JWKS beside the issuer (``<site>/issuer``)
        issuer = credential.issuer_id(claims) or ""
        url = issuer.rsplit("/issuer", 1)[0] + "/.well-known/jwks.json"
        if not issuer.endswith("/issuer"):
            raise VerificationError("unknown_key", kid=repr(kid))
    if not under(url, base):
        raise VerificationError("key_elsewhere", kid=kid)
    document = _json(fetch, url)
    if document is None:
        raise VerificationError("keys_unreachable", url=url)
    return _as_keyset(document, kid)


def _as_keyset(document: dict[str, Any], kid: str) -> dict[str, Any]:
    """A JWKS from what ``kid`` dereferences to: a JWK, a JWKS, or a controller document whose
    ``verificationMethod`` has the key as ``publicKeyJwk``."""
    if "keys" in document:
        return document
    if "kty" in document:
        return {"keys": [{**document, "kid": kid}]}
    for method in document.get("verificationMethod") or []:
        if isinstance(method, dict) and method.get("id") == kid:
            return {"keys": [{**(method.get("publicKeyJwk") or {}), "kid": kid}]}
    return {"keys": []}


def _json(fetch: Fetch | None, url: str) -> dict[str, Any] | None:
    body = fetch(url) if fetch is not None else None
    try:
        document = json.loads(body) if body is not None else None
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _status(
    verified: credential.Verified, base: str, fetch: Fetch | None, offline: bool, now: datetime
) -> Check:
    entry = verified.claims.get("credentialStatus")
    entry = entry[0] if isinstance(entry, list) and entry else entry
    if not isinstance(entry, dict):
        return Check("status", "unchecked", "status_none")
    if offline or fetch is None:
        return Check("status", "unchecked", "status_offline")
    url = entry.get("statusListCredential") or entry.get("id")
    if not isinstance(url, str) or not under(url.split("#", 1)[0], base):
        return Check("status", "failed", "status_elsewhere", {"url": str(url)})
    try:
        if entry.get("type") == "BitstringStatusListEntry":
            return _bitstring(verified, entry, url, base, fetch, now)
        if entry.get("type") == "1EdTechRevocationList":
            return _revocation_list(verified, url, fetch)
    except (VerificationError, statuslist.StatusListError, ValueError, KeyError, TypeError):
        return Check("status", "failed", "status_invalid", {"url": url})
    return Check("status", "unchecked", "status_none")


def _bitstring(
    verified: credential.Verified,
    entry: dict[str, Any],
    url: str,
    base: str,
    fetch: Fetch,
    now: datetime,
) -> Check:
    """Bitstring Status List v1.0 section 3.2: the list is a credential of the same issuer,
    signed by its key, of the entry's purpose; the entry's bit says revoked."""
    body = fetch(url)
    if body is None:
        return Check("status", "unchecked", "status_unreachable", {"url": url})
    token = body.decode("utf-8").strip()
    listed = credential.payload(token)
    keys = _keys(token, listed, base, fetch)
    signed = credential.verify_status_list(token, keys)
    credential.check_dates(signed, now)
    subject = signed["credentialSubject"]
    if (
        credential.issuer_id(signed) != credential.issuer_id(verified.claims)
        or "BitstringStatusListCredential" not in signed.get("type", [])
        or signed.get("id") != url
        or subject.get("statusPurpose") != entry.get("statusPurpose")
    ):
        raise VerificationError("claim", claim="credentialStatus")
    bits = statuslist.decode(subject["encodedList"])
    if statuslist.is_set(bits, int(entry["statusListIndex"])):
        return Check("status", "failed", "revoked")
    return Check("status", "ok", "status_ok")


def _revocation_list(verified: credential.Verified, url: str, fetch: Fetch) -> Check:
    """Credentials issued before VC 2.0 name a 1EdTech Revocation List (unsigned JSON, from
    the trusted issuer's own address)."""
    document = _json(fetch, url)
    if document is None:
        return Check("status", "unchecked", "status_unreachable", {"url": url})
    for revoked in document.get("revokedCredentials", []):
        if isinstance(revoked, dict) and revoked.get("id") == verified.claims.get("id"):
            reason = str(revoked.get("revocationReason") or "")
            if reason:
                return Check("status", "failed", "revoked_reason", {"reason": reason})
            return Check("status", "failed", "revoked")
    return Check("status", "ok", "status_ok")
