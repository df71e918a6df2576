"""Open Badges 3.0 ``OpenBadgeCredential``s in the W3C VC Data Model 2.0, secured with JOSE.

VC-JOSE-COSE (W3C Recommendation) section 3.1.1: the JWS payload is the credential itself (no
``vc`` claim), header ``typ: vc+jwt`` and ``cty: vc``; the registered claims ``iss``, ``sub``,
``nbf`` and ``exp`` repeat ``issuer``, ``credentialSubject.id``, ``validFrom`` and
``validUntil`` (all defined by the VC 2.0 context, so the payload expands as JSON-LD). ``kid``
is a URL that dereferences to the issuer's public key, a JWK (OB 3.0 section 8.2).

Credentials issued before (VC 1.1 shape: ``issuanceDate``, ``typ: JWT``, a bare thumbprint as
``kid``, ``jti``) are read and verified too: they are signed documents people hold.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from .reasons import VerificationError

VC2 = "https://www.w3.org/ns/credentials/v2"
VC1 = "https://www.w3.org/2018/credentials/v1"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXT = [VC2, OB3]
ALGORITHM = "RS256"
BANDS = ("pass", "merit", "distinction")


def iso(moment: datetime) -> str:
    """UTC, as the VC 1.1 credentials and the revocation list write it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(moment: datetime) -> str:
    """An ``xsd:dateTimeStamp`` in ``moment``'s own offset (the certificate country's time)."""
    return moment.replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class CredentialFacts:
    """What a certificate states, in the words of the credential."""

    credential_id: str
    issuer_id: str
    issuer_name: str
    issuer_url: str
    subject_id: str
    holder_name: str
    achievement_id: str
    achievement_name: str
    achievement_description: str
    criteria: str
    image_url: str
    level: str
    #: Aware, in the certificate country's time zone: ``validFrom`` keeps that offset.
    valid_from: datetime
    valid_until: datetime | None
    score_band: str
    score_percent: float | None
    status_list_url: str
    status_index: int
    tags: list[str]
    #: OB 3.0 ``Evidence`` of the achievement (a course certificate's module certificates).
    evidence: tuple[dict[str, Any], ...] = ()


def build(facts: CredentialFacts) -> dict[str, Any]:
    """The ``OpenBadgeCredential`` (valid against OB 3.0's ``achievementcredential-vc2.json``)."""
    credential: dict[str, Any] = {
        "@context": CONTEXT,
        "id": facts.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.achievement_name,
        "issuer": {
            "id": facts.issuer_id,
            "type": ["Profile"],
            "name": facts.issuer_name,
            "url": facts.issuer_url,
        },
        "validFrom": stamp(facts.valid_from),
        "credentialSubject": _subject(facts),
        # Bitstring Status List v1.0 section 2.1; the schema wants an ``id`` (section 2.1: the
        # list's URL with the index as fragment).
        "credentialStatus": {
            "id": f"{facts.status_list_url}#{facts.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_index),
            "statusListCredential": facts.status_list_url,
        },
    }
    if facts.valid_until is not None:
        credential["validUntil"] = stamp(facts.valid_until)
    if facts.evidence:
        credential["evidence"] = [dict(item) for item in facts.evidence]
    return credential


def _subject(facts: CredentialFacts) -> dict[str, Any]:
    return {
        "id": facts.subject_id,
        "type": ["AchievementSubject"],
        "name": facts.holder_name,
        # OB 3.0's own way to name the recipient (IdentifierTypeEnum ``name``), for OB tools.
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": facts.holder_name,
                "identityType": "name",
                "hashed": False,
            }
        ],
        "achievement": _achievement(facts),
        "result": [
            {
                "type": ["Result"],
                "resultDescription": facts.achievement_id + "#score-band",
                "achievedLevel": facts.achievement_id + "#" + facts.score_band,
            }
        ],
    }


def _achievement(facts: CredentialFacts) -> dict[str, Any]:
    return {
        "id": facts.achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": facts.achievement_name,
        "description": facts.achievement_description,
        "criteria": {"narrative": facts.criteria},
        "image": {"id": facts.image_url, "type": "Image", "caption": facts.achievement_name},
        "inLanguage": "en",
        "fieldOfStudy": "Leather-industry MSME skills",
        "tag": facts.tags + [facts.level],
        "resultDescription": score_bands(facts.achievement_id),
    }


def score_bands(
    achievement_id: str, label: str = "Score band", names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The achievement's ``ResultDescription``: the bands a ``Result.achievedLevel`` names."""
    return [
        {
            "id": achievement_id + "#score-band",
            "type": ["ResultDescription"],
            "name": label,
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [
                {
                    "id": achievement_id + "#" + band,
                    "type": ["RubricCriterionLevel"],
                    "name": (names or {}).get(band) or band.capitalize(),
                }
                for band in BANDS
            ],
        }
    ]


def sign(credential: dict[str, Any], key: RSAKey, kid: str) -> str:
    """The credential as a VC-JOSE compact JWS (``application/vc+jwt``)."""
    claims = dict(credential)
    issuer = credential["issuer"]
    claims["iss"] = issuer["id"] if isinstance(issuer, dict) else issuer
    subject_id = credential["credentialSubject"].get("id")
    if subject_id:
        claims["sub"] = subject_id
    claims["nbf"] = int(datetime.fromisoformat(credential["validFrom"]).timestamp())
    if "validUntil" in credential:
        claims["exp"] = int(datetime.fromisoformat(credential["validUntil"]).timestamp())
    header = {"alg": ALGORITHM, "typ": "vc+jwt", "cty": "vc", "kid": kid}
    return jwt.encode(header, claims, key)


@dataclass(frozen=True)
class Verified:
    claims: dict[str, Any]
    kid: str
    #: ``2.0`` (VC-JOSE) or ``1.1`` (issued before the move to VC 2.0).
    version: str


def verify(token: str, keyset: dict[str, Any], now: datetime | None = None) -> Verified:
    """Signature (against ``keyset``, a JWKS the caller got from a trusted issuer), shape,
    claims and dates. Raises :class:`VerificationError` saying what is wrong."""
    verified = verify_signature(token, keyset)
    check_dates(verified.claims, now or datetime.now(UTC))
    return verified


def header(token: str) -> dict[str, Any]:
    try:
        found = json.loads(_b64(token.strip().split(".")[0]))
    except (ValueError, IndexError) as exc:
        raise VerificationError("format") from exc
    if token.strip().count(".") != 2 or not isinstance(found, dict):
        raise VerificationError("format")
    return found


def verify_signature(token: str, keyset: dict[str, Any]) -> Verified:
    """The signature, the credential's shape and its claims; not the dates nor the status."""
    claims, kid = decode(token, keyset)
    return Verified(claims, kid, check_claims(claims))


def verify_status_list(token: str, keyset: dict[str, Any]) -> dict[str, Any]:
    """A ``BitstringStatusListCredential`` signed with a key of ``keyset``: its claims."""
    claims, _kid = decode(token, keyset)
    context = claims.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC2:
        raise VerificationError("context")
    if "iss" in claims and claims["iss"] != issuer_id(claims):
        raise VerificationError("claim", claim="iss")
    if not isinstance(claims.get("credentialSubject"), dict):
        raise VerificationError("claim", claim="credentialSubject")
    return claims


def decode(token: str, keyset: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The payload of ``token`` once its RS256 signature verifies with its ``kid``'s key."""
    token = token.strip()
    head = header(token)
    if head.get("alg") != ALGORITHM:
        raise VerificationError("algorithm", alg=repr(head.get("alg")))
    kid = head.get("kid")
    key = find_key(keyset, kid)
    if key is None:
        raise VerificationError("unknown_key", kid=repr(kid))
    try:
        decoded = jwt.decode(token, RSAKey.import_key(key), [ALGORITHM])
    except (JoseError, ValueError, TypeError) as exc:
        raise VerificationError("signature") from exc
    return decoded.claims, str(kid)


def find_key(keyset: dict[str, Any], kid: Any) -> dict[str, Any] | None:
    """The JWK ``kid`` names in ``keyset``: by ``kid``, or (a key URL ending in the key's
    RFC 7638 thumbprint) by that thumbprint, when the key's own thumbprint is that."""
    if not isinstance(kid, str) or not kid:
        return None
    keys = [k for k in keyset.get("keys", []) if isinstance(k, dict)]
    for candidate in keys:
        if candidate.get("kid") == kid:
            return candidate
    thumbprint = kid.rstrip("/").rsplit("/", 1)[-1]
    for candidate in keys:
        if candidate.get("kid") == thumbprint and _thumbprint(candidate) == thumbprint:
            return candidate
    return None


def _thumbprint(jwk: dict[str, Any]) -> str | None:
    try:
        return RSAKey.import_key(jwk).thumbprint()
    except (JoseError, ValueError, TypeError):
        return None


def check_claims(claims: dict[str, Any]) -> str:
    """``2.0`` or ``1.1``, once the payload is an Open Badges credential whose JWT claims
    agree with it (VC-JOSE-COSE section 3.1.1)."""
    context = claims.get("@context")
    if not isinstance(context, list) or not context or OB3 not in context[1:]:
        raise VerificationError("context")
    version = {VC2: "2.0", VC1: "1.1"}.get(context[0])
    if version is None:
        raise VerificationError("context")
    types = claims.get("type") or []
    if "VerifiableCredential" not in types or not {
        "OpenBadgeCredential",
        "AchievementCredential",
    } & set(types):
        raise VerificationError("not_badge")
    subject = claims.get("credentialSubject")
    if not isinstance(subject, dict):
        raise VerificationError("not_badge")
    expected = {"iss": issuer_id(claims), "sub": subject.get("id"), "jti": claims.get("id")}
    for name, value in expected.items():
        required = version == "1.1" and name != "sub"
        if (name in claims or required) and (claims.get(name) != value or value is None):
            raise VerificationError("claim", claim=name)
    if version == "2.0" and ("vc" in claims or "vp" in claims):
        raise VerificationError("claim", claim="vc")
    return version


def issuer_id(claims: dict[str, Any]) -> str | None:
    issuer = claims.get("issuer")
    found = issuer.get("id") if isinstance(issuer, dict) else issuer
    return found if isinstance(found, str) and found else None


def check_dates(claims: dict[str, Any], now: datetime) -> None:
    """``validFrom``/``validUntil`` (1.1: ``issuanceDate``/``expirationDate``), then the JWT's
    ``nbf``/``exp``."""
    start, end = valid_from(claims), valid_until(claims)
    if now < start or (isinstance(claims.get("nbf"), int) and now.timestamp() < claims["nbf"]):
        raise VerificationError("not_yet_valid", date=start)
    if end is not None and now > end:
        raise VerificationError("expired", date=end)
    if isinstance(claims.get("exp"), int) and now.timestamp() > claims["exp"]:
        raise VerificationError("expired", date=datetime.fromtimestamp(claims["exp"], UTC))


def valid_from(claims: dict[str, Any]) -> datetime:
    field = "validFrom" if "validFrom" in claims else "issuanceDate"
    found = _moment(claims, field)
    if found is None:
        raise VerificationError("bad_date", field="validFrom")
    return found


def valid_until(claims: dict[str, Any]) -> datetime | None:
    field = "validUntil" if "validUntil" in claims else "expirationDate"
    if field not in claims:
        return None
    found = _moment(claims, field)
    if found is None:
        raise VerificationError("bad_date", field=field)
    return found


def _moment(claims: dict[str, Any], field: str) -> datetime | None:
    """A date-time with its offset (``Z`` or ``+05:30``), as written; ``None`` if it is not one."""
    value = claims.get(field)
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):
        return None
    return found if found.tzinfo is not None else None


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def payload(token: str) -> dict[str, Any]:
    """The credential inside a VC-JWT, without checking anything (for display)."""
    return json.loads(_b64(token.split(".")[1]))
