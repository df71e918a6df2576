"""Open Badges 3.0 ``OpenBadgeCredential``s, signed as VC-JWT (OB 3.0 section 8.2: the payload
is the credential with the registered claims ``iss``, ``nbf``, ``jti``, ``sub``, ``exp`` added)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

OB3_CONTEXT = [
    "https://www.w3.org/2018/credentials/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    level: str
    issued_at: datetime
    expires_at: datetime | None
    score_band: str
    score_percent: float | None
    status_list_url: str
    tags: list[str]


def build(facts: CredentialFacts) -> dict[str, Any]:
    """The ``OpenBadgeCredential`` (valid against the OB 3.0 achievement credential schema)."""
    result: dict[str, Any] = {
        "type": ["Result"],
        "resultDescription": facts.achievement_id + "#score-band",
        "achievedLevel": facts.achievement_id + "#" + facts.score_band,
    }
    credential: dict[str, Any] = {
        "@context": OB3_CONTEXT,
        "id": facts.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.achievement_name,
        "issuer": {
            "id": facts.issuer_id,
            "type": ["Profile"],
            "name": facts.issuer_name,
            "url": facts.issuer_url,
        },
        "issuanceDate": iso(facts.issued_at),
        "credentialSubject": {
            "id": facts.subject_id,
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": facts.holder_name,
                    "identityType": "ext:displayName",
                    "hashed": False,
                }
            ],
            "achievement": {
                "id": facts.achievement_id,
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": facts.achievement_name,
                "description": facts.achievement_description,
                "criteria": {"narrative": facts.criteria},
                "fieldOfStudy": "Leather-industry MSME skills",
                "tag": facts.tags + [facts.level],
                "resultDescription": [
                    {
                        "id": facts.achievement_id + "#score-band",
                        "type": ["ResultDescription"],
                        "name": "Score band",
                        "resultType": "RubricCriterionLevel",
                        "rubricCriterionLevel": [
                            {
                                "id": facts.achievement_id + "#" + band,
                                "type": ["RubricCriterionLevel"],
                                "name": band.capitalize(),
                            }
                            for band in ("pass", "merit", "distinction")
                        ],
                    }
                ],
            },
            "result": [result],
        },
        "credentialStatus": {"id": facts.status_list_url, "type": "1EdTechRevocationList"},
    }
    if facts.expires_at is not None:
        credential["expirationDate"] = iso(facts.expires_at)
    return credential


def sign(credential: dict[str, Any], key: Any, kid: str) -> str:
    claims = dict(credential)
    claims.update(
        iss=credential["issuer"]["id"],
        jti=credential["id"],
        sub=credential["credentialSubject"]["id"],
        nbf=int(
            datetime.fromisoformat(credential["issuanceDate"].replace("Z", "+00:00")).timestamp()
        ),
    )
    if "expirationDate" in credential:
        claims["exp"] = int(
            datetime.fromisoformat(credential["expirationDate"].replace("Z", "+00:00")).timestamp()
        )
    return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": kid}, claims, key)


class VerificationError(ValueError):
    """Why a credential does not verify (English: for the command line and logs)."""


@dataclass(frozen=True)
class Verified:
    claims: dict[str, Any]
    kid: str


def verify(token: str, keyset: dict[str, Any], now: datetime | None = None) -> Verified:
    """Check the signature against ``keyset`` (a JWKS), the claims against the credential, and
    the dates. Raises :class:`VerificationError` saying what is wrong."""
    token = token.strip()
    try:
        header = json.loads(_b64(token.split(".")[0]))
    except (ValueError, IndexError) as exc:
        raise VerificationError("not a JWT (three base64url parts)") from exc
    if header.get("alg") != "RS256":
        raise VerificationError(f"unexpected algorithm {header.get('alg')!r}")
    kid = header.get("kid")
    if not any(k.get("kid") == kid for k in keyset.get("keys", [])):
        raise VerificationError(f"the signing key {kid!r} is not in the issuer's JWKS")
    try:
        decoded = jwt.decode(token, KeySet.import_key_set(keyset), algorithms=["RS256"])
    except (JoseError, ValueError) as exc:
        raise VerificationError(
            f"bad signature: the credential was changed or not signed by "
            f"this issuer ({exc.__class__.__name__})"
        ) from exc
    claims = decoded.claims
    _check_claims(claims, now or datetime.now(UTC))
    return Verified(claims, kid)


def _check_claims(claims: dict[str, Any], now: datetime) -> None:
    expected = {
        "iss": claims.get("issuer", {}).get("id"),
        "jti": claims.get("id"),
        "sub": claims.get("credentialSubject", {}).get("id"),
    }
    for name, value in expected.items():
        if claims.get(name) != value or value is None:
            raise VerificationError(f"claim {name} does not match the credential")
    if "OpenBadgeCredential" not in claims.get("type", []):
        raise VerificationError("not an OpenBadgeCredential")
    if claims.get("nbf") and now.timestamp() < claims["nbf"]:
        raise VerificationError("not valid yet (nbf is in the future)")
    if claims.get("exp") and now.timestamp() > claims["exp"]:
        raise VerificationError("expired")


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def payload(token: str) -> dict[str, Any]:
    """The credential inside a VC-JWT, without checking anything (for display)."""
    return json.loads(_b64(token.split(".")[1]))
