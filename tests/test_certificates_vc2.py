"""Certificates as VC 2.0 Open Badges (issue 17): the current OB 3.0 schema, JSON-LD that expands
with no dropped term, a ``kid`` any JOSE library resolves, trusted issuers pinned, credentials
issued before still valid, one date everywhere, and checking a credential file on the verify
page. Every check here goes through HTTP, the command line or a generic library (jsonschema,
PyJWT, gzip), not through the code under test."""

from __future__ import annotations

import base64
import gzip
import io
import json
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient

from lms.certificates import keys, services
from lms.certificates.models import Certificate
from lms.db import db
from tests import jsonld_terms
from tests.conftest import csrf_token, login, write_module
from tests.quiz_bank import QUIZ_YAML
from tests.test_certificates import earn

BASE = "https://dakshata.example.org"
OB3 = Path(__file__).resolve().parents[2] / "shared" / "standards" / "ob3"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "certificates"
V2 = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """One module, "Tanning basics", in English, Bengali and Bangladeshi Bengali."""
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(root), LMS_BASE_URL=BASE)


def schema(name: str) -> dict[str, Any]:
    return json.loads((OB3 / name).read_text(encoding="utf-8"))


def b64json(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def token_of(client: FlaskClient, code: str) -> str:
    return client.get(f"/verify/{code}.jwt").get_data(as_text=True).strip()


def path_of(url: str) -> str:
    return urlsplit(url).path


def verify_cli(app: Flask, token: str, tmp_path: Path, *extra: str) -> Any:
    path = tmp_path / "handed-in.jwt"
    path.write_text(token, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["lms", "verify-certificate", str(path), *extra])


def upload(client: FlaskClient, data: bytes, name: str = "credential.jwt", **headers: str) -> Any:
    token = csrf_token(client, "/verify")
    form = {"csrf_token": token, "credential": (io.BytesIO(data), name)}
    return client.post("/verify", data=form, content_type="multipart/form-data", headers=headers)


# 1. The credential: VC 2.0, the current OB 3.0 schema, VC-JOSE.


def test_new_credentials_are_vc2_open_badges_secured_with_jose(app, client, make_user) -> None:  # noqa: ANN001
    learner = make_user(name="Rina Das")
    certificate = earn(app, learner.id)
    response = client.get(f"/verify/{certificate.code}.jwt")
    assert response.mimetype == "application/vc+jwt"
    token = response.get_data(as_text=True).strip()
    head, body, _signature = token.split(".")
    header, claims = b64json(head), b64json(body)
    assert header["typ"] == "vc+jwt" and header["cty"] == "vc" and header["alg"] == "RS256"
    jsonschema.validate(claims, schema("achievementcredential-vc2.json"))
    assert claims["@context"] == [V2, OB3_CONTEXT]
    assert "issuanceDate" not in claims and "vc" not in claims and "jti" not in claims
    assert claims["iss"] == claims["issuer"]["id"] == f"{BASE}/issuer"
    assert claims["sub"] == claims["credentialSubject"]["id"]
    assert claims["nbf"] == int(datetime.fromisoformat(claims["validFrom"]).timestamp())
    subject = claims["credentialSubject"]
    assert subject["name"] == "Rina Das"
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityHash": "Rina Das",
            "identityType": "name",
            "hashed": False,
        }
    ]
    assert "ext:displayName" not in json.dumps(claims) and learner.email not in json.dumps(claims)
    status = claims["credentialStatus"]
    assert status == {
        "id": f"{BASE}/credentials/status/1#{certificate.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(certificate.status_index),
        "statusListCredential": f"{BASE}/credentials/status/1",
    }


def test_the_json_ld_expands_with_no_dropped_term(app, client, make_user) -> None:  # noqa: ANN001
    certificate = earn(app, make_user().id)
    token = token_of(client, certificate.code)
    claims = b64json(token.split(".")[1])
    assert jsonld_terms.dropped(claims) == []
    status = client.get(path_of(claims["credentialStatus"]["statusListCredential"]))
    assert jsonld_terms.dropped(b64json(status.get_data(as_text=True).split(".")[1])) == []
    assert jsonld_terms.dropped(client.get("/issuer").json) == []
    for path in ("/achievements/tanning", "/achievements/tanning/bn", "/achievements/programme"):
        assert jsonld_terms.dropped(client.get(path).json) == [], path
    # The check finds what it should: a stray term, an unknown type, the old jti claim.
    assert jsonld_terms.dropped({**claims, "holderName": "x"}) == ["$.holderName"]
    subject = {**claims["credentialSubject"], "type": ["AchievementSubject", "Learner"]}
    assert jsonld_terms.dropped({**claims, "credentialSubject": subject}) == [
        "$.credentialSubject[0].type=Learner"
    ]
    assert jsonld_terms.dropped({**claims, "jti": claims["id"]}) == ["$.jti"]
    with pytest.raises(jsonld_terms.ContextError, match="protected term 'name'"):
        jsonld_terms.dropped({**claims, "@context": [*claims["@context"], {"name": "urn:x"}]})


# 2. The kid: a URL that any JOSE library follows to the key.


def test_kid_resolves_to_the_key_with_no_project_code(app, client, make_user) -> None:  # noqa: ANN001
    certificate = earn(app, make_user().id)
    token = token_of(client, certificate.code)
    kid = pyjwt.get_unverified_header(token)["kid"]
    assert kid.startswith(f"{BASE}/issuer/keys/")
    response = client.get(path_of(kid))
    assert response.status_code == 200 and response.mimetype == "application/jwk+json"
    jwk = response.json
    assert jwk["kid"] == kid and "d" not in jwk  # public only
    claims = pyjwt.decode(token, key=pyjwt.PyJWK(jwk).key, algorithms=["RS256"])
    assert claims["id"] == f"{BASE}/verify/{certificate.code}.json"
    # The issuer's profile lists the same key as a verification method.
    profile = client.get(path_of(claims["issuer"]["id"])).json
    method = next(m for m in profile["verificationMethod"] if m["id"] == kid)
    assert method["type"] == "JsonWebKey" and method["controller"] == profile["id"]
    assert kid in profile["assertionMethod"]
    pyjwt.decode(token, key=pyjwt.PyJWK(method["publicKeyJwk"]).key, algorithms=["RS256"])
    head, body, signature = token.split(".")
    forged = b64({**b64json(body), "name": "Forged"})
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(f"{head}.{forged}.{signature}", key=pyjwt.PyJWK(jwk).key, algorithms=["RS256"])
    assert client.get("/issuer/keys/not-a-key").status_code == 404
    published = {k["kid"] for k in client.get("/.well-known/jwks.json").json["keys"]}
    assert {kid, certificate.kid} <= published  # by URL, and by thumbprint as before


# 4. Trusted issuers: a credential from another host is refused, whatever key it publishes.


class Attacker:
    """Another host (a real HTTP server on the loopback) that publishes its own key."""

    def __init__(self) -> None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self.requests: list[str] = []
        self.documents: dict[str, bytes] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        public = json.loads(pyjwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
        self.thumbprint = _thumbprint(public)
        self.kid_url = f"{self.base}/issuer/keys/{self.thumbprint}"
        self.documents["/.well-known/jwks.json"] = json.dumps(
            {"keys": [{**public, "kid": self.thumbprint, "alg": "RS256"}]}
        ).encode()
        self.documents[f"/issuer/keys/{self.thumbprint}"] = json.dumps(
            {**public, "kid": self.kid_url, "alg": "RS256"}
        ).encode()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        attacker = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                attacker.requests.append(self.path)
                body = attacker.documents.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body or b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def sign(self, claims: dict[str, Any], header: dict[str, Any]) -> str:
        return pyjwt.encode(claims, self.pem, algorithm="RS256", headers=header)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _thumbprint(jwk: dict[str, Any]) -> str:
    import hashlib

    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    return (
        base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    )


@pytest.fixture
def attacker() -> Iterator[Attacker]:
    host = Attacker()
    yield host
    host.stop()


def forgeries(real: dict[str, Any], attacker: Attacker) -> dict[str, str]:
    """Our issuer's name and a holder "Forged Person", signed with the attacker's key under an
    issuer id on the attacker's host: as a VC 2.0 credential, and as a VC 1.1 one (a bare kid,
    keys in the JWKS beside the issuer id, as the old verifier looked them up)."""
    issuer = {**real["issuer"], "id": f"{attacker.base}/issuer"}
    subject = {
        **real["credentialSubject"],
        "name": "Forged Person",
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": "Forged Person",
                "identityType": "name",
                "hashed": False,
            }
        ],
    }
    status_list = f"{attacker.base}/credentials/status/1"
    status = {
        **real["credentialStatus"],
        "id": f"{status_list}#0",
        "statusListIndex": "0",
        "statusListCredential": status_list,
    }
    start = real.get("validFrom") or real["issuanceDate"]
    modern = {
        **{k: v for k, v in real.items() if k not in ("issuanceDate", "jti", "expirationDate")},
        "@context": [V2, OB3_CONTEXT],
        "validFrom": start,
        "issuer": issuer,
        "iss": issuer["id"],
        "credentialSubject": subject,
        "credentialStatus": status,
    }
    legacy = {
        key: value for key, value in modern.items() if key not in ("validFrom", "credentialStatus")
    }
    legacy.update(
        {
            "@context": ["https://www.w3.org/2018/credentials/v1", OB3_CONTEXT],
            "issuanceDate": start,
            "jti": real["id"],
            "credentialStatus": {
                "id": f"{attacker.base}/revocations.json",
                "type": "1EdTechRevocationList",
            },
        }
    )
    return {
        "VC 1.1": attacker.sign(legacy, {"typ": "JWT", "kid": attacker.thumbprint}),
        "VC 2.0": attacker.sign(modern, {"typ": "vc+jwt", "cty": "vc", "kid": attacker.kid_url}),
    }


def test_a_credential_forged_on_another_host_is_refused(  # noqa: ANN001
    app, client, make_user, tmp_path, attacker
) -> None:
    certificate = earn(app, make_user(name="Rina Das").id)
    real = b64json(token_of(client, certificate.code).split(".")[1])
    jwks_file = tmp_path / "attacker-jwks.json"
    jwks_file.write_bytes(attacker.documents["/.well-known/jwks.json"])
    for shape, forged in forgeries(real, attacker).items():
        result = verify_cli(app, forged, tmp_path)
        assert result.exit_code == 1, (shape, result.output)
        assert "NOT VALID: The issuer http://127.0.0.1:" in result.output, result.output
        assert "not one this site trusts" in result.output and "Forged Person" not in result.output
        offline = verify_cli(app, forged, tmp_path, "--jwks", str(jwks_file))
        assert offline.exit_code == 1 and "not one this site trusts" in offline.output, shape
        page = upload(client, forged.encode()).get_data(as_text=True)
        assert "✗ Not valid" in page and "not one this site trusts" in page, shape
        assert "Forged Person" not in page
    assert attacker.requests == []  # nothing was fetched from the other host


def test_a_key_or_status_list_elsewhere_is_refused_even_for_our_issuer(  # noqa: ANN001
    app, client, make_user, tmp_path, attacker
) -> None:
    certificate = earn(app, make_user().id)
    token = token_of(client, certificate.code)
    real = b64json(token.split(".")[1])
    changed = {**real, "credentialSubject": {**real["credentialSubject"], "name": "Forged Person"}}
    # Our issuer id, the attacker's key URL: the key is never fetched.
    elsewhere = attacker.sign(changed, {"typ": "vc+jwt", "kid": attacker.kid_url})
    result = verify_cli(app, elsewhere, tmp_path)
    assert result.exit_code == 1 and "not published at the issuer's address" in result.output
    # Our issuer id and our key's URL, the attacker's signature.
    kid = pyjwt.get_unverified_header(token)["kid"]
    mimic = attacker.sign(changed, {"typ": "vc+jwt", "kid": kid})
    result = verify_cli(app, mimic, tmp_path)
    assert result.exit_code == 1 and "NOT VALID: Bad signature" in result.output
    assert attacker.requests == []


def test_a_trusted_other_issuer_is_fetched_over_http(  # noqa: ANN001
    app, client, make_user, tmp_path, attacker
) -> None:
    """Pinning, not refusing everything: an issuer named in LMS_TRUSTED_ISSUERS (or --trust)
    has its key fetched from its own address."""
    certificate = earn(app, make_user().id)
    real = b64json(token_of(client, certificate.code).split(".")[1])
    forged = forgeries(real, attacker)["VC 2.0"]
    result = verify_cli(app, forged, tmp_path, "--trust", attacker.base)
    assert result.exit_code == 0, result.output
    assert "signature: Valid" in result.output and "holder: Forged Person" in result.output
    assert "status: Not checked: the issuer's status list could not be fetched" in result.output
    assert f"/issuer/keys/{attacker.thumbprint}" in attacker.requests
    app.config["LMS_TRUSTED_ISSUERS"] = [BASE, attacker.base]
    page = upload(client, forged.encode()).get_data(as_text=True)
    assert "✓ Valid" in page and "Forged Person" in page
    app.config["LMS_TRUSTED_ISSUERS"] = ["https://other.example.org"]
    ours = upload(client, token_of(client, certificate.code).encode()).get_data(as_text=True)
    assert "✗ Not valid" in ours and "not one this site trusts" in ours


# 1. Credentials issued before the move to VC 2.0 still verify.


@pytest.fixture
def legacy(app: Flask, make_user) -> Certificate:  # noqa: ANN001
    """A certificate issued by the code before VC 2.0 (the JWT and its key were made with it:
    ``issuanceDate`` 2026-12-04T19:17:00Z, a bare thumbprint as kid), kept as the site kept it."""
    token = (FIXTURES / "legacy-vc11.jwt").read_text().strip()
    claims = b64json(token.split(".")[1])
    kid = pyjwt.get_unverified_header(token)["kid"]
    holder = make_user(name=claims["credentialSubject"]["identifier"][0]["identityHash"])
    with app.app_context():
        keys.current_key()  # the site's current key is a newer one
        target = keys.key_dir() / f"{kid}.pem"
        shutil.copyfile(FIXTURES / "legacy-key.pem", target)
        target.chmod(0o600)
        certificate = Certificate(
            code=claims["id"].rsplit("/", 1)[1].removesuffix(".json"),
            user_id=holder.id,
            kind="module",
            achievement_id="tanning",
            titles={"en": "Tanning basics"},
            holder_name=holder.name,
            score_percent=80.0,
            score_band="merit",
            issued_at=datetime(2026, 12, 4, 19, 17, tzinfo=UTC),
            kid=kid,
            credential_jwt=token,
        )
        db.session.add(certificate)
        db.session.flush()
        certificate.status_index = certificate.id - 1
        db.session.commit()
        db.session.refresh(certificate)
        db.session.expunge(certificate)
        return certificate


def test_credentials_issued_before_still_verify(app, client, legacy, tmp_path) -> None:  # noqa: ANN001
    token = legacy.credential_jwt
    claims = b64json(token.split(".")[1])
    assert claims["@context"][0] == "https://www.w3.org/2018/credentials/v1"
    jsonschema.validate(claims, schema("achievementcredential.json"))  # the earlier edition
    published = client.get("/.well-known/jwks.json").json
    key = pyjwt.PyJWKSet.from_dict(published)[legacy.kid]
    pyjwt.decode(token, key=key.key, algorithms=["RS256"])
    online = verify_cli(app, token, tmp_path)
    assert online.exit_code == 0, online.output
    assert "signature: Valid" in online.output and "status: Not revoked" in online.output
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(published))
    offline = verify_cli(app, token, tmp_path, "--jwks", str(jwks_file))
    assert offline.exit_code == 0 and "status: Not checked: verified offline" in offline.output
    page = upload(client, token.encode()).get_data(as_text=True)
    assert "✓ Valid" in page and "Rokeya Begum" in page and "5 December 2026" in page
    assert "5 December 2026" in client.get(f"/verify/{legacy.code}").get_data(as_text=True)
    assert client.get(f"/verify/{legacy.code}.json").json["issued_on"] == "2026-12-05"
    revoke = ["lms", "revoke-certificate", legacy.code, "--reason", "Issued in error"]
    assert app.test_cli_runner().invoke(args=revoke).exit_code == 0
    revoked = verify_cli(app, token, tmp_path)
    assert revoked.exit_code == 1
    assert "NOT VALID: Revoked by the issuer: Issued in error" in revoked.output
    page = upload(client, token.encode()).get_data(as_text=True)
    assert "✗ Not valid" in page and "Revoked by the issuer: Issued in error" in page


# 6. One date everywhere: the certificate country's.


def pdf_text(client: FlaskClient, code: str, lang: str) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: run `make system-deps` (poppler-utils)")
    with client.get(f"/certificates/{code}.pdf?lang={lang}") as response:
        assert response.status_code == 200
        pdf = response.data
    run = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(run.stdout.decode().split())


def test_the_pdf_the_verify_page_and_the_json_give_the_same_date(  # noqa: ANN001
    app, client, make_user, monkeypatch
) -> None:
    monkeypatch.setattr(services, "utcnow", lambda: datetime(2026, 12, 4, 20, 15, tzinfo=UTC))
    learner = make_user(name="Rina Das")
    certificate = earn(app, learner.id)
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "5 December 2026" in page and "4 December" not in page
    bengali = client.get(f"/verify/{certificate.code}", headers={"Accept-Language": "bn"})
    shown = bengali.get_data(as_text=True).split("<dt>")
    bengali_date = next(p for p in shown if "২০২৬" in p).split("<dd>")[1].split("</dd>")[0]
    login(client, learner.email)
    english = pdf_text(client, certificate.code, "en")
    assert "5 December 2026" in english and "4 December" not in english
    bengali_pdf = pdf_text(client, certificate.code, "bn")
    assert "".join(bengali_date.split()) in "".join(bengali_pdf.split())
    data = client.get(f"/verify/{certificate.code}.json").json
    assert data["issued_on"] == "2026-12-05" and data["time_zone"] == "Asia/Kolkata"
    assert data["credential"]["validFrom"] == "2026-12-05T01:45:00+05:30"


def test_the_date_is_the_certificate_countrys_not_the_readers(  # noqa: ANN001
    app, client, make_user, monkeypatch
) -> None:
    """18:15 UTC is 23:45 in Kolkata and 00:15 the next day in Dhaka: a Bangladeshi learner's
    certificate says the Dhaka date to a reader in India too."""
    monkeypatch.setattr(services, "utcnow", lambda: datetime(2026, 12, 4, 18, 15, tzinfo=UTC))
    learner = make_user(name="Rokeya Begum", country="BD")
    certificate = earn(app, learner.id)
    page = client.get(f"/verify/{certificate.code}", headers={"Accept-Language": "en"})
    assert "5 December 2026" in page.get_data(as_text=True)
    data = client.get(f"/verify/{certificate.code}.json").json
    assert data["issued_on"] == "2026-12-05" and data["time_zone"] == "Asia/Dhaka"
    assert data["credential"]["validFrom"] == "2026-12-05T00:15:00+06:00"
    login(client, learner.email)
    assert "5 December 2026" in pdf_text(client, certificate.code, "en")


# 5. The verify page checks a credential file.


def test_checking_a_credential_file_on_the_verify_page(app, client, make_user) -> None:  # noqa: ANN001
    certificate = earn(app, make_user(name="Rina Das").id)
    token = token_of(client, certificate.code)
    form = client.get("/verify").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'name="csrf_token"' in form
    refused = client.post("/verify", data={"pasted": token})  # no CSRF token
    assert refused.status_code == 400 and "Rina Das" not in refused.get_data(as_text=True)
    page = upload(client, token.encode()).get_data(as_text=True)
    assert "✓ Valid" in page and "Rina Das" in page and "Tanning basics" in page
    for said in (
        "an issuer this site trusts",
        "Valid: signed with the issuer&#39;s key",
        "Valid since",
        "Not revoked: checked in the issuer&#39;s status list.",
    ):
        assert said in page, said
    as_json = client.get(f"/verify/{certificate.code}.json").data
    assert "✓ Valid" in upload(client, as_json, "certificate.json").get_data(as_text=True)
    pasted = client.post(
        "/verify", data={"csrf_token": csrf_token(client, "/verify"), "pasted": token}
    )
    assert "✓ Valid" in pasted.get_data(as_text=True)
    bengali = upload(client, token.encode(), **{"Accept-Language": "bn-BD"})
    assert "✓ বৈধ" in bengali.get_data(as_text=True)
    head, body, signature = token.split(".")
    tampered = f"{head}.{b64({**b64json(body), 'name': 'Other'})}.{signature}"
    page = upload(client, tampered.encode()).get_data(as_text=True)
    assert "✗ Not valid" in page and "Bad signature" in page and "Rina Das" not in page
    assert f"{BASE}/issuer is an issuer this site trusts" in page  # the name is not shown
    not_json = upload(client, f"{head}.bm90IGpzb24.{signature}".encode())  # "not json"
    assert not_json.status_code == 200 and "not a signed credential" in not_json.get_data(True)
    bare = json.dumps(b64json(body)).encode()
    assert "holds no signed credential" in upload(client, bare, "c.json").get_data(as_text=True)
    garbage = upload(client, b"<script>alert(1)</script>").get_data(as_text=True)
    assert "not a signed credential" in garbage and "<script>alert" not in garbage
    empty = upload(client, b"", "empty.jwt")
    assert empty.status_code == 400 and "Choose a .jwt or .json file" in empty.get_data(
        as_text=True
    )
    large = upload(client, b"a" * (64 * 1024 + 1))
    assert large.status_code == 413 and "at most 64 KB" in large.get_data(as_text=True)
    services_revoke(app, certificate.code, "Wrong holder")
    page = upload(client, token.encode()).get_data(as_text=True)
    assert "✗ Not valid" in page and "Revoked by the issuer." in page


def services_revoke(app: Flask, code: str, reason: str) -> None:
    with app.app_context():
        services.revoke(services.by_code(code), reason)


# Revocation, as any Bitstring Status List verifier reads it.


def test_the_status_list_credential_says_which_are_revoked(app, client, make_user) -> None:  # noqa: ANN001
    kept = earn(app, make_user().id)
    revoked = earn(app, make_user().id)
    services_revoke(app, revoked.code, "Issued in error")
    claims = b64json(token_of(client, revoked.code).split(".")[1])
    response = client.get(path_of(claims["credentialStatus"]["statusListCredential"]))
    assert response.mimetype == "application/vc+jwt"
    listed = response.get_data(as_text=True)
    kid = pyjwt.get_unverified_header(listed)["kid"]
    key = pyjwt.PyJWK(client.get(path_of(kid)).json).key
    status = pyjwt.decode(listed, key=key, algorithms=["RS256"])
    assert status["id"] == claims["credentialStatus"]["statusListCredential"]
    assert status["issuer"] == claims["issuer"]["id"]
    assert "BitstringStatusListCredential" in status["type"]
    subject = status["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    encoded = subject["encodedList"]
    assert encoded.startswith("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 >= 131_072

    def bit(index: int) -> bool:
        return bool(bits[index // 8] & (0x80 >> (index % 8)))

    assert bit(revoked.status_index) and not bit(kept.status_index)
    assert sum(bin(byte).count("1") for byte in bits) == 1


# 3. The issuer and the achievements.


def test_the_issuer_profile_validates(app, client) -> None:  # noqa: ANN001
    profile = client.get("/issuer").json
    jsonschema.validate(profile, schema("profile-vc2.json"))
    assert profile["id"] == f"{BASE}/issuer" and profile["type"] == ["Profile"]
    assert profile["name"] == "Dakshata Leather MSME Training Programme"
    assert profile["verificationMethod"] and profile["description"]


def test_achievements_have_a_name_in_each_language_a_description_criteria_and_image(  # noqa: ANN001
    app, client
) -> None:
    definitions = schema("achievementcredential-vc2.json")["$defs"]
    achievement_schema = {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$ref": "#/$defs/Achievement",
        "$defs": definitions,
    }
    english = client.get("/achievements/tanning").json
    jsonschema.validate(english, achievement_schema)
    assert english["id"] == f"{BASE}/achievements/tanning"
    assert english["name"] == "Tanning basics" and english["inLanguage"] == "en"
    assert english["description"] == "A short module for tests."
    assert "60%" in english["criteria"]["narrative"]
    image = client.get(path_of(english["image"]["id"]))
    assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG\r\n\x1a\n")
    versions = {r["inLanguage"]: r["id"] for r in english["related"]}
    assert set(versions) == {"bn-IN", "bn-BD"}
    for language, name in (("bn-IN", "পরীক্ষার মডিউল (bn)"), ("bn-BD", "পরীক্ষার মডিউল (bn_BD)")):
        version = client.get(path_of(versions[language])).json
        jsonschema.validate(version, achievement_schema)
        assert version["name"] == name and version["inLanguage"] == language
        assert version["description"] == "পরীক্ষার জন্য ছোট মডিউল।"
        assert version["criteria"]["narrative"] and version["image"]["id"] == english["image"]["id"]
    programme = client.get("/achievements/programme").json
    assert programme["name"] == "Leather MSME skills programme"
    # Retired (courses replaced it), its page answers for the certificates already issued.
    assert "until courses replaced" in programme["criteria"]["narrative"]
    assert client.get("/achievements/no-such-module").status_code == 404
    assert client.get("/achievements/tanning/xx").status_code == 404
