"""What the issuer publishes for verifiers, and how this site reads it back.

- The issuer ``Profile`` (OB 3.0 ``profile-vc2.json``) at the issuer id, listing its keys as
  ``verificationMethod``s (W3C Controlled Identifiers: type ``JsonWebKey``, ``publicKeyJwk``).
- Each key as a JWK at ``<issuer>/keys/<RFC 7638 thumbprint>``: the ``kid`` of the credentials
  it signs (OB 3.0 section 8.2: a ``kid`` dereferences to a JWK).
- ``/.well-known/jwks.json``: every key, by thumbprint (the ``kid`` of credentials issued before
  VC 2.0) and by URL.
- The ``BitstringStatusListCredential``, signed like the credentials.

When this site verifies a credential it reads its own documents here, not over HTTP (a worker
would wait on itself); another trusted issuer's come over HTTP, without following redirects.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any
from urllib.error import URLError
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from ..db import db, utcnow
from ..i18n import N_, enabled_locales, gettext_in, language, languages
from ..state import state
from . import achievements, badge, credential, keys, services, statuslist
from .models import Certificate
from .pdf import BAND_LABELS
from .verification import Fetch, under

#: The terms of a controller document the OB 3.0 and VC 2.0 contexts do not define, with the
#: IRIs of the W3C Controlled Identifiers v1.0 context (inline: verifiers need fetch nothing).
KEY_TERMS = {
    "assertionMethod": {
        "@id": "https://w3id.org/security#assertionMethod",
        "@type": "@id",
        "@container": "@set",
    },
    "verificationMethod": {
        "@id": "https://w3id.org/security#verificationMethod",
        "@type": "@id",
        "@container": "@set",
    },
    "JsonWebKey": {
        "@id": "https://w3id.org/security#JsonWebKey",
        "@context": {
            "@protected": True,
            "id": "@id",
            "type": "@type",
            "controller": {"@id": "https://w3id.org/security#controller", "@type": "@id"},
            "publicKeyJwk": {"@id": "https://w3id.org/security#publicKeyJwk", "@type": "@json"},
        },
    },
}
#: Largest document fetched from another issuer.
MAX_FETCH = 1024 * 1024
SCORE_BAND = N_("Score band")
ISSUER_DESCRIPTION = (
    "Training programme for leather micro, small and medium enterprises in India and "
    "Bangladesh; it issues their learners' certificates."
)


def issuer_id() -> str:
    return services.absolute("lms.certificates.issuer")


def kid_url(thumbprint: str) -> str:
    return services.absolute("lms.certificates.issuer_key", thumbprint=thumbprint)


def _public(signing: keys.SigningKey) -> dict[str, Any]:
    return {**signing.key.as_dict(private=False), "alg": credential.ALGORITHM, "use": "sig"}


def key_document(thumbprint: str) -> dict[str, Any] | None:
    """The JWK a new credential's ``kid`` names."""
    for signing in keys.all_keys():
        if signing.kid == thumbprint:
            return {**_public(signing), "kid": kid_url(thumbprint)}
    return None


def jwks() -> dict[str, list[dict[str, Any]]]:
    published = []
    for signing in keys.all_keys():
        published.append({**_public(signing), "kid": signing.kid})
        published.append({**_public(signing), "kid": kid_url(signing.kid)})
    return {"keys": published}


def issuer_profile() -> dict[str, Any]:
    methods = [
        {
            "id": kid_url(signing.kid),
            "type": "JsonWebKey",
            "controller": issuer_id(),
            "publicKeyJwk": _public(signing),
        }
        for signing in keys.all_keys()
    ]
    return {
        "@context": [*credential.CONTEXT, KEY_TERMS],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": _issuer_name(),
        "url": services.base_url() + "/",
        "description": ISSUER_DESCRIPTION,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def achievement_document(slug: str, locale: str | None = None) -> dict[str, Any] | None:
    """The ``Achievement`` a credential names (``locale`` ``None``: its id, in English), or
    one language's version; each lists the others as ``related`` (OB 3.0 ``Related``)."""
    shown = achievements.text(slug, locale or "en")
    if shown is None:
        return None
    canonical = services.absolute("lms.certificates.achievement", achievement=slug)
    versions = [code for code in enabled_locales() if code in languages() and code != "en"]
    related = [
        {"id": _version(slug, code), "type": ["Related"], "inLanguage": language(code).html_lang}
        for code in ["en", *versions]
        if code != (locale or "en")
    ]
    names = {band: gettext_in(locale or "en", label) for band, label in BAND_LABELS.items()}
    return {
        "@context": credential.CONTEXT,
        "id": _version(slug, locale or "en"),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": shown.name,
        "description": shown.description,
        "criteria": {"narrative": shown.criteria},
        "image": {
            "id": services.absolute("lms.certificates.achievement_image", achievement=slug),
            "type": "Image",
            "caption": shown.name,
        },
        "inLanguage": language(locale or "en").html_lang,
        "creator": {"id": issuer_id(), "type": ["Profile"], "name": _issuer_name()},
        "tag": [*shown.tags, shown.level],
        "resultDescription": credential.score_bands(
            canonical, gettext_in(locale or "en", SCORE_BAND), names
        ),
        "related": related,
    }


def achievement_image(slug: str) -> bytes | None:
    """The achievement's image (drawn once per kind and app)."""
    about = achievements.text(slug, "en")
    if about is None:
        return None
    kind = about.kind
    drawn = state().cache("certificates.badges")
    if kind not in drawn:
        drawn[kind] = badge.png(kind)
    return drawn[kind]


def _version(slug: str, code: str) -> str:
    if code == "en":
        return services.absolute("lms.certificates.achievement", achievement=slug)
    return services.absolute("lms.certificates.achievement_in", achievement=slug, locale=code)


def _issuer_name() -> str:
    return current_app.config["LMS_ISSUER_NAME"]


def status_list_credential() -> str:
    """The revocation list as a signed ``BitstringStatusListCredential`` (kept while nothing
    changes: the same list, the same token)."""
    revoked = db.session.execute(
        select(Certificate.status_index, Certificate.revoked_at).where(
            Certificate.revoked_at.is_not(None)
        )
    ).all()
    first, highest = db.session.execute(
        select(func.min(Certificate.issued_at), func.max(Certificate.status_index))
    ).one()
    indexes = tuple(sorted(row.status_index for row in revoked))
    # Valid from its last change: the latest revocation, else the first certificate.
    since = max((row.revoked_at for row in revoked), default=None) or first or utcnow()
    signing = keys.current_key()
    bits = statuslist.size_for(highest or 0)
    made = state().cache("certificates.status_list")
    wanted = (services.base_url(), signing.kid, bits, indexes, since)
    if wanted not in made:
        made.clear()
        made[wanted] = _sign_list(signing, statuslist.encode(indexes, bits), since)
    return made[wanted]


def _sign_list(signing: keys.SigningKey, encoded: str, since: Any) -> str:
    url = services.absolute("lms.certificates.status_list_credential")
    document = {
        "@context": [credential.VC2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": credential.stamp(since.astimezone(UTC)),
        "credentialSubject": {
            "id": url + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }
    return credential.sign(document, signing.key, kid_url(signing.kid))


def trusted_issuers() -> list[str]:
    """``LMS_TRUSTED_ISSUERS`` (http or https addresses), or this site's own address."""
    configured = current_app.config["LMS_TRUSTED_ISSUERS"] or [services.base_url()]
    if isinstance(configured, str):
        configured = [configured]
    return [
        str(base).rstrip("/")
        for base in configured
        if urlsplit(str(base)).scheme in ("http", "https") and urlsplit(str(base)).netloc
    ]


def _local_documents() -> dict[str, Callable[..., bytes | None]]:
    def as_json(document: Any) -> bytes | None:
        return json.dumps(document).encode() if document is not None else None

    return {
        "lms.certificates.issuer": lambda: as_json(issuer_profile()),
        "lms.certificates.issuer_key": lambda thumbprint: as_json(key_document(thumbprint)),
        "lms.certificates.jwks": lambda: as_json(jwks()),
        "lms.certificates.status_list": lambda: as_json(services.revocation_list()),
        "lms.certificates.status_list_credential": lambda: status_list_credential().encode(),
    }


def ours(url: str) -> bool:
    return under(url, services.base_url())


def local_document(url: str) -> bytes | None:
    """One of this site's published documents, read without a request."""
    site, found = urlsplit(services.base_url()), urlsplit(url)
    adapter = current_app.url_map.bind(
        site.netloc, script_name=site.path or "/", url_scheme=site.scheme
    )
    path = unquote(found.path)[len(site.path.rstrip("/")) :] or "/"
    try:
        endpoint, values = adapter.match(path, method="GET")
    except HTTPException:
        return None
    make = _local_documents().get(str(endpoint))
    return make(**values) if make is not None else None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A trusted address must answer itself, not send the verifier elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http_get(url: str) -> bytes | None:
    request = urllib.request.Request(
        url, headers={"Accept": "application/vc+jwt, application/jwk+json, application/json"}
    )
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=5) as response:
            body = response.read(MAX_FETCH + 1)
    except (URLError, OSError, ValueError):
        return None
    return body if len(body) <= MAX_FETCH else None


def fetcher(trusted: Sequence[str]) -> Fetch:
    """Fetch only under the trusted addresses: this site's documents locally, others' over
    HTTP(S)."""

    def fetch(url: str) -> bytes | None:
        if not any(under(url, base) for base in trusted):
            return None
        return local_document(url) if ours(url) else http_get(url)

    return fetch
